/* Runs in UEFI boot services (the feature check before anything is
 * changed) and in host unit tests: pure decoding of VMX capability MSRs. */
#include "hv/vmx/vmx_caps.h"
#include "arch/vmx.h"
#include "arch/x86.h"

bool vmx_control_allowed(uint64_t cap_msr, uint32_t bit)
{
    return ((cap_msr >> 32) & bit) == bit;
}

uint32_t vmx_adjust_controls(uint64_t cap_msr, uint32_t wanted)
{
    uint32_t must_be_one = (uint32_t)cap_msr;
    uint32_t may_be_one = (uint32_t)(cap_msr >> 32);
    return (wanted | must_be_one) & may_be_one;
}

enum cap_source { SRC_PIN, SRC_PROC, SRC_PROC2, SRC_EXIT, SRC_ENTRY, SRC_MISC, SRC_EPT };

struct required_cap {
    enum cap_source src;
    uint64_t bit;
    const char *name;
};

static const struct required_cap required[] = {
    { SRC_PIN,   PIN_NMI_EXITING,              "NMI exiting (pin control 3)" },
    { SRC_PROC,  PROC_USE_MSR_BITMAPS,         "MSR bitmaps (primary control 28)" },
    { SRC_PROC,  PROC_ACTIVATE_SECONDARY,      "secondary controls (primary control 31)" },
    { SRC_PROC2, PROC2_ENABLE_EPT,             "EPT (secondary control 1)" },
    { SRC_PROC2, PROC2_UNRESTRICTED_GUEST,     "unrestricted guest (secondary control 7)" },
    { SRC_PROC2, PROC2_ENABLE_VPID,            "VPID (secondary control 5)" },
    { SRC_EXIT,  EXIT_HOST_ADDRESS_SPACE_SIZE, "64-bit host (exit control 9)" },
    { SRC_EXIT,  EXIT_SAVE_EFER,               "save IA32_EFER on exit (exit control 20)" },
    { SRC_EXIT,  EXIT_LOAD_EFER,               "load IA32_EFER on exit (exit control 21)" },
    { SRC_EXIT,  EXIT_SAVE_PAT,                "save IA32_PAT on exit (exit control 18)" },
    { SRC_EXIT,  EXIT_LOAD_PAT,                "load IA32_PAT on exit (exit control 19)" },
    { SRC_ENTRY, ENTRY_IA32E_MODE_GUEST,       "IA-32e mode guest (entry control 9)" },
    { SRC_ENTRY, ENTRY_LOAD_EFER,              "load IA32_EFER on entry (entry control 15)" },
    { SRC_ENTRY, ENTRY_LOAD_PAT,               "load IA32_PAT on entry (entry control 14)" },
    { SRC_MISC,  VMX_MISC_ACTIVITY_WAIT_SIPI,  "wait-for-SIPI activity state (IA32_VMX_MISC bit 8)" },
    { SRC_EPT,   VMX_EPT_PAGE_WALK_4,          "4-level EPT page walk (IA32_VMX_EPT_VPID_CAP bit 6)" },
    { SRC_EPT,   VMX_EPT_MEMTYPE_WB,           "write-back EPT structures (IA32_VMX_EPT_VPID_CAP bit 14)" },
    { SRC_EPT,   VMX_EPT_INVEPT,               "INVEPT (IA32_VMX_EPT_VPID_CAP bit 20)" },
    { SRC_EPT,   VMX_EPT_INVEPT_ALL_CONTEXT,   "all-context INVEPT (IA32_VMX_EPT_VPID_CAP bit 26)" },
    { SRC_EPT,   VMX_VPID_INVVPID,             "INVVPID (IA32_VMX_EPT_VPID_CAP bit 32)" },
    { SRC_EPT,   VMX_VPID_INVVPID_SINGLE_CONTEXT, "single-context INVVPID (IA32_VMX_EPT_VPID_CAP bit 41)" },
};

const char *vmx_missing_feature(const struct vmx_cpu_facts *f)
{
    if (!(f->cpuid1_ecx & CPUID1_ECX_VMX))
        return "VMX (CPUID.1:ECX[5]; absent or disabled in the firmware setup)";
    if (!(f->feature_control & FEATURE_CONTROL_LOCKED) ||
        !(f->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
        return "VMX outside SMX (IA32_FEATURE_CONTROL locked with bit 2 clear: "
               "enable VT-x in the firmware setup)";
    for (unsigned i = 0; i < sizeof required / sizeof required[0]; i++) {
        const struct required_cap *r = &required[i];
        bool ok;
        switch (r->src) {
        case SRC_PIN:   ok = vmx_control_allowed(f->pin, (uint32_t)r->bit); break;
        case SRC_PROC:  ok = vmx_control_allowed(f->proc, (uint32_t)r->bit); break;
        case SRC_PROC2:
            ok = vmx_control_allowed(f->proc, PROC_ACTIVATE_SECONDARY) &&
                 vmx_control_allowed(f->proc2, (uint32_t)r->bit);
            break;
        case SRC_EXIT:  ok = vmx_control_allowed(f->exit, (uint32_t)r->bit); break;
        case SRC_ENTRY: ok = vmx_control_allowed(f->entry, (uint32_t)r->bit); break;
        case SRC_MISC:  ok = (f->misc & r->bit) != 0; break;
        case SRC_EPT:
            ok = vmx_control_allowed(f->proc2, PROC2_ENABLE_EPT) &&
                 (f->ept_vpid & r->bit) != 0;
            break;
        default: ok = false; break;
        }
        if (!ok)
            return r->name;
    }
    return 0;
}

void vmx_choose_controls(const struct vmx_cpu_facts *f, bool rdtscp,
                         bool invpcid, bool xsaves, struct vmx_controls *out)
{
    /* NMI exiting lets onestone kick a CPU (INIT routing); NMIs meant for
     * the guest are injected back at once. */
    out->pin = vmx_adjust_controls(f->pin, PIN_NMI_EXITING);
    out->proc = vmx_adjust_controls(f->proc, PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY);
    uint32_t proc2 = PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST;
    if (rdtscp && vmx_control_allowed(f->proc2, PROC2_ENABLE_RDTSCP))
        proc2 |= PROC2_ENABLE_RDTSCP;
    if (invpcid && vmx_control_allowed(f->proc2, PROC2_ENABLE_INVPCID))
        proc2 |= PROC2_ENABLE_INVPCID;
    if (xsaves && vmx_control_allowed(f->proc2, PROC2_ENABLE_XSAVES))
        proc2 |= PROC2_ENABLE_XSAVES;
    out->proc2 = vmx_adjust_controls(f->proc2, proc2);
    out->exit = vmx_adjust_controls(f->exit, EXIT_HOST_ADDRESS_SPACE_SIZE |
                                    EXIT_SAVE_EFER | EXIT_LOAD_EFER |
                                    EXIT_SAVE_PAT | EXIT_LOAD_PAT |
                                    EXIT_SAVE_DEBUG_CONTROLS);
    out->entry = vmx_adjust_controls(f->entry, ENTRY_LOAD_EFER | ENTRY_LOAD_PAT |
                                     ENTRY_LOAD_DEBUG_CONTROLS);
}
