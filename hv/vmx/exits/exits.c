/* Runs in VMX root: every VM exit comes through vmx_exit_handler. It counts
 * the exit and its TSC cost per CPU and reason, dispatches through a
 * bounds-checked table, re-delivers an event the exit interrupted, and
 * injects an NMI that arrived while onestone was running. */
#include "hv/vmx/exits/exits.h"
#include "hv/vmx/exits/exit_decode.h"
#include "hv/core/log.h"
#include "hv/core/panic.h"
#include "hv/vmx/vmx_ops.h"
#include "hv/vtd/vtd_faults.h"
#include "arch/io.h"

static exit_handler_fn exit_table[EXIT_REASON_MAX];

void exits_init(void)
{
    exit_table[EXIT_REASON_EXCEPTION_NMI] = handle_exception_nmi;
    exit_table[EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault;
    exit_table[EXIT_REASON_INIT] = handle_init;
    exit_table[EXIT_REASON_SIPI] = handle_sipi;
    exit_table[EXIT_REASON_CPUID] = handle_cpuid;
    exit_table[EXIT_REASON_INVD] = handle_invd;
    exit_table[EXIT_REASON_RDMSR] = handle_rdmsr;
    exit_table[EXIT_REASON_WRMSR] = handle_wrmsr;
    exit_table[EXIT_REASON_CR_ACCESS] = handle_cr_access;
    exit_table[EXIT_REASON_XSETBV] = handle_xsetbv;
    exit_table[EXIT_REASON_EPT_VIOLATION] = handle_ept_violation;
    exit_table[EXIT_REASON_EPT_MISCONFIG] = handle_ept_misconfig;
    static const uint32_t vmx_instructions[] = {
        EXIT_REASON_VMCLEAR, EXIT_REASON_VMLAUNCH,
        EXIT_REASON_VMPTRLD, EXIT_REASON_VMPTRST, EXIT_REASON_VMREAD,
        EXIT_REASON_VMRESUME, EXIT_REASON_VMWRITE, EXIT_REASON_VMXOFF,
        EXIT_REASON_VMXON, EXIT_REASON_INVEPT, EXIT_REASON_INVVPID,
        EXIT_REASON_VMFUNC,
    };
    for (unsigned i = 0; i < sizeof vmx_instructions / sizeof vmx_instructions[0]; i++)
        exit_table[vmx_instructions[i]] = handle_vmx_instruction;
    exit_table[EXIT_REASON_VMCALL] = handle_vmcall;
    exit_table[EXIT_REASON_IO_INSTRUCTION] = handle_io;
}

static void handle_unexpected(struct percpu *cpu, struct guest_regs *regs)
{
    exit_fatal(cpu, regs, "unhandled VM exit");
}

/* An exit that interrupted event delivery (IDT-vectoring info valid) must
 * deliver that event again, unless the handler injected its own (27.2.4). */
static void redeliver_interrupted_event(struct percpu *cpu)
{
    uint32_t idt = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
    if (!(idt & INTR_INFO_VALID) || cpu->event_injected)
        return;
    uint32_t type = (idt >> INTR_INFO_TYPE_SHIFT) & 7;
    vmwrite_checked(VMCS_ENTRY_INTR_INFO, idt & ~(uint32_t)INTR_INFO_NMI_UNBLOCKING);
    if (idt & INTR_INFO_DELIVER_ERRCODE)
        vmwrite_checked(VMCS_ENTRY_EXCEPTION_ERRCODE, vmread(VMCS_IDT_VECTORING_ERRCODE));
    if (type == INTR_TYPE_SW_EXCEPTION || type == 4 || type == 5)
        vmwrite_checked(VMCS_ENTRY_INSTR_LEN, vmread(VMCS_EXIT_INSTR_LEN));
    cpu->event_injected = true;
}

static void deliver_pending_nmi(struct percpu *cpu)
{
    if (!cpu->nmi_pending || cpu->event_injected)
        return;
    if (vmread(VMCS_GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_MOV_SS))
        return;                 /* stays pending until a later exit */
    if (vmread(VMCS_GUEST_ACTIVITY_STATE) == GUEST_ACTIVITY_WAIT_FOR_SIPI)
        return;                 /* NMIs are blocked in wait-for-SIPI */
    vmwrite_checked(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID |
                    ((uint32_t)INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT) | VECTOR_NMI);
    cpu->nmi_pending = false;
    cpu->event_injected = true;
}

void vmx_exit_handler(struct guest_regs *regs)
{
    uint64_t start = rdtsc();
    struct percpu *cpu = this_cpu();
    uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
    uint32_t basic = reason & EXIT_REASON_BASIC_MASK;
    cpu->event_injected = false;

    if ((reason & EXIT_REASON_ENTRY_FAILURE) && cpu->part->kind == PARTITION_PRIMARY)
        exit_fatal(cpu, regs, "VM entry failed");
    if (hv_log_every_exit)
        LOG_DBG("exit %u (%s) at rip 0x%lx qual 0x%lx", basic, exit_reason_name(basic),
                vmread(VMCS_GUEST_RIP), vmread(VMCS_EXIT_QUALIFICATION));
    if (loan_ends_on(cpu, basic)) {
        static const char *const why[] = { [EXIT_REASON_HLT] = "HLT",
            [EXIT_REASON_MWAIT] = "MWAIT", [EXIT_REASON_PREEMPTION_TIMER] = "its time limit",
            [EXIT_REASON_TRIPLE_FAULT] = "a triple fault" };
        loan_end(cpu, regs, why[basic]);
        goto count;
    }
    if (cpu->part->kind == PARTITION_MGMT) {
        /* the management partition's own policy (hv/vmx/exits/exit_mgmt.c) */
        if (reason & EXIT_REASON_ENTRY_FAILURE)
            mgmt_contain(cpu, regs, "VM entry failed");
        else
            mgmt_exit_handler(basic)(cpu, regs);
        if (cpu->nmi_pending) {
            /* an NMI that came while this CPU was in VMX root (its console
             * tick, say) is not the partition's: it can only be a kick */
            cpu->nmi_pending = false;
            mgmt_kicked(cpu, regs);
        }
        if (!cpu->event_injected)
            redeliver_interrupted_event(cpu);
        goto count;
    }
    exit_handler_fn fn = basic < EXIT_REASON_MAX ? exit_table[basic] : 0;
    if (!fn)
        fn = handle_unexpected;
    fn(cpu, regs);

    /* an INIT routed to this CPU (NMI kick, hv/vmx/lapic_emul.h), whether the
     * kick caused this exit or arrived while onestone ran */
    if (cpu->init_pending && __atomic_exchange_n(&cpu->init_pending, false, __ATOMIC_ACQ_REL)) {
        cpu->event_injected = false;
        vmwrite_checked(VMCS_ENTRY_INTR_INFO, 0);
        handle_init(cpu, regs);
        cpu->event_injected = true;     /* nothing to re-deliver into a reset CPU */
    }

    redeliver_interrupted_event(cpu);
    deliver_pending_nmi(cpu);
count:
    if (vtd_faults_enabled)
        vtd_faults_poll(false);

    uint64_t spent = rdtsc() - start;
    if (basic < EXIT_REASON_MAX) {
        cpu->exits[basic]++;
        cpu->cycles[basic] += spent;
    } else {
        cpu->exits_other++;
        cpu->cycles_other += spent;
    }
}

void vmx_resume_failed(struct guest_regs *regs);

void vmx_resume_failed(struct guest_regs *regs)
{
    uint32_t err = (uint32_t)vmread(VMCS_INSTR_ERROR);
    LOG_ERR("VMRESUME failed: VM-instruction error %u (%s)", err, vm_instruction_error_name(err));
    exit_fatal(this_cpu(), regs, "VMRESUME failed");
}

uint64_t arch_cpu_exits(uint32_t index)
{
    return percpu_exits_total(&hv_cpus[index]);
}

uint64_t arch_cpu_exit_ticks(uint32_t index)
{
    return percpu_cycles_total(&hv_cpus[index]);
}

unsigned arch_exit_reason_count(void)
{
    return EXIT_REASON_MAX;
}

const char *arch_exit_reason_name(unsigned reason)
{
    return exit_reason_name(reason);
}

uint64_t arch_cpu_exits_by_reason(uint32_t index, unsigned reason)
{
    return reason < EXIT_REASON_MAX ? hv_cpus[index].exits[reason] : 0;
}

struct partition *arch_cpu_partition(uint32_t index)
{
    return hv_cpus[index].part;
}

const char *arch_name(void)
{
    return "Intel VT-x with EPT";
}

void exits_dump_stats(void)
{
    vtd_faults_poll(true);
    for (uint32_t u = 0; hv_plan && u < hv_plan->vtd_unit_count; u++) {
        const struct vtd_unit *vu = &hv_plan->vtd_units[u];
        LOG_INF("stats VT-d unit 0x%lx: %lu faults, %lu overflows", (unsigned long)vu->base,
                (unsigned long)vu->faults_total, (unsigned long)vu->faults_overflow);
        for (unsigned d = 0; d < vu->fault_device_count; d++)
            LOG_INF("stats VT-d unit 0x%lx: device %02x:%02x.%x: %lu faults",
                    (unsigned long)vu->base, vu->fault_devices[d].source_id >> 8,
                    (vu->fault_devices[d].source_id >> 3) & 0x1F,
                    vu->fault_devices[d].source_id & 7, (unsigned long)vu->fault_devices[d].count);
    }
    for (uint32_t i = 0; i < hv_plan->cpu_count; i++) {
        struct percpu *c = &hv_cpus[i];
        LOG_INF("stats cpu%u: %lu exits, %lu TSC ticks handling them", i,
                percpu_exits_total(c), percpu_cycles_total(c));
        for (uint32_t r = 0; r < EXIT_REASON_MAX; r++)
            if (c->exits[r])
                LOG_INF("stats cpu%u: reason %u (%s): %lu exits, %lu ticks, %lu ticks/exit", i, r,
                        exit_reason_name(r), c->exits[r], c->cycles[r], c->cycles[r] / c->exits[r]);
    }
}
