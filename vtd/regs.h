/* Shared header (boot services, VMX root, EFI test programs): Intel VT-d
 * remapping hardware registers and in-memory structures, names from the
 * VT-d spec (rev 3.x) chapter 10 (registers) and chapter 9 (root/context
 * entries, second-level paging, invalidation descriptors, fault records,
 * IRTE). */
#ifndef VTD_REGS_H
#define VTD_REGS_H

#include <stdint.h>

/* ---- register offsets (10.4) ---- */
#define VTD_VER_REG     0x00
#define VTD_CAP_REG     0x08
#define VTD_ECAP_REG    0x10
#define VTD_GCMD_REG    0x18
#define VTD_GSTS_REG    0x1C
#define VTD_RTADDR_REG  0x20
#define VTD_CCMD_REG    0x28
#define VTD_FSTS_REG    0x34
#define VTD_FECTL_REG   0x38
#define VTD_FEDATA_REG  0x3C
#define VTD_FEADDR_REG  0x40
#define VTD_FEUADDR_REG 0x44
#define VTD_IQH_REG     0x80
#define VTD_IQT_REG     0x88
#define VTD_IQA_REG     0x90
#define VTD_ICS_REG     0x9C
#define VTD_IQERCD_REG  0xB0
#define VTD_IRTA_REG    0xB8

/* ---- CAP_REG fields (10.4.2) ---- */
#define VTD_CAP_ND(c)      ((unsigned)((c) & 7))
#define VTD_CAP_RWBF       (1ull << 4)
#define VTD_CAP_CM         (1ull << 7)
#define VTD_CAP_SAGAW(c)   ((unsigned)(((c) >> 8) & 0x1F))
#define VTD_SAGAW_39       (1u << 1)          /* 3-level tables */
#define VTD_SAGAW_48       (1u << 2)          /* 4-level tables */
#define VTD_CAP_MGAW(c)    ((unsigned)(((c) >> 16) & 0x3F) + 1)
#define VTD_CAP_FRO(c)     ((unsigned)(((c) >> 24) & 0x3FF) * 16)
#define VTD_CAP_SLLPS(c)   ((unsigned)(((c) >> 34) & 0xF))
#define VTD_CAP_PSI        (1ull << 39)
#define VTD_CAP_NFR(c)     ((unsigned)(((c) >> 40) & 0xFF) + 1)

/* ---- ECAP_REG fields (10.4.3) ---- */
#define VTD_ECAP_C         (1ull << 0)        /* page walks snoop caches */
#define VTD_ECAP_QI        (1ull << 1)
#define VTD_ECAP_IR        (1ull << 3)
#define VTD_ECAP_EIM       (1ull << 4)
#define VTD_ECAP_PT        (1ull << 6)
#define VTD_ECAP_IRO(e)    ((unsigned)(((e) >> 8) & 0x3FF) * 16)

/* ---- GCMD_REG / GSTS_REG bits (10.4.4, 10.4.5) ---- */
#define VTD_GCMD_TE        (1u << 31)
#define VTD_GCMD_SRTP      (1u << 30)
#define VTD_GCMD_WBF       (1u << 27)
#define VTD_GCMD_QIE       (1u << 26)
#define VTD_GCMD_IRE       (1u << 25)
#define VTD_GCMD_SIRTP     (1u << 24)
#define VTD_GCMD_CFI       (1u << 23)
/* one-shot commands that must not be written back from GSTS */
#define VTD_GCMD_ONE_SHOT  (VTD_GCMD_SRTP | VTD_GCMD_WBF | VTD_GCMD_SIRTP)

/* ---- CCMD_REG (10.4.7) ---- */
#define VTD_CCMD_ICC       (1ull << 63)
#define VTD_CCMD_GLOBAL    (1ull << 61)       /* CIRG = 01 */

/* ---- IOTLB_REG at ECAP.IRO + 8 (10.4.8.1) ---- */
#define VTD_IOTLB_IVT      (1ull << 63)
#define VTD_IOTLB_GLOBAL   (1ull << 60)       /* IIRG = 01 */
#define VTD_IOTLB_DR       (1ull << 49)
#define VTD_IOTLB_DW       (1ull << 48)

