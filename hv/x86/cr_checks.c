/* Shared (VMX root, host unit tests): see cr_checks.h. The conditions are
 * the SDM's #GP/#UD lists for each instruction, in the order KVM's
 * kvm_set_cr0/kvm_set_cr4/__kvm_set_xcr check them. */
#include "hv/x86/cr_checks.h"
#include "arch/x86.h"

const char *cr0_write_fault(const struct cr_state *s, uint64_t value)
{
    if (value >> 32)
        return "CR0 bits 63:32 are reserved";
    if ((value & CR0_PG) && !(value & CR0_PE))
        return "CR0.PG without CR0.PE";
    if ((value & CR0_NW) && !(value & CR0_CD))
        return "CR0.NW without CR0.CD";
    if ((value & CR0_PG) && !(s->cr0 & CR0_PG) && (s->efer & EFER_LME)) {
        if (!(s->cr4 & CR4_PAE))
            return "enabling paging with EFER.LME needs CR4.PAE";
        if (s->cs_long)
            return "enabling paging with EFER.LME from a 64-bit code segment";
    }
    if (!(value & CR0_PG) && (s->cr4 & CR4_PCIDE))
        return "clearing CR0.PG while CR4.PCIDE is set";
    if (!(value & CR0_WP) && (s->cr4 & CR4_CET))
        return "clearing CR0.WP while CR4.CET is set";
    return 0;
}

const char *cr4_write_fault(const struct cr_state *s, uint64_t value, uint64_t allowed)
{
    bool ia32e = (s->efer & EFER_LMA) != 0;
    if (value & CR4_VMXE)
        return "CR4.VMXE: this CPU has no VMX";
    if (value & ~allowed)
        return "reserved or unsupported CR4 bit";
    if (ia32e && !(value & CR4_PAE))
        return "clearing CR4.PAE in IA-32e mode";
    if (ia32e && ((value ^ s->cr4) & CR4_LA57))
        return "changing CR4.LA57 in IA-32e mode";
    if ((value & CR4_PCIDE) && !(s->cr4 & CR4_PCIDE)) {
        if (!ia32e)
            return "CR4.PCIDE outside IA-32e mode";
        if (s->cr3 & 0xFFF)
            return "CR4.PCIDE with CR3[11:0] not zero";
    }
    if ((value & CR4_CET) && !(s->cr0 & CR0_WP))
        return "CR4.CET without CR0.WP";
    return 0;
}

bool pae_pdpte_valid(uint64_t e, unsigned maxphyaddr)
{
    if (!(e & 1))
        return true;
    uint64_t reserved = 0x1E6ull;                   /* bits 2:1 and 8:5 */
    if (maxphyaddr < 64)
        reserved |= ~0ull << maxphyaddr;
    return (e & reserved) == 0;
}

#define XCR0_X87      (1ull << 0)
#define XCR0_SSE      (1ull << 1)
#define XCR0_AVX      (1ull << 2)
#define XCR0_MPX      (3ull << 3)       /* BNDREGS, BNDCSR */
#define XCR0_AVX512   (7ull << 5)       /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XCR0_AMX      (3ull << 17)      /* XTILECFG, XTILEDATA */

unsigned xsetbv_fault(uint32_t index, uint64_t value, uint64_t supported, unsigned cpl,
                      bool cr4_osxsave, const char **why)
{
    const char *w = 0;
    if (!cr4_osxsave) {
        *why = "XSETBV with CR4.OSXSAVE clear";
        return VECTOR_UD;
    }
    if (cpl != 0)
        w = "XSETBV above CPL 0";
    else if (index != 0)
        w = "XSETBV to an XCR other than XCR0";
    else if (!(value & XCR0_X87))
        w = "XCR0 without x87 state";
    else if (value & ~supported)
        w = "XCR0 bit this CPU does not support";
    else if ((value & XCR0_AVX) && !(value & XCR0_SSE))
        w = "XCR0 AVX without SSE";
    else if ((value & XCR0_MPX) && (value & XCR0_MPX) != XCR0_MPX)
        w = "XCR0 MPX components not both set";
    else if ((value & XCR0_AVX512) &&
             ((value & XCR0_AVX512) != XCR0_AVX512 || !(value & XCR0_AVX)))
        w = "XCR0 AVX-512 components not all set with AVX and SSE";
    else if ((value & XCR0_AMX) && (value & XCR0_AMX) != XCR0_AMX)
        w = "XCR0 AMX components not both set";
    if (w) {
        *why = w;
        return VECTOR_GP;
    }
    return 0;
}
