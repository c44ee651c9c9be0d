/* Host unit test: vtd/dmar.c, the ACPI DMAR parser. Three parts: the real
 * tables QEMU 7.2 gives (tests/unit/dmar_fixtures.h, captured by
 * tools/capture-dmar.sh), synthetic valid tables with what QEMU does not
 * produce (INCLUDE_PCI_ALL, bridges, multi-element paths, RMRRs, skipped
 * structure types), and malformed tables: each named defect must be
 * refused with a message saying what is wrong, and no byte pattern may
 * make the parser read outside the table (every candidate is parsed from
 * a malloc'ed copy of exactly its length, so ASan sees any overrun). */
#include <stdlib.h>
#include "unit.h"
#include "vtd/dmar.h"
#include "dmar_fixtures.h"

/* ---- helpers ---- */

static char err[256];

/* dmar_parse on an exact-length heap copy (ASan red zones right after). */
static int parse_copy(const uint8_t *table, size_t len, struct dmar_info *info)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, table, len);
    const uint8_t *p = len ? copy : copy + 1;  /* len 0: any read is past the end */
    err[0] = 0;
    int rc = dmar_parse(p, len, info, err, sizeof err);
    free(copy);
    return rc;
}

static void fix_checksum(uint8_t *t, size_t len)
{
    if (len < 10)
        return;
    uint32_t hlen;
    memcpy(&hlen, t + 4, 4);
    size_t n = hlen < len ? hlen : len;
    t[9] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + t[i]);
    t[9] = (uint8_t)-sum;
}

/* A table builder: structures are opened, filled and closed (which
 * writes their Length); finish() writes the header length and checksum. */
struct tb {
    uint8_t b[4096];
    size_t len;
    size_t open;                /* offset of the structure being built */
};

static void put8(struct tb *t, uint8_t v) { t->b[t->len++] = v; }
static void put16(struct tb *t, uint16_t v) { put8(t, (uint8_t)v); put8(t, (uint8_t)(v >> 8)); }
static void put32(struct tb *t, uint32_t v) { put16(t, (uint16_t)v); put16(t, (uint16_t)(v >> 16)); }
static void put64(struct tb *t, uint64_t v) { put32(t, (uint32_t)v); put32(t, (uint32_t)(v >> 32)); }

static void tb_header(struct tb *t, uint8_t haw, uint8_t flags)
{
    memset(t, 0, sizeof *t);
    memcpy(t->b, "DMAR", 4);
    t->b[8] = 1;                                /* revision */
    memcpy(t->b + 10, "ONEST ", 6);
    memcpy(t->b + 16, "TESTDMAR", 8);
    t->b[36] = haw;
    t->b[37] = flags;
    t->len = 48;
}

static void tb_open(struct tb *t, uint16_t type)
{
    t->open = t->len;
    put16(t, type);
    put16(t, 0);                                /* length, set by tb_close */
}

static void tb_close(struct tb *t)
{
    uint16_t n = (uint16_t)(t->len - t->open);
    memcpy(t->b + t->open + 2, &n, 2);
}

static void tb_drhd(struct tb *t, uint8_t flags, uint8_t size, uint16_t seg, uint64_t base)
{
    tb_open(t, DMAR_TYPE_DRHD);
    put8(t, flags);
    put8(t, size);
    put16(t, seg);
    put64(t, base);
}

static void tb_rmrr(struct tb *t, uint16_t seg, uint64_t base, uint64_t limit)
{
    tb_open(t, DMAR_TYPE_RMRR);
    put16(t, 0);
    put16(t, seg);
    put64(t, base);
    put64(t, limit);
}

/* path: n (device, function) pairs */
static void tb_scope(struct tb *t, uint8_t type, uint8_t enum_id, uint8_t bus, unsigned n,
                     const uint8_t *path)
{
    put8(t, type);
    put8(t, (uint8_t)(6 + 2 * n));
    put16(t, 0);
    put8(t, enum_id);
    put8(t, bus);
    for (unsigned i = 0; i < 2 * n; i++)
        put8(t, path[i]);
}

static void tb_raw(struct tb *t, uint16_t type, unsigned body_bytes, uint8_t fill)
{
    tb_open(t, type);
    for (unsigned i = 0; i < body_bytes; i++)
        put8(t, fill);
    tb_close(t);
}

static size_t tb_finish(struct tb *t)
{
    uint32_t n = (uint32_t)t->len;
    memcpy(t->b + 4, &n, 4);
    fix_checksum(t->b, t->len);
    return t->len;
}

