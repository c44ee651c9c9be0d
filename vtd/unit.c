/* Runs in UEFI boot services (and VT-d test programs): bring-up of one
 * remapping unit. Refuse, don't emulate: a unit without what onestone
 * needs is refused by name. */
#include "vtd/vtd.h"
#include "vtd/vtd_internal.h"
#include "hv/core/log.h"

int vtd_unit_probe(struct vtd_unit *u, uint64_t base, const struct pgtable_allocator *alloc,
                   char *err, size_t err_cap)
{
    for (size_t i = 0; i < sizeof *u; i++)
        ((uint8_t *)u)[i] = 0;
    u->base = base;
    u->regs = (volatile uint8_t *)(uintptr_t)base;
    u->alloc = alloc;
    u->cap = vtd_read64(u, VTD_CAP_REG);
    u->ecap = vtd_read64(u, VTD_ECAP_REG);
    unsigned sagaw = VTD_CAP_SAGAW(u->cap);
    if (u->cap == ~0ull || u->cap == 0) {
        fmt_snprintf(err, err_cap, "no VT-d unit answers at 0x%lx", (unsigned long)base);
        return -1;
    }
    if (sagaw & VTD_SAGAW_48)
        u->levels = 4;
    else if (sagaw & VTD_SAGAW_39)
        u->levels = 3;
    else {
        fmt_snprintf(err, err_cap, "unit 0x%lx: SAGAW 0x%x has neither 3- nor 4-level tables",
                     (unsigned long)base, sagaw);
        return -1;
    }
    if (VTD_CAP_ND(u->cap) < 1) {
        fmt_snprintf(err, err_cap, "unit 0x%lx: ND=0 (16 domains) is too few", (unsigned long)base);
        return -1;
    }
    u->coherent = (u->ecap & VTD_ECAP_C) != 0;
    return 0;
}

static int wait_status(struct vtd_unit *u, uint32_t bit, bool set)
{
    for (unsigned i = 0; i < 10000000; i++) {
        uint32_t s = vtd_read32(u, VTD_GSTS_REG);
        if (((s & bit) != 0) == set)
            return 0;
        __asm__ volatile("pause");
    }
    return -1;
}

/* GCMD writes must carry the persistent enables from GSTS (10.4.4); the
 * one-shot latches (SRTP, SIRTP) report completion by setting their
 * status bit. */
int vtd_gcmd(struct vtd_unit *u, uint32_t bit, bool on)
{
    uint32_t cur = vtd_read32(u, VTD_GSTS_REG) & ~VTD_GCMD_ONE_SHOT;
    vtd_write32(u, VTD_GCMD_REG, on ? (cur | bit) : (cur & ~bit));
    bool one_shot = (bit & VTD_GCMD_ONE_SHOT) != 0;
    return wait_status(u, bit, one_shot ? true : on);
}

int vtd_unit_prepare(struct vtd_unit *u)
{
    uint64_t pa;
    void *root = u->alloc->alloc_zeroed_page(u->alloc->ctx, &pa);
    if (!root)
        return -1;
    u->root = root;
    u->root_pa = pa;
    return 0;
}

int vtd_unit_enable(struct vtd_unit *u, char *err, size_t err_cap)
{
    uint64_t pa;
    if (!u->root && vtd_unit_prepare(u)) {
        fmt_snprintf(err, err_cap, "unit 0x%lx: no memory for the root table", (unsigned long)u->base);
        return -1;
    }
    vtd_flush_range(u, u->root, 4096);
    vtd_write64(u, VTD_RTADDR_REG, u->root_pa);
    if (vtd_gcmd(u, VTD_GCMD_SRTP, true)) {
        fmt_snprintf(err, err_cap, "unit 0x%lx: root table pointer not latched (SRTP)",
                     (unsigned long)u->base);
        return -1;
    }
    u->queued_invalidation = false;
    if (vtd_invalidate_all(u)) {
        fmt_snprintf(err, err_cap, "unit 0x%lx: register-based invalidation timed out",
                     (unsigned long)u->base);
        return -1;
    }
    if (u->ecap & VTD_ECAP_QI) {
        void *iq = u->alloc->alloc_zeroed_page(u->alloc->ctx, &pa);
        void *ws = u->alloc->alloc_zeroed_page(u->alloc->ctx, &u->wait_status_pa);
        if (!iq || !ws) {
            fmt_snprintf(err, err_cap, "unit 0x%lx: no memory for the invalidation queue",
                         (unsigned long)u->base);
            return -1;
        }
        u->iq = iq;
        u->iq_pa = pa;
        u->wait_status = ws;
        u->iq_tail = 0;
        vtd_write64(u, VTD_IQT_REG, 0);
        vtd_write64(u, VTD_IQA_REG, pa | VTD_IQA_QS_4K);
        if (vtd_gcmd(u, VTD_GCMD_QIE, true)) {
            fmt_snprintf(err, err_cap, "unit 0x%lx: queued invalidation did not enable",
                         (unsigned long)u->base);
            return -1;
        }
        u->queued_invalidation = true;
        if (vtd_invalidate_all(u)) {
            fmt_snprintf(err, err_cap, "unit 0x%lx: queued invalidation timed out or failed",
                         (unsigned long)u->base);
            return -1;
        }
    }
    /* fault events are polled; keep the interrupt masked */
    vtd_write32(u, VTD_FECTL_REG, VTD_FECTL_IM);
    if (vtd_gcmd(u, VTD_GCMD_TE, true)) {
        fmt_snprintf(err, err_cap, "unit 0x%lx: translation did not enable (TE)",
                     (unsigned long)u->base);
        return -1;
    }
    LOG_INF("VT-d unit 0x%lx: translation on, %u-level tables, %s invalidation, %s, "
            "%u fault record(s)", (unsigned long)u->base, u->levels,
            u->queued_invalidation ? "queued" : "register-based",
            (u->cap & VTD_CAP_CM) ? "caching mode" : "no caching mode", VTD_CAP_NFR(u->cap));
    return 0;
}

uint32_t vtd_global_status(struct vtd_unit *u)
{
    return vtd_read32(u, VTD_GSTS_REG);
}

void vtd_unit_disable(struct vtd_unit *u)
{
    vtd_gcmd(u, VTD_GCMD_TE, false);
    if (u->queued_invalidation)
        vtd_gcmd(u, VTD_GCMD_QIE, false);
}
