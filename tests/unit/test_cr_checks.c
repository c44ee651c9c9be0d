/* hv/x86/cr_checks.c: the values MOV to CR0/CR4 and XSETBV must refuse, as the
 * CPU refuses them (SDM 2 MOV CR, XSETBV; SDM 1 13.3). A value let through
 * here reaches the VMCS (a VM-entry failure resets the platform) or the
 * hardware (a fault in VMX root). */
#include "hv/x86/cr_checks.h"
#include "arch/x86.h"
#include "unit.h"

/* 64-bit kernel state: paging, PAE, long mode active, 64-bit CS */
static const struct cr_state long_mode = {
    .cr0 = CR0_PE | CR0_PG | CR0_WP | CR0_NE | CR0_ET,
    .cr3 = 0x100000,
    .cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE,
    .efer = EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE,
    .cs_long = true,
};
/* protected mode without paging, EFER.LME set: about to enter long mode */
static const struct cr_state entering = {
    .cr0 = CR0_PE | CR0_NE | CR0_ET,
    .cr3 = 0x100000,
    .cr4 = CR4_PAE,
    .efer = EFER_LME,
    .cs_long = false,
};
/* every CR4 bit an Ivy Bridge allows, VMXE excepted */
static const uint64_t allowed = 0x1767FFull & ~CR4_VMXE;

static void test_cr0(void)
{
    CHECK(cr0_write_fault(&long_mode, long_mode.cr0) == 0);
    CHECK(cr0_write_fault(&long_mode, long_mode.cr0 | CR0_TS) == 0);
    CHECK_CONTAINS(cr0_write_fault(&long_mode, long_mode.cr0 | (1ull << 32)), "63:32");
    CHECK_CONTAINS(cr0_write_fault(&long_mode, long_mode.cr0 | (1ull << 63)), "63:32");
    CHECK_CONTAINS(cr0_write_fault(&long_mode, CR0_PG), "PG without");
    CHECK_CONTAINS(cr0_write_fault(&long_mode, long_mode.cr0 | CR0_NW), "NW without");
    CHECK(cr0_write_fault(&long_mode, long_mode.cr0 | CR0_NW | CR0_CD) == 0);
    /* entering long mode: paging on needs PAE, and not from 64-bit code */
    CHECK(cr0_write_fault(&entering, entering.cr0 | CR0_PG) == 0);
    struct cr_state s = entering;
    s.cr4 = 0;
    CHECK_CONTAINS(cr0_write_fault(&s, entering.cr0 | CR0_PG), "needs CR4.PAE");
    s = entering;
    s.cs_long = true;
    CHECK_CONTAINS(cr0_write_fault(&s, entering.cr0 | CR0_PG), "64-bit code segment");
    /* without EFER.LME, 32-bit paging needs neither */
    s = entering;
    s.efer = 0;
    s.cr4 = 0;
    CHECK(cr0_write_fault(&s, entering.cr0 | CR0_PG) == 0);
    /* PCIDE and CET pin PG and WP */
    s = long_mode;
    s.cr4 |= CR4_PCIDE;
    CHECK_CONTAINS(cr0_write_fault(&s, s.cr0 & ~CR0_PG), "PCIDE");
    s = long_mode;
    s.cr4 |= CR4_CET;
    CHECK_CONTAINS(cr0_write_fault(&s, s.cr0 & ~CR0_WP), "CET");
    CHECK(cr0_write_fault(&long_mode, long_mode.cr0 & ~CR0_WP) == 0);
}

static void test_cr4(void)
{
    CHECK(cr4_write_fault(&long_mode, long_mode.cr4, allowed) == 0);
    CHECK_CONTAINS(cr4_write_fault(&long_mode, long_mode.cr4 | CR4_VMXE, allowed), "VMX");
    /* reserved: bit 31, bits 63:32, and anything this CPU lacks */
    CHECK_CONTAINS(cr4_write_fault(&long_mode, long_mode.cr4 | (1ull << 31), allowed),
                   "reserved");
    CHECK_CONTAINS(cr4_write_fault(&long_mode, long_mode.cr4 | (1ull << 40), allowed),
                   "reserved");
    CHECK_CONTAINS(cr4_write_fault(&long_mode, long_mode.cr4 | CR4_LA57, allowed), "reserved");
    CHECK_CONTAINS(cr4_write_fault(&long_mode, long_mode.cr4 & ~CR4_PAE, allowed), "PAE");
    struct cr_state s = long_mode;
    CHECK_CONTAINS(cr4_write_fault(&s, s.cr4 | CR4_LA57, allowed | CR4_LA57), "LA57");
    /* PCIDE: IA-32e only, and CR3[11:0] must be 0 */
    CHECK(cr4_write_fault(&long_mode, long_mode.cr4 | CR4_PCIDE, allowed) == 0);
    s.cr3 |= 5;
    CHECK_CONTAINS(cr4_write_fault(&s, s.cr4 | CR4_PCIDE, allowed), "CR3[11:0]");
    CHECK_CONTAINS(cr4_write_fault(&entering, entering.cr4 | CR4_PCIDE, allowed),
                   "outside IA-32e");
    /* already set: no new check (CR3 may carry a PCID then) */
    s.cr4 |= CR4_PCIDE;
    CHECK(cr4_write_fault(&s, s.cr4, allowed) == 0);
    /* CET needs WP */
    s = long_mode;
    s.cr0 &= ~CR0_WP;
    CHECK_CONTAINS(cr4_write_fault(&s, s.cr4 | CR4_CET, allowed | CR4_CET), "WP");
    CHECK(cr4_write_fault(&long_mode, long_mode.cr4 | CR4_CET, allowed | CR4_CET) == 0);
    /* outside long mode PAE may go */
    CHECK(cr4_write_fault(&entering, 0, allowed) == 0);
}