static const uint8_t P_02_0[] = { 2, 0 }, P_1C_0[] = { 0x1c, 0 }, P_1D_0[] = { 0x1d, 0 },
                     P_1F_0[] = { 0x1f, 0 }, P_0F_0[] = { 0x0f, 0 };
/* 00:1c.0 (root port, bus 2) -> 02:00.0 (switch port, bus 3) -> 03:00.1 */
static const uint8_t P_DEEP[] = { 0x1c, 0, 0, 0, 0, 1 };
/* 00:1c.0 -> 02:01.0 (a second switch port, bus 4) */
static const uint8_t P_1C_0_01_0[] = { 0x1c, 0, 1, 0 };

/* The synthetic platform: unit 0 explicit (segment 0), unit 1 explicit
 * and nested under unit 0's bridge, unit 2 the segment-0 catch-all,
 * unit 3 the segment-1 catch-all; one RMRR; five skipped structures. */
static size_t build_valid(struct tb *t)
{
    tb_header(t, 45, DMAR_FLAG_INTR_REMAP | DMAR_FLAG_X2APIC_OPT_OUT);
    tb_drhd(t, 0, 0, 0, 0xFED90000);
    tb_scope(t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_02_0);
    tb_scope(t, DMAR_SCOPE_PCI_SUBHIERARCHY, 0, 0, 1, P_1C_0);
    tb_scope(t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 3, P_DEEP);
    tb_close(t);
    tb_drhd(t, 0, 0, 0, 0xFED92000);
    tb_scope(t, DMAR_SCOPE_PCI_SUBHIERARCHY, 0, 0, 2, P_1C_0_01_0);
    tb_close(t);
    tb_drhd(t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0, 0xFED91000);
    tb_scope(t, DMAR_SCOPE_IOAPIC, 2, 0xF0, 1, P_1F_0);
    tb_scope(t, DMAR_SCOPE_HPET, 0, 0xF0, 1, P_0F_0);
    tb_close(t);
    tb_drhd(t, DRHD_FLAG_INCLUDE_PCI_ALL, 2, 1, 0xFEDA0000);   /* 4 pages */
    tb_close(t);
    tb_rmrr(t, 0, 0x7D000000, 0x7D7FFFFF);
    tb_scope(t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_1D_0);
    tb_scope(t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_02_0);
    tb_close(t);
    tb_open(t, DMAR_TYPE_ATSR);                 /* flags, reserved, segment, scope */
    put8(t, 0);
    put8(t, 0);
    put16(t, 0);
    tb_scope(t, DMAR_SCOPE_PCI_SUBHIERARCHY, 0, 0, 1, P_1C_0);
    tb_close(t);
    tb_open(t, DMAR_TYPE_RHSA);
    put32(t, 0);
    put64(t, 0xFED90000);
    put32(t, 0);
    tb_close(t);
    tb_raw(t, 0x77, 8, 0xA5);                   /* a type from the future */
    tb_open(t, DMAR_TYPE_ANDD);
    put8(t, 0); put8(t, 0); put8(t, 0);
    put8(t, 1);                                 /* ACPI device number */
    for (const char *s = "\\_SB.PCI0.I2C0"; ; s++) {
        put8(t, (uint8_t)*s);
        if (!*s)
            break;
    }
    tb_close(t);
    tb_raw(t, DMAR_TYPE_SATC, 4, 0);
    return tb_finish(t);
}

/* A fake PCI topology for the bus-number callbacks. */
struct bridge {
    uint8_t bus, dev, fn, secondary, subordinate;
};
struct topo {
    const struct bridge *b;
    unsigned n;
    unsigned calls;
};

static const struct bridge *find_bridge(struct topo *t, uint8_t bus, uint8_t dev, uint8_t fn)
{
    t->calls++;
    for (unsigned i = 0; i < t->n; i++)
        if (t->b[i].bus == bus && t->b[i].dev == dev && t->b[i].fn == fn)
            return &t->b[i];
    return NULL;
}

static int fake_secondary(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn)
{
    const struct bridge *b = find_bridge(ctx, bus, dev, fn);
    return b ? b->secondary : -1;
}

static int fake_subordinate(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn)
{
    const struct bridge *b = find_bridge(ctx, bus, dev, fn);
    return b ? b->subordinate : -1;
}

static const struct bridge synthetic_bridges[] = {
    { 0, 0x1c, 0, 2, 4 },       /* root port */
    { 2, 0, 0, 3, 3 },          /* switch downstream port */
    { 2, 1, 0, 4, 4 },          /* switch downstream port */
};

#define BDF(b, d, f) ((uint16_t)((b) << 8 | (d) << 3 | (f)))

