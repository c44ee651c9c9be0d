/* Runs in UEFI boot services (building tables), in VMX root (adding
 * mappings on EPT violations) and in host unit tests: the page-table engine
 * and its two formats. */
#include "hv/core/pgtable.h"
#include "arch/ept.h"

static unsigned index_at(uint64_t va, unsigned level)
{
    return (unsigned)((va >> (12 + 9 * (level - 1))) & 0x1FF);
}

static uint64_t *table_virt(const struct pgtable *pt, uint64_t pa)
{
    return pt->alloc->phys_to_virt(pt->alloc->ctx, pa);
}

int pgtable_init(struct pgtable *pt, const struct pgtable_format *fmt,
                 const struct pgtable_allocator *alloc)
{
    return pgtable_init_levels(pt, fmt, alloc, PGTABLE_LEVELS);
}

int pgtable_init_levels(struct pgtable *pt, const struct pgtable_format *fmt,
                        const struct pgtable_allocator *alloc, unsigned levels)
{
    pt->levels = levels == 3 ? 3 : PGTABLE_LEVELS;
    pt->fmt = fmt;
    pt->alloc = alloc;
    pt->tables_used = 0;
    if (!alloc->alloc_zeroed_page(alloc->ctx, &pt->root_pa))
        return PGTABLE_ENOMEM;
    pt->tables_used = 1;
    return PGTABLE_OK;
}

static bool is_leaf(const struct pgtable_format *f, uint64_t e, unsigned level)
{
    return level == 1 || (level <= 3 && (e & f->large_bit));
}

/* Maps one page of `level` at va, creating tables on the way down. */
static int map_one(struct pgtable *pt, uint64_t va, uint64_t pa,
                   unsigned level, uint64_t attrs)
{
    const struct pgtable_format *f = pt->fmt;
    uint64_t *table = table_virt(pt, pt->root_pa);
    if (va >> (12 + 9 * pt->levels))
        return PGTABLE_EINVAL;      /* beyond what this walk can address */
    for (unsigned l = pt->levels; l > level; l--) {
        uint64_t *e = &table[index_at(va, l)];
        if (!f->is_present(*e)) {
            uint64_t next_pa;
            if (!pt->alloc->alloc_zeroed_page(pt->alloc->ctx, &next_pa))
                return PGTABLE_ENOMEM;
            pt->tables_used++;
            *e = f->table_entry(next_pa);
        } else if (is_leaf(f, *e, l)) {
            return PGTABLE_EEXIST;
        }
        table = table_virt(pt, *e & f->addr_mask);
    }
    uint64_t *leaf = &table[index_at(va, level)];
    if (f->is_present(*leaf))
        return PGTABLE_EEXIST;
    *leaf = f->leaf_entry(pa, level, attrs);
    return PGTABLE_OK;
}

int pgtable_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size,
                uint64_t attrs, unsigned max_level)
{
    if ((va | pa | size) & 0xFFF)
        return PGTABLE_EINVAL;
    if (max_level > pt->fmt->max_leaf_level)
        max_level = pt->fmt->max_leaf_level;
    if (max_level < 1)
        max_level = 1;
    while (size) {
        unsigned level = max_level;
        while (level > 1) {
            uint64_t s = pgtable_level_size(level);
            if (((va | pa) & (s - 1)) == 0 && size >= s)
                break;
            level--;
        }
        int rc = map_one(pt, va, pa, level, attrs);
        if (rc)
            return rc;
        uint64_t s = pgtable_level_size(level);
        va += s;
        pa += s;
        size -= s;
    }
    return PGTABLE_OK;
}

/* The leaf entry that maps `va` and its level, or NULL if unmapped. */
static uint64_t *find_leaf(const struct pgtable *pt, uint64_t va, unsigned *level)
{
    const struct pgtable_format *f = pt->fmt;
    uint64_t *table = table_virt(pt, pt->root_pa);
    if (va >> (12 + 9 * pt->levels))
        return 0;
    for (unsigned l = pt->levels; l >= 1; l--) {
        uint64_t *e = &table[index_at(va, l)];
        if (!f->is_present(*e))
            return 0;
        if (is_leaf(f, *e, l)) {
            *level = l;
            return e;
        }
        table = table_virt(pt, *e & f->addr_mask);
    }
    return 0;
}

int pgtable_set_attrs(struct pgtable *pt, uint64_t va, uint64_t attrs)
{
    unsigned l;
    uint64_t *e = find_leaf(pt, va, &l);
    if (!e)
        return PGTABLE_EINVAL;
    uint64_t size = pgtable_level_size(l);
    *e = pt->fmt->leaf_entry(*e & pt->fmt->addr_mask & ~(size - 1), l, attrs);
    return PGTABLE_OK;
}

