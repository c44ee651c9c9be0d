/* Runs in UEFI boot services: DMA remapping for the primary partition (the
 * only partition today): on every unit the DMAR table lists, one domain
 * that maps all memory and MMIO identity except the protected ranges
 * (onestone's memory, later other partitions'), RMRRs included, and every
 * PCI function found on segment 0 assigned to it. Translation is turned
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
    unsigned devices_assigned;
};

int vtd_setup_primary(struct vtd_primary *p, const struct dmar_info *dmar,
                      const struct memrange_list *protected_ranges, uint64_t map_top,
                      const struct pgtable_allocator *alloc, char *err, size_t err_cap);

/* Turns translation off again on every unit (a refusal after setup). */
void vtd_teardown_primary(struct vtd_primary *p);

#endif
