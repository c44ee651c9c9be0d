/* hv/core/memrange.c: the hole lists that carve onestone's own memory out of
 * the partition's EPT. A wrong merge or gap here would either expose
 * onestone to the guest or hide RAM from it. */
#include "hv/core/memrange.h"
#include "unit.h"

#define MAX_PIECES 32

struct pieces {
    unsigned count;
    struct memrange r[MAX_PIECES];
    int stop_after;             /* return nonzero from the n-th call (0: never) */
};

static int collect(void *vctx, uint64_t start, uint64_t end)
{
    struct pieces *p = vctx;
    if (p->count < MAX_PIECES)
        p->r[p->count] = (struct memrange){ start, end };
    p->count++;
    if (p->stop_after && (int)p->count == p->stop_after)
        return 42;
    return 0;
}

/* Compares the list with `n` expected [start, end) pairs. */
static void check_ranges(const struct memrange *got, unsigned got_n,
                         const uint64_t (*want)[2], unsigned n, int line)
{
    if (!CHECK_EQ_U64(got_n, n)) {
        printf("  (list at %s:%d)\n", __FILE__, line);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        if (!CHECK_EQ_U64(got[i].start, want[i][0]) || !CHECK_EQ_U64(got[i].end, want[i][1]))
            printf("  (range %u of list at %s:%d)\n", i, __FILE__, line);
    }
}

#define CHECK_LIST(l, ...) do { \
        static const uint64_t want_[][2] = { __VA_ARGS__ }; \
        check_ranges((l)->r, (l)->count, want_, sizeof want_ / sizeof want_[0], __LINE__); \
    } while (0)

static void test_add_merge_sort(void)
{
    struct memrange_list l = { 0 };

    /* out-of-order inserts end up sorted */
    CHECK_EQ_U64(memrange_add(&l, 0x10000, 0x11000), 0);
    CHECK_EQ_U64(memrange_add(&l, 0x1000, 0x2000), 0);
    CHECK_EQ_U64(memrange_add(&l, 0x5000, 0x6000), 0);
    CHECK_LIST(&l, { 0x1000, 0x2000 }, { 0x5000, 0x6000 }, { 0x10000, 0x11000 });

    /* adjacent on the left and on the right: one range */
    CHECK_EQ_U64(memrange_add(&l, 0x2000, 0x3000), 0);
    CHECK_EQ_U64(memrange_add(&l, 0x6000, 0x7000), 0);
    CHECK_LIST(&l, { 0x1000, 0x3000 }, { 0x5000, 0x7000 }, { 0x10000, 0x11000 });

    /* a range bridging two (overlapping both) swallows them */
    CHECK_EQ_U64(memrange_add(&l, 0x6800, 0x10800), 0);
    CHECK_LIST(&l, { 0x1000, 0x3000 }, { 0x5000, 0x11000 });

    /* contained in an existing range: no change */
    CHECK_EQ_U64(memrange_add(&l, 0x5000, 0x6000), 0);
    CHECK_LIST(&l, { 0x1000, 0x3000 }, { 0x5000, 0x11000 });

    /* covering everything: one range */
    CHECK_EQ_U64(memrange_add(&l, 0, 0x20000), 0);
    CHECK_LIST(&l, { 0, 0x20000 });
}

static void test_rounding_and_empty(void)
{
    struct memrange_list l = { 0 };

    /* partial pages round outward: the whole page is a hole */
    CHECK_EQ_U64(memrange_add(&l, 0x1234, 0x1235), 0);
    CHECK_LIST(&l, { 0x1000, 0x2000 });
    CHECK_EQ_U64(memrange_add(&l, 0x3FFF, 0x5001), 0);
    CHECK_LIST(&l, { 0x1000, 0x2000 }, { 0x3000, 0x6000 });

    /* empty and inverted ranges are refused and change nothing */
    CHECK_EQ_U64(memrange_add(&l, 0x8000, 0x8000), (uint64_t)-1);
    CHECK_EQ_U64(memrange_add(&l, 0x9000, 0x8000), (uint64_t)-1);
    CHECK_LIST(&l, { 0x1000, 0x2000 }, { 0x3000, 0x6000 });
}

