/* Runs in UEFI boot services and host unit tests (and may run in VMX
 * root): parses and validates the ACPI DMAR table (Intel VT-d spec
 * chapter 8) into struct dmar_info, and answers which unit translates a
 * device. The table comes from firmware and is trusted for nothing: every
 * read is bounds-checked against the length the caller says is mapped,
 * and anything that would make VT-d setup guess (overlapping units, two
 * catch-all units, truncated scopes, more entries than we can hold) is
 * refused with a message naming the structure. Freestanding: no libc. */
#include <stdarg.h>
#include "vtd/dmar.h"
#include "hv/core/log.h"

/* Fields are read byte by byte, little-endian, at offsetof() positions of
 * the packed layouts: the table has no alignment guarantees. */
static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

const char *dmar_type_name(uint16_t type)
{
    switch (type) {
    case DMAR_TYPE_DRHD: return "DRHD";
    case DMAR_TYPE_RMRR: return "RMRR";
    case DMAR_TYPE_ATSR: return "ATSR";
    case DMAR_TYPE_RHSA: return "RHSA";
    case DMAR_TYPE_ANDD: return "ANDD";
    case DMAR_TYPE_SATC: return "SATC";
    case DMAR_TYPE_SIDP: return "SIDP";
    default:             return "unknown";
    }
}

/* One parse: the table (nothing past its header length is read), the
 * output and the error buffer, plus the structure being looked at so
 * every message can say where it is. */
struct parse {
    const uint8_t *t;
    struct dmar_info *out;
    char *err;
    size_t err_cap;
    unsigned index;             /* remapping structure number, from 0 */
    size_t offset;              /* its offset in the table */
    uint16_t type;
};

/* Appends fmt to the prefix already in err (which is always terminated). */
static void append(char *err, size_t cap, size_t n, const char *fmt, va_list ap)
{
    if (err && n < cap)
        fmt_vsnprintf(err + n, cap - n, fmt, ap);
}

