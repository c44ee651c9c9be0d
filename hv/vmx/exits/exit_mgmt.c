/* Runs in VMX root: the management partition's exit policy. Everything
 * that is not the partition's own stops it: an access outside its memory
 * (EPT violation), a port other than PCI configuration space, HLT (the
 * partition's fatal-error path), a triple fault, a failed entry, and
 * MGMT_WATCHDOG_MS of its own time without a heartbeat hypercall. Events
 * aimed at its CPUs from elsewhere (external interrupts, NMIs, INIT) are
 * dropped and counted. MSRs raise #GP: the partition needs none.
 *
 * Containment: onestone logs why, stops every CPU of the partition, clears
 * bus mastering on its devices, restores the kernel and boot structures
 * from the pristine copy taken at boot (checkpoint memory is kept, so jobs
 * resume) and starts it again at its entry. Restarts back off (1 s, 2 s,
 * 4 s); after MGMT_CRASH_LIMIT crashes within MGMT_CRASH_WINDOW_S the
 * partition stays stopped. The primary partition's CPUs are never
 * involved. */
#include "hv/vmx/exits/exits.h"
#include "hv/core/mgmt_hypercall.h"
#include "hv/core/pci_cfg.h"
#include "hv/vmx/lapic_emul.h"
#include "hv/core/log.h"
#include "hv/core/spinlock.h"
#include "hv/vmx/vmcs_setup.h"
#include "hv/vmx/vmx_ops.h"
#include "onestone/mgmt_abi.h"
#include "arch/io.h"
#include "arch/lapic.h"

#define MGMT_CRASH_LIMIT 3
#define MGMT_CRASH_WINDOW_S 600
#define EVENT_LOG_LIMIT 4

static uint64_t crash_tsc[MGMT_CRASH_LIMIT];
static unsigned crash_count;
static volatile uint32_t restart_generation;
static volatile bool restart_requested;
static volatile uint32_t cpus_parked;
static spinlock_t contain_lock;

static void note_event(struct percpu *cpu, const char *what)
{
    cpu->events_dropped++;
    cpu->part->dropped_events++;
    if (cpu->events_dropped <= EVENT_LOG_LIMIT)
        LOG_WARN_("mgmt partition: %s dropped (not the partition's)%s", what,
                  cpu->events_dropped == EVENT_LOG_LIMIT ? "; further ones are counted" : "");
}

/* Another CPU of the partition is restarting it: wait here, outside the
 * guest, until the memory is restored, then start over at the entry. */
static void park_for_restart(struct percpu *cpu, struct guest_regs *regs)
{
    uint32_t gen = restart_generation;
    __atomic_add_fetch(&cpus_parked, 1, __ATOMIC_ACQ_REL);
    while (restart_generation == gen)
        cpu_relax();
    if (cpu->part->state != PARTITION_RUNNING)
        for (;;)
            __asm__ volatile("cli; hlt");
    vmcs_mgmt_guest_reset(cpu, regs);
    cpu->event_injected = true;
}

static void restore_memory(const struct plan_mgmt *m)
{
    uint8_t *mem = (uint8_t *)(uintptr_t)m->mem_hpa;
    const uint8_t *pristine = (const uint8_t *)(uintptr_t)m->pristine_hpa;
    for (uint64_t i = 0; i < m->load_end; i++)
        mem[i] = pristine[i];
    for (uint64_t i = m->load_end; i < m->ckpt_base; i++)
        mem[i] = 0;
}