static void test_pdpte(void)
{
    CHECK(pae_pdpte_valid(0, 36));
    CHECK(pae_pdpte_valid(0xFFFFFFFFFFFFFFFEull, 36));      /* not present */
    CHECK(pae_pdpte_valid(0x12345001ull, 36));
    CHECK(!pae_pdpte_valid(0x12345003ull, 36));             /* bit 1 */
    CHECK(!pae_pdpte_valid(0x12345005ull, 36));             /* bit 2 */
    CHECK(!pae_pdpte_valid(0x12345021ull, 36));             /* bit 5 */
    CHECK(!pae_pdpte_valid(0x12345101ull, 36));             /* bit 8 */
    CHECK(pae_pdpte_valid(0x12345019ull, 36));              /* PWT, PCD, bit 4 */
    CHECK(!pae_pdpte_valid(0x1000000001ull, 36));           /* above MAXPHYADDR */
    CHECK(pae_pdpte_valid(0x1000000001ull, 40));
    CHECK(!pae_pdpte_valid(~0ull, 46));                     /* all-ones: unclaimed memory */
}

static void test_xsetbv(void)
{
    const uint64_t avx = 0x7, avx512 = 0xE7, all = 0x602FFull;
    const char *why = 0;
    CHECK_EQ_U64(xsetbv_fault(0, avx, avx, 0, true, &why), 0);
    CHECK_EQ_U64(xsetbv_fault(0, 1, avx, 0, true, &why), 0);
    CHECK_EQ_U64(xsetbv_fault(0, avx, avx, 0, false, &why), VECTOR_UD);
    CHECK_CONTAINS(why, "OSXSAVE");
    CHECK_EQ_U64(xsetbv_fault(0, avx, avx, 3, true, &why), VECTOR_GP);
    CHECK_CONTAINS(why, "CPL");
    for (uint32_t idx = 1; idx < 4; idx++) {
        CHECK_EQ_U64(xsetbv_fault(idx, avx, avx, 0, true, &why), VECTOR_GP);
        CHECK_CONTAINS(why, "XCR0");
    }
    CHECK_EQ_U64(xsetbv_fault(0xFFFFFFFFu, avx, avx, 0, true, &why), VECTOR_GP);
    CHECK_EQ_U64(xsetbv_fault(0, 0, avx, 0, true, &why), VECTOR_GP);
    CHECK_CONTAINS(why, "x87");
    CHECK_EQ_U64(xsetbv_fault(0, 6, avx, 0, true, &why), VECTOR_GP);
    CHECK_EQ_U64(xsetbv_fault(0, 5, avx, 0, true, &why), VECTOR_GP);
    CHECK_CONTAINS(why, "AVX without SSE");
    CHECK_EQ_U64(xsetbv_fault(0, avx | (1ull << 63), avx, 0, true, &why), VECTOR_GP);
    CHECK_CONTAINS(why, "does not support");
    CHECK_EQ_U64(xsetbv_fault(0, avx512, avx, 0, true, &why), VECTOR_GP);
    /* bundles: MPX both or neither, AVX-512 all three with AVX, AMX both */
    CHECK_EQ_U64(xsetbv_fault(0, 0x1F, all, 0, true, &why), 0);
    CHECK_EQ_U64(xsetbv_fault(0, 0x0F, all, 0, true, &why), VECTOR_GP);
    CHECK_CONTAINS(why, "MPX");
    CHECK_EQ_U64(xsetbv_fault(0, 0x17, all, 0, true, &why), VECTOR_GP);
    CHECK_EQ_U64(xsetbv_fault(0, avx512, all, 0, true, &why), 0);
    CHECK_EQ_U64(xsetbv_fault(0, 0x67, all, 0, true, &why), VECTOR_GP);
    CHECK_CONTAINS(why, "AVX-512");
    CHECK_EQ_U64(xsetbv_fault(0, 0xE3, all, 0, true, &why), VECTOR_GP);
    CHECK_EQ_U64(xsetbv_fault(0, 0x600E7, all, 0, true, &why), 0);
    CHECK_EQ_U64(xsetbv_fault(0, 0x200E7, all, 0, true, &why), VECTOR_GP);
    CHECK_CONTAINS(why, "AMX");
}

int main(int argc, char **argv)
{
    (void)argc;
    test_cr0();
    test_cr4();
    test_pdpte();
    test_xsetbv();
    return unit_finish(argv[0]);
}
