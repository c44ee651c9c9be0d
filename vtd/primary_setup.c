/* Runs in UEFI boot services: see primary_setup.h. */
#include "vtd/primary_setup.h"
#include "drivers/pci.h"
#include "hv/core/log.h"

#define PRIMARY_DOMAIN_ID 1

struct gap {
    struct vtd_unit *u;
    struct vtd_domain *d;
};

static int map_gap(void *vctx, uint64_t start, uint64_t end)
{
    struct gap *g = vctx;
    return vtd_domain_map_identity(g->u, g->d, start, end);
}

/* RMRRs lie outside protected memory, so the identity map holds them
 * already; one that does not fit in it is an error, not a silent gap. */
static int check_rmrrs(struct vtd_domain *d, const struct dmar_info *dmar, char *err, size_t cap)
{
    for (unsigned i = 0; i < dmar->rmrr_count; i++) {
        const struct dmar_rmrr *r = &dmar->rmrrs[i];
        for (uint64_t a = r->base; a <= r->limit; a += 0x1000)
            if (!pgtable_lookup(&d->pt, a, 0, 0, 0)) {
                fmt_snprintf(err, cap, "RMRR 0x%lx-0x%lx is not reachable in the primary domain "
                             "(page 0x%lx)", (unsigned long)r->base, (unsigned long)r->limit,
                             (unsigned long)a);
                return -1;
            }
    }
    return 0;
}

/* which other partition owns bdf, or -1 */
static int owner_of(const struct vtd_partition_dma *others, unsigned other_count, uint16_t bdf)
{
    for (unsigned k = 0; k < other_count; k++)
        for (unsigned i = 0; i < others[k].device_count; i++)
            if (others[k].bdf[i] == bdf)
                return (int)k;
    return -1;
}

uint64_t vtd_primary_pages(const struct dmar_info *dmar, uint64_t map_top,
                           const struct vtd_partition_dma *others, unsigned other_count)
{
    uint64_t pages = 0;
    for (unsigned i = 0; i < dmar->unit_count; i++) {
        struct vtd_unit probe;
        char err[80];
        bool large = vtd_unit_probe(&probe, dmar->units[i].base, NULL, err, sizeof err) == 0 &&
                     (VTD_CAP_SLLPS(probe.cap) & 1);
        uint64_t gib = (map_top + (1ull << 30) - 1) >> 30;
        /* leaf tables, directories, top levels, splits around holes */
        uint64_t domain = (large ? 0 : gib * 512) + gib + gib / 512 + 2 + 2 * MEMRANGE_MAX;
        pages += 1 + 256 + 3 + domain;
        /* each other partition's domain: its RAM from address 0 */
        for (unsigned k = 0; k < other_count; k++) {
            uint64_t two_mib = (others[k].size + (2ull << 20) - 1) >> 21;
            pages += (large ? 0 : two_mib) + two_mib / 512 + 4;
        }
    }
    return pages;
}

