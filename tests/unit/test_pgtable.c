/* hv/core/pgtable.c + hv/vmx/ept_build.c: the engine behind the partition's EPT and
 * onestone's host page tables. Tables live in host heap pages and a
 * "physical address" is the page's pointer value, so the engine's own
 * walk can be checked with pgtable_lookup. */
#include <stdlib.h>
#include "hv/vmx/ept_build.h"
#include "hv/core/memrange.h"
#include "hv/x86/mtrr.h"
#include "hv/core/pgtable.h"
#include "arch/ept.h"
#include "arch/x86.h"
#include "unit.h"

#define GIB 0x40000000ull
#define MIB 0x100000ull
#define MEMTYPE(attrs) (((attrs) >> 3) & 7)

/* ---- heap-backed allocator with an optional page budget ---- */

struct heap {
    void **pages;
    unsigned count, cap;
    unsigned limit;             /* 0: unlimited */
};

static void *heap_alloc(void *vctx, uint64_t *pa_out)
{
    struct heap *h = vctx;
    if (h->limit && h->count >= h->limit)
        return NULL;
    if (h->count == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 64;
        h->pages = realloc(h->pages, h->cap * sizeof *h->pages);
        if (!h->pages)
            abort();
    }
    void *p = aligned_alloc(4096, 4096);
    if (!p)
        abort();
    memset(p, 0, 4096);
    h->pages[h->count++] = p;
    *pa_out = (uint64_t)(uintptr_t)p;
    return p;
}

static void *heap_phys_to_virt(void *vctx, uint64_t pa)
{
    (void)vctx;
    return (void *)(uintptr_t)pa;
}

static void heap_free(struct heap *h)
{
    for (unsigned i = 0; i < h->count; i++)
        free(h->pages[i]);
    free(h->pages);
    memset(h, 0, sizeof *h);
}

struct table {
    struct heap heap;
    struct pgtable_allocator alloc;
    struct pgtable pt;
};

static void table_init(struct table *t, const struct pgtable_format *fmt)
{
    memset(t, 0, sizeof *t);
    t->alloc = (struct pgtable_allocator){ heap_alloc, heap_phys_to_virt, &t->heap };
    CHECK_EQ_U64(pgtable_init(&t->pt, fmt, &t->alloc), PGTABLE_OK);
    CHECK_EQ_U64(t->pt.tables_used, 1);
}

static void table_free(struct table *t)
{
    /* the engine counts exactly the pages it took */
    CHECK_EQ_U64(t->pt.tables_used, t->heap.count);
    heap_free(&t->heap);
}

/* Checks that `va` maps to `pa` with a leaf of `level`; returns the attrs
 * (or ~0 when not mapped). */
static uint64_t expect_mapped_at(const struct table *t, uint64_t va, uint64_t pa,
                                 unsigned level, int line)
{
    uint64_t got_pa = 0, attrs = 0;
    unsigned got_level = 0;
    if (!CHECK(pgtable_lookup(&t->pt, va, &got_pa, &got_level, &attrs))) {
        printf("  (va 0x%llx at %s:%d)\n", (unsigned long long)va, __FILE__, line);
        return ~0ull;
    }
    if (!CHECK_EQ_U64(got_pa, pa) || (level && !CHECK_EQ_U64(got_level, level)))
        printf("  (va 0x%llx at %s:%d)\n", (unsigned long long)va, __FILE__, line);
    return attrs;
}
#define EXPECT_MAPPED(t, va, pa, level) expect_mapped_at((t), (va), (pa), (level), __LINE__)

#define EPT_WB (EPT_RWX | (MTRR_TYPE_WB << EPT_MEMTYPE_SHIFT))
#define EPT_UC (EPT_RWX | (MTRR_TYPE_UC << EPT_MEMTYPE_SHIFT))

/* ---- pgtable engine ---- */

