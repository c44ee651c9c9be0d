/* Runs in UEFI boot services (and VT-d test programs): interrupt
 * remapping (VT-d spec 5.1). One table of 256 IRTEs per unit. onestone
 * writes an entry only for an interrupt a device may send to a CPU of the
 * partition that owns it, with the device's source-id checked (SVT=01), so
 * an interrupt aimed anywhere else finds no entry and is blocked; CFI stays
 * clear, so compatibility-format interrupts are blocked too. */
#include "vtd/vtd.h"
#include "vtd/vtd_internal.h"
#include "hv/core/log.h"

#define IRT_SIZE_LOG2 8                 /* 256 entries: IRTA.S = 7 */

int vtd_ir_enable(struct vtd_unit *u, char *err, size_t err_cap)
{
    if (!(u->ecap & VTD_ECAP_IR)) {
        fmt_snprintf(err, err_cap, "unit 0x%lx: no interrupt remapping (ECAP.IR)",
                     (unsigned long)u->base);
        return -1;
    }
    if (!u->queued_invalidation) {
        fmt_snprintf(err, err_cap, "unit 0x%lx: interrupt remapping needs queued invalidation",
                     (unsigned long)u->base);
        return -1;
    }
    uint64_t pa;
    void *irt = u->alloc->alloc_zeroed_page(u->alloc->ctx, &pa);
    if (!irt) {
        fmt_snprintf(err, err_cap, "unit 0x%lx: no memory for the IRT", (unsigned long)u->base);
        return -1;
    }
    u->irt = irt;
    vtd_flush_range(u, irt, 4096);
    vtd_write64(u, VTD_IRTA_REG, pa | (IRT_SIZE_LOG2 - 1));
    if (vtd_gcmd(u, VTD_GCMD_SIRTP, true) || vtd_invalidate_iec(u) ||
        vtd_gcmd(u, VTD_GCMD_IRE, true)) {
        fmt_snprintf(err, err_cap, "unit 0x%lx: interrupt remapping did not enable",
                     (unsigned long)u->base);
        return -1;
    }
    LOG_INF("VT-d unit 0x%lx: interrupt remapping on, compatibility format blocked",
            (unsigned long)u->base);
    return 0;
}

int vtd_ir_set(struct vtd_unit *u, unsigned index, uint8_t vector, uint8_t dest_apic_id,
               uint16_t source_id)
{
    if (!u->irt || index >= (1u << IRT_SIZE_LOG2))
        return -1;
    struct vtd_irte *e = &u->irt[index];
    e->lo = 0;
    vtd_flush_range(u, e, sizeof *e);
    e->hi = VTD_IRTE_SVT_REQUESTER | source_id;
    e->lo = VTD_IRTE_P | VTD_IRTE_VECTOR(vector) | VTD_IRTE_DST_XAPIC(dest_apic_id);
    vtd_flush_range(u, e, sizeof *e);
    return vtd_invalidate_iec(u);
}

int vtd_ir_clear(struct vtd_unit *u, unsigned index)
{
    if (!u->irt || index >= (1u << IRT_SIZE_LOG2))
        return -1;
    u->irt[index].lo = 0;
    u->irt[index].hi = 0;
    vtd_flush_range(u, &u->irt[index], sizeof u->irt[index]);
    return vtd_invalidate_iec(u);
}
