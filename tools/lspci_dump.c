/* Runs on the host: reads lspci's dump format and onestone-survey files
 * (tools/lspci_dump.h). */
#include "tools/lspci_dump.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICES_MAX PCI_GROUPS_MAX

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* N hex digits at p (p has at least n characters); -1 if not */
static long hexn(const char *p, size_t n)
{
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = hexval(p[i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* "[DDDD:]BB:DD.F " at the start of a line: true and the address */
static bool device_line(const char *p, size_t n, unsigned *seg, unsigned *bus, unsigned *dev,
                        unsigned *fn, size_t *desc_at)
{
    size_t at = 0;
    *seg = 0;
    /* a domain of 4 to 6 digits and a colon */
    size_t digits = 0;
    while (digits < n && hexval(p[digits]) >= 0)
        digits++;
    if (digits >= 4 && digits <= 6 && digits < n && p[digits] == ':') {
        long s = hexn(p, digits);
        if (s > 0xFFFF)
            return false;
        *seg = (unsigned)s;
        at = digits + 1;
    }
    if (n < at + 8 || p[at + 2] != ':' || p[at + 5] != '.' || (n > at + 7 && p[at + 7] != ' '))
        return false;
    long b = hexn(p + at, 2), d = hexn(p + at + 3, 2), f = hexn(p + at + 6, 1);
    if (b < 0 || d < 0 || d > 31 || f < 0 || f > 7)
        return false;
    *bus = (unsigned)b;
    *dev = (unsigned)d;
    *fn = (unsigned)f;
    *desc_at = at + 8;
    return true;
}

static int fail(char *err, size_t cap, unsigned line, const char *msg)
{
    snprintf(err, cap, "%u: %s", line, msg);
    return -1;
}

enum section { SEC_LSPCI, SEC_DMAR, SEC_DMESG, SEC_GROUPS, SEC_OTHER };

/* "N DDDD:BB:DD.F" of the survey's iommu_groups section: the group Linux
 * gave a function (lines about reserved regions are skipped) */
static void linux_group_line(const char *l, size_t n, struct lspci_dump *out)
{
    size_t i = 0;
    long g = 0;
    while (i < n && l[i] >= '0' && l[i] <= '9' && g < 100000)
        g = g * 10 + (l[i++] - '0');
    if (i == 0 || i >= n || l[i] != ' ')
        return;
    unsigned seg, bus, dev, fn;
    size_t at;
    char addr[16];
    size_t m = n - i - 1 < sizeof addr - 2 ? n - i - 1 : sizeof addr - 2;
    memcpy(addr, l + i + 1, m);
    addr[m] = ' ';      /* device_line wants the space after the address */
    addr[m + 1] = 0;
    if (!device_line(addr, m + 1, &seg, &bus, &dev, &fn, &at))
        return;
    for (unsigned k = 0; k < out->count; k++) {
        struct lspci_device *d = &out->devices[k];
        if (d->fn.segment == seg && d->fn.bus == bus && d->fn.dev == dev && d->fn.fn == fn) {
            d->linux_group = (int)g;
            out->has_linux_groups = true;
        }
    }
}

int lspci_dump_parse(const char *text, size_t len, struct lspci_dump *out, char *err,
                     size_t err_cap)
{
    memset(out, 0, sizeof *out);
    unsigned capacity = 16;
    out->devices = malloc(capacity * sizeof *out->devices);
    uint8_t *dmar = malloc(len / 2 + 1);
    if (!out->devices || !dmar) {
        free(dmar);
        lspci_dump_free(out);
        return fail(err, err_cap, 0, "out of memory");
    }
    /* a survey file has "## NAME" sections; a plain dump is all lspci */
    bool survey = len >= 3 && strncmp(text, "## ", 3) == 0;
    for (size_t i = 0; !survey && i + 4 <= len; i++)
        survey = memcmp(text + i, "\n## ", 4) == 0;
    enum section sec = survey ? SEC_OTHER : SEC_LSPCI;
    struct lspci_device *cur = NULL;
    unsigned cur_max = 0, line = 0;
    size_t dmar_len = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r')
            n--;
        line++;
        const char *l = p;
        p = nl ? nl + 1 : end;
        if (memchr(l, 0, n)) {
            free(dmar);
            lspci_dump_free(out);
            return fail(err, err_cap, line, "a NUL byte: not lspci's text output");
        }
        if (survey && n >= 3 && strncmp(l, "## ", 3) == 0) {
            sec = (n == 8 && !strncmp(l + 3, "lspci", 5)) ? SEC_LSPCI
                  : (n == 7 && !strncmp(l + 3, "dmar", 4)) ? SEC_DMAR
                  : (n == 8 && !strncmp(l + 3, "dmesg", 5)) ? SEC_DMESG
                  : (n == 15 && !strncmp(l + 3, "iommu_groups", 12)) ? SEC_GROUPS : SEC_OTHER;
            cur = NULL;
            continue;
        }
        if (sec == SEC_GROUPS) {
            linux_group_line(l, n, out);
            continue;
        }
        if (sec == SEC_DMESG) {
            static const char pch[] = "Intel PCH root port ACS workaround enabled";
            for (size_t i = 0; i + sizeof pch - 1 <= n; i++)
                if (!memcmp(l + i, pch, sizeof pch - 1))
                    out->pch_acs_workaround = true;
            continue;
        }
        if (sec == SEC_DMAR) {
            /* od -An -v -tx1: hex bytes separated by spaces */
            for (size_t i = 0; i < n;) {
                if (l[i] == ' ' || l[i] == '\t') {
                    i++;
                    continue;
                }
                long v = i + 1 < n ? hexn(l + i, 2) : -1;
                if (v < 0 || (i + 2 < n && l[i + 2] != ' ')) {
                    free(dmar);
                    lspci_dump_free(out);
                    return fail(err, err_cap, line, "the dmar section holds something other than hex bytes");
                }
                dmar[dmar_len++] = (uint8_t)v;
                i += 2;
            }
            continue;
        }
        if (sec != SEC_LSPCI || n == 0)
            continue;
        unsigned seg, bus, dev, fn;
        size_t desc_at;
        if (device_line(l, n, &seg, &bus, &dev, &fn, &desc_at)) {
            if (cur && cur_max == 0)
                break;  /* reported below */
            if (out->count == DEVICES_MAX) {
                free(dmar);
                lspci_dump_free(out);
                return fail(err, err_cap, line, "more than 512 PCI functions");
            }
            for (unsigned k = 0; k < out->count; k++) {
                const struct pci_fn *o = &out->devices[k].fn;
                if (o->segment == seg && o->bus == bus && o->dev == dev && o->fn == fn) {
                    free(dmar);
                    lspci_dump_free(out);
                    return fail(err, err_cap, line, "this function is listed twice");
                }
            }
            if (out->count == capacity) {
                /* grown as devices come: most dumps hold a few dozen */
                struct lspci_device *more = realloc(out->devices, 2 * capacity * sizeof *more);
                if (!more) {
                    free(dmar);
                    lspci_dump_free(out);
                    return fail(err, err_cap, line, "out of memory");
                }
                out->devices = more;
                capacity *= 2;
                for (unsigned k = 0; k < out->count; k++)
                    out->devices[k].fn.cfg = out->devices[k].cfg;
            }
            cur = &out->devices[out->count++];
            memset(cur->cfg, 0xFF, sizeof cur->cfg);
            cur->fn = (struct pci_fn){ (uint16_t)seg, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn,
                                       cur->cfg, 0 };
            cur->line = line;
            cur->linux_group = -1;
            size_t d = n > desc_at ? n - desc_at : 0;
            if (d >= sizeof cur->desc)
                d = sizeof cur->desc - 1;
            memcpy(cur->desc, l + desc_at, d);
            cur->desc[d] = 0;
            cur_max = 0;
            continue;
        }
        /* "OFF: xx xx ..." (libpci: 2 to 8 hex digits of offset) */
        size_t digits = 0;
        while (digits < n && hexval(l[digits]) >= 0)
            digits++;
        if (digits < 2 || digits > 8 || digits >= n || l[digits] != ':' || l[0] == '\t' ||
            l[0] == ' ')
            continue;
        if (!cur) {
            free(dmar);
            lspci_dump_free(out);
            return fail(err, err_cap, line, "configuration bytes before any device line");
        }
        long off = hexn(l, digits);
        if (off < 0 || off >= 4096 || off % 16) {
            free(dmar);
            lspci_dump_free(out);
            return fail(err, err_cap, line, "a configuration offset that is not a multiple of 16 below 4096");
        }
        size_t i = digits + 1, k = 0;
        while (i < n) {
            if (l[i] == ' ') {
                i++;
                continue;
            }
            long v = i + 1 < n ? hexn(l + i, 2) : -1;
            if (v < 0 || k == 16) {
                free(dmar);
                lspci_dump_free(out);
                return fail(err, err_cap, line, "a configuration line with something other than 16 hex bytes");
            }
            cur->cfg[off + k++] = (uint8_t)v;
            i += 2;
        }
        if (k != 16) {
            free(dmar);
            lspci_dump_free(out);
            return fail(err, err_cap, line, "a configuration line with fewer than 16 bytes");
        }
        if ((unsigned)off + 16 > cur_max)
            cur_max = (unsigned)off + 16;
        cur->fn.cfg_len = (uint16_t)(cur_max <= 64 ? 64 : cur_max <= 256 ? 256 : 4096);
    }
    for (unsigned k = 0; k < out->count; k++)
        if (out->devices[k].fn.cfg_len == 0) {
            unsigned at = out->devices[k].line;
            free(dmar);
            lspci_dump_free(out);
            return fail(err, err_cap, at,
                        "this device has no configuration bytes: run lspci with -xxxx (or -xxx)");
        }
    if (out->count == 0) {
        free(dmar);
        lspci_dump_free(out);
        return fail(err, err_cap, line, "no PCI functions: not the output of lspci -D -nnvvv -xxxx");
    }
    if (dmar_len) {
        out->dmar = dmar;
        out->dmar_len = dmar_len;
    } else {
        free(dmar);
    }
    return 0;
}

void lspci_dump_free(struct lspci_dump *d)
{
    free(d->devices);
    free(d->dmar);
    d->devices = NULL;
    d->dmar = NULL;
    d->count = 0;
}