static void test_full(void)
{
    struct memrange_list l = { 0 };
    for (uint64_t i = 0; i < MEMRANGE_MAX; i++)
        CHECK_EQ_U64(memrange_add(&l, 0x100000 * i, 0x100000 * i + 0x1000), 0);
    CHECK_EQ_U64(l.count, MEMRANGE_MAX);

    /* a new disjoint range does not fit; the list is untouched */
    struct memrange_list before = l;
    CHECK_EQ_U64(memrange_add(&l, 0x10000000, 0x10001000), (uint64_t)-1);
    CHECK(memcmp(&l, &before, sizeof l) == 0);

    /* a range that merges into an existing one still fits */
    CHECK_EQ_U64(memrange_add(&l, 0x1000, 0x2000), 0);
    CHECK_EQ_U64(l.count, MEMRANGE_MAX);
    CHECK_EQ_U64(l.r[0].end, 0x2000);

    /* and one that merges two frees a slot */
    CHECK_EQ_U64(memrange_add(&l, 0x2000, 0x100000), 0);
    CHECK_EQ_U64(l.count, MEMRANGE_MAX - 1);
    CHECK_EQ_U64(memrange_add(&l, 0x10000000, 0x10001000), 0);
    CHECK_EQ_U64(l.count, MEMRANGE_MAX);
    for (unsigned i = 1; i < l.count; i++)
        CHECK(l.r[i - 1].end < l.r[i].start);
}

static void test_contains(void)
{
    struct memrange_list l = { 0 };
    memrange_add(&l, 0x1000, 0x3000);
    memrange_add(&l, 0x8000, 0x9000);
    CHECK(!memrange_contains(&l, 0));
    CHECK(!memrange_contains(&l, 0xFFF));
    CHECK(memrange_contains(&l, 0x1000));       /* start included */
    CHECK(memrange_contains(&l, 0x2FFF));
    CHECK(!memrange_contains(&l, 0x3000));      /* end excluded */
    CHECK(memrange_contains(&l, 0x8800));
    CHECK(!memrange_contains(&l, 0x9000));
    CHECK(!memrange_contains(&l, ~0ull));

    struct memrange_list empty = { 0 };
    CHECK(!memrange_contains(&empty, 0));
}

static void test_gaps(void)
{
    struct memrange_list l = { 0 };
    memrange_add(&l, 0x1000, 0x2000);
    memrange_add(&l, 0x5000, 0x6000);
    memrange_add(&l, 0x9000, 0xA000);
    struct pieces p;

    /* the complement, in order */
    p = (struct pieces){ 0 };
    CHECK_EQ_U64(memrange_for_each_gap(&l, 0, 0x10000, collect, &p), 0);
    CHECK_LIST(&p, { 0, 0x1000 }, { 0x2000, 0x5000 }, { 0x6000, 0x9000 }, { 0xA000, 0x10000 });

    /* window starting and ending exactly on holes: no empty pieces */
    p = (struct pieces){ 0 };
    CHECK_EQ_U64(memrange_for_each_gap(&l, 0x1000, 0xA000, collect, &p), 0);
    CHECK_LIST(&p, { 0x2000, 0x5000 }, { 0x6000, 0x9000 });

    /* window starting and ending inside holes */
    p = (struct pieces){ 0 };
    CHECK_EQ_U64(memrange_for_each_gap(&l, 0x1800, 0x5800, collect, &p), 0);
    CHECK_LIST(&p, { 0x2000, 0x5000 });

    /* window inside one gap, and inside one hole */
    p = (struct pieces){ 0 };
    CHECK_EQ_U64(memrange_for_each_gap(&l, 0x3000, 0x4000, collect, &p), 0);
    CHECK_LIST(&p, { 0x3000, 0x4000 });
    p = (struct pieces){ 0 };
    CHECK_EQ_U64(memrange_for_each_gap(&l, 0x5000, 0x6000, collect, &p), 0);
    CHECK_EQ_U64(p.count, 0);

    /* window past every hole */
    p = (struct pieces){ 0 };
    CHECK_EQ_U64(memrange_for_each_gap(&l, 0x20000, 0x30000, collect, &p), 0);
    CHECK_LIST(&p, { 0x20000, 0x30000 });

    /* no holes: the whole window */
    struct memrange_list empty = { 0 };
    p = (struct pieces){ 0 };
    CHECK_EQ_U64(memrange_for_each_gap(&empty, 0, 0x100000000ull, collect, &p), 0);
    CHECK_LIST(&p, { 0, 0x100000000ull });

    /* a nonzero return stops the walk and is passed back */
    p = (struct pieces){ .stop_after = 2 };
    CHECK_EQ_U64(memrange_for_each_gap(&l, 0, 0x10000, collect, &p), 42);
    CHECK_EQ_U64(p.count, 2);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_add_merge_sort();
    test_rounding_and_empty();
    test_full();
    test_contains();
    test_gaps();
    return unit_finish(argv[0]);
}