static bool scope_is(const struct dmar_scope *s, uint8_t type, uint8_t enum_id, uint8_t bus,
                     unsigned n, const uint8_t *path)
{
    if (s->type != type || s->enumeration_id != enum_id || s->start_bus != bus ||
        s->path_len != n)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (s->path[i].device != path[2 * i] || s->path[i].function != path[2 * i + 1])
            return false;
    return true;
}

/* ---- 1. QEMU's tables ---- */

static void check_qemu_common(const char *name, const uint8_t *t, size_t len,
                              struct dmar_info *info)
{
    printf("fixture %s\n", name);
    if (!CHECK(parse_copy(t, len, info) == 0)) {
        printf("  error: %s\n", err);
        return;
    }
    CHECK_EQ_U64(info->unit_count, 1);
    CHECK_EQ_U64(info->rmrr_count, 0);
    CHECK_EQ_U64(info->skipped_structures, 0);
    const struct dmar_unit *u = &info->units[0];
    CHECK_EQ_U64(u->base, 0xFED90000);
    CHECK_EQ_U64(u->segment, 0);
    CHECK(!u->include_pci_all);
    CHECK_EQ_U64(u->size_pages_log2, 0);
    /* QEMU's I/O APIC: pseudo bus 0xFF, source-id 0xFF00 */
    static const uint8_t p00[] = { 0, 0 };
    CHECK(scope_is(&u->scopes[0], DMAR_SCOPE_IOAPIC, 0, 0xFF, 1, p00));
    uint16_t bdf = 0;
    CHECK(dmar_scope_bdf(&u->scopes[0], NULL, NULL, &bdf) == 0);
    CHECK_EQ_U64(bdf, 0xFF00);
}

static void test_qemu_tables(void)
{
    static struct dmar_info info;
    static const uint8_t hb[] = { 0, 0 }, vga[] = { 1, 0 }, edu[] = { 2, 0 }, edu3[] = { 3, 0 },
                         lpc[] = { 0x1f, 0 }, sata[] = { 0x1f, 2 }, smbus[] = { 0x1f, 3 };

    /* plain, intremap=on, intremap=off, aw-bits=48: the same scopes */
    const struct { const char *name; const uint8_t *t; size_t len; uint8_t haw, flags; } v[] = {
        { "plain", qemu_dmar_plain, sizeof qemu_dmar_plain, 38, DMAR_FLAG_INTR_REMAP },
        { "intremap", qemu_dmar_intremap, sizeof qemu_dmar_intremap, 38, DMAR_FLAG_INTR_REMAP },
        { "noir", qemu_dmar_noir, sizeof qemu_dmar_noir, 38, 0 },
        { "aw48", qemu_dmar_aw48, sizeof qemu_dmar_aw48, 47, DMAR_FLAG_INTR_REMAP },
    };
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
        check_qemu_common(v[i].name, v[i].t, v[i].len, &info);
        CHECK_EQ_U64(info.host_address_width, v[i].haw);
        CHECK_EQ_U64(info.flags, v[i].flags);
        const struct dmar_unit *u = &info.units[0];
        if (!CHECK_EQ_U64(u->scope_count, 7))
            continue;
        CHECK(scope_is(&u->scopes[1], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, hb));
        CHECK(scope_is(&u->scopes[2], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, vga));
        CHECK(scope_is(&u->scopes[3], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, edu));
        CHECK(scope_is(&u->scopes[4], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, lpc));
        CHECK(scope_is(&u->scopes[5], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, sata));
        CHECK(scope_is(&u->scopes[6], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, smbus));
        /* the edu device is translated by the one unit; an empty slot by none */
        CHECK(dmar_unit_for(&info, 0, BDF(0, 2, 0), NULL, NULL, NULL) == u);
        CHECK(dmar_unit_for(&info, 0, BDF(0, 4, 0), NULL, NULL, NULL) == NULL);
        CHECK(dmar_unit_for(&info, 1, BDF(0, 2, 0), NULL, NULL, NULL) == NULL);
    }
    /* what the capture showed: intremap=on changes nothing in the table */
    CHECK(memcmp(qemu_dmar_plain, qemu_dmar_intremap, sizeof qemu_dmar_plain) == 0);

    /* a second edu behind a PCIe root port at 00:02.0 (secondary bus 1) */
    check_qemu_common("bridge", qemu_dmar_bridge, sizeof qemu_dmar_bridge, &info);
    CHECK_EQ_U64(info.host_address_width, 38);
    const struct dmar_unit *u = &info.units[0];
    if (CHECK_EQ_U64(u->scope_count, 8)) {
        CHECK(scope_is(&u->scopes[1], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, hb));
        CHECK(scope_is(&u->scopes[2], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, vga));
        CHECK(scope_is(&u->scopes[3], DMAR_SCOPE_PCI_SUBHIERARCHY, 0, 0, 1, edu));
        CHECK(scope_is(&u->scopes[4], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, edu3));
        CHECK(scope_is(&u->scopes[7], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, smbus));
    }
    static const struct bridge rp[] = { { 0, 2, 0, 1, 1 } };
    struct topo topo = { rp, 1, 0 };
    CHECK(dmar_unit_for(&info, 0, BDF(1, 0, 0), fake_secondary, fake_subordinate, &topo) == u);
    CHECK(dmar_unit_for(&info, 0, BDF(0, 2, 0), fake_secondary, fake_subordinate, &topo) == u);
    CHECK(dmar_unit_for(&info, 0, BDF(2, 0, 0), fake_secondary, fake_subordinate, &topo) == NULL);
    /* without config-space access the bus behind the bridge is unknown */
    CHECK(dmar_unit_for(&info, 0, BDF(1, 0, 0), NULL, NULL, NULL) == NULL);
}

