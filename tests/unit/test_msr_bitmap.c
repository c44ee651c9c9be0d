/* hv/vmx/msr_bitmap.c: which RDMSR/WRMSR exit to onestone. Too few and the
 * guest sees (and can change) VMX state; too many and every context switch
 * pays for an exit. */
#include "hv/vmx/msr_bitmap.h"
#include "arch/x86.h"
#include "unit.h"

#define X2APIC_ICR 0x830u       /* writes intercepted: SIPIs go through onestone */

static uint8_t bitmap[4096];

static void test_intercepted(void)
{
    memset(bitmap, 0xFF, sizeof bitmap);      /* build must clear everything */
    msr_bitmap_build(bitmap);

    for (int w = 0; w < 2; w++) {
        CHECK(msr_bitmap_test(bitmap, MSR_IA32_FEATURE_CONTROL, w));
        for (uint32_t m = 0x480; m <= 0x491; m++)
            if (!CHECK(msr_bitmap_test(bitmap, m, w)))
                printf("  (MSR 0x%x, %s)\n", m, w ? "write" : "read");
        CHECK(!msr_bitmap_test(bitmap, MSR_IA32_EFER, w));
        CHECK(!msr_bitmap_test(bitmap, MSR_IA32_PAT, w));
        CHECK(!msr_bitmap_test(bitmap, MSR_IA32_TSC, w));
        CHECK(!msr_bitmap_test(bitmap, MSR_IA32_APIC_BASE, w));
        CHECK(!msr_bitmap_test(bitmap, 0x47F, w));
        CHECK(!msr_bitmap_test(bitmap, 0x492, w));
        CHECK(!msr_bitmap_test(bitmap, MSR_IA32_FS_BASE, w));
        /* outside both bitmap ranges the CPU always exits */
        CHECK(msr_bitmap_test(bitmap, 0x40000000, w));
        CHECK(msr_bitmap_test(bitmap, 0x2000, w));
        CHECK(msr_bitmap_test(bitmap, 0xC0002000, w));
        CHECK(msr_bitmap_test(bitmap, 0xBFFFFFFF, w));
    }
    CHECK(!msr_bitmap_test(bitmap, X2APIC_ICR, false));
    CHECK(msr_bitmap_test(bitmap, X2APIC_ICR, true));
}

/* Every MSR in the bitmap's ranges: a read exits iff onestone virtualizes
 * the MSR; writes likewise, plus the x2APIC ICR. */
static void test_matches_virtualized(void)
{
    msr_bitmap_build(bitmap);
    static const uint32_t base[2] = { 0, 0xC0000000u };
    unsigned mismatches = 0, virtualized = 0;
    for (int b = 0; b < 2; b++) {
        for (uint32_t m = base[b]; m <= base[b] + 0x1FFF; m++) {
            bool v = msr_is_virtualized(m);
            virtualized += v;
            if (msr_bitmap_test(bitmap, m, false) != v ||
                msr_bitmap_test(bitmap, m, true) != (v || m == X2APIC_ICR)) {
                mismatches++;
                printf("  mismatch at MSR 0x%x\n", m);
            }
        }
    }
    CHECK_EQ_U64(mismatches, 0);
    CHECK_EQ_U64(virtualized, 1 + (0x491 - 0x480 + 1));
    CHECK(msr_is_virtualized(MSR_IA32_FEATURE_CONTROL));
    CHECK(msr_is_virtualized(MSR_IA32_VMX_BASIC));
    CHECK(msr_is_virtualized(MSR_IA32_VMX_VMFUNC));
    CHECK(!msr_is_virtualized(MSR_IA32_EFER));
}

/* The layout the CPU reads (SDM 3C 24.6.9). */
static void test_layout(void)
{
    memset(bitmap, 0, sizeof bitmap);
    msr_bitmap_set(bitmap, 0x3A, true, false);
    CHECK_EQ_U64(bitmap[0x3A / 8], 1u << (0x3A % 8));
    msr_bitmap_set(bitmap, 0xC0000080, false, true);
    CHECK_EQ_U64(bitmap[3072 + 0x80 / 8], 1u << 0);
    msr_bitmap_set(bitmap, 0x1FFF, false, true);
    CHECK_EQ_U64(bitmap[2048 + 1023], 0x80);
    msr_bitmap_set(bitmap, 0xC0001FFF, true, false);
    CHECK_EQ_U64(bitmap[1024 + 1023], 0x80);
    /* out-of-range MSRs have no bit to set: nothing changes */
    uint8_t before[4096];
    memcpy(before, bitmap, sizeof before);
    msr_bitmap_set(bitmap, 0x40000000, true, true);
    CHECK(memcmp(before, bitmap, sizeof before) == 0);
    unsigned bits = 0;
    for (size_t i = 0; i < sizeof bitmap; i++)
        bits += (unsigned)__builtin_popcount(bitmap[i]);
    CHECK_EQ_U64(bits, 4);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_intercepted();
    test_matches_virtualized();
    test_layout();
    return unit_finish(argv[0]);
}
