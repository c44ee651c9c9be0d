/* Runs in UEFI boot services and on the host: see mgmt_platform.h.
 * Freestanding: no libc. */
#include "boot/mgmt_platform.h"
#include "onestone/text_out.h"

static void put_bdf(struct text_out *o, const struct pci_function_fact *p)
{
    text_out_hex(o, p->bus, 2);
    text_out_str(o, ":");
    text_out_hex(o, p->dev, 2);
    text_out_str(o, ".");
    text_out_hex(o, p->fn, 1);
}

static void put_ref(struct text_out *o, const struct device_ref *d)
{
    if (d->kind == DEVICE_BY_ID) {
        text_out_hex(o, d->vendor, 4);
        text_out_str(o, ":");
        text_out_hex(o, d->device, 4);
        return;
    }
    if (d->segment) {
        text_out_hex(o, d->segment, 4);
        text_out_str(o, ":");
    }
    struct pci_function_fact p = { .bus = d->bus, .dev = d->dev, .fn = d->fn };
    put_bdf(o, &p);
}

static struct text_out start(struct config_error *err, unsigned line)
{
    err->line = line;
    err->message[0] = 0;
    return (struct text_out){ .buf = err->message, .cap = sizeof err->message };
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
    struct text_out o;
    if (m->cpus >= f->cpu_count) {
        o = start(err, m->cpus_line);
        text_out_str(&o, "cpus: ");
        text_out_dec(&o, m->cpus);
        text_out_str(&o, " of this machine's ");
        text_out_dec(&o, f->cpu_count);
        text_out_str(&o, " CPUs: at least one must stay with the primary partition");
        return -1;
    }
    if (m->memory > f->free_memory ||
        f->free_memory - m->memory < PLATFORM_PRIMARY_MEMORY_MIN) {
        o = start(err, m->memory_line);
        text_out_str(&o, "memory: ");
        text_out_dec(&o, m->memory >> 20);
        text_out_str(&o, "M, but the firmware reports ");
        text_out_dec(&o, f->free_memory >> 20);
        text_out_str(&o, "M free and the primary partition keeps at least 256M");
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
            text_out_str(&o, "devices: ");
            put_ref(&o, d);
            if (hits == 0) {
                text_out_str(&o, d->kind == DEVICE_BY_ID ? ": no such device on this machine"
                                                : ": no PCI function there on this machine");
            } else {
                text_out_str(&o, " matches ");
                text_out_dec(&o, hits);
                text_out_str(&o, " functions (");
                put_bdf(&o, &f->functions[first]);
                text_out_str(&o, ", ");
                put_bdf(&o, &f->functions[second]);
                text_out_str(&o, hits > 2 ? ", ...": "");
                text_out_str(&o, "): name one by its address");
            }
            return -1;
        }
        const struct pci_function_fact *p = &f->functions[first];
        if (p->class_code == 0x06 || (p->header_type & 0x7F) != 0) {
            o = start(err, m->devices_line);
            text_out_str(&o, "devices: ");
            put_ref(&o, d);
            text_out_str(&o, " (");
            put_bdf(&o, p);
            text_out_str(&o, p->class_code == 0x06 && p->subclass == 0x00 ? ") is a host bridge" :
                    ") is a bridge");
            text_out_str(&o, ": only endpoint functions can be given to a partition");
            return -1;
        }
        for (unsigned j = 0; j < i; j++)
            if (resolved[j] == first) {
                o = start(err, m->devices_line);
                text_out_str(&o, "devices: ");
                put_ref(&o, d);
                text_out_str(&o, " is ");
                put_bdf(&o, p);
                text_out_str(&o, ", which is listed already");
                return -1;
            }
        resolved[i] = first;
    }
    return 0;
}
