/* hv/x86/mtrr.c: the memory type of a candidate EPT page. The EPT type replaces
 * the MTRR type for guest accesses, so a wrong answer here makes device
 * memory cacheable (or RAM uncacheable) for the whole guest. */
#include "hv/x86/mtrr.h"
#include "arch/x86.h"
#include "unit.h"

#define VALID (1ull << 11)
#define GIB   0x40000000ull
#define MIB   0x100000ull

/* Variable range [base, base + size), size a power of two, 36-bit
 * physical addresses like Bochs' CPUs (mask bits 35:12). */
static void add_var(struct mtrr_state *m, uint64_t base, uint64_t size, uint8_t type)
{
    uint64_t mask = ~(size - 1) & 0xFFFFFFFFFull;
    m->variable[m->variable_count].base = base | type;
    m->variable[m->variable_count].mask = mask | VALID;
    m->variable_count++;
}

static struct mtrr_state wb_default(void)
{
    struct mtrr_state m;
    memset(&m, 0, sizeof m);
    m.enabled = true;
    m.default_type = MTRR_TYPE_WB;
    return m;
}

/* Returns the type, or 0xEE when the block is not uniform. */
static unsigned type_of(const struct mtrr_state *m, uint64_t addr, uint64_t size)
{
    uint8_t t = 0xDD;
    if (!mtrr_block_type(m, addr, size, &t))
        return 0xEE;
    return t;
}

static void test_disabled(void)
{
    struct mtrr_state m = wb_default();
    add_var(&m, 0, 4 * GIB, MTRR_TYPE_WB);
    m.enabled = false;
    /* IA32_MTRR_DEF_TYPE.E clear: all memory is UC (SDM 3A 11.11.2.1) */
    CHECK_EQ_U64(type_of(&m, 0, GIB), MTRR_TYPE_UC);
    CHECK_EQ_U64(type_of(&m, 0xA0000, 0x1000), MTRR_TYPE_UC);
}

static void test_default_type(void)
{
    struct mtrr_state m = wb_default();
    CHECK_EQ_U64(type_of(&m, 0, GIB), MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 0x12345000, 0x1000), MTRR_TYPE_WB);
    m.default_type = MTRR_TYPE_UC;
    CHECK_EQ_U64(type_of(&m, 3 * GIB, GIB), MTRR_TYPE_UC);

    /* a range not touching the block leaves the default */
    add_var(&m, 0, 2 * GIB, MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 2 * GIB, GIB), MTRR_TYPE_UC);
    CHECK_EQ_U64(type_of(&m, 0, GIB), MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 2 * GIB - 0x1000, 0x1000), MTRR_TYPE_WB);

    /* ranges without the valid bit are ignored */
    m.variable[0].mask &= ~VALID;
    CHECK_EQ_U64(type_of(&m, 0, GIB), MTRR_TYPE_UC);
}

static void test_finer_range(void)
{
    struct mtrr_state m = wb_default();
    add_var(&m, 0x10000000, 0x1000, MTRR_TYPE_WT);   /* one 4K page */
    /* the 2M and 1G blocks around it are not one type */
    CHECK_EQ_U64(type_of(&m, 0x10000000, 2 * MIB), 0xEE);
    CHECK_EQ_U64(type_of(&m, 0, GIB), 0xEE);
    /* the page itself and its neighbours are */
    CHECK_EQ_U64(type_of(&m, 0x10000000, 0x1000), MTRR_TYPE_WT);
    CHECK_EQ_U64(type_of(&m, 0x10001000, 0x1000), MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 0x0FFFF000, 0x1000), MTRR_TYPE_WB);
    /* a 2M block elsewhere in the same 1G is untouched */
    CHECK_EQ_U64(type_of(&m, 0x10200000, 2 * MIB), MTRR_TYPE_WB);
    /* the same range one 1G further up does not alias */
    CHECK_EQ_U64(type_of(&m, GIB, GIB), MTRR_TYPE_WB);
}

