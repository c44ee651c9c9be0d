/* Shared (boot services, host tools and tests): the ownership rules on
 * IOMMU groups, multi-function devices and RMRRs (boot/device_units.h). */
#include "boot/device_units.h"
#include "onestone/text_out.h"

const char *pci_class_name(uint32_t class_code)
{
    switch (class_code >> 8) {
    case 0x0100: return "SCSI";
    case 0x0101: return "IDE";
    case 0x0104: return "RAID";
    case 0x0106: return "SATA";
    case 0x0108: return "NVMe";
    case 0x0200: return "Ethernet";
    case 0x0280: return "network";
    case 0x0300: return "VGA";
    case 0x0302: return "3D";
    case 0x0380: return "display";
    case 0x0401: return "audio";
    case 0x0403: return "audio";
    case 0x0600: return "host bridge";
    case 0x0601: return "LPC bridge";
    case 0x0604: return "PCI bridge";
    case 0x0680: return "other bridge";
    case 0x0780: return "communication";
    case 0x0c03: return "USB";
    case 0x0c05: return "SMBus";
    default: return "device";
    }
}

enum device_owner device_default_owner(const struct pci_fn *f)
{
    return pci_is_bridge(f) || (pci_class(f) >> 8) == 0x0600 ? OWNER_PLATFORM : OWNER_PRIMARY;
}

int pci_fn_list_secondary_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn)
{
    const struct pci_fn_list *l = ctx;
    for (unsigned i = 0; i < l->n; i++)
        if (l->fns[i].bus == bus && l->fns[i].dev == dev && l->fns[i].fn == fn)
            return pci_is_bridge(&l->fns[i]) ? pci_cfg8(&l->fns[i], PCI_SECONDARY_BUS) : -1;
    return -1;
}

static const char *owner_name(enum device_owner o)
{
    return o == OWNER_MGMT ? "the management partition" : o == OWNER_PRIMARY ? "the primary" : "onestone";
}

/* "01:00.1 [1002:aa98] (audio)" */
static void put_fn(struct text_out *t, const struct pci_fn *f)
{
    if (f->segment) {
        text_out_hex(t, f->segment, 4);
        text_out_char(t, ':');
    }
    text_out_hex(t, f->bus, 2);
    text_out_char(t, ':');
    text_out_hex(t, f->dev, 2);
    text_out_char(t, '.');
    text_out_hex(t, f->fn, 1);
    text_out_str(t, " [");
    text_out_hex(t, pci_cfg16(f, PCI_VENDOR_ID), 4);
    text_out_char(t, ':');
    text_out_hex(t, pci_cfg16(f, PCI_DEVICE_ID), 4);
    text_out_str(t, "] (");
    text_out_str(t, pci_class_name(pci_class(f)));
    text_out_char(t, ')');
}

struct findings {
    struct unit_finding *out;
    unsigned max, count;
};

static struct text_out *begin(struct findings *fs, enum unit_finding_kind kind, bool error,
                              unsigned a, unsigned b, struct text_out *t)
{
    static struct unit_finding spare;
    struct unit_finding *f = fs->count < fs->max ? &fs->out[fs->count] : &spare;
    fs->count++;
    f->kind = kind;
    f->error = error;
    f->a = a;
    f->b = b;
    t->buf = f->text;
    t->cap = sizeof f->text;
    t->len = 0;
    t->dropped = 0;
    f->text[0] = 0;
    return t;
}

static bool is_gpu(const struct pci_fn *f) { return (pci_class(f) >> 16) == 0x03; }
static bool is_audio(const struct pci_fn *f) { return (pci_class(f) >> 16) == 0x04; }

static bool same_slot(const struct pci_fn *a, const struct pci_fn *b)
{
    return a->segment == b->segment && a->bus == b->bus && a->dev == b->dev;
}

