/* hv/vmx/vmx_caps.c: the go/no-go check onestone runs before touching the
 * machine, and the VMCS control words. The facts below are what Bochs'
 * corei7_ivy_bridge_3770k model reports, the CPU the emulator tests use. */
#include "hv/vmx/vmx_caps.h"
#include "arch/vmx.h"
#include "arch/x86.h"
#include "unit.h"

#define ALLOW_ALL(must_be_one) (0xFFFFFFFF00000000ull | (must_be_one))

static struct vmx_cpu_facts ivy_bridge(void)
{
    return (struct vmx_cpu_facts){
        .cpuid1_ecx = CPUID1_ECX_VMX,
        .feature_control = 5,                 /* locked | VMX outside SMX */
        .basic = 0x00d810000000002bull,
        .pin = ALLOW_ALL(0x16),
        .proc = ALLOW_ALL(0x0401e172),
        .proc2 = 0x8ffull << 32,              /* EPT, VPID, UG, RDTSCP; no INVPCID/XSAVES */
        .exit = ALLOW_ALL(0x36dff),
        .entry = ALLOW_ALL(0x11ff),
        .misc = 0x401e0,
        .ept_vpid = 0x0f0106114141ull,
    };
}

/* Each row removes one thing onestone needs; the reason must name it. */
static void test_missing_feature(void)
{
    struct vmx_cpu_facts f = ivy_bridge();
    const char *why = vmx_missing_feature(&f);
    if (!CHECK(why == NULL))
        printf("  (reported missing: %s)\n", why);

    f = ivy_bridge();
    f.cpuid1_ecx = 0;
    CHECK_CONTAINS(vmx_missing_feature(&f), "VMX");

    f = ivy_bridge();
    f.feature_control = FEATURE_CONTROL_VMX_OUTSIDE_SMX;          /* unlocked */
    CHECK_CONTAINS(vmx_missing_feature(&f), "IA32_FEATURE_CONTROL");
    f.feature_control = FEATURE_CONTROL_LOCKED;                   /* locked, bit 2 clear */
    CHECK_CONTAINS(vmx_missing_feature(&f), "IA32_FEATURE_CONTROL");
    f.feature_control = FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_INSIDE_SMX;
    CHECK_CONTAINS(vmx_missing_feature(&f), "IA32_FEATURE_CONTROL");

    f = ivy_bridge();
    f.proc2 &= ~((uint64_t)PROC2_ENABLE_EPT << 32);
    CHECK_CONTAINS(vmx_missing_feature(&f), "EPT");

    f = ivy_bridge();
    f.proc2 &= ~((uint64_t)PROC2_UNRESTRICTED_GUEST << 32);
    CHECK_CONTAINS(vmx_missing_feature(&f), "unrestricted");

    f = ivy_bridge();
    f.proc2 &= ~((uint64_t)PROC2_ENABLE_VPID << 32);
    CHECK_CONTAINS(vmx_missing_feature(&f), "VPID");

    /* NMI kicks route INIT to CPUs (hv/vmx/lapic_emul.h) */
    f = ivy_bridge();
    f.pin &= ~((uint64_t)PIN_NMI_EXITING << 32);
    CHECK_CONTAINS(vmx_missing_feature(&f), "NMI exiting");

    f = ivy_bridge();
    f.misc &= ~VMX_MISC_ACTIVITY_WAIT_SIPI;
    CHECK_CONTAINS(vmx_missing_feature(&f), "wait-for-SIPI");

    f = ivy_bridge();
    f.ept_vpid &= ~VMX_EPT_PAGE_WALK_4;
    CHECK_CONTAINS(vmx_missing_feature(&f), "4-level");

    /* a few more of the required list, to see the table is walked */
    f = ivy_bridge();
    f.proc &= ~((uint64_t)PROC_USE_MSR_BITMAPS << 32);
    CHECK_CONTAINS(vmx_missing_feature(&f), "MSR bitmaps");

    f = ivy_bridge();
    f.proc &= ~((uint64_t)PROC_ACTIVATE_SECONDARY << 32);
    CHECK_CONTAINS(vmx_missing_feature(&f), "secondary controls");

    f = ivy_bridge();
    f.exit &= ~((uint64_t)EXIT_LOAD_EFER << 32);
    CHECK_CONTAINS(vmx_missing_feature(&f), "load IA32_EFER on exit");

    f = ivy_bridge();
    f.entry &= ~((uint64_t)ENTRY_IA32E_MODE_GUEST << 32);
    CHECK_CONTAINS(vmx_missing_feature(&f), "IA-32e mode guest");

    f = ivy_bridge();
    f.ept_vpid &= ~VMX_VPID_INVVPID_SINGLE_CONTEXT;
    CHECK_CONTAINS(vmx_missing_feature(&f), "single-context INVVPID");

    /* the must-be-one (low) halves do not matter for availability */
    f = ivy_bridge();
    f.proc2 = 0xFFFFFFFFull << 32;
    f.pin = 0xFFFFFFFF00000000ull;
    CHECK(vmx_missing_feature(&f) == NULL);
}

