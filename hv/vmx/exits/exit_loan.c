/* Runs in VMX root: lending a management CPU to the primary's firmware.
 *
 * Why: the firmware counts every CPU it found at power-on. EDK2 wakes all
 * of its APs with a broadcast INIT-SIPI-SIPI, disabled ones included,
 * whenever it needs them (StartupAllAPs; at ExitBootServices to park them
 * in reserved memory, waiting until every AP has checked in). A CPU that
 * never answers hangs ExitBootServices. So while the firmware's boot
 * services run, a broadcast INIT from the primary lends each management
 * CPU to it: the CPU leaves the partition (an NMI kick), takes the
 * start-up IPI on a VMCS of its own with the primary's address space, and
 * runs the firmware's wake-up code until that code parks it (HLT or
 * MWAIT), at most LOAN_MAX_MS at a stretch (VMX-preemption timer where
 * the CPU has one); then it returns to the partition exactly where it
 * left. The firmware's code never sees the partition's memory; the
 * partition loses the CPU for the few microseconds the wake-up takes. */
#include "hv/vmx/exits/exits.h"
#include "hv/vmx/lapic_emul.h"
#include "hv/core/log.h"
#include "hv/vmx/vmcs_setup.h"
#include "hv/vmx/vmx_ops.h"
#include "arch/io.h"

#define LOAN_SIPI_WAIT_MS 200
#define LOAN_MAX_MS 100
#define LOAN_LOG_LIMIT 4

static uint64_t setup_loan_vmcs(struct percpu *cpu)
{
    struct vmx_controls c = hv_controls;
    c.proc |= PROC_HLT_EXITING | PROC_MWAIT_EXITING;
    if (vmx_preemption_timer_usable())
        c.pin |= PIN_PREEMPTION_TIMER;
    uint64_t cr4 = read_cr4();
    uint64_t host_cr4 = cr4 | CR4_VMXE | (hv_plan->cpuid_xsave ? CR4_OSXSAVE : 0);
    uint64_t rc;
    if ((rc = vmcs_setup_controls(cpu, &c, CR0_ET, 0, false)) ||
        (rc = vmcs_setup_host(cpu, read_cr0(), host_cr4)))
        return rc;
    const struct vmcs_field_value fv[] = {
        { VMCS_LINK_POINTER, ~0ull },
        { VMCS_GUEST_PAT, 0x0007040600070406ull },
    };
    return vmwrite_all(fv, sizeof fv / sizeof fv[0]);
}

void loan_begin(struct percpu *cpu, struct guest_regs *regs)
{
    cpu->loan_pending = false;
    uint8_t vector;
    uint64_t start = rdtsc();
    if (!lapic_wait_for_sipi_until(cpu, start + LOAN_SIPI_WAIT_MS * hv_tsc_per_ms(), &vector)) {
        LOG_WARN_("mgmt: cpu%u: a broadcast INIT came without a start-up IPI: not lent",
                  cpu->index);
        return;
    }
    cpu->saved_regs = *regs;
    struct partition *mine = cpu->part;
    cpu->part = &hv_partitions[0];
    uint64_t field = 0;
    if ((!cpu->loan_launched && !vmclear(cpu->loan_vmcs_pa)) || !vmptrld(cpu->loan_vmcs_pa) ||
        (!cpu->loan_launched && (field = setup_loan_vmcs(cpu)))) {
        LOG_ERR("mgmt: cpu%u: cannot load its loan VMCS (field 0x%lx): not lent", cpu->index,
                field);
        cpu->part = mine;
        vmptrld(cpu->vmcs_pa);
        return;
    }
    exit_load_init_state(cpu);
    exit_start_at_vector(cpu, vector);
    if (vmx_preemption_timer_usable())
        vmx_preemption_timer_set_ms(LOAN_MAX_MS);
    for (unsigned i = 0; i < 16; i++)
        regs->gpr[i] = 0;
    cpu->on_loan = true;
    cpu->loan_start_tsc = start;
    if (!cpu->loan_launched) {
        cpu->loan_launched = true;
        cpu->launch_next = 1;
    }
    cpu->event_injected = true;
}

bool loan_ends_on(struct percpu *cpu, uint32_t basic)
{
    return cpu->on_loan && (basic == EXIT_REASON_HLT || basic == EXIT_REASON_MWAIT ||
                            basic == EXIT_REASON_PREEMPTION_TIMER ||
                            basic == EXIT_REASON_TRIPLE_FAULT);
}

void loan_end(struct percpu *cpu, struct guest_regs *regs, const char *why)
{
    uint64_t spent = rdtsc() - cpu->loan_start_tsc;
    vmptrld(cpu->vmcs_pa);
    *regs = cpu->saved_regs;
    cpu->part = &hv_partitions[1];
    cpu->on_loan = false;
    cpu->event_injected = true;
    lapic_firmware_wakeup_ended();
    if (++cpu->loans <= LOAN_LOG_LIMIT)
        LOG_INF("mgmt: cpu%u was lent to the firmware's AP wake-up for %lu us (ended by %s)%s",
                cpu->index,
                (unsigned long)(spent * 1000 / hv_tsc_per_ms()),
                why, cpu->loans == LOAN_LOG_LIMIT ? "; further loans are counted" : "");
}
