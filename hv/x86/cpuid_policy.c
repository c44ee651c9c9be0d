/* Runs in VMX root and host unit tests: the guest's CPUID view. VMX is
 * always hidden (the guest cannot use it); the hypervisor bit and the
 * 0x4000_00xx leaves follow hide_hypervisor; instructions onestone cannot
 * let the guest run (no VMX control for them) are hidden too. */
#include "hv/x86/cpuid_policy.h"
#include "arch/x86.h"
#include "onestone/hvabi.h"

void cpuid_apply_policy(const struct cpuid_policy *p, uint32_t leaf, uint32_t subleaf,
                        struct cpuid_regs *r)
{
    if (leaf == 1) {
        r->ecx &= ~CPUID1_ECX_VMX;
        if (p->hide_hypervisor)
            r->ecx &= ~CPUID1_ECX_HYPERVISOR;
        else
            r->ecx |= CPUID1_ECX_HYPERVISOR;
        return;
    }
    if (leaf == 7 && subleaf == 0) {
        if (!p->invpcid_enabled)
            r->ebx &= ~CPUID7_EBX_INVPCID;
        return;
    }
    if (leaf == 0xD && subleaf == 1) {
        if (!p->xsaves_enabled)
            r->eax &= ~CPUIDD1_EAX_XSAVES;
        return;
    }
    if (leaf == 0x80000001) {
        if (!p->rdtscp_enabled)
            r->edx &= ~CPUID80000001_EDX_RDTSCP;
        return;
    }
    if (leaf < CPUID_HV_BASE || leaf > CPUID_HV_LAST || p->hide_hypervisor)
        return;
    /* onestone's own leaves; above its range they read as zero */
    r->eax = r->ebx = r->ecx = r->edx = 0;
    switch (leaf) {
    case ONESTONE_CPUID_SIGNATURE:
        r->eax = ONESTONE_CPUID_MAX;
        r->ebx = ONESTONE_SIGNATURE_EBX;
        r->ecx = ONESTONE_SIGNATURE_ECX;
        r->edx = ONESTONE_SIGNATURE_EDX;
        break;
    case ONESTONE_CPUID_INFO:
        r->ebx = ONESTONE_ABI_VERSION;
        r->ecx = p->cpu_index;
        r->edx = p->cpu_count;
        break;
    case ONESTONE_CPUID_EXIT_COUNT:
        r->eax = (uint32_t)p->exits;
        r->edx = (uint32_t)(p->exits >> 32);
        r->ebx = (uint32_t)p->cycles;
        r->ecx = (uint32_t)(p->cycles >> 32);
        break;
    }
}
