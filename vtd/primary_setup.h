/* Runs in UEFI boot services: DMA remapping for the primary partition (the
 * only partition today): on every unit the DMAR table lists, one domain
 * that maps all memory and MMIO identity except the protected ranges
 * (onestone's memory, later other partitions'), RMRRs included, and every
 * requester id on every bus in use on segment 0 assigned to it. Translation is turned
 * on only after the tables are complete, so DMA the firmware has in
 * flight (disks, USB) keeps working. */
#ifndef VTD_PRIMARY_SETUP_H
#define VTD_PRIMARY_SETUP_H

#include "hv/memrange.h"
#include "vtd/dmar.h"
#include "vtd/vtd.h"

struct vtd_primary {
    unsigned unit_count;
    struct vtd_unit units[DMAR_MAX_UNITS];
    struct vtd_domain domains[DMAR_MAX_UNITS];
    unsigned devices_assigned;          /* requester ids with a context entry */
    unsigned functions_found, buses;
};

/* 4 KiB pages the tables may need, for a memory reservation made before
 * the setup: per unit the root, a context table per bus, the invalidation
 * queue and its status page, the IRT, and the domain's tables for
 * [0, map_top) (2 MiB leaves when the unit has them, else 4 KiB). */
uint64_t vtd_primary_pages(const struct dmar_info *dmar, uint64_t map_top);

int vtd_setup_primary(struct vtd_primary *p, const struct dmar_info *dmar,
                      const struct memrange_list *protected_ranges, uint64_t map_top,
                      const struct pgtable_allocator *alloc, char *err, size_t err_cap);

/* Turns translation off again on every unit (a refusal after setup). */
void vtd_teardown_primary(struct vtd_primary *p);

#endif
