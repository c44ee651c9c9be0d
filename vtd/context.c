/* Runs in UEFI boot services (and VT-d test programs): root/context
 * tables and domains. A device with no present context entry is blocked:
 * every DMA it issues faults. */
#include "vtd/vtd.h"
#include "vtd/vtd_internal.h"
#include "drivers/pci.h"

int vtd_domain_init(struct vtd_unit *u, struct vtd_domain *d, uint16_t id)
{
    d->id = id;
    /* 4 KiB leaves unless the unit supports 2 MiB second-level pages */
    const struct pgtable_format *fmt = (VTD_CAP_SLLPS(u->cap) & 1) ? &vtd_format_2m : &vtd_format_4k;
    return pgtable_init_levels(&d->pt, fmt, u->alloc, u->levels) ? -1 : 0;
}

int vtd_domain_map_identity(struct vtd_unit *u, struct vtd_domain *d, uint64_t start, uint64_t end)
{
    (void)u;
    return pgtable_map(&d->pt, start, start, end - start, 3, 2) ? -1 : 0;
}

int vtd_domain_map(struct vtd_unit *u, struct vtd_domain *d, uint64_t iova, uint64_t pa,
                   uint64_t len)
{
    (void)u;
    return pgtable_map(&d->pt, iova, pa, len, 3, 2) ? -1 : 0;
}

int vtd_domain_set(struct vtd_unit *u, struct vtd_domain *d, uint64_t iova, uint64_t pa,
                   uint64_t attrs)
{
    (void)u;
    if (pgtable_lookup(&d->pt, iova, 0, 0, 0))
        return pgtable_set_attrs(&d->pt, iova, attrs) ? -1 : 0;
    return pgtable_map(&d->pt, iova, pa, 0x1000, attrs, 1) ? -1 : 0;
}

static struct vtd_context_entry *context_entry(struct vtd_unit *u, uint8_t bus, uint8_t devfn,
                                               bool create)
{
    struct vtd_root_entry *re = &u->root[bus];
    if (!(re->lo & VTD_ENTRY_P)) {
        if (!create)
            return 0;
        uint64_t pa;
        void *table = u->alloc->alloc_zeroed_page(u->alloc->ctx, &pa);
        if (!table)
            return 0;
        vtd_flush_range(u, table, 4096);
        re->lo = pa | VTD_ENTRY_P;
        vtd_flush_range(u, re, sizeof *re);
    }
    struct vtd_context_entry *ctx = u->alloc->phys_to_virt(u->alloc->ctx, re->lo & ~0xFFFull);
    return &ctx[devfn];
}

int vtd_assign_deferred(struct vtd_unit *u, uint8_t bus, uint8_t devfn, const struct vtd_domain *d)
{
    struct vtd_context_entry *ce = context_entry(u, bus, devfn, true);
    if (!ce)
        return -1;
    ce->hi = (u->levels == 4 ? VTD_CTX_HI_AW_48 : VTD_CTX_HI_AW_39) | VTD_CTX_HI_DID(d->id);
    /* T = 00: untranslated requests go through the second-level tables */
    ce->lo = d->pt.root_pa | VTD_ENTRY_P;
    vtd_flush_range(u, ce, sizeof *ce);
    return 0;
}

int vtd_assign(struct vtd_unit *u, uint8_t bus, uint8_t devfn, const struct vtd_domain *d)
{
    if (vtd_assign_deferred(u, bus, devfn, d))
        return -1;
    return vtd_invalidate_all(u);
}

int vtd_block(struct vtd_unit *u, uint8_t bus, uint8_t devfn)
{
    struct vtd_context_entry *ce = context_entry(u, bus, devfn, false);
    if (!ce)
        return 0;
    ce->lo = 0;
    ce->hi = 0;
    vtd_flush_range(u, ce, sizeof *ce);
    return vtd_invalidate_all(u);
}

int vtd_reassign(struct vtd_unit *u, uint8_t bus, uint8_t devfn, const struct vtd_domain *d)
{
    uint16_t bdf = (uint16_t)((bus << 8) | devfn);
    bool was_master = pci_set_bus_master(bdf, false);
    int rc = vtd_assign(u, bus, devfn, d);
    /* mastering comes back only once the new domain is in force */
    if (rc == 0 && was_master)
        pci_set_bus_master(bdf, true);
    return rc;
}