/* ---- 2. synthetic valid tables ---- */

static void test_synthetic(void)
{
    static struct tb t;
    static struct dmar_info info;
    size_t len = build_valid(&t);
    if (!CHECK(parse_copy(t.b, len, &info) == 0)) {
        printf("  error: %s\n", err);
        return;
    }
    CHECK_EQ_U64(info.host_address_width, 45);
    CHECK_EQ_U64(info.flags, DMAR_FLAG_INTR_REMAP | DMAR_FLAG_X2APIC_OPT_OUT);
    CHECK_EQ_U64(info.skipped_structures, 5);  /* ATSR, RHSA, 0x77, ANDD, SATC */
    if (!CHECK_EQ_U64(info.unit_count, 4) || !CHECK_EQ_U64(info.rmrr_count, 1))
        return;

    const struct dmar_unit *u0 = &info.units[0], *u1 = &info.units[1], *all0 = &info.units[2],
                           *all1 = &info.units[3];
    CHECK_EQ_U64(u0->base, 0xFED90000);
    CHECK(!u0->include_pci_all);
    CHECK_EQ_U64(u0->scope_count, 3);
    CHECK(scope_is(&u0->scopes[0], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_02_0));
    CHECK(scope_is(&u0->scopes[1], DMAR_SCOPE_PCI_SUBHIERARCHY, 0, 0, 1, P_1C_0));
    CHECK(scope_is(&u0->scopes[2], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 3, P_DEEP));
    CHECK_EQ_U64(u1->base, 0xFED92000);
    CHECK(scope_is(&u1->scopes[0], DMAR_SCOPE_PCI_SUBHIERARCHY, 0, 0, 2, P_1C_0_01_0));
    CHECK(all0->include_pci_all);
    CHECK_EQ_U64(all0->segment, 0);
    CHECK_EQ_U64(all0->scope_count, 2);
    CHECK(scope_is(&all0->scopes[0], DMAR_SCOPE_IOAPIC, 2, 0xF0, 1, P_1F_0));
    CHECK(scope_is(&all0->scopes[1], DMAR_SCOPE_HPET, 0, 0xF0, 1, P_0F_0));
    CHECK(all1->include_pci_all);
    CHECK_EQ_U64(all1->segment, 1);
    CHECK_EQ_U64(all1->size_pages_log2, 2);
    CHECK_EQ_U64(all1->base, 0xFEDA0000);
    CHECK_EQ_U64(all1->scope_count, 0);

    const struct dmar_rmrr *r = &info.rmrrs[0];
    CHECK_EQ_U64(r->segment, 0);
    CHECK_EQ_U64(r->base, 0x7D000000);
    CHECK_EQ_U64(r->limit, 0x7D7FFFFF);
    CHECK_EQ_U64(r->scope_count, 2);
    CHECK(scope_is(&r->scopes[0], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_1D_0));
    CHECK(scope_is(&r->scopes[1], DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_02_0));

    /* dmar_scope_bdf through two bridges */
    struct topo topo = { synthetic_bridges, 3, 0 };
    uint16_t bdf = 0;
    CHECK(dmar_scope_bdf(&u0->scopes[2], fake_secondary, &topo, &bdf) == 0);
    CHECK_EQ_U64(bdf, BDF(3, 0, 1));
    CHECK_EQ_U64(topo.calls, 2);                /* one per bridge on the path */
    CHECK(dmar_scope_bdf(&u0->scopes[1], NULL, NULL, &bdf) == 0);
    CHECK_EQ_U64(bdf, BDF(0, 0x1c, 0));
    CHECK(dmar_scope_bdf(&all0->scopes[0], NULL, NULL, &bdf) == 0);
    CHECK_EQ_U64(bdf, BDF(0xF0, 0x1f, 0));
    /* a path through bridges cannot be resolved without config space */
    CHECK(dmar_scope_bdf(&u0->scopes[2], NULL, NULL, &bdf) == -1);
    /* a bridge missing from the path */
    static const struct bridge only_rp[] = { { 0, 0x1c, 0, 2, 4 } };
    struct topo partial = { only_rp, 1, 0 };
    CHECK(dmar_scope_bdf(&u0->scopes[2], fake_secondary, &partial, &bdf) == -1);
    /* an unconfigured bridge (secondary bus 0) is not followed */
    static const struct bridge unconf[] = { { 0, 0x1c, 0, 0, 0 }, { 0, 0, 0, 3, 3 } };
    struct topo unconfigured = { unconf, 2, 0 };
    CHECK(dmar_scope_bdf(&u0->scopes[2], fake_secondary, &unconfigured, &bdf) == -1);
    struct dmar_scope bad = u0->scopes[0];
    bad.path_len = 0;
    CHECK(dmar_scope_bdf(&bad, NULL, NULL, &bdf) == -1);
    bad.path_len = DMAR_MAX_PATH + 1;
    CHECK(dmar_scope_bdf(&bad, NULL, NULL, &bdf) == -1);

    /* dmar_unit_for: explicit scopes over the catch-all, narrowest bridge */
#define FOR(seg, b, d, f) dmar_unit_for(&info, seg, BDF(b, d, f), fake_secondary, fake_subordinate, &topo)
    CHECK(FOR(0, 0, 2, 0) == u0);               /* endpoint, also in the RMRR */
    CHECK(FOR(0, 0, 0x1c, 0) == u0);            /* the bridge itself */
    CHECK(FOR(0, 3, 0, 1) == u0);               /* named by a 3-element path */
    CHECK(FOR(0, 3, 0, 0) == u0);               /* behind 00:1c.0 (buses 2..4) */
    CHECK(FOR(0, 2, 0, 0) == u0);
    CHECK(FOR(0, 2, 1, 0) == u1);               /* unit 1's bridge, exactly */
    CHECK(FOR(0, 4, 0, 0) == u1);               /* bus 4: 02:01.0 (4..4) is narrower than 2..4 */
    CHECK(FOR(0, 0, 0x1f, 3) == all0);          /* named by nobody: catch-all */
    CHECK(FOR(0, 5, 0, 0) == all0);
    CHECK(FOR(0, 0xF0, 0x1f, 0) == all0);       /* the I/O APIC's source-id */
    CHECK(FOR(1, 0, 2, 0) == all1);             /* other segment */
    CHECK(FOR(2, 0, 2, 0) == NULL);             /* no unit for segment 2 */
#undef FOR
    /* without the bus-range callback, bridge ranges are not matched */
    CHECK(dmar_unit_for(&info, 0, BDF(4, 0, 0), fake_secondary, NULL, &topo) == all0);
    CHECK(dmar_unit_for(NULL, 0, 0, NULL, NULL, NULL) == NULL);

    /* a table with only the header is valid: no units at all */
    tb_header(&t, 38, 0);
    len = tb_finish(&t);
    CHECK(parse_copy(t.b, len, &info) == 0);
    CHECK_EQ_U64(info.unit_count, 0);
    CHECK(dmar_unit_for(&info, 0, 0, NULL, NULL, NULL) == NULL);

    /* capacities are reachable: 8 units, 16 scopes, 8-element paths */
    tb_header(&t, 38, 0);
    for (unsigned i = 0; i < DMAR_MAX_UNITS; i++) {
        tb_drhd(&t, 0, 0, 0, 0xF0000000 + 0x1000ull * i);
        if (i == 0)
            for (unsigned k = 0; k < DMAR_MAX_SCOPES; k++) {
                uint8_t p[2 * DMAR_MAX_PATH] = { 0 };
                p[0] = (uint8_t)k;
                tb_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, k == 0 ? DMAR_MAX_PATH : 1, p);
            }
        tb_close(&t);
    }
    len = tb_finish(&t);
    if (!CHECK(parse_copy(t.b, len, &info) == 0))
        printf("  error: %s\n", err);
    CHECK_EQ_U64(info.unit_count, DMAR_MAX_UNITS);
    CHECK_EQ_U64(info.units[0].scope_count, DMAR_MAX_SCOPES);
    CHECK_EQ_U64(info.units[0].scopes[0].path_len, DMAR_MAX_PATH);

    /* the error buffer is optional and never overrun */
    uint8_t bad_sig[48] = "DMAX";
    CHECK(dmar_parse(bad_sig, sizeof bad_sig, &info, NULL, 0) == -1);
    char tiny[8];
    memset(tiny, 'x', sizeof tiny);
    CHECK(dmar_parse(bad_sig, sizeof bad_sig, &info, tiny, 5) == -1);
    CHECK_STREQ(tiny, "DMAR");
    CHECK(tiny[5] == 'x');
    CHECK(dmar_parse(NULL, 48, &info, err, sizeof err) == -1);
    CHECK_STREQ(dmar_type_name(DMAR_TYPE_SATC), "SATC");
    CHECK_STREQ(dmar_type_name(0x77), "unknown");
}

