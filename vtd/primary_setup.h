/* Runs in UEFI boot services: DMA remapping for the partitions. On every
 * unit the DMAR table lists, one domain for the primary partition that
 * maps all memory and MMIO identity except the protected ranges
 * (onestone's memory, other partitions' memory and BARs), RMRRs included,
 * and every requester id on every bus in use on segment 0 assigned to it;
 * but every function another partition owns goes to that partition's own
 * domain, which maps only its RAM (device address 0 = its address 0).
 * Translation is turned on only after the tables are complete, so DMA the
 * firmware has in flight (disks, USB) keeps working. */
#ifndef VTD_PRIMARY_SETUP_H
#define VTD_PRIMARY_SETUP_H

#include "hv/core/memrange.h"
#include "vtd/dmar.h"
#include "vtd/vtd.h"

#define VTD_OTHER_PARTITIONS_MAX 2
#define VTD_PARTITION_DEVICES_MAX 8

/* another partition's DMA view: device address 0 is machine address base */
struct vtd_partition_dma {
    uint16_t domain_id;                 /* never the primary's (1) nor 0 */
    uint64_t base, size;                /* its RAM, 4 KiB aligned */
    unsigned device_count;
    uint16_t bdf[VTD_PARTITION_DEVICES_MAX];   /* segment 0 */
};

struct vtd_primary {
    unsigned unit_count;
    struct vtd_unit units[DMAR_MAX_UNITS];
    struct vtd_domain domains[DMAR_MAX_UNITS];
    unsigned other_count;
    struct vtd_domain other_domains[VTD_OTHER_PARTITIONS_MAX][DMAR_MAX_UNITS];
    unsigned other_assigned;            /* requester ids in the other domains */
    unsigned devices_assigned;          /* requester ids with a context entry */
    unsigned functions_found, buses;
};

/* 4 KiB pages the tables may need, for a memory reservation made before
 * the setup: per unit the root, a context table per bus, the invalidation
 * queue and its status page, the IRT, and the domain's tables for
 * [0, map_top) (2 MiB leaves when the unit has them, else 4 KiB). */
uint64_t vtd_primary_pages(const struct dmar_info *dmar, uint64_t map_top,
                           const struct vtd_partition_dma *others, unsigned other_count);

int vtd_setup_primary(struct vtd_primary *p, const struct dmar_info *dmar,
                      const struct memrange_list *protected_ranges, uint64_t map_top,
                      const struct vtd_partition_dma *others, unsigned other_count,
                      const struct pgtable_allocator *alloc, char *err, size_t err_cap);

/* Turns translation off again on every unit (a refusal after setup). */
void vtd_teardown_primary(struct vtd_primary *p);

#endif
