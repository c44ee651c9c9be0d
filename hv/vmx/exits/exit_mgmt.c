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
 * partition stays stopped until `mgmt start` on the console. The console's
 * `mgmt stop|start|restart` use the same steps. The primary partition's
 * CPUs are never involved.
 *
 * The partition's first CPU also serves onestone's console, at its tick
 * and in every loop it spins in outside the guest (back-off, stopped,
 * failed), so the console answers whatever state the partition is in. */
#include "hv/vmx/exits/exits.h"
#include "hv/core/console.h"
#include "hv/core/mgmt_hypercall.h"
#include "hv/core/partition_reset.h"
#include "hv/core/pci_cfg.h"
#include "hv/vmx/lapic_emul.h"
#include "hv/core/log.h"
#include "hv/core/spinlock.h"
#include "hv/vmx/vmcs_setup.h"
#include "hv/vmx/vmx_ops.h"
#include "hv/vtd/vtd_faults.h"
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

/* the partition's first CPU serves onestone's console (hv/core/console.h) */
static bool serves_console(const struct percpu *cpu)
{
    return cpu->part_index == 0;
}

/* the console CPU's work outside the guest: the console, VT-d faults */
static void serve(struct percpu *cpu)
{
    if (!serves_console(cpu))
        return;
    console_tick();
    vtd_faults_poll(true);
}

/* spins for ms, serving the console each millisecond meanwhile */
static void wait_ms(struct percpu *cpu, uint64_t ms)
{
    uint64_t now = rdtsc(), deadline = now + ms * hv_tsc_per_ms(), next = now;
    while ((now = rdtsc()) < deadline) {
        if (now >= next) {
            serve(cpu);
            next = now + hv_tsc_per_ms();
        }
        cpu_relax();
    }
}

