/* hv/x86/cpuid_policy.c: what every CPUID the guest executes returns. The
 * rules: VMX is always hidden; the hypervisor bit and 0x4000_00xx follow
 * hide_hypervisor; instructions onestone did not enable for the guest are
 * not advertised. */
#include "hv/x86/cpuid_policy.h"
#include "arch/x86.h"
#include "onestone/hvabi.h"
#include "unit.h"

static struct cpuid_regs run(const struct cpuid_policy *p, uint32_t leaf, uint32_t sub,
                             struct cpuid_regs native)
{
    cpuid_apply_policy(p, leaf, sub, &native);
    return native;
}

#define CHECK_REGS(r, a, b, c, d) do { \
        CHECK_EQ_U64((r).eax, (a)); CHECK_EQ_U64((r).ebx, (b)); \
        CHECK_EQ_U64((r).ecx, (c)); CHECK_EQ_U64((r).edx, (d)); \
    } while (0)

static const struct cpuid_regs junk = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };

static void test_leaf1(void)
{
    struct cpuid_policy p = { 0 };
    struct cpuid_regs native = { 0x306A9, 0x00100800, 0x7FBAE3FF, 0xBFEBFBFF };
    struct cpuid_regs r;

    /* visible: VMX off, hypervisor on, everything else native */
    r = run(&p, 1, 0, native);
    CHECK_EQ_U64(r.ecx & CPUID1_ECX_VMX, 0);
    CHECK_EQ_U64(r.ecx & CPUID1_ECX_HYPERVISOR, CPUID1_ECX_HYPERVISOR);
    CHECK_EQ_U64(r.ecx, (native.ecx & ~CPUID1_ECX_VMX) | CPUID1_ECX_HYPERVISOR);
    CHECK_EQ_U64(r.eax, native.eax);
    CHECK_EQ_U64(r.ebx, native.ebx);
    CHECK_EQ_U64(r.edx, native.edx);

    /* hidden: VMX off, hypervisor bit off even if the host had it */
    p.hide_hypervisor = true;
    native.ecx |= CPUID1_ECX_HYPERVISOR;
    r = run(&p, 1, 0, native);
    CHECK_EQ_U64(r.ecx & (CPUID1_ECX_VMX | CPUID1_ECX_HYPERVISOR), 0);
    CHECK_EQ_U64(r.ecx, native.ecx & ~(CPUID1_ECX_VMX | CPUID1_ECX_HYPERVISOR));
}

static void test_hv_leaves(void)
{
    struct cpuid_policy p = {
        .cpu_index = 3, .cpu_count = 4,
        .exits = 0x123456789ABCDEF0ull, .cycles = 0x0FEDCBA987654321ull,
    };
    struct cpuid_regs r;

    r = run(&p, ONESTONE_CPUID_SIGNATURE, 0, junk);
    CHECK_REGS(r, ONESTONE_CPUID_MAX, ONESTONE_SIGNATURE_EBX, ONESTONE_SIGNATURE_ECX,
               ONESTONE_SIGNATURE_EDX);
    char sig[13];
    memcpy(sig + 0, &r.ebx, 4);
    memcpy(sig + 4, &r.ecx, 4);
    memcpy(sig + 8, &r.edx, 4);
    sig[12] = 0;
    CHECK_STREQ(sig, "onestone    ");

    /* never claims Hyper-V, even when the host below says "Hv#1" */
    struct cpuid_regs hv1 = { 0x31237648, 1, 2, 3 };
    r = run(&p, ONESTONE_CPUID_INFO, 0, hv1);
    CHECK(r.eax != 0x31237648);
    CHECK_REGS(r, 0, ONESTONE_ABI_VERSION, 3, 4);

    r = run(&p, ONESTONE_CPUID_EXIT_COUNT, 0, junk);
    CHECK_REGS(r, 0x9ABCDEF0, 0x87654321, 0x0FEDCBA9, 0x12345678);

    /* the rest of the hypervisor range reads as zero */
    r = run(&p, 0x40000010, 0, junk);
    CHECK_REGS(r, 0, 0, 0, 0);
    r = run(&p, CPUID_HV_LAST, 0, junk);
    CHECK_REGS(r, 0, 0, 0, 0);
    /* outside it, native */
    r = run(&p, CPUID_HV_LAST + 1, 0, junk);
    CHECK_REGS(r, junk.eax, junk.ebx, junk.ecx, junk.edx);
    r = run(&p, 0, 0, junk);
    CHECK_REGS(r, junk.eax, junk.ebx, junk.ecx, junk.edx);

    /* hidden: every 0x4000_00xx leaf is whatever the hardware says */
    p.hide_hypervisor = true;
    static const uint32_t leaves[] = {
        ONESTONE_CPUID_SIGNATURE, ONESTONE_CPUID_INFO, ONESTONE_CPUID_EXIT_COUNT,
        ONESTONE_CPUID_DUMP_STATS, 0x40000010,
    };
    for (size_t i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
        r = run(&p, leaves[i], 0, junk);
        CHECK_REGS(r, junk.eax, junk.ebx, junk.ecx, junk.edx);
    }
    r = run(&p, ONESTONE_CPUID_INFO, 0, hv1);
    CHECK_REGS(r, hv1.eax, hv1.ebx, hv1.ecx, hv1.edx);
}

