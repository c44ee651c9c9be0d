/* Runs in UEFI boot services on every CPU (BSP directly, APs through MP
 * services): reads the VMX capability MSRs, and enables and locks
 * IA32_FEATURE_CONTROL when the firmware left it unlocked (OVMF does; a
 * real firmware with VT-x enabled locks it itself). */
#include "boot/boot.h"
#include "arch/io.h"
#include "arch/vmx.h"
#include "arch/x86.h"

void cpu_facts_collect(struct vmx_cpu_facts *f)
{
    SetMem(f, sizeof *f, 0);
    f->cpuid1_ecx = cpuid(1, 0).ecx;
    if (!(f->cpuid1_ecx & CPUID1_ECX_VMX))
        return;                     /* the MSRs below would #GP */
    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    if (!(fc & FEATURE_CONTROL_LOCKED)) {
        fc |= FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCKED;
        wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
        fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    }
    f->feature_control = fc;
    f->basic = rdmsr(MSR_IA32_VMX_BASIC);
    bool true_ctls = (f->basic & VMX_BASIC_TRUE_CONTROLS) != 0;
    f->pin = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
    f->proc = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
    f->exit = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
    f->entry = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
    f->misc = rdmsr(MSR_IA32_VMX_MISC);
    /* the secondary and EPT MSRs exist only when the primary allows them */
    if ((f->proc >> 32) & PROC_ACTIVATE_SECONDARY) {
        f->proc2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
        if ((f->proc2 >> 32) & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID))
            f->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
    }
}