/* A message about the table as a whole. */
static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || !cap)
        return -1;
    size_t n = fmt_snprintf(err, cap, "DMAR: ");
    va_list ap;
    va_start(ap, fmt);
    append(err, cap, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* A message about the current remapping structure. */
static int __attribute__((format(printf, 2, 3)))
sfail(const struct parse *ps, const char *fmt, ...)
{
    if (!ps->err || !ps->err_cap)
        return -1;
    size_t n = fmt_snprintf(ps->err, ps->err_cap, "DMAR structure %u (%s) at offset 0x%zx: ",
                            ps->index, dmar_type_name(ps->type), ps->offset);
    va_list ap;
    va_start(ap, fmt);
    append(ps->err, ps->err_cap, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Device scopes fill [off, end) of a DRHD or RMRR (8.3.1). Each must fit
 * in what is left of its parent, hold at least one path element, and
 * name a real device/function; reserved scope types are refused rather
 * than ignored, since a device we did not understand could otherwise
 * fall to the catch-all unit or lose its RMRR. */
static int parse_scopes(const struct parse *ps, size_t off, size_t end,
                        struct dmar_scope *scopes, unsigned *count)
{
    const uint8_t *t = ps->t;
    unsigned n = 0;
    while (off < end) {
        size_t left = end - off;
        size_t rel = off - ps->offset;
        if (left < 2)
            return sfail(ps, "device scope %u at +0x%zx: only %zu byte left in the %s, "
                         "a device scope needs at least 8", n, rel, left,
                         dmar_type_name(ps->type));
        uint8_t type = t[off + offsetof(struct acpi_dmar_device_scope, type)];
        uint8_t length = t[off + offsetof(struct acpi_dmar_device_scope, length)];
        if (length < sizeof(struct acpi_dmar_device_scope) + sizeof(struct acpi_dmar_pci_path))
            return sfail(ps, "device scope %u at +0x%zx: length %u is below 8 (6-byte "
                         "header and at least one path element)", n, rel, length);
        if (length & 1)
            return sfail(ps, "device scope %u at +0x%zx: length %u is odd (6 bytes + 2 per "
                         "path element)", n, rel, length);
        if (length > left)
            return sfail(ps, "device scope %u at +0x%zx: length %u is larger than the %zu "
                         "bytes left in its %s", n, rel, length, left,
                         dmar_type_name(ps->type));
        if (type < DMAR_SCOPE_PCI_ENDPOINT || type > DMAR_SCOPE_ACPI_NAMESPACE)
            return sfail(ps, "device scope %u at +0x%zx: reserved device scope type %u",
                         n, rel, type);
        unsigned path_len = (length - sizeof(struct acpi_dmar_device_scope)) /
                            sizeof(struct acpi_dmar_pci_path);
        if (path_len > DMAR_MAX_PATH)
            return sfail(ps, "device scope %u at +0x%zx: path of %u elements is longer than "
                         "DMAR_MAX_PATH (%u)", n, rel, path_len, DMAR_MAX_PATH);
        if (n == DMAR_MAX_SCOPES)
            return sfail(ps, "more than DMAR_MAX_SCOPES (%u) device scopes", DMAR_MAX_SCOPES);

        struct dmar_scope *s = &scopes[n];
        s->type = type;
        s->enumeration_id = t[off + offsetof(struct acpi_dmar_device_scope, enumeration_id)];
        s->start_bus = t[off + offsetof(struct acpi_dmar_device_scope, start_bus)];
        s->path_len = (uint8_t)path_len;
        const uint8_t *path = t + off + sizeof(struct acpi_dmar_device_scope);
        for (unsigned i = 0; i < path_len; i++) {
            uint8_t dev = path[2 * i + offsetof(struct acpi_dmar_pci_path, device)];
            uint8_t fn = path[2 * i + offsetof(struct acpi_dmar_pci_path, function)];
            if (dev > 31 || fn > 7)
                return sfail(ps, "device scope %u at +0x%zx: path element %u names device "
                             "0x%x function 0x%x (device must be < 32, function < 8)",
                             n, rel, i, dev, fn);
            s->path[i].device = dev;
            s->path[i].function = fn;
        }
        n++;
        off += length;
    }
    *count = n;
    return 0;
}

static uint64_t unit_span(uint8_t size_pages_log2)
{
    return (uint64_t)DMAR_REGISTER_PAGE_SIZE << size_pages_log2;
}

static int parse_drhd(struct parse *ps, size_t slen)
{
    const uint8_t *p = ps->t + ps->offset;
    struct dmar_info *out = ps->out;
    if (slen < sizeof(struct acpi_dmar_drhd))
        return sfail(ps, "length %zu is shorter than the %zu-byte DRHD", slen,
                     sizeof(struct acpi_dmar_drhd));
    uint8_t flags = p[offsetof(struct acpi_dmar_drhd, flags)];
    uint8_t size = p[offsetof(struct acpi_dmar_drhd, size)] & DRHD_SIZE_PAGES_LOG2_MASK;
    uint16_t segment = rd16(p + offsetof(struct acpi_dmar_drhd, segment));
    uint64_t base = rd64(p + offsetof(struct acpi_dmar_drhd, register_base));
    if (base == 0)
        return sfail(ps, "register base address is 0");
    if (base & (DMAR_REGISTER_PAGE_SIZE - 1))
        return sfail(ps, "register base 0x%lx is not 4 KiB aligned", (unsigned long)base);
    uint64_t span = unit_span(size);
    if (base > UINT64_MAX - (span - 1))
        return sfail(ps, "register range at 0x%lx (2^%u pages) wraps past the top of the "
                     "address space", (unsigned long)base, size);
    uint64_t last = base + (span - 1);
    bool all = (flags & DRHD_FLAG_INCLUDE_PCI_ALL) != 0;
    for (unsigned i = 0; i < out->unit_count; i++) {
        const struct dmar_unit *u = &out->units[i];
        uint64_t u_last = u->base + (unit_span(u->size_pages_log2) - 1);
        if (base == u->base)
            return sfail(ps, "register base 0x%lx is the same as unit %u's",
                         (unsigned long)base, i);
        if (base <= u_last && u->base <= last)
            return sfail(ps, "registers 0x%lx-0x%lx overlap unit %u's 0x%lx-0x%lx",
                         (unsigned long)base, (unsigned long)last, i,
                         (unsigned long)u->base, (unsigned long)u_last);
        if (all && u->include_pci_all && u->segment == segment)
            return sfail(ps, "second INCLUDE_PCI_ALL unit for segment %u (unit %u is "
                         "the first)", segment, i);
    }
    if (out->unit_count == DMAR_MAX_UNITS)
        return sfail(ps, "more than DMAR_MAX_UNITS (%u) remapping hardware units",
                     DMAR_MAX_UNITS);

    struct dmar_unit *u = &out->units[out->unit_count];
    u->base = base;
    u->segment = segment;
    u->include_pci_all = all;
    u->size_pages_log2 = size;
    if (parse_scopes(ps, ps->offset + sizeof(struct acpi_dmar_drhd), ps->offset + slen,
                     u->scopes, &u->scope_count))
        return -1;
    out->unit_count++;
    return 0;
}

static int parse_rmrr(struct parse *ps, size_t slen)
{
    const uint8_t *p = ps->t + ps->offset;
    struct dmar_info *out = ps->out;
    if (slen < sizeof(struct acpi_dmar_rmrr))
        return sfail(ps, "length %zu is shorter than the %zu-byte RMRR", slen,
                     sizeof(struct acpi_dmar_rmrr));
    uint16_t segment = rd16(p + offsetof(struct acpi_dmar_rmrr, segment));
    uint64_t base = rd64(p + offsetof(struct acpi_dmar_rmrr, base));
    uint64_t limit = rd64(p + offsetof(struct acpi_dmar_rmrr, limit));
    if (base & (DMAR_REGISTER_PAGE_SIZE - 1))
        return sfail(ps, "base 0x%lx is not 4 KiB aligned", (unsigned long)base);
    if ((limit + 1) & (DMAR_REGISTER_PAGE_SIZE - 1))
        return sfail(ps, "limit 0x%lx + 1 is not 4 KiB aligned", (unsigned long)limit);
    if (limit < base)
        return sfail(ps, "limit 0x%lx is below base 0x%lx", (unsigned long)limit,
                     (unsigned long)base);
    if (out->rmrr_count == DMAR_MAX_RMRR)
        return sfail(ps, "more than DMAR_MAX_RMRR (%u) reserved memory regions",
                     DMAR_MAX_RMRR);

    struct dmar_rmrr *r = &out->rmrrs[out->rmrr_count];
    r->segment = segment;
    r->base = base;
    r->limit = limit;
    if (parse_scopes(ps, ps->offset + sizeof(struct acpi_dmar_rmrr), ps->offset + slen,
                     r->scopes, &r->scope_count))
        return -1;
    out->rmrr_count++;
    return 0;
}

int dmar_parse(const void *table, size_t len, struct dmar_info *out, char *err, size_t err_cap)
{
    if (err && err_cap)
        err[0] = 0;
    if (!table || !out)
        return fail(err, err_cap, "no table");
    /* a plain loop: this file must not depend on libc's memset */
    for (size_t i = 0; i < sizeof *out; i++)
        ((volatile uint8_t *)out)[i] = 0;

    const uint8_t *t = table;
    const size_t hdr = sizeof(struct acpi_dmar_header);
    if (len < hdr)
        return fail(err, err_cap, "table is %zu bytes, shorter than the %zu-byte DMAR header",
                    len, hdr);
    const char *sig = ACPI_DMAR_SIGNATURE;
    for (unsigned i = 0; i < 4; i++) {
        if (t[i] != (uint8_t)sig[i]) {
            char shown[5];
            for (unsigned k = 0; k < 4; k++)
                shown[k] = t[k] >= 0x20 && t[k] < 0x7F ? (char)t[k] : '?';
            shown[4] = 0;
            return fail(err, err_cap, "bad signature \"%s\" (%02x %02x %02x %02x), not "
                        "\"DMAR\"", shown, t[0], t[1], t[2], t[3]);
        }
    }
    uint32_t hlen = rd32(t + offsetof(struct acpi_sdt_header, length));
    if (hlen < hdr)
        return fail(err, err_cap, "header length %u is smaller than the %zu-byte DMAR header",
                    hlen, hdr);
    if (hlen > len)
        return fail(err, err_cap, "header length %u is larger than the %zu bytes available",
                    hlen, len);
    uint8_t sum = 0;
    for (size_t i = 0; i < hlen; i++)
        sum = (uint8_t)(sum + t[i]);
    if (sum)
        return fail(err, err_cap, "checksum: the %u bytes sum to 0x%02x, not 0 (checksum "
                    "byte is 0x%02x)", hlen, sum,
                    t[offsetof(struct acpi_sdt_header, checksum)]);
    uint8_t haw = t[offsetof(struct acpi_dmar_header, host_address_width)];
    if (haw < 31 || haw > 63)
        return fail(err, err_cap, "host address width field %u means %u address bits, "
                    "outside 32..64", haw, haw + 1u);
    out->host_address_width = haw;
    out->flags = t[offsetof(struct acpi_dmar_header, flags)];

    struct parse ps = { .t = t, .out = out, .err = err, .err_cap = err_cap };
    for (size_t off = hdr; off < hlen; ps.index++) {
        size_t left = hlen - off;
        ps.offset = off;
        if (left < sizeof(struct acpi_dmar_remap_header))
            return fail(err, err_cap, "structure %u at offset 0x%zx: only %zu bytes left "
                        "before the end of the table, a structure header needs 4",
                        ps.index, off, left);
        ps.type = rd16(t + off + offsetof(struct acpi_dmar_remap_header, type));
        size_t slen = rd16(t + off + offsetof(struct acpi_dmar_remap_header, length));
        if (slen < sizeof(struct acpi_dmar_remap_header))
            return sfail(&ps, "length %zu is below 4 (type %u)", slen, ps.type);
        if (slen > left)
            return sfail(&ps, "length %zu runs past the end of the table (%zu bytes left)",
                         slen, left);
        int rc = 0;
        switch (ps.type) {
        case DMAR_TYPE_DRHD:
            rc = parse_drhd(&ps, slen);
            break;
        case DMAR_TYPE_RMRR:
            rc = parse_rmrr(&ps, slen);
            break;
        default:
            /* ATSR (ATS is left off), RHSA (NUMA placement), ANDD, SATC,
             * SIDP and types newer than this code: nothing onestone acts
             * on, and Length says where the next structure starts. */
            out->skipped_structures++;
            break;
        }
        if (rc)
            return -1;
        off += slen;
    }
    return 0;
}

int dmar_scope_bdf(const struct dmar_scope *s, dmar_read_bus_fn read_secondary_bus, void *ctx,
                   uint16_t *bdf)
{
    if (!s || !bdf || s->path_len == 0 || s->path_len > DMAR_MAX_PATH)
        return -1;
    unsigned bus = s->start_bus;
    for (unsigned i = 0; i < s->path_len; i++) {
        uint8_t dev = s->path[i].device, fn = s->path[i].function;
        if (dev > 31 || fn > 7)
            return -1;
        if (i + 1 == s->path_len) {
            *bdf = (uint16_t)(bus << 8 | (unsigned)dev << 3 | fn);
            return 0;
        }
        if (!read_secondary_bus)
            return -1;
        int next = read_secondary_bus(ctx, (uint8_t)bus, dev, fn);
        /* A configured bridge forwards to a higher bus number; 0 or a
         * lower one means the bridge is unconfigured (or not a bridge). */
        if (next < 0 || next > 255 || (unsigned)next <= bus)
            return -1;
        bus = (unsigned)next;
    }
    return -1;
}

const struct dmar_unit *dmar_unit_for(const struct dmar_info *info, uint16_t segment,
                                      uint16_t bdf, dmar_read_bus_fn read_secondary_bus,
                                      dmar_read_bus_fn read_subordinate_bus, void *ctx)
{
    if (!info)
        return NULL;
    unsigned units = info->unit_count < DMAR_MAX_UNITS ? info->unit_count : DMAR_MAX_UNITS;
    unsigned bus = bdf >> 8;
    const struct dmar_unit *below = NULL;
    unsigned below_width = 256;
    for (unsigned i = 0; i < units; i++) {
        const struct dmar_unit *u = &info->units[i];
        if (u->segment != segment)
            continue;
        unsigned scopes = u->scope_count < DMAR_MAX_SCOPES ? u->scope_count : DMAR_MAX_SCOPES;
        for (unsigned k = 0; k < scopes; k++) {
            const struct dmar_scope *s = &u->scopes[k];
            uint16_t target;
            if (dmar_scope_bdf(s, read_secondary_bus, ctx, &target))
                continue;
            if (target == bdf)
                return u;       /* named exactly: nothing is more specific */
            if (s->type != DMAR_SCOPE_PCI_SUBHIERARCHY || !read_secondary_bus ||
                !read_subordinate_bus)
                continue;
            uint8_t tb = (uint8_t)(target >> 8), td = (target >> 3) & 31, tf = target & 7;
            int sec = read_secondary_bus(ctx, tb, td, tf);
            int sub = read_subordinate_bus(ctx, tb, td, tf);
            if (sec < 0 || sub < 0 || sec > 255 || sub > 255 || sub < sec)
                continue;
            if (bus >= (unsigned)sec && bus <= (unsigned)sub &&
                (unsigned)(sub - sec) < below_width) {
                below = u;
                below_width = (unsigned)(sub - sec);
            }
        }
    }
    if (below)
        return below;
    for (unsigned i = 0; i < units; i++)
        if (info->units[i].segment == segment && info->units[i].include_pci_all)
            return &info->units[i];
    return NULL;
}