/* ---- 3. malformed tables ---- */

/* Builds a table with one defect, parses it, and expects -1 and a
 * message containing `want`. */
#define EXPECT_ERROR(t, len, want)                                              \
    do {                                                                        \
        static struct dmar_info info_;                                          \
        if (!CHECK(parse_copy((t), (len), &info_) == -1))                       \
            printf("  (expected an error containing \"%s\")\n", want);          \
        else                                                                    \
            CHECK_CONTAINS(err, want);                                          \
    } while (0)

static void test_malformed(void)
{
    static struct tb t;
    size_t len;

    /* the header */
    build_valid(&t);
    EXPECT_ERROR(t.b, 47, "shorter than the 48-byte DMAR header");
    EXPECT_ERROR(t.b, 0, "table is 0 bytes");

    len = build_valid(&t);
    memcpy(t.b, "DMAX", 4);
    fix_checksum(t.b, len);
    EXPECT_ERROR(t.b, len, "bad signature \"DMAX\"");

    len = build_valid(&t);
    memcpy(t.b, "\x01\xff\x00r", 4);
    EXPECT_ERROR(t.b, len, "bad signature \"???r\" (01 ff 00 72)");

    len = build_valid(&t);
    t.b[4] = 40;
    t.b[5] = 0;
    EXPECT_ERROR(t.b, len, "header length 40 is smaller than the 48-byte");

    len = build_valid(&t);
    EXPECT_ERROR(t.b, len - 1, "is larger than the");

    len = build_valid(&t);
    t.b[9] ^= 0x10;
    EXPECT_ERROR(t.b, len, "checksum");

    len = build_valid(&t);
    t.b[36] = 30;                               /* 31 bits */
    fix_checksum(t.b, len);
    EXPECT_ERROR(t.b, len, "host address width field 30 means 31 address bits");

    t.b[36] = 64;                               /* 65 bits */
    fix_checksum(t.b, len);
    EXPECT_ERROR(t.b, len, "host address width");

    /* remapping structure headers */
    tb_header(&t, 38, 0);
    tb_raw(&t, 0x77, 0, 0);
    t.b[50] = 3;                                /* Length 3 */
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "length 3 is below 4");

    tb_header(&t, 38, 0);
    tb_raw(&t, 0x77, 8, 0);
    t.b[50] = 13;                               /* 1 byte past the end */
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "runs past the end of the table");

    tb_header(&t, 38, 0);
    tb_raw(&t, 0x77, 8, 0);
    put16(&t, 0);                               /* 2 stray bytes */
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "structure 1 at offset 0x3c: only 2 bytes left");

    /* DRHD */
    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED90000);
    tb_close(&t);
    t.b[50] = 12;
    t.len = 48 + 12;
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "length 12 is shorter than the 16-byte DRHD");

    tb_header(&t, 38, 0);
    tb_drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0, 0);
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "register base address is 0");

    tb_header(&t, 38, 0);
    tb_drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0, 0xFED90800);
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "register base 0xfed90800 is not 4 KiB aligned");

    tb_header(&t, 38, 0);
    tb_drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 1, 0, 0xFFFFFFFFFFFFF000ull);  /* 2 pages */
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "wraps past the top");

    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED90000);
    tb_close(&t);
    tb_drhd(&t, 0, 0, 1, 0xFED90000);           /* other segment, same registers */
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "DMAR structure 1 (DRHD) at offset 0x40: register base "
                           "0xfed90000 is the same as unit 0's");

    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 2, 0, 0xFED90000);           /* 0xFED90000-0xFED93FFF */
    tb_close(&t);
    tb_drhd(&t, 0, 0, 0, 0xFED93000);
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "registers 0xfed93000-0xfed93fff overlap unit 0's "
                           "0xfed90000-0xfed93fff");

    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED94000);
    tb_close(&t);
    tb_drhd(&t, 0, 3, 0, 0xFED90000);           /* 8 pages cover the first unit */
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "overlap unit 0's");

    tb_header(&t, 38, 0);
    tb_drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 3, 0xFED90000);
    tb_close(&t);
    tb_drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 3, 0xFED91000);
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "second INCLUDE_PCI_ALL unit for segment 3");

    tb_header(&t, 38, 0);
    for (unsigned i = 0; i <= DMAR_MAX_UNITS; i++) {
        tb_drhd(&t, 0, 0, 0, 0xF0000000 + 0x1000ull * i);
        tb_close(&t);
    }
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "more than DMAR_MAX_UNITS (8)");

    /* RMRR */
    tb_header(&t, 38, 0);
    tb_rmrr(&t, 0, 0x7D000000, 0x7D7FFFFF);
    tb_close(&t);
    t.b[50] = 20;
    t.len = 48 + 20;
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "length 20 is shorter than the 24-byte RMRR");

    tb_header(&t, 38, 0);
    tb_rmrr(&t, 0, 0x7D000010, 0x7D7FFFFF);
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "base 0x7d000010 is not 4 KiB aligned");

    tb_header(&t, 38, 0);
    tb_rmrr(&t, 0, 0x7D000000, 0x7D800000);
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "limit 0x7d800000 + 1 is not 4 KiB aligned");

    tb_header(&t, 38, 0);
    tb_rmrr(&t, 0, 0x7D000000, 0x7CFFFFFF);
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "limit 0x7cffffff is below base 0x7d000000");

    tb_header(&t, 38, 0);
    for (unsigned i = 0; i <= DMAR_MAX_RMRR; i++) {
        tb_rmrr(&t, 0, 0x7D000000, 0x7D000FFF);
        tb_close(&t);
    }
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "more than DMAR_MAX_RMRR (8)");

    /* device scopes */
    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED90000);
    tb_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0, NULL);     /* Length 6: no path */
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "device scope 0 at +0x10: length 6 is below 8");

    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED90000);
    tb_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_02_0);
    put8(&t, 0);
    t.b[t.len - 8] = 9;                         /* Length 9 */
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "length 9 is odd");

    tb_header(&t, 38, 0);
    tb_rmrr(&t, 0, 0x7D000000, 0x7D7FFFFF);
    tb_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_02_0);
    tb_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_1D_0);
    t.b[t.len - 7] = 10;                        /* the second one claims 10 of 8 */
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "device scope 1 at +0x20: length 10 is larger than the 8 bytes "
                           "left in its RMRR");

    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED90000);
    tb_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_02_0);
    put8(&t, DMAR_SCOPE_PCI_ENDPOINT);          /* 1 stray byte */
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "only 1 byte left in the DRHD");

    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED90000);
    {
        uint8_t p[2 * (DMAR_MAX_PATH + 1)] = { 0 };
        tb_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, DMAR_MAX_PATH + 1, p);
    }
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "path of 9 elements is longer than DMAR_MAX_PATH (8)");

    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED90000);
    for (unsigned k = 0; k <= DMAR_MAX_SCOPES; k++)
        tb_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, P_02_0);
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "more than DMAR_MAX_SCOPES (16) device scopes");

    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED90000);
    tb_scope(&t, 0, 0, 0, 1, P_02_0);
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "reserved device scope type 0");

    tb_header(&t, 38, 0);
    tb_rmrr(&t, 0, 0x7D000000, 0x7D7FFFFF);
    tb_scope(&t, 6, 0, 0, 1, P_02_0);
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "reserved device scope type 6");

    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED90000);
    {
        static const uint8_t p[] = { 0x1c, 0, 32, 0 };
        tb_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 2, p);
    }
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "path element 1 names device 0x20 function 0x0");

    tb_header(&t, 38, 0);
    tb_drhd(&t, 0, 0, 0, 0xFED90000);
    {
        static const uint8_t p[] = { 2, 8 };
        tb_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, p);
    }
    tb_close(&t);
    len = tb_finish(&t);
    EXPECT_ERROR(t.b, len, "names device 0x2 function 0x8");

    /* the structure is named in every structural message */
    len = build_valid(&t);
    t.b[48 + 16 + 1] = 7;                       /* unit 0's first scope: Length 7 */
    fix_checksum(t.b, len);
    EXPECT_ERROR(t.b, len, "DMAR structure 0 (DRHD) at offset 0x30: device scope 0");
}