unsigned device_units_check(const struct pci_fn *fns, unsigned n, const unsigned *group,
                            const enum device_owner *owner, const struct unit_rmrr *rmrrs,
                            unsigned rmrr_count, const struct pci_groups_options *o,
                            struct unit_finding *out, unsigned max)
{
    struct findings fs = { out, max, 0 };
    struct text_out t;
    /* functions of one device with two owners; a GPU and its audio named as such */
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = i + 1; k < n; k++) {
            if (!same_slot(&fns[i], &fns[k]) || owner[i] == OWNER_PLATFORM ||
                owner[k] == OWNER_PLATFORM || owner[i] == owner[k])
                continue;
            bool gpu_audio = (is_gpu(&fns[i]) && is_audio(&fns[k])) ||
                             (is_audio(&fns[i]) && is_gpu(&fns[k]));
            begin(&fs, gpu_audio ? FINDING_GPU_AUDIO_SPLIT : FINDING_FUNCTION_SPLIT, true, i, k, &t);
            text_out_str(&t, gpu_audio ? "a GPU and its audio function are split: "
                                       : "functions of one device are split: ");
            put_fn(&t, &fns[i]);
            text_out_str(&t, " goes to ");
            text_out_str(&t, owner_name(owner[i]));
            text_out_str(&t, ", ");
            put_fn(&t, &fns[k]);
            text_out_str(&t, " to ");
            text_out_str(&t, owner_name(owner[k]));
            text_out_str(&t, gpu_audio ? "; give both to one partition (they reset together)"
                                       : "; give every function to one partition");
        }
    /* a group with two owners: one finding per group, naming a pair */
    for (unsigned i = 0; i < n; i++) {
        if (owner[i] == OWNER_PLATFORM)
            continue;
        bool first_of_owner = true;
        for (unsigned k = 0; k < i; k++)
            if (group[k] == group[i] && owner[k] == owner[i])
                first_of_owner = false;
        if (!first_of_owner)
            continue;
        for (unsigned k = 0; k < i; k++) {
            if (group[k] != group[i] || owner[k] == OWNER_PLATFORM || owner[k] == owner[i])
                continue;
            if (same_slot(&fns[i], &fns[k]))
                break;      /* said above, as a device split */
            begin(&fs, FINDING_GROUP_SPLIT, true, k, i, &t);
            text_out_str(&t, "IOMMU group ");
            text_out_dec(&t, group[i]);
            text_out_str(&t, " is split: ");
            put_fn(&t, &fns[k]);
            text_out_str(&t, " goes to ");
            text_out_str(&t, owner_name(owner[k]));
            text_out_str(&t, ", ");
            put_fn(&t, &fns[i]);
            text_out_str(&t, " to ");
            text_out_str(&t, owner_name(owner[i]));
            text_out_str(&t, "; devices of one group can reach each other without VT-d");
            break;
        }
    }
    for (unsigned r = 0; r < rmrr_count; r++) {
        const struct unit_rmrr *m = &rmrrs[r];
        for (unsigned x = 1; x < m->count; x++) {
            unsigned a = m->fns[0], b = m->fns[x];
            if (owner[a] == owner[b])
                continue;
            begin(&fs, FINDING_RMRR_SHARED, true, a, b, &t);
            text_out_str(&t, "the RMRR 0x");
            text_out_hex(&t, m->base, 8);
            text_out_str(&t, "-0x");
            text_out_hex(&t, m->limit, 8);
            text_out_str(&t, " is shared by ");
            put_fn(&t, &fns[a]);
            text_out_str(&t, " (");
            text_out_str(&t, owner_name(owner[a]));
            text_out_str(&t, ") and ");
            put_fn(&t, &fns[b]);
            text_out_str(&t, " (");
            text_out_str(&t, owner_name(owner[b]));
            text_out_str(&t, "): the firmware DMAs there for both; give them to one partition");
            break;
        }
    }
    /* the management partition's devices behind a bridge that does not isolate */
    for (unsigned i = 0; i < n; i++) {
        if (owner[i] != OWNER_MGMT)
            continue;
        for (int br = pci_upstream_bridge(fns, n, i), depth = 0; br >= 0 && depth < 256;
             br = pci_upstream_bridge(fns, n, (unsigned)br), depth++) {
            const char *why;
            if (pci_acs_isolates(fns, n, (unsigned)br, o, &why))
                continue;
            begin(&fs, FINDING_BRIDGE_NO_ACS, false, i, (unsigned)br, &t);
            put_fn(&t, &fns[i]);
            text_out_str(&t, " is behind ");
            put_fn(&t, &fns[br]);
            text_out_str(&t, ", which does not isolate (");
            text_out_str(&t, why);
            text_out_str(&t, "): everything below it shares one IOMMU group");
            break;
        }
    }
    /* controllers in the LPC bridge's group (on-board PCH functions
     * without ACS): they can only go with the LPC bridge, which the
     * primary's firmware needs */
    for (unsigned l = 0; l < n; l++) {
        if ((pci_class(&fns[l]) >> 8) != 0x0601)
            continue;
        for (unsigned i = 0; i < n; i++) {
            if (i == l || group[i] != group[l] || owner[i] == OWNER_PLATFORM ||
                (pci_class(&fns[i]) >> 8) == 0x0c05)
                continue;
            begin(&fs, FINDING_LPC_GROUP, false, i, l, &t);
            put_fn(&t, &fns[i]);
            text_out_str(&t, " shares IOMMU group ");
            text_out_dec(&t, group[i]);
            text_out_str(&t, " with the LPC bridge ");
            put_fn(&t, &fns[l]);
            text_out_str(&t, ": it cannot be given to a partition of its own; use an add-in card");
        }
    }
    return fs.count;
}