static void test_page_sizes(void)
{
    struct table t;

    /* 1G-capable format: one 1G leaf, tables = root + PDPT */
    table_init(&t, &ept_format_1g);
    CHECK_EQ_U64(pgtable_map(&t.pt, GIB, GIB, GIB, EPT_WB, 3), PGTABLE_OK);
    CHECK_EQ_U64(t.pt.tables_used, 2);
    CHECK_EQ_U64(EXPECT_MAPPED(&t, GIB + 0x12345, GIB + 0x12345, 3), EPT_WB);
    EXPECT_MAPPED(&t, 2 * GIB - 1, 2 * GIB - 1, 3);
    CHECK(!pgtable_lookup(&t.pt, GIB - 1, NULL, NULL, NULL));
    CHECK(!pgtable_lookup(&t.pt, 2 * GIB, NULL, NULL, NULL));
    /* va != pa, also with 1G leaves */
    CHECK_EQ_U64(pgtable_map(&t.pt, 4 * GIB, 7 * GIB, GIB, EPT_UC, 3), PGTABLE_OK);
    CHECK_EQ_U64(EXPECT_MAPPED(&t, 4 * GIB + 0xABC000, 7 * GIB + 0xABC000, 3), EPT_UC);
    table_free(&t);

    /* 2M format, same request: 512 2M leaves under one PD */
    table_init(&t, &ept_format_2m);
    CHECK_EQ_U64(pgtable_map(&t.pt, GIB, GIB, GIB, EPT_WB, 3), PGTABLE_OK);
    CHECK_EQ_U64(t.pt.tables_used, 3);
    for (uint64_t a = GIB; a < 2 * GIB; a += 2 * MIB)
        EXPECT_MAPPED(&t, a + 0x1FF123, a + 0x1FF123, 2);
    table_free(&t);

    /* max_level caps the page size for one call */
    table_init(&t, &ept_format_1g);
    CHECK_EQ_U64(pgtable_map(&t.pt, 0, 0, 2 * MIB, EPT_WB, 1), PGTABLE_OK);
    CHECK_EQ_U64(t.pt.tables_used, 4);          /* root, PDPT, PD, PT */
    EXPECT_MAPPED(&t, 0x1FF000, 0x1FF000, 1);
    /* max_level 0 is treated as 1 */
    CHECK_EQ_U64(pgtable_map(&t.pt, 2 * MIB, 2 * MIB, 0x1000, EPT_WB, 0), PGTABLE_OK);
    EXPECT_MAPPED(&t, 2 * MIB, 2 * MIB, 1);
    table_free(&t);
}

static void test_unaligned_pieces(void)
{
    struct table t;
    table_init(&t, &ept_format_2m);
    /* [0x1FF000, 0x401000): 4K, then one 2M, then 4K */
    CHECK_EQ_U64(pgtable_map(&t.pt, 0x1FF000, 0x1FF000, 0x202000, EPT_WB, 3), PGTABLE_OK);
    EXPECT_MAPPED(&t, 0x1FF000, 0x1FF000, 1);
    EXPECT_MAPPED(&t, 0x200000, 0x200000, 2);
    EXPECT_MAPPED(&t, 0x3FFFFF, 0x3FFFFF, 2);
    EXPECT_MAPPED(&t, 0x400000, 0x400000, 1);
    CHECK(!pgtable_lookup(&t.pt, 0x1FE000, NULL, NULL, NULL));
    CHECK(!pgtable_lookup(&t.pt, 0x401000, NULL, NULL, NULL));
    table_free(&t);

    /* va and pa aligned differently: no large page is possible */
    table_init(&t, &ept_format_2m);
    CHECK_EQ_U64(pgtable_map(&t.pt, 0x200000, 0x201000, 2 * MIB, EPT_WB, 2), PGTABLE_OK);
    EXPECT_MAPPED(&t, 0x200000, 0x201000, 1);
    EXPECT_MAPPED(&t, 0x3FF000, 0x400000, 1);
    table_free(&t);
}

