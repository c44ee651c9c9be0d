/* Shared (boot services, VMX root, host unit tests): one 4-level page-table
 * engine for onestone's host paging and the EPT (and later VT-d second-level
 * tables). A format describes the entry encoding; the engine walks, maps
 * with the largest page the format and alignment allow, and looks up. */
#ifndef HV_PGTABLE_H
#define HV_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define PGTABLE_LEVELS 4            /* level 1 = 4 KiB leaf ... level 4 = root */
#define PGTABLE_ENTRIES 512

struct pgtable_format {
    /* entry that points at the next-level table */
    uint64_t (*table_entry)(uint64_t table_pa);
    /* leaf entry mapping `pa` at `level` (1: 4K, 2: 2M, 3: 1G) */
    uint64_t (*leaf_entry)(uint64_t pa, unsigned level, uint64_t attrs);
    bool (*is_present)(uint64_t entry);
    uint64_t (*entry_attrs)(uint64_t entry, unsigned level);
    uint64_t addr_mask;
    uint64_t large_bit;             /* marks a level-2/3 leaf */
    unsigned max_leaf_level;        /* 3 if 1 GiB pages allowed, 2 if 2 MiB, 1 */
};

/* Pages come from the caller: the boot/hv side hands out zeroed pages from
 * onestone's reserved pool; unit tests from the host heap. */
struct pgtable_allocator {
    void *(*alloc_zeroed_page)(void *ctx, uint64_t *pa_out);
    void *(*phys_to_virt)(void *ctx, uint64_t pa);
    void *ctx;
};

struct pgtable {
    const struct pgtable_format *fmt;
    const struct pgtable_allocator *alloc;
    uint64_t root_pa;
    uint64_t tables_used;           /* pages taken for tables, root included */
    unsigned levels;                /* 4, or 3 for 39-bit VT-d tables */
};

enum pgtable_error {
    PGTABLE_OK = 0,
    PGTABLE_ENOMEM = -1,
    PGTABLE_EEXIST = -2,            /* range overlaps an existing mapping */
    PGTABLE_EINVAL = -3,            /* unaligned address or size */
};

int pgtable_init(struct pgtable *pt, const struct pgtable_format *fmt,
                 const struct pgtable_allocator *alloc);
/* The same with a 3-level walk (39-bit VT-d second-level tables, SAGAW
 * bit 1): addresses must fit in 39 bits. */
int pgtable_init_levels(struct pgtable *pt, const struct pgtable_format *fmt,
                        const struct pgtable_allocator *alloc, unsigned levels);

/* Maps [va, va+size) -> [pa, pa+size). `max_level` caps the page size for
 * this call (a caller splitting by memory type passes 1 for a range that is
 * not uniform). Fails with PGTABLE_EEXIST rather than overwrite. */
int pgtable_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size,
                uint64_t attrs, unsigned max_level);

/* Rewrites the attributes of the leaf that maps `va` (keeping its
 * address and size). Returns PGTABLE_EINVAL if `va` is not mapped. The
 * caller invalidates TLBs. */
int pgtable_set_attrs(struct pgtable *pt, uint64_t va, uint64_t attrs);

/* Walks `va`; returns true with the leaf's pa, level and attrs if mapped. */
bool pgtable_lookup(const struct pgtable *pt, uint64_t va, uint64_t *pa,
                    unsigned *level, uint64_t *attrs);

static inline uint64_t pgtable_level_size(unsigned level)
{
    return 1ull << (12 + 9 * (level - 1));
}

extern const struct pgtable_format ept_format_2m;   /* EPT, up to 2 MiB pages */
extern const struct pgtable_format ept_format_1g;   /* EPT, up to 1 GiB pages */
extern const struct pgtable_format host_format;     /* x86-64 paging, 1 GiB pages */
extern const struct pgtable_format host_format_2m;  /* x86-64 paging, 2 MiB pages */
extern const struct pgtable_format vtd_format_4k;   /* VT-d second level, 4 KiB pages */
extern const struct pgtable_format vtd_format_2m;   /* VT-d second level, up to 2 MiB */

#endif