int vtd_setup_primary(struct vtd_primary *p, const struct dmar_info *dmar,
                      const struct memrange_list *protected_ranges, uint64_t map_top,
                      const struct vtd_partition_dma *others, unsigned other_count,
                      const struct pgtable_allocator *alloc, char *err, size_t err_cap)
{
    p->unit_count = dmar->unit_count;
    p->devices_assigned = p->functions_found = p->buses = p->other_assigned = 0;
    p->other_count = other_count;
    if (other_count > VTD_OTHER_PARTITIONS_MAX) {
        fmt_snprintf(err, err_cap, "%u other partitions: at most %u have a DMA domain",
                     other_count, VTD_OTHER_PARTITIONS_MAX);
        return -1;
    }
    if (err_cap)
        err[0] = 0;
    for (unsigned i = 0; i < dmar->unit_count; i++) {
        struct vtd_unit *u = &p->units[i];
        struct gap g = { u, &p->domains[i] };
        if (vtd_unit_probe(u, dmar->units[i].base, alloc, err, err_cap) || vtd_unit_prepare(u) ||
            vtd_domain_init(u, &p->domains[i], PRIMARY_DOMAIN_ID) ||
            memrange_for_each_gap(protected_ranges, 0, map_top, map_gap, &g) ||
            check_rmrrs(&p->domains[i], dmar, err, err_cap)) {
            if (!err[0])
                fmt_snprintf(err, err_cap, "unit 0x%lx: out of memory for its tables",
                             (unsigned long)dmar->units[i].base);
            return -1;
        }
        for (unsigned k = 0; k < other_count; k++) {
            struct vtd_domain *d = &p->other_domains[k][i];
            if (vtd_domain_init(u, d, others[k].domain_id) ||
                vtd_domain_map(u, d, 0, others[k].base, others[k].size)) {
                fmt_snprintf(err, err_cap, "unit 0x%lx: out of memory for partition domain %u",
                             (unsigned long)dmar->units[i].base, others[k].domain_id);
                return -1;
            }
        }
    }
    /* Every requester id on every bus in use goes to the primary partition,
     * not just the functions found: devices with phantom functions (some
     * SATA controllers) and PCI devices behind PCIe-to-PCI bridges (which
     * take the bridge's or secondary bus's id) must keep working. */
    bool bus_used[256] = { false };
    bus_used[0] = true;
    for (unsigned bus = 0; bus < 256; bus++)
        for (unsigned dev = 0; dev < 32; dev++)
            for (unsigned fn = 0; fn < 8; fn++) {
                uint16_t bdf = PCI_BDF(bus, dev, fn);
                if ((pci_read32(bdf, 0) & 0xFFFF) == 0xFFFF) {
                    if (fn == 0)
                        break;
                    continue;
                }
                bus_used[bus] = true;
                p->functions_found++;
                uint32_t hdr = pci_read32(bdf, 0x0C) >> 16;
                if ((hdr & 0x7F) == 1) {                /* bridge: its buses are in use */
                    uint32_t buses = pci_read32(bdf, 0x18);
                    for (unsigned b2 = (buses >> 8) & 0xFF; b2 && b2 <= ((buses >> 16) & 0xFF); b2++)
                        bus_used[b2] = true;
                }
                if (fn == 0 && !(hdr & 0x80))
                    break;                              /* single-function device */
            }
    for (unsigned bus = 0; bus < 256; bus++) {
        if (!bus_used[bus])
            continue;
        for (unsigned devfn = 0; devfn < 256; devfn++) {
            uint16_t bdf = (uint16_t)(bus << 8 | devfn);
            const struct dmar_unit *du = dmar_unit_for(dmar, 0, bdf, pci_bridge_secondary_bus,
                                                       pci_bridge_subordinate_bus, NULL);
            if (!du)
                continue;                               /* no unit: nothing to program */
            unsigned i = (unsigned)(du - dmar->units);
            int owner = owner_of(others, other_count, bdf);
            const struct vtd_domain *d = owner < 0 ? &p->domains[i] : &p->other_domains[owner][i];
            if (vtd_assign_deferred(&p->units[i], (uint8_t)bus, (uint8_t)devfn, d)) {
                fmt_snprintf(err, err_cap, "out of memory for context tables");
                return -1;
            }
            if (owner < 0)
                p->devices_assigned++;
            else
                p->other_assigned++;
        }
        p->buses++;
    }
    for (unsigned i = 0; i < p->unit_count; i++)
        if (vtd_unit_enable(&p->units[i], err, err_cap))
            return -1;
    LOG_INF("VT-d: %u unit(s) translating, %u PCI functions (%u requester ids on %u buses) "
            "in the primary partition's domain", p->unit_count, p->functions_found,
            p->devices_assigned, p->buses);
    for (unsigned k = 0; k < other_count; k++)
        LOG_INF("VT-d: domain %u: %u function(s) of another partition, which reach only its "
                "%lu KiB at machine address 0x%lx (device address 0)", others[k].domain_id,
                others[k].device_count, (unsigned long)(others[k].size >> 10),
                (unsigned long)others[k].base);
    return 0;
}

void vtd_teardown_primary(struct vtd_primary *p)
{
    for (unsigned i = 0; i < p->unit_count; i++)
        if (p->units[i].root)
            vtd_unit_disable(&p->units[i]);
}