static void test_errors(void)
{
    struct table t;
    table_init(&t, &ept_format_2m);

    CHECK_EQ_U64(pgtable_map(&t.pt, 0x1001, 0x1000, 0x1000, EPT_WB, 1), (uint64_t)PGTABLE_EINVAL);
    CHECK_EQ_U64(pgtable_map(&t.pt, 0x1000, 0x1800, 0x1000, EPT_WB, 1), (uint64_t)PGTABLE_EINVAL);
    CHECK_EQ_U64(pgtable_map(&t.pt, 0x1000, 0x1000, 0xFFF, EPT_WB, 1), (uint64_t)PGTABLE_EINVAL);
    CHECK(!pgtable_lookup(&t.pt, 0x1000, NULL, NULL, NULL));

    /* a 4K page inside an existing 2M leaf */
    CHECK_EQ_U64(pgtable_map(&t.pt, 0, 0, 2 * MIB, EPT_WB, 2), PGTABLE_OK);
    CHECK_EQ_U64(pgtable_map(&t.pt, 0x1000, 0x1000, 0x1000, EPT_WB, 1), (uint64_t)PGTABLE_EEXIST);
    /* a 2M leaf over an existing page table with a 4K page in it */
    CHECK_EQ_U64(pgtable_map(&t.pt, 0x600000, 0x600000, 0x1000, EPT_WB, 1), PGTABLE_OK);
    CHECK_EQ_U64(pgtable_map(&t.pt, 0x600000, 0x600000, 2 * MIB, EPT_WB, 2), (uint64_t)PGTABLE_EEXIST);
    /* the same 4K page twice */
    CHECK_EQ_U64(pgtable_map(&t.pt, 0x600000, 0x600000, 0x1000, EPT_UC, 1), (uint64_t)PGTABLE_EEXIST);
    /* nothing was overwritten */
    CHECK_EQ_U64(EXPECT_MAPPED(&t, 0x1000, 0x1000, 2), EPT_WB);
    CHECK_EQ_U64(EXPECT_MAPPED(&t, 0x600000, 0x600000, 1), EPT_WB);
    table_free(&t);

    /* the allocator running dry is reported, not crashed on */
    table_init(&t, &ept_format_2m);
    t.heap.limit = 2;                          /* root + PDPT only */
    CHECK_EQ_U64(pgtable_map(&t.pt, 0, 0, 0x1000, EPT_WB, 1), (uint64_t)PGTABLE_ENOMEM);
    table_free(&t);
}

static void test_host_format(void)
{
    struct table t;
    table_init(&t, &host_format);
    CHECK_EQ_U64(host_build_identity(&t.pt, 4 * GIB), PGTABLE_OK);
    CHECK_EQ_U64(t.pt.tables_used, 2);
    CHECK_EQ_U64(EXPECT_MAPPED(&t, 3 * GIB + 0x5000, 3 * GIB + 0x5000, 3), PTE_WRITABLE);
    CHECK(!pgtable_lookup(&t.pt, 4 * GIB, NULL, NULL, NULL));
    table_free(&t);

    table_init(&t, &host_format_2m);
    CHECK_EQ_U64(host_build_identity(&t.pt, GIB + 0x3000), PGTABLE_OK);
    EXPECT_MAPPED(&t, 0x12345678, 0x12345678, 2);
    EXPECT_MAPPED(&t, GIB + 0x2FFF, GIB + 0x2FFF, 1);
    CHECK(!pgtable_lookup(&t.pt, GIB + 0x3000, NULL, NULL, NULL));
    table_free(&t);
}

/* ---- identity EPT with holes and MTRR types ---- */

#define HOLE_START 0x1e134000ull
#define HOLE_END   0x1e1bc000ull

static struct mtrr_state all_wb(void)
{
    struct mtrr_state m;
    memset(&m, 0, sizeof m);
    m.enabled = true;
    m.default_type = MTRR_TYPE_WB;
    return m;
}