/* ---- FSTS_REG (10.4.9) and FECTL_REG ---- */
#define VTD_FSTS_PFO       (1u << 0)
#define VTD_FSTS_PPF       (1u << 1)
#define VTD_FSTS_IQE       (1u << 4)
#define VTD_FSTS_ICE       (1u << 5)
#define VTD_FSTS_ITE       (1u << 6)
#define VTD_FSTS_FRI(f)    (((f) >> 8) & 0xFF)
#define VTD_FECTL_IM       (1u << 31)

/* ---- fault recording register, 128 bits at CAP.FRO + 16 * n (10.4.14) ---- */
#define VTD_FRCD_HI_SID(h)     ((uint16_t)((h) & 0xFFFF))
#define VTD_FRCD_HI_FR(h)      ((uint8_t)(((h) >> 32) & 0xFF))
#define VTD_FRCD_HI_T_READ     (1ull << 62)   /* 1: read request, 0: write */
#define VTD_FRCD_HI_F          (1ull << 63)   /* fault recorded; write 1 to clear */
#define VTD_FRCD_LO_FI(l)      ((l) & ~0xFFFull)

/* ---- IQA_REG / invalidation descriptors (6.5.2) ---- */
#define VTD_IQA_QS_4K      0ull               /* 256 descriptors of 16 bytes */
#define VTD_INV_CONTEXT    0x1ull
#define VTD_INV_IOTLB      0x2ull
#define VTD_INV_IEC        0x4ull
#define VTD_INV_WAIT       0x5ull
#define VTD_INV_G_GLOBAL   (1ull << 4)        /* context / IOTLB: granularity 01 */
#define VTD_INV_IOTLB_DR   (1ull << 7)
#define VTD_INV_IOTLB_DW   (1ull << 6)
#define VTD_INV_WAIT_IF    (1ull << 4)
#define VTD_INV_WAIT_SW    (1ull << 5)
#define VTD_INV_WAIT_FN    (1ull << 6)

struct vtd_inv_desc {
    uint64_t lo, hi;
};
_Static_assert(sizeof(struct vtd_inv_desc) == 16, "invalidation descriptor is 128 bits");

/* ---- root and context entries (9.1, 9.3) ---- */
struct vtd_root_entry {
    uint64_t lo;                        /* P (bit 0), context-table pointer 63:12 */
    uint64_t hi;
};
_Static_assert(sizeof(struct vtd_root_entry) == 16, "root entry is 128 bits");

struct vtd_context_entry {
    uint64_t lo;                        /* P, FPD, T (3:2), SLPTPTR (63:12) */
    uint64_t hi;                        /* AW (2:0), DID (23:8) */
};
_Static_assert(sizeof(struct vtd_context_entry) == 16, "context entry is 128 bits");

#define VTD_ENTRY_P          1ull
#define VTD_CTX_LO_FPD       (1ull << 1)
#define VTD_CTX_HI_AW_39     1ull
#define VTD_CTX_HI_AW_48     2ull
#define VTD_CTX_HI_DID(d)    ((uint64_t)(d) << 8)

/* ---- interrupt remapping table entry (9.10) ---- */
struct vtd_irte {
    uint64_t lo;                        /* P, FPD, DM, RH, TM, DLM, V (23:16), DST (63:32) */
    uint64_t hi;                        /* SID (15:0), SQ (17:16), SVT (19:18) */
};
_Static_assert(sizeof(struct vtd_irte) == 16, "IRTE is 128 bits");

#define VTD_IRTE_P             1ull
#define VTD_IRTE_VECTOR(v)     ((uint64_t)(v) << 16)
#define VTD_IRTE_DST_XAPIC(id) ((uint64_t)(id) << 40)
#define VTD_IRTE_SVT_REQUESTER (1ull << 18)   /* check the full source-id */

/* Fault reasons worth naming (7.1.3 and appendix A) */
#define VTD_FR_ROOT_NOT_PRESENT    0x01
#define VTD_FR_CONTEXT_NOT_PRESENT 0x02
#define VTD_FR_ADDR_BEYOND_MGAW    0x04
#define VTD_FR_WRITE_DENIED        0x05
#define VTD_FR_READ_DENIED         0x06
#define VTD_FR_IR_ENTRY_NOT_PRESENT 0x22
#define VTD_FR_IR_COMPAT_BLOCKED   0x25
#define VTD_FR_IR_SID_MISMATCH     0x26

#endif
