/* Runs in UEFI boot services and on the host: see mgmt_platform.h.
 * Freestanding: no libc. */
#include "boot/mgmt_platform.h"

struct out {
    char *buf;
    unsigned cap, len;
};

static void put(struct out *o, const char *s)
{
    while (*s && o->len + 1 < o->cap)
        o->buf[o->len++] = *s++;
    o->buf[o->len] = 0;
}

static void put_hex(struct out *o, unsigned v, unsigned digits)
{
    static const char hex[] = "0123456789abcdef";
    char s[9];
    for (unsigned i = 0; i < digits; i++)
        s[i] = hex[(v >> (4 * (digits - 1 - i))) & 0xF];
    s[digits] = 0;
    put(o, s);
}

static void put_dec(struct out *o, uint64_t v)
{
    char s[24];
    unsigned n = 0;
    do {
        s[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    char r[24];
    for (unsigned i = 0; i < n; i++)
        r[i] = s[n - 1 - i];
    r[n] = 0;
    put(o, r);
}

static void put_bdf(struct out *o, const struct pci_function_fact *p)
{
    put_hex(o, p->bus, 2);
    put(o, ":");
    put_hex(o, p->dev, 2);
    put(o, ".");
    put_hex(o, p->fn, 1);
}

static void put_ref(struct out *o, const struct device_ref *d)
{
    if (d->kind == DEVICE_BY_ID) {
        put_hex(o, d->vendor, 4);
        put(o, ":");
        put_hex(o, d->device, 4);
        return;
    }
    if (d->segment) {
        put_hex(o, d->segment, 4);
        put(o, ":");
    }
    struct pci_function_fact p = { .bus = d->bus, .dev = d->dev, .fn = d->fn };
    put_bdf(o, &p);
}

static struct out start(struct config_error *err, unsigned line)
{
    err->line = line;
    err->message[0] = 0;
    return (struct out){ err->message, sizeof err->message, 0 };
}

static int matches(const struct device_ref *d, const struct pci_function_fact *p)
{
    if (d->kind == DEVICE_BY_ID)
        return p->vendor == d->vendor && p->device == d->device;
    return p->segment == d->segment && p->bus == d->bus && p->dev == d->dev && p->fn == d->fn;
}

int mgmt_platform_check(const struct mgmt_config *m, const struct platform_facts *f,
                        unsigned resolved[CONFIG_DEVICES_MAX], struct config_error *err)
{
    struct out o;
    if (m->cpus >= f->cpu_count) {
        o = start(err, m->cpus_line);
        put(&o, "cpus: ");
        put_dec(&o, m->cpus);
        put(&o, " of this machine's ");
        put_dec(&o, f->cpu_count);
        put(&o, " CPUs: at least one must stay with the primary partition");
        return -1;
    }
    if (m->memory > f->free_memory ||
        f->free_memory - m->memory < PLATFORM_PRIMARY_MEMORY_MIN) {
        o = start(err, m->memory_line);
        put(&o, "memory: ");
        put_dec(&o, m->memory >> 20);
        put(&o, "M, but the firmware reports ");
        put_dec(&o, f->free_memory >> 20);
        put(&o, "M free and the primary partition keeps at least 256M");
        return -1;
    }
    for (unsigned i = 0; i < m->device_count; i++) {
        const struct device_ref *d = &m->devices[i];
        unsigned hits = 0, first = 0, second = 0;
        for (unsigned k = 0; k < f->function_count; k++)
            if (matches(d, &f->functions[k])) {
                if (hits == 0)
                    first = k;
                else if (hits == 1)
                    second = k;
                hits++;
            }
        if (hits != 1) {
            o = start(err, m->devices_line);
            put(&o, "devices: ");
            put_ref(&o, d);
            if (hits == 0) {
                put(&o, d->kind == DEVICE_BY_ID ? ": no such device on this machine"
                                                : ": no PCI function there on this machine");
            } else {
                put(&o, " matches ");
                put_dec(&o, hits);
                put(&o, " functions (");
                put_bdf(&o, &f->functions[first]);
                put(&o, ", ");
                put_bdf(&o, &f->functions[second]);
                put(&o, hits > 2 ? ", ...": "");
                put(&o, "): name one by its address");
            }
            return -1;
        }
        const struct pci_function_fact *p = &f->functions[first];
        if (p->class_code == 0x06 || (p->header_type & 0x7F) != 0) {
            o = start(err, m->devices_line);
            put(&o, "devices: ");
            put_ref(&o, d);
            put(&o, " (");
            put_bdf(&o, p);
            put(&o, p->class_code == 0x06 && p->subclass == 0x00 ? ") is a host bridge" :
                    ") is a bridge");
            put(&o, ": only endpoint functions can be given to a partition");
            return -1;
        }
        for (unsigned j = 0; j < i; j++)
            if (resolved[j] == first) {
                o = start(err, m->devices_line);
                put(&o, "devices: ");
                put_ref(&o, d);
                put(&o, " is ");
                put_bdf(&o, p);
                put(&o, ", which is listed already");
                return -1;
            }
        resolved[i] = first;
    }
    return 0;
}