/* Firmware-like: WB by default, [3G, 4G) UC for MMIO. */
static struct mtrr_state wb_with_uc_mmio(void)
{
    struct mtrr_state m = all_wb();
    m.variable_count = 1;
    m.variable[0].base = 0xC0000000ull | MTRR_TYPE_UC;
    m.variable[0].mask = 0xFFFFC0000000ull | (1ull << 11);
    return m;
}

static void check_hole(const struct table *t)
{
    unsigned mapped = 0;
    for (uint64_t a = HOLE_START; a < HOLE_END; a += 0x1000)
        mapped += pgtable_lookup(&t->pt, a, NULL, NULL, NULL);
    mapped += pgtable_lookup(&t->pt, HOLE_END - 1, NULL, NULL, NULL);
    CHECK_EQ_U64(mapped, 0);
    EXPECT_MAPPED(t, HOLE_START - 1, HOLE_START - 1, 1);
    EXPECT_MAPPED(t, HOLE_START - 0x1000, HOLE_START - 0x1000, 1);
    EXPECT_MAPPED(t, HOLE_END, HOLE_END, 1);
    EXPECT_MAPPED(t, HOLE_END + 0x1000, HOLE_END + 0x1000, 1);
}

/* Every 2M step of [0, top) outside the hole is identity-mapped. */
static void check_identity(const struct table *t, uint64_t top)
{
    unsigned bad = 0;
    for (uint64_t a = 0; a < top; a += 2 * MIB) {
        for (uint64_t off = 0; off < 2 * MIB; off += 0xFF000) {
            uint64_t va = a + off, pa;
            bool in_hole = va >= HOLE_START && va < HOLE_END;
            bool ok = pgtable_lookup(&t->pt, va, &pa, NULL, NULL);
            if (in_hole ? ok : (!ok || pa != va))
                bad++;
        }
    }
    CHECK_EQ_U64(bad, 0);
    CHECK(!pgtable_lookup(&t->pt, top, NULL, NULL, NULL));
}

static void test_identity_with_hole(void)
{
    struct memrange_list holes = { 0 };
    CHECK_EQ_U64(memrange_add(&holes, HOLE_START, HOLE_END), 0);
    struct mtrr_state wb = all_wb();
    struct table t;

    table_init(&t, &ept_format_2m);
    CHECK_EQ_U64(ept_build_identity(&t.pt, &holes, 4 * GIB, &wb), PGTABLE_OK);
    check_hole(&t);
    check_identity(&t, 4 * GIB);
    /* only the 2M block around the hole needs a page table */
    CHECK(t.pt.tables_used < 16);
    CHECK_EQ_U64(t.pt.tables_used, 1 + 1 + 4 + 1);
    EXPECT_MAPPED(&t, 0, 0, 2);
    EXPECT_MAPPED(&t, 0x1e000000, 0x1e000000, 1);
    EXPECT_MAPPED(&t, 0x1e200000, 0x1e200000, 2);
    CHECK_EQ_U64(EXPECT_MAPPED(&t, 0x1e133000, 0x1e133000, 1), EPT_WB);
    table_free(&t);

    /* 1G format: the 1G blocks without the hole are single leaves */
    table_init(&t, &ept_format_1g);
    CHECK_EQ_U64(ept_build_identity(&t.pt, &holes, 4 * GIB, &wb), PGTABLE_OK);
    check_hole(&t);
    check_identity(&t, 4 * GIB);
    CHECK_EQ_U64(t.pt.tables_used, 1 + 1 + 1 + 1);
    EXPECT_MAPPED(&t, 0, 0, 2);
    EXPECT_MAPPED(&t, GIB, GIB, 3);
    EXPECT_MAPPED(&t, 3 * GIB, 3 * GIB, 3);
    table_free(&t);
}