/* ---- 3b. no input crashes the parser ---- */

static unsigned fuzz_runs, fuzz_accepted;

/* Parses the candidate; when accepted, also exercises the lookups on the
 * result, which must hold what the parser promises. */
static void fuzz_one(const uint8_t *t, size_t len)
{
    static struct dmar_info info;
    fuzz_runs++;
    int rc = parse_copy(t, len, &info);
    if (rc != 0) {
        if (!CHECK(strncmp(err, "DMAR", 4) == 0))
            printf("  message: \"%s\"\n", err);
        return;
    }
    fuzz_accepted++;
    bool ok = info.unit_count <= DMAR_MAX_UNITS && info.rmrr_count <= DMAR_MAX_RMRR &&
              info.host_address_width >= 31 && info.host_address_width <= 63;
    struct topo topo = { synthetic_bridges, 3, 0 };
    for (unsigned i = 0; i < info.unit_count && i < DMAR_MAX_UNITS; i++) {
        const struct dmar_unit *u = &info.units[i];
        ok &= u->base && !(u->base & 0xFFF) && u->scope_count <= DMAR_MAX_SCOPES;
        for (unsigned k = 0; k < u->scope_count && k < DMAR_MAX_SCOPES; k++) {
            uint16_t bdf;
            ok &= u->scopes[k].path_len >= 1 && u->scopes[k].path_len <= DMAR_MAX_PATH;
            ok &= u->scopes[k].type >= 1 && u->scopes[k].type <= 5;
            (void)dmar_scope_bdf(&u->scopes[k], fake_secondary, &topo, &bdf);
        }
    }
    for (unsigned i = 0; i < info.rmrr_count && i < DMAR_MAX_RMRR; i++)
        ok &= info.rmrrs[i].limit >= info.rmrrs[i].base;
    if (!CHECK(ok))
        printf("  accepted a table breaking the parser's promises (len %zu)\n", len);
    for (unsigned b = 0; b < 8; b++)
        (void)dmar_unit_for(&info, 0, BDF(b, b * 3, b & 7), fake_secondary, fake_subordinate,
                            &topo);
}