static void wait_ms_for_reset(void *ctx, unsigned ms)
{
    wait_ms(ctx, ms);
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

/* With contain_lock held and the partition marked stopped: its other CPUs
 * leave the guest (an NMI exits them into park_for_restart) and its
 * devices stop DMA. */
static void stop_cpus_and_devices(struct percpu *cpu)
{
    struct partition *part = cpu->part;
    const struct plan_mgmt *m = &hv_plan->mgmt;
    restart_requested = true;
    cpus_parked = 0;
    uint32_t others = 0;
    for (uint32_t i = 0; i < hv_plan->cpu_count; i++)
        if (hv_cpus[i].part == part && &hv_cpus[i] != cpu) {
            lapic_send_nmi(hv_cpus[i].apic_id);
            others++;
        }
    uint64_t deadline = rdtsc() + 1000 * hv_tsc_per_ms();
    while (cpus_parked < others && rdtsc() < deadline) {
        serve(cpu);
        cpu_relax();
    }
    for (uint32_t d = 0; d < m->device_count; d++)
        pci_cfg_quiesce(plan_device_bdf(&m->devices[d]));
}

/* With contain_lock held: the partition's kernel and boot structures
 * from the pristine copy (checkpoint memory kept), then every CPU of it
 * at its entry again. Releases contain_lock. */
static void start_again(struct percpu *cpu, struct guest_regs *regs, const char *how)
{
    struct partition *part = cpu->part;
    const struct plan_mgmt *m = &hv_plan->mgmt;
    /* its devices as after power-on, so the next kernel finds no state
     * (DMA set up, interrupts, queues) the crashed one left */
    partition_reset_devices(m, wait_ms_for_reset, cpu);
    restore_memory(m);
    struct mgmt_boot_params *params = (struct mgmt_boot_params *)(uintptr_t)(m->mem_hpa +
                                                                            m->params_gpa);
    params->restarts = ++part->restarts;
    part->compute_request = MGMT_REQ_NONE;
    part->state = PARTITION_RUNNING;
    restart_requested = false;
    __atomic_add_fetch(&restart_generation, 1, __ATOMIC_ACQ_REL);
    vmcs_mgmt_guest_reset(cpu, regs);
    cpu->event_injected = true;
    LOG_INF("mgmt partition: %s", how);
    spin_unlock(&contain_lock);
}

/* On the console CPU while the partition is not running: `mgmt start`
 * (or restart) asked on the console starts it. True when it did. */
static bool start_if_asked(struct percpu *cpu, struct guest_regs *regs)
{
    struct partition *part = cpu->part;
    enum partition_request r = part->request;
    if (r == PARTITION_REQ_NONE || part->state == PARTITION_RUNNING ||
        !spin_trylock(&contain_lock))
        return false;
    part->request = PARTITION_REQ_NONE;
    if (r == PARTITION_REQ_STOP || part->state == PARTITION_RUNNING) {
        spin_unlock(&contain_lock);
        return false;
    }
    if (part->state == PARTITION_FAILED)
        crash_count = 0;            /* a person decided: the crash history starts over */
    start_again(cpu, regs, "started from its pristine kernel (asked on the console)");
    return true;
}

/* This CPU waits outside the guest until the partition runs again (another
 * CPU restarts it, or, on the console CPU, the console asks), serving the
 * console meanwhile when it is the console CPU; then it starts over at
 * the entry. */
static void park_for_restart(struct percpu *cpu, struct guest_regs *regs)
{
    uint32_t gen = restart_generation;
    __atomic_add_fetch(&cpus_parked, 1, __ATOMIC_ACQ_REL);
    uint64_t next = 0;
    while (restart_generation == gen || cpu->part->state != PARTITION_RUNNING) {
        uint64_t now = rdtsc();
        if (serves_console(cpu) && now >= next) {
            serve(cpu);
            next = now + hv_tsc_per_ms();
            if (start_if_asked(cpu, regs))
                return;
        }
        cpu_relax();
    }
    vmcs_mgmt_guest_reset(cpu, regs);
    cpu->event_injected = true;
}

void mgmt_contain(struct percpu *cpu, struct guest_regs *regs, const char *why)
{
    struct partition *part = cpu->part;
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
    stop_cpus_and_devices(cpu);

    uint64_t now = rdtsc();
    unsigned recent = 0;
    for (unsigned i = 0; i < MGMT_CRASH_LIMIT && i < crash_count; i++)
        if (now - crash_tsc[i] < MGMT_CRASH_WINDOW_S * 1000ull * hv_tsc_per_ms())
            recent++;
    crash_tsc[crash_count++ % MGMT_CRASH_LIMIT] = now;
    if (recent + 1 >= MGMT_CRASH_LIMIT) {
        part->state = PARTITION_FAILED;
        LOG_ERR("mgmt partition: %u crashes within %u s: it stays stopped (the primary "
                "partition is not affected; 'mgmt start' on the console starts it again)",
                recent + 1, MGMT_CRASH_WINDOW_S);
        spin_unlock(&contain_lock);
        park_for_restart(cpu, regs);
        return;
    }
    uint64_t delay_ms = 1000ull << recent;
    LOG_WARN_("mgmt partition: restarting in %lu ms (crash %u of %u allowed within %u s); "
              "checkpoint memory kept", (unsigned long)delay_ms, recent + 1, MGMT_CRASH_LIMIT - 1,
              MGMT_CRASH_WINDOW_S);
    wait_ms(cpu, delay_ms);
    if (part->request == PARTITION_REQ_STOP) {
        part->request = PARTITION_REQ_NONE;     /* `mgmt stop` during the back-off */
        LOG_WARN_("mgmt partition: stays stopped (asked on the console)");
        spin_unlock(&contain_lock);
        park_for_restart(cpu, regs);
        return;
    }
    start_again(cpu, regs, "restarted from its pristine kernel");
}

/* On the console CPU, at its tick: `mgmt stop` and `mgmt restart`. True
 * when the guest state was reset (the partition started again). */
static bool act_on_request(struct percpu *cpu, struct guest_regs *regs)
{
    struct partition *part = cpu->part;
    enum partition_request r = part->request;
    if (r == PARTITION_REQ_NONE || !spin_trylock(&contain_lock))
        return false;
    part->request = PARTITION_REQ_NONE;
    if (r == PARTITION_REQ_START || part->state != PARTITION_RUNNING) {
        spin_unlock(&contain_lock);     /* running already, or being restarted */
        return false;
    }
    LOG_WARN_("mgmt partition: %s (asked on the console)",
              r == PARTITION_REQ_STOP ? "stopping" : "restarting");
    part->state = PARTITION_STOPPED;
    stop_cpus_and_devices(cpu);
    if (r == PARTITION_REQ_RESTART) {
        start_again(cpu, regs, "restarted from its pristine kernel (asked on the console)");
        return true;
    }
    LOG_INF("mgmt partition: stopped; its CPU serves the console ('mgmt start' starts it)");
    spin_unlock(&contain_lock);
    park_for_restart(cpu, regs);
    return true;
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

void mgmt_kicked(struct percpu *cpu, struct guest_regs *regs)
{
    if (cpu->on_loan)
        return;
    if (cpu->loan_pending)
        loan_begin(cpu, regs);
    else if (restart_requested && cpu->part->state != PARTITION_RUNNING)
        park_for_restart(cpu, regs);
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

/* The partition's tick (its VMX-preemption timer, counting its own time):
 * on its first CPU the console and the VT-d fault records every few
 * milliseconds (hv/core/console.h) and what the console asked; on every
 * CPU the watchdog: has it called HEARTBEAT lately? */
static void mgmt_tick(struct percpu *cpu, struct guest_regs *regs)
{
    if (serves_console(cpu)) {
        console_start();
        serve(cpu);
        if (act_on_request(cpu, regs))
            return;
    }
    uint64_t silent_ms = (rdtsc() - cpu->part->heartbeat_tsc) / hv_tsc_per_ms();
    if (silent_ms > MGMT_WATCHDOG_MS) {
        char why[96];
        fmt_snprintf(why, sizeof why, "no heartbeat for %lu ms (watchdog: %u ms)",
                     (unsigned long)silent_ms, MGMT_WATCHDOG_MS);
        mgmt_contain(cpu, regs, why);
        return;
    }
    vmcs_mgmt_arm_tick(serves_console(cpu) ? console_tick_ms() : MGMT_WATCHDOG_TICK_MS);
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
    case EXIT_REASON_PREEMPTION_TIMER:   return mgmt_tick;
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