static void test_instruction_bits(void)
{
    struct cpuid_regs all = { ~0u, ~0u, ~0u, ~0u };
    struct cpuid_policy off = { 0 };
    struct cpuid_policy on = { .rdtscp_enabled = true, .invpcid_enabled = true,
                               .xsaves_enabled = true };
    struct cpuid_regs r;

    /* not enabled in VMX: hidden, and only that bit */
    r = run(&off, 7, 0, all);
    CHECK_REGS(r, ~0u, ~CPUID7_EBX_INVPCID, ~0u, ~0u);
    r = run(&off, 0xD, 1, all);
    CHECK_REGS(r, ~CPUIDD1_EAX_XSAVES, ~0u, ~0u, ~0u);
    r = run(&off, 0x80000001, 0, all);
    CHECK_REGS(r, ~0u, ~0u, ~0u, ~CPUID80000001_EDX_RDTSCP);

    /* enabled: native */
    r = run(&on, 7, 0, all);
    CHECK_REGS(r, ~0u, ~0u, ~0u, ~0u);
    r = run(&on, 0xD, 1, all);
    CHECK_REGS(r, ~0u, ~0u, ~0u, ~0u);
    r = run(&on, 0x80000001, 0, all);
    CHECK_REGS(r, ~0u, ~0u, ~0u, ~0u);

    /* other subleaves of 7 and 0xD are never touched */
    r = run(&off, 7, 1, all);
    CHECK_REGS(r, ~0u, ~0u, ~0u, ~0u);
    r = run(&off, 0xD, 0, all);
    CHECK_REGS(r, ~0u, ~0u, ~0u, ~0u);

    /* a bit the host does not have is not invented */
    struct cpuid_regs none = { 0, 0, 0, 0 };
    r = run(&on, 7, 0, none);
    CHECK_REGS(r, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_leaf1();
    test_hv_leaves();
    test_instruction_bits();
    /* the fast path skips the policy only where it changes nothing */
    {
        struct cpuid_policy any = { .hide_hypervisor = false, .cpu_index = 1, .cpu_count = 2 };
        static const uint32_t leaves[] = { 0, 2, 4, 6, 0xB, 0x80000000, 0x80000008, 0x3FFFFFFF,
                                           0x50000000 };
        for (unsigned i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
            struct cpuid_regs r = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };
            CHECK(!cpuid_policy_touches(leaves[i]));
            cpuid_apply_policy(&any, leaves[i], 0, &r);
            CHECK_EQ_U64(r.eax, 0x11111111);
            CHECK_EQ_U64(r.edx, 0x44444444);
        }
        CHECK(cpuid_policy_touches(1));
        CHECK(cpuid_policy_touches(0x40000000));
    }
    return unit_finish(argv[0]);
}