bool pgtable_lookup(const struct pgtable *pt, uint64_t va, uint64_t *pa,
                    unsigned *level, uint64_t *attrs)
{
    unsigned l;
    const uint64_t *e = find_leaf(pt, va, &l);
    if (!e)
        return false;
    uint64_t size = pgtable_level_size(l);
    if (pa)
        *pa = (*e & pt->fmt->addr_mask & ~(size - 1)) | (va & (size - 1));
    if (level)
        *level = l;
    if (attrs)
        *attrs = pt->fmt->entry_attrs(*e, l);
    return true;
}

/* ---- EPT format: attrs = permission bits | memory type << 3 ---- */

static uint64_t ept_table_entry(uint64_t pa)
{
    return (pa & EPT_ADDR_MASK) | EPT_RWX;
}

static uint64_t ept_leaf_entry(uint64_t pa, unsigned level, uint64_t attrs)
{
    uint64_t e = (pa & EPT_ADDR_MASK) | (attrs & (EPT_RWX | EPT_MEMTYPE_MASK | EPT_IGNORE_PAT));
    if (level > 1)
        e |= EPT_LARGE_PAGE;
    return e;
}

static bool ept_is_present(uint64_t e)
{
    return (e & EPT_RWX) != 0;
}

static uint64_t ept_entry_attrs(uint64_t e, unsigned level)
{
    (void)level;
    return e & (EPT_RWX | EPT_MEMTYPE_MASK | EPT_IGNORE_PAT);
}

const struct pgtable_format ept_format_2m = {
    ept_table_entry, ept_leaf_entry, ept_is_present, ept_entry_attrs,
    EPT_ADDR_MASK, EPT_LARGE_PAGE, 2,
};
const struct pgtable_format ept_format_1g = {
    ept_table_entry, ept_leaf_entry, ept_is_present, ept_entry_attrs,
    EPT_ADDR_MASK, EPT_LARGE_PAGE, 3,
};

/* ---- host paging format: attrs = PTE_WRITABLE (and nothing else yet) ---- */

static uint64_t host_table_entry(uint64_t pa)
{
    return (pa & PTE_ADDR_MASK) | PTE_PRESENT | PTE_WRITABLE;
}

static uint64_t host_leaf_entry(uint64_t pa, unsigned level, uint64_t attrs)
{
    uint64_t e = (pa & PTE_ADDR_MASK) | PTE_PRESENT | (attrs & PTE_WRITABLE);
    if (level > 1)
        e |= PTE_LARGE_PAGE;
    return e;
}

static bool host_is_present(uint64_t e)
{
    return (e & PTE_PRESENT) != 0;
}

static uint64_t host_entry_attrs(uint64_t e, unsigned level)
{
    (void)level;
    return e & PTE_WRITABLE;
}

const struct pgtable_format host_format = {
    host_table_entry, host_leaf_entry, host_is_present, host_entry_attrs,
    PTE_ADDR_MASK, PTE_LARGE_PAGE, 3,
};
const struct pgtable_format host_format_2m = {
    host_table_entry, host_leaf_entry, host_is_present, host_entry_attrs,
    PTE_ADDR_MASK, PTE_LARGE_PAGE, 2,
};

/* ---- VT-d second-level format (VT-d spec 9.8): attrs = R(0) | W(1) ----
 * Bit 7 is the page-size bit in level-2/3 entries; non-leaf entries carry
 * R|W so the leaf decides. */

static uint64_t vtd_table_entry(uint64_t pa)
{
    return (pa & EPT_ADDR_MASK) | 3;
}

static uint64_t vtd_leaf_entry(uint64_t pa, unsigned level, uint64_t attrs)
{
    uint64_t e = (pa & EPT_ADDR_MASK) | (attrs & 3);
    if (level > 1)
        e |= 1ull << 7;
    return e;
}

static bool vtd_is_present(uint64_t e)
{
    return (e & 3) != 0;
}

static uint64_t vtd_entry_attrs(uint64_t e, unsigned level)
{
    (void)level;
    return e & 3;
}

const struct pgtable_format vtd_format_4k = {
    vtd_table_entry, vtd_leaf_entry, vtd_is_present, vtd_entry_attrs,
    EPT_ADDR_MASK, 1ull << 7, 1,
};
const struct pgtable_format vtd_format_2m = {
    vtd_table_entry, vtd_leaf_entry, vtd_is_present, vtd_entry_attrs,
    EPT_ADDR_MASK, 1ull << 7, 2,
};