static void test_adjust(void)
{
    /* must-be-one bits 0 and 4; may-be-one bits 0..15 */
    uint64_t cap = 0x0000FFFF00000011ull;
    CHECK_EQ_U64(vmx_adjust_controls(cap, 0), 0x11);
    CHECK_EQ_U64(vmx_adjust_controls(cap, 0x100), 0x111);
    /* bits the CPU cannot set are dropped */
    CHECK_EQ_U64(vmx_adjust_controls(cap, 0x10100), 0x111);
    CHECK_EQ_U64(vmx_adjust_controls(cap, 0xFFFFFFFF), 0xFFFF);

    CHECK(vmx_control_allowed(cap, 1u << 15));
    CHECK(!vmx_control_allowed(cap, 1u << 16));
    CHECK(vmx_control_allowed(cap, (1u << 3) | (1u << 7)));
    CHECK(!vmx_control_allowed(cap, (1u << 3) | (1u << 17)));   /* all bits needed */
}

static void test_choose(void)
{
    struct vmx_cpu_facts f = ivy_bridge();
    struct vmx_controls c;
    const uint32_t base2 = PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST;

    vmx_choose_controls(&f, true, true, true, &c);
    /* NMI exiting is how onestone kicks a CPU; nothing else beyond must-be-one */
    CHECK_EQ_U64(c.pin, 0x16 | PIN_NMI_EXITING);
    CHECK_EQ_U64(c.proc, 0x0401e172 | PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY);
    /* INVPCID and XSAVES are wanted but this CPU's VMX cannot enable them */
    CHECK_EQ_U64(c.proc2, base2 | PROC2_ENABLE_RDTSCP);
    CHECK_EQ_U64(c.exit & 0x36dff, 0x36dff);
    CHECK_EQ_U64(c.exit & (EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
                           EXIT_SAVE_PAT | EXIT_LOAD_PAT),
                 EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
                 EXIT_SAVE_PAT | EXIT_LOAD_PAT);
    CHECK_EQ_U64(c.entry & 0x11ff, 0x11ff);
    CHECK_EQ_U64(c.entry & (ENTRY_LOAD_EFER | ENTRY_LOAD_PAT), ENTRY_LOAD_EFER | ENTRY_LOAD_PAT);
    /* onestone starts the guest where it was: the guest decides IA-32e */
    CHECK_EQ_U64(c.entry & ENTRY_IA32E_MODE_GUEST, 0);

    vmx_choose_controls(&f, false, true, true, &c);
    CHECK_EQ_U64(c.proc2, base2);

    /* a control the CPU does not allow is dropped, not forced */
    f.pin &= ~((uint64_t)PIN_NMI_EXITING << 32);
    vmx_choose_controls(&f, false, false, false, &c);
    CHECK_EQ_U64(c.pin, 0x16);
    f = ivy_bridge();

    /* a CPU that allows all three: each follows its flag */
    f.proc2 |= (uint64_t)(PROC2_ENABLE_INVPCID | PROC2_ENABLE_XSAVES) << 32;
    vmx_choose_controls(&f, true, true, true, &c);
    CHECK_EQ_U64(c.proc2, base2 | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID | PROC2_ENABLE_XSAVES);
    vmx_choose_controls(&f, false, false, false, &c);
    CHECK_EQ_U64(c.proc2, base2);
    vmx_choose_controls(&f, false, true, false, &c);
    CHECK_EQ_U64(c.proc2, base2 | PROC2_ENABLE_INVPCID);
    vmx_choose_controls(&f, false, false, true, &c);
    CHECK_EQ_U64(c.proc2, base2 | PROC2_ENABLE_XSAVES);

    /* the flag alone is not enough */
    f = ivy_bridge();
    f.proc2 &= ~((uint64_t)PROC2_ENABLE_RDTSCP << 32);
    vmx_choose_controls(&f, true, false, false, &c);
    CHECK_EQ_U64(c.proc2, base2);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_missing_feature();
    test_adjust();
    test_choose();
    return unit_finish(argv[0]);
}