static void test_identity_mtrr_types(void)
{
    struct memrange_list holes = { 0 };
    CHECK_EQ_U64(memrange_add(&holes, HOLE_START, HOLE_END), 0);
    struct mtrr_state m = wb_with_uc_mmio();
    const struct pgtable_format *fmts[] = { &ept_format_2m, &ept_format_1g };

    for (unsigned f = 0; f < 2; f++) {
        struct table t;
        table_init(&t, fmts[f]);
        CHECK_EQ_U64(ept_build_identity(&t.pt, &holes, 4 * GIB, &m), PGTABLE_OK);
        check_hole(&t);
        check_identity(&t, 4 * GIB);
        unsigned big = f ? 3 : 2;
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0xC0000000, 0xC0000000, big)), MTRR_TYPE_UC);
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0xFEE00000, 0xFEE00000, big)), MTRR_TYPE_UC);
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0xFFFFF000, 0xFFFFF000, big)), MTRR_TYPE_UC);
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0xBFFFF000, 0xBFFFF000, big)), MTRR_TYPE_WB);
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0x80000000, 0x80000000, big)), MTRR_TYPE_WB);
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0x1000, 0x1000, 2)), MTRR_TYPE_WB);
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, HOLE_END, HOLE_END, 1)), MTRR_TYPE_WB);
        /* every leaf is RWX, whatever its type */
        uint64_t attrs = 0;
        pgtable_lookup(&t.pt, 0xD0000000, NULL, NULL, &attrs);
        CHECK_EQ_U64(attrs & EPT_RWX, EPT_RWX);
        table_free(&t);
    }

    /* a 4K MTRR range forces 4K pages around it, with its own type */
    struct mtrr_state fine = all_wb();
    fine.variable_count = 1;
    fine.variable[0].base = 0x10000000ull | MTRR_TYPE_WT;
    fine.variable[0].mask = 0xFFFFFFFFF000ull | (1ull << 11);
    struct memrange_list none = { 0 };
    struct table t;
    table_init(&t, &ept_format_1g);
    CHECK_EQ_U64(ept_build_identity(&t.pt, &none, 2 * GIB, &fine), PGTABLE_OK);
    CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0x10000000, 0x10000000, 1)), MTRR_TYPE_WT);
    CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0x10001000, 0x10001000, 1)), MTRR_TYPE_WB);
    CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0x10200000, 0x10200000, 2)), MTRR_TYPE_WB);
    CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, GIB, GIB, 3)), MTRR_TYPE_WB);
    table_free(&t);
}

static void test_identity_fixed_mtrr(void)
{
    struct mtrr_state m = all_wb();
    m.fixed_enabled = true;
    for (int i = 0; i < MTRR_FIXED_COUNT; i++)
        m.fixed[i] = MTRR_TYPE_WB;
    for (int i = 16; i < 24; i++)             /* 16K ranges 0xA0000..0xBFFFF */
        m.fixed[i] = MTRR_TYPE_UC;
    struct memrange_list none = { 0 };
    const struct pgtable_format *fmts[] = { &ept_format_2m, &ept_format_1g };

    for (unsigned f = 0; f < 2; f++) {
        struct table t;
        table_init(&t, fmts[f]);
        CHECK_EQ_U64(ept_build_identity(&t.pt, &none, 4 * GIB, &m), PGTABLE_OK);
        /* the first 2M cannot be one page: the fixed ranges end at 1M */
        unsigned uc = 0, wb = 0, not4k = 0;
        for (uint64_t a = 0; a < 2 * MIB; a += 0x1000) {
            uint64_t pa = 0, attrs = 0;
            unsigned level = 0;
            if (!CHECK(pgtable_lookup(&t.pt, a, &pa, &level, &attrs)))
                break;
            CHECK_EQ_U64(pa, a);
            not4k += level != 1;
            bool vga = a >= 0xA0000 && a < 0xC0000;
            uint64_t want = vga ? MTRR_TYPE_UC : MTRR_TYPE_WB;
            if (MEMTYPE(attrs) == want)
                *(vga ? &uc : &wb) += 1;
        }
        CHECK_EQ_U64(not4k, 0);
        CHECK_EQ_U64(uc, 0x20);
        CHECK_EQ_U64(wb, 512 - 0x20);
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0x9F000, 0x9F000, 1)), MTRR_TYPE_WB);
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0xA0000, 0xA0000, 1)), MTRR_TYPE_UC);
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0xBF000, 0xBF000, 1)), MTRR_TYPE_UC);
        CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0xC0000, 0xC0000, 1)), MTRR_TYPE_WB);
        /* past the first 2M, large pages again */
        EXPECT_MAPPED(&t, 2 * MIB, 2 * MIB, 2);
        EXPECT_MAPPED(&t, GIB, GIB, f ? 3 : 2);
        check_identity(&t, 4 * GIB);
        table_free(&t);
    }
}