void mgmt_contain(struct percpu *cpu, struct guest_regs *regs, const char *why)
{
    struct partition *part = cpu->part;
    const struct plan_mgmt *m = &hv_plan->mgmt;
    if (!spin_trylock(&contain_lock)) {
        /* another CPU of the partition is already restarting it */
        park_for_restart(cpu, regs);
        return;
    }
    part->violations++;
    LOG_ERR("mgmt partition stopped: %s (cpu%u at rip 0x%lx, exit reason %lu, qualification "
            "0x%lx, guest-physical 0x%lx)", why, cpu->index, vmread(VMCS_GUEST_RIP),
            vmread(VMCS_EXIT_REASON) & EXIT_REASON_BASIC_MASK,
            vmread(VMCS_EXIT_QUALIFICATION), vmread(VMCS_GUEST_PHYSICAL_ADDR));
    part->state = PARTITION_STOPPED;

    /* stop the partition's other CPUs: an NMI exits them into park_for_restart */
    restart_requested = true;
    cpus_parked = 0;
    uint32_t others = 0;
    for (uint32_t i = 0; i < hv_plan->cpu_count; i++)
        if (hv_cpus[i].part == part && &hv_cpus[i] != cpu) {
            lapic_send_nmi(hv_cpus[i].apic_id);
            others++;
        }
    uint64_t deadline = rdtsc() + 1000 * hv_tsc_per_ms();
    while (cpus_parked < others && rdtsc() < deadline)
        cpu_relax();
    for (uint32_t d = 0; d < m->device_count; d++)
        pci_cfg_quiesce(plan_device_bdf(&m->devices[d]));

    uint64_t now = rdtsc();
    unsigned recent = 0;
    for (unsigned i = 0; i < MGMT_CRASH_LIMIT && i < crash_count; i++)
        if (now - crash_tsc[i] < MGMT_CRASH_WINDOW_S * 1000ull * hv_tsc_per_ms())
            recent++;
    crash_tsc[crash_count++ % MGMT_CRASH_LIMIT] = now;
    if (recent + 1 >= MGMT_CRASH_LIMIT) {
        part->state = PARTITION_FAILED;
        LOG_ERR("mgmt partition: %u crashes within %u s: it stays stopped (the primary "
                "partition is not affected)", recent + 1, MGMT_CRASH_WINDOW_S);
        restart_requested = false;
        __atomic_add_fetch(&restart_generation, 1, __ATOMIC_ACQ_REL);
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    uint64_t delay_ms = 1000ull << recent;
    LOG_WARN_("mgmt partition: restarting in %lu ms (crash %u of %u allowed within %u s); "
              "checkpoint memory kept", (unsigned long)delay_ms, recent + 1, MGMT_CRASH_LIMIT - 1,
              MGMT_CRASH_WINDOW_S);
    deadline = rdtsc() + delay_ms * hv_tsc_per_ms();
    while (rdtsc() < deadline)
        cpu_relax();
    restore_memory(m);
    struct mgmt_boot_params *params = (struct mgmt_boot_params *)(uintptr_t)(m->mem_hpa +
                                                                            m->params_gpa);
    params->restarts = ++part->restarts;
    part->state = PARTITION_RUNNING;
    restart_requested = false;
    __atomic_add_fetch(&restart_generation, 1, __ATOMIC_ACQ_REL);
    vmcs_mgmt_guest_reset(cpu, regs);
    cpu->event_injected = true;
    LOG_INF("mgmt partition: restarted from its pristine kernel");
    spin_unlock(&contain_lock);
}

static void mgmt_nmi(struct percpu *cpu, struct guest_regs *regs)
{
    uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
    bool is_nmi = (info & INTR_INFO_VALID) &&
                  ((info >> INTR_INFO_TYPE_SHIFT) & 7) == INTR_TYPE_NMI;
    if (!is_nmi) {
        mgmt_contain(cpu, regs, "exception exit");
        return;
    }
    exit_unblock_nmis();
    if (cpu->loan_pending) {
        loan_begin(cpu, regs);
        return;
    }
    if (restart_requested) {
        park_for_restart(cpu, regs);
        return;
    }
    note_event(cpu, "an NMI");
}

static void mgmt_external_interrupt(struct percpu *cpu, struct guest_regs *regs)
{
    (void)regs;
    uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
    uint8_t vector = (uint8_t)(info & 0xFF);
    /* acknowledged on exit: the local APIC waits for its EOI */
    if (vector != 0xFF)
        lapic_eoi();
    note_event(cpu, "an external interrupt");
}

static void mgmt_init(struct percpu *cpu, struct guest_regs *regs)
{
    (void)regs;
    note_event(cpu, "an INIT signal");
}

static void mgmt_hlt(struct percpu *cpu, struct guest_regs *regs)
{
    mgmt_contain(cpu, regs, "the partition halted (HLT: its fatal-error path)");
}

static void mgmt_triple_fault(struct percpu *cpu, struct guest_regs *regs)
{
    mgmt_contain(cpu, regs, "triple fault");
}

static void mgmt_ept_violation(struct percpu *cpu, struct guest_regs *regs)
{
    mgmt_contain(cpu, regs, "access outside the partition's memory and devices");
}

/* once a second of the partition's time: has it called HEARTBEAT? */
static void mgmt_watchdog(struct percpu *cpu, struct guest_regs *regs)
{
    uint64_t silent_ms = (rdtsc() - cpu->part->heartbeat_tsc) / hv_tsc_per_ms();
    if (silent_ms > MGMT_WATCHDOG_MS) {
        char why[96];
        fmt_snprintf(why, sizeof why, "no heartbeat for %lu ms (watchdog: %u ms)",
                     (unsigned long)silent_ms, MGMT_WATCHDOG_MS);
        mgmt_contain(cpu, regs, why);
        return;
    }
    vmcs_mgmt_arm_watchdog();
}

static void mgmt_msr(struct percpu *cpu, struct guest_regs *regs)
{
    (void)regs;
    exit_inject_exception(cpu, VECTOR_GP, true, 0);
}

static void mgmt_vmcall(struct percpu *cpu, struct guest_regs *regs)
{
    if (exit_guest_cpl() != 0) {
        exit_inject_exception(cpu, VECTOR_UD, false, 0);
        return;
    }
    regs->gpr[GPR_RAX] = (uint64_t)mgmt_hypercall(cpu->part, regs->gpr[GPR_RAX],
                                                  regs->gpr[7], regs->gpr[6]);
    exit_advance_rip();
}

static void mgmt_unexpected(struct percpu *cpu, struct guest_regs *regs)
{
    mgmt_contain(cpu, regs, "an instruction or event onestone does not allow it");
}

exit_handler_fn mgmt_exit_handler(uint32_t basic)
{
    switch (basic) {
    case EXIT_REASON_EXCEPTION_NMI:      return mgmt_nmi;
    case EXIT_REASON_EXTERNAL_INTERRUPT: return mgmt_external_interrupt;
    case EXIT_REASON_INIT:               return mgmt_init;
    case EXIT_REASON_SIPI:               return mgmt_init;
    case EXIT_REASON_TRIPLE_FAULT:       return mgmt_triple_fault;
    case EXIT_REASON_HLT:                return mgmt_hlt;
    case EXIT_REASON_PREEMPTION_TIMER:   return mgmt_watchdog;
    case EXIT_REASON_IO_INSTRUCTION:     return handle_io;
    case EXIT_REASON_CPUID:              return handle_cpuid;
    case EXIT_REASON_RDMSR:
    case EXIT_REASON_WRMSR:              return mgmt_msr;
    case EXIT_REASON_CR_ACCESS:          return handle_cr_access;
    case EXIT_REASON_XSETBV:             return handle_xsetbv;
    case EXIT_REASON_INVD:               return handle_invd;
    case EXIT_REASON_EPT_VIOLATION:
    case EXIT_REASON_EPT_MISCONFIG:      return mgmt_ept_violation;
    case EXIT_REASON_VMCALL:             return mgmt_vmcall;
    case EXIT_REASON_VMCLEAR: case EXIT_REASON_VMLAUNCH: case EXIT_REASON_VMPTRLD:
    case EXIT_REASON_VMPTRST: case EXIT_REASON_VMREAD: case EXIT_REASON_VMRESUME:
    case EXIT_REASON_VMWRITE: case EXIT_REASON_VMXOFF: case EXIT_REASON_VMXON:
    case EXIT_REASON_INVEPT: case EXIT_REASON_INVVPID: case EXIT_REASON_VMFUNC:
        return handle_vmx_instruction;
    }
    return mgmt_unexpected;
}
