/* Runs in VMX root: RDMSR/WRMSR exits, which the MSR bitmap limits to the
 * MSRs onestone virtualizes. The guest sees a CPU without VMX: the VMX
 * capability MSRs raise #GP, IA32_FEATURE_CONTROL reads locked with VMX
 * off and cannot be written. x2APIC ICR writes go through the IPI policy
 * (hv/x86/ipi_policy.h). No MSR is ever executed with a number the guest
 * chose: MSRs outside the bitmap's ranges raise #GP without touching the
 * hardware (under nested virtualization they may be the outer
 * hypervisor's, e.g. KVM's paravirtual clock, which would write to an
 * address the guest chose). */
#include "hv/vmx/exits/exits.h"
#include "hv/vmx/msr_bitmap.h"
#include "hv/vmx/lapic_emul.h"
#include "arch/lapic.h"
#include "arch/io.h"

static bool in_bitmap_range(uint32_t msr)
{
    return msr <= 0x1FFF || (msr >= 0xC0000000u && msr <= 0xC0001FFFu);
}

static void set_edx_eax(struct guest_regs *regs, uint64_t v)
{
    regs->gpr[GPR_RAX] = (uint32_t)v;
    regs->gpr[GPR_RDX] = v >> 32;
}

void handle_rdmsr(struct percpu *cpu, struct guest_regs *regs)
{
    uint32_t msr = (uint32_t)regs->gpr[GPR_RCX];
    if (msr == MSR_IA32_FEATURE_CONTROL) {
        uint64_t v = rdmsr(MSR_IA32_FEATURE_CONTROL);
        v &= ~(FEATURE_CONTROL_VMX_INSIDE_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
        set_edx_eax(regs, v | FEATURE_CONTROL_LOCKED);
        exit_advance_rip();
        return;
    }
    /* VMX capability MSRs do not exist on the CPU the guest sees; MSRs
     * outside the bitmap's two ranges always exit and do not exist on the
     * Intel CPUs onestone supports either: both fault like hardware. */
    if (!in_bitmap_range(msr) || msr_is_virtualized(msr)) {
        exit_inject_exception(cpu, VECTOR_GP, true, 0);
        return;
    }
    exit_fatal(cpu, regs, "RDMSR exit for an MSR onestone does not intercept");
}

void handle_wrmsr(struct percpu *cpu, struct guest_regs *regs)
{
    uint32_t msr = (uint32_t)regs->gpr[GPR_RCX];
    if (msr == MSR_X2APIC_ICR) {
        unsigned v = lapic_handle_x2apic_icr(cpu, ((uint64_t)(uint32_t)regs->gpr[GPR_RDX] << 32) |
                                                  (uint32_t)regs->gpr[GPR_RAX]);
        if (v)
            exit_inject_exception(cpu, (uint8_t)v, v == VECTOR_GP, 0);
        else
            exit_advance_rip();
        return;
    }
    if (!in_bitmap_range(msr) || msr_is_virtualized(msr)) {
        exit_inject_exception(cpu, VECTOR_GP, true, 0);
        return;
    }
    exit_fatal(cpu, regs, "WRMSR exit for an MSR onestone does not intercept");
}