static void test_map_identity_block(void)
{
    struct memrange_list holes = { 0 };
    CHECK_EQ_U64(memrange_add(&holes, HOLE_START, HOLE_END), 0);
    struct mtrr_state m = wb_with_uc_mmio();
    const uint64_t high = 0x10000000000ull + 0x123000;
    struct table t;

    /* above the identity-built range: the largest block around gpa */
    table_init(&t, &ept_format_2m);
    CHECK_EQ_U64(ept_build_identity(&t.pt, &holes, 4 * GIB, &m), PGTABLE_OK);
    CHECK_EQ_U64(ept_map_identity_block(&t.pt, &holes, high, &m), PGTABLE_OK);
    CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, high, high, 2)), MTRR_TYPE_WB);
    EXPECT_MAPPED(&t, 0x10000000000ull, 0x10000000000ull, 2);
    CHECK(!pgtable_lookup(&t.pt, 0x10000200000ull, NULL, NULL, NULL));
    /* mapping it again is refused rather than overwritten */
    CHECK(ept_map_identity_block(&t.pt, &holes, high, &m) != 0);
    table_free(&t);

    table_init(&t, &ept_format_1g);
    CHECK_EQ_U64(ept_map_identity_block(&t.pt, &holes, high, &m), PGTABLE_OK);
    EXPECT_MAPPED(&t, high, high, 3);

    /* inside a hole: refused, nothing mapped */
    CHECK(ept_map_identity_block(&t.pt, &holes, HOLE_START, &m) != 0);
    CHECK(ept_map_identity_block(&t.pt, &holes, HOLE_START + 0x45678, &m) != 0);
    CHECK(ept_map_identity_block(&t.pt, &holes, HOLE_END - 1, &m) != 0);
    CHECK(!pgtable_lookup(&t.pt, HOLE_START, NULL, NULL, NULL));

    /* next to a hole: only a 4K page, which must not reach into it */
    CHECK_EQ_U64(ept_map_identity_block(&t.pt, &holes, HOLE_END + 0x10, &m), PGTABLE_OK);
    EXPECT_MAPPED(&t, HOLE_END, HOLE_END, 1);
    CHECK(!pgtable_lookup(&t.pt, HOLE_END - 1, NULL, NULL, NULL));
    CHECK(!pgtable_lookup(&t.pt, HOLE_END + 0x1000, NULL, NULL, NULL));

    /* in the UC MMIO window: the type comes from the MTRRs */
    CHECK_EQ_U64(ept_map_identity_block(&t.pt, &holes, 0xFEE00300, &m), PGTABLE_OK);
    CHECK_EQ_U64(MEMTYPE(EXPECT_MAPPED(&t, 0xFEE00300, 0xFEE00300, 3)), MTRR_TYPE_UC);
    table_free(&t);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_page_sizes();
    test_unaligned_pieces();
    test_errors();
    test_host_format();
    test_identity_with_hole();
    test_identity_mtrr_types();
    test_identity_fixed_mtrr();
    test_map_identity_block();
    return unit_finish(argv[0]);
}