static void fuzz_table(const char *name, const uint8_t *orig, size_t len)
{
    static uint8_t buf[4096];
    unsigned runs0 = fuzz_runs, acc0 = fuzz_accepted;

    /* every truncation, as is (header length then exceeds the data) ... */
    for (size_t n = 0; n < len; n++) {
        static struct dmar_info info;
        CHECK(parse_copy(orig, n, &info) == -1);
        fuzz_runs++;
    }
    /* ... and with the header length and checksum made to agree, so the
     * structure walk meets a cut structure or scope */
    for (size_t n = 10; n < len; n++) {
        memcpy(buf, orig, n);
        uint32_t l = (uint32_t)n;
        memcpy(buf + 4, &l, 4);
        fix_checksum(buf, n);
        fuzz_one(buf, n);
    }
    /* every byte set to 0x00, 0xFF and flipped, with and without a
     * repaired checksum (the checksum byte itself too) */
    static const int how[] = { 0x00, 0xFF, -1 };
    for (size_t i = 0; i < len; i++) {
        for (unsigned h = 0; h < 3; h++) {
            memcpy(buf, orig, len);
            buf[i] = how[h] < 0 ? (uint8_t)~buf[i] : (uint8_t)how[h];
            fuzz_one(buf, len);
            if (i != 9) {
                fix_checksum(buf, len);
                fuzz_one(buf, len);
            }
        }
    }
    /* random multi-byte damage, checksum repaired, fixed seed */
    uint64_t x = 0x9E3779B97F4A7C15ull ^ len;
    for (unsigned iter = 0; iter < 20000; iter++) {
        memcpy(buf, orig, len);
        size_t n = len;
        unsigned edits = 1 + (unsigned)(x % 4);
        for (unsigned e = 0; e < edits; e++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t at = 48 + (size_t)(x >> 8) % (len - 48);
            buf[at] = (uint8_t)(x >> 40);
        }
        if (x & 1)
            n = 48 + (size_t)(x >> 20) % (len - 48);
        uint32_t l = (uint32_t)n;
        memcpy(buf + 4, &l, 4);
        fix_checksum(buf, n);
        fuzz_one(buf, n);
    }
    printf("fuzz %s: %u candidates, %u accepted\n", name, fuzz_runs - runs0,
           fuzz_accepted - acc0);
}

static void test_no_crash(void)
{
    static struct tb t;
    size_t len = build_valid(&t);
    fuzz_table("synthetic", t.b, len);
    fuzz_table("qemu-bridge", qemu_dmar_bridge, sizeof qemu_dmar_bridge);
    fuzz_table("qemu-plain", qemu_dmar_plain, sizeof qemu_dmar_plain);
    CHECK(fuzz_accepted > 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_qemu_tables();
    test_synthetic();
    test_malformed();
    test_no_crash();
    return unit_finish(argv[0]);
}