static void test_precedence(void)
{
    /* UC over WB, whichever register comes first (SDM 3A 11.11.4.1) */
    for (int order = 0; order < 2; order++) {
        struct mtrr_state m = wb_default();
        m.default_type = MTRR_TYPE_UC;
        if (order == 0) {
            add_var(&m, 0, 4 * GIB, MTRR_TYPE_WB);
            add_var(&m, 3 * GIB, GIB, MTRR_TYPE_UC);
        } else {
            add_var(&m, 3 * GIB, GIB, MTRR_TYPE_UC);
            add_var(&m, 0, 4 * GIB, MTRR_TYPE_WB);
        }
        CHECK_EQ_U64(type_of(&m, 3 * GIB, GIB), MTRR_TYPE_UC);
        CHECK_EQ_U64(type_of(&m, 0xFEE00000, 2 * MIB), MTRR_TYPE_UC);
        CHECK_EQ_U64(type_of(&m, 2 * GIB, GIB), MTRR_TYPE_WB);
        /* the 4G block covers both: not uniform */
        CHECK_EQ_U64(type_of(&m, 0, 4 * GIB), 0xEE);
    }

    /* WT over WB, both orders */
    for (int order = 0; order < 2; order++) {
        struct mtrr_state m = wb_default();
        if (order == 0) {
            add_var(&m, 0, GIB, MTRR_TYPE_WB);
            add_var(&m, 0, 256 * MIB, MTRR_TYPE_WT);
        } else {
            add_var(&m, 0, 256 * MIB, MTRR_TYPE_WT);
            add_var(&m, 0, GIB, MTRR_TYPE_WB);
        }
        CHECK_EQ_U64(type_of(&m, 0x200000, 2 * MIB), MTRR_TYPE_WT);
        CHECK_EQ_U64(type_of(&m, 256 * MIB, 2 * MIB), MTRR_TYPE_WB);
    }

    /* the same type twice is that type; undefined pairs fall back to UC */
    struct mtrr_state m = wb_default();
    add_var(&m, 0, GIB, MTRR_TYPE_WC);
    add_var(&m, 0, GIB, MTRR_TYPE_WC);
    CHECK_EQ_U64(type_of(&m, 0, GIB), MTRR_TYPE_WC);
    add_var(&m, 0, GIB, MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 0, GIB), MTRR_TYPE_UC);
}

static void test_fixed(void)
{
    struct mtrr_state m = wb_default();
    m.fixed_enabled = true;
    /* a distinct type per fixed register so the index math is checked */
    for (int i = 0; i < MTRR_FIXED_COUNT; i++)
        m.fixed[i] = MTRR_TYPE_WB;
    m.fixed[1] = MTRR_TYPE_WT;        /* 64K at 0x10000 */
    m.fixed[9] = MTRR_TYPE_WC;        /* 16K at 0x84000 */
    for (int i = 16; i < 24; i++)
        m.fixed[i] = MTRR_TYPE_UC;    /* 0xA0000-0xBFFFF: legacy VGA */
    m.fixed[24 + 63] = MTRR_TYPE_WP;  /* 4K at 0xFF000 */
    /* a variable range over low memory must not win below 1 MiB */
    add_var(&m, 0, GIB, MTRR_TYPE_WT);

    CHECK_EQ_U64(type_of(&m, 0x0, 0x1000), MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 0x10000, 0x1000), MTRR_TYPE_WT);
    CHECK_EQ_U64(type_of(&m, 0x1F000, 0x1000), MTRR_TYPE_WT);
    CHECK_EQ_U64(type_of(&m, 0x20000, 0x1000), MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 0x80000, 0x1000), MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 0x84000, 0x1000), MTRR_TYPE_WC);
    CHECK_EQ_U64(type_of(&m, 0x87000, 0x1000), MTRR_TYPE_WC);
    CHECK_EQ_U64(type_of(&m, 0x88000, 0x1000), MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 0x9F000, 0x1000), MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 0xA0000, 0x1000), MTRR_TYPE_UC);
    CHECK_EQ_U64(type_of(&m, 0xBF000, 0x1000), MTRR_TYPE_UC);
    CHECK_EQ_U64(type_of(&m, 0xC0000, 0x1000), MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 0xFE000, 0x1000), MTRR_TYPE_WB);
    CHECK_EQ_U64(type_of(&m, 0xFF000, 0x1000), MTRR_TYPE_WP);
    /* from 1 MiB the variable ranges apply again */
    CHECK_EQ_U64(type_of(&m, 0x100000, 0x1000), MTRR_TYPE_WT);

    /* larger blocks below 1 MiB: uniform only if every 4K agrees */
    CHECK_EQ_U64(type_of(&m, 0xA0000, 0x20000), MTRR_TYPE_UC);
    CHECK_EQ_U64(type_of(&m, 0x80000, 0x20000), 0xEE);
    CHECK_EQ_U64(type_of(&m, 0x20000, 0x20000), MTRR_TYPE_WB);
    /* a 2M page at 0 crosses into variable territory: never uniform */
    for (int i = 0; i < MTRR_FIXED_COUNT; i++)
        m.fixed[i] = MTRR_TYPE_WT;
    CHECK_EQ_U64(type_of(&m, 0, 0x100000), MTRR_TYPE_WT);
    CHECK_EQ_U64(type_of(&m, 0, 2 * MIB), 0xEE);

    /* fixed ranges disabled: low memory follows the variable ranges */
    m.fixed_enabled = false;
    m.fixed[16] = MTRR_TYPE_UC;
    CHECK_EQ_U64(type_of(&m, 0xA0000, 0x1000), MTRR_TYPE_WT);
    CHECK_EQ_U64(type_of(&m, 0, 2 * MIB), MTRR_TYPE_WT);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_disabled();
    test_default_type();
    test_finer_range();
    test_precedence();
    test_fixed();
    return unit_finish(argv[0]);
}
