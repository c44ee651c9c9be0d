/* Runs on the host (onestone-conf check FILE --lspci DUMP [--dmar TABLE]):
 * judges a configuration's device assignment against the target
 * machine's PCI topology, as onestone.efi does at boot, from a dump taken
 * there (lspci -D -nnvvv -xxxx, or a tools/onestone-survey file): its IOMMU
 * groups as Linux forms them, then every group, multi-function device or
 * RMRR the configuration splits, and the warnings a user planning
 * passthrough needs (bridges without ACS, controllers in the LPC bridge's
 * group). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onestone/config.h"
#include "boot/device_units.h"
#include "tools/conf_devices.h"
#include "tools/host_file.h"
#include "tools/lspci_dump.h"
#include "vtd/dmar.h"

#define DUMP_MAX (32u << 20)

static void bdf_text(char *out, size_t cap, const struct pci_fn *f)
{
    if (f->segment)
        snprintf(out, cap, "%04x:%02x:%02x.%x", f->segment, f->bus, f->dev, f->fn);
    else
        snprintf(out, cap, "%02x:%02x.%x", f->bus, f->dev, f->fn);
}

/* the dump's function a [mgmt] device names, or -1 after saying why */
static int resolve(const char *conf, const struct mgmt_config *m, const struct device_ref *d,
                   const struct lspci_dump *dump, const char *dump_path)
{
    int found = -1, hits = 0;
    for (unsigned i = 0; i < dump->count; i++) {
        const struct pci_fn *f = &dump->devices[i].fn;
        bool match = d->kind == DEVICE_BY_ID
                         ? pci_cfg16(f, PCI_VENDOR_ID) == d->vendor && pci_cfg16(f, PCI_DEVICE_ID) == d->device
                         : f->segment == d->segment && f->bus == d->bus && f->dev == d->dev && f->fn == d->fn;
        if (match) {
            hits++;
            if (found < 0)
                found = (int)i;
        }
    }
    char name[32];
    if (hits == 1 && device_default_owner(&dump->devices[found].fn) == OWNER_PLATFORM) {
        bdf_text(name, sizeof name, &dump->devices[found].fn);
        fprintf(stderr, "%s:%u: devices: %s is a bridge: only endpoint functions can be given to a partition\n",
                conf, m->devices_line, name);
        return -1;
    }
    if (hits == 1)
        return found;
    if (d->kind == DEVICE_BY_ID)
        snprintf(name, sizeof name, "%04x:%04x", d->vendor, d->device);
    else
        snprintf(name, sizeof name, "%04x:%02x:%02x.%x", d->segment, d->bus, d->dev, d->fn);
    fprintf(stderr, "%s:%u: devices: %s %s in %s\n", conf, m->devices_line, name,
            hits ? "matches more than one function: name it by its address" : "is not",
            dump_path);
    return -1;
}

static int read_rmrrs(const struct lspci_dump *dump, const uint8_t *dmar, size_t dmar_len,
                      const char *dmar_name, struct unit_rmrr *out, unsigned *count)
{
    *count = 0;
    if (!dmar)
        return 0;
    static struct dmar_info info;
    char err[160];
    if (dmar_parse(dmar, dmar_len, &info, err, sizeof err)) {
        fprintf(stderr, "%s: not a DMAR table the checker reads: %s\n", dmar_name, err);
        return -1;
    }
    struct pci_fn_list list = { NULL, dump->count };
    static struct pci_fn fns[PCI_GROUPS_MAX];
    for (unsigned i = 0; i < dump->count; i++)
        fns[i] = dump->devices[i].fn;
    list.fns = fns;
    for (unsigned r = 0; r < info.rmrr_count; r++) {
        struct unit_rmrr *u = &out[*count];
        u->base = info.rmrrs[r].base;
        u->limit = info.rmrrs[r].limit;
        u->count = 0;
        for (unsigned s = 0; s < info.rmrrs[r].scope_count && u->count < UNIT_RMRR_DEVICES; s++) {
            uint16_t bdf;
            if (dmar_scope_bdf(&info.rmrrs[r].scopes[s], pci_fn_list_secondary_bus, &list, &bdf))
                continue;
            for (unsigned i = 0; i < dump->count; i++)
                if (fns[i].segment == info.rmrrs[r].segment && fns[i].bus == bdf >> 8 &&
                    fns[i].dev == ((bdf >> 3) & 31) && fns[i].fn == (bdf & 7))
                    u->fns[u->count++] = i;
        }
        (*count)++;
    }
    return 0;
}

int conf_check_devices(const char *conf, const struct onestone_config *c, const char *dump_path,
                       const char *dmar_path)
{
    size_t len;
    const char *why;
    char *text = host_file_read(dump_path, DUMP_MAX, &len, &why);
    if (!text) {
        fprintf(stderr, "%s: %s\n", dump_path, why);
        return 1;
    }
    struct lspci_dump dump;
    char err[200];
    int rc = lspci_dump_parse(text, len, &dump, err, sizeof err);
    free(text);
    if (rc) {
        fprintf(stderr, "%s:%s\n", dump_path, err);
        return 1;
    }
    const uint8_t *dmar = dump.dmar;
    size_t dmar_len = dump.dmar_len;
    char *dmar_file = NULL;
    if (dmar_path) {
        dmar_file = host_file_read(dmar_path, DUMP_MAX, &dmar_len, &why);
        if (!dmar_file) {
            fprintf(stderr, "%s: %s\n", dmar_path, why);
            lspci_dump_free(&dump);
            return 1;
        }
        dmar = (const uint8_t *)dmar_file;
    }
    static struct pci_fn fns[PCI_GROUPS_MAX];
    static unsigned group[PCI_GROUPS_MAX];
    static enum device_owner owner[PCI_GROUPS_MAX];
    for (unsigned i = 0; i < dump.count; i++) {
        fns[i] = dump.devices[i].fn;
        owner[i] = device_default_owner(&fns[i]);
    }
    struct pci_groups_options opts = { .pch_acs_workaround = dump.pch_acs_workaround };
    unsigned groups = pci_groups_compute(fns, dump.count, &opts, group);
    int status = 0;
    const struct mgmt_config *m = &c->mgmt;
    for (unsigned i = 0; m->present && i < m->device_count; i++) {
        int k = resolve(conf, m, &m->devices[i], &dump, dump_path);
        if (k < 0)
            status = 1;
        else
            owner[k] = OWNER_MGMT;
    }
    static struct unit_rmrr rmrrs[DMAR_MAX_RMRR];
    unsigned rmrr_count = 0;
    if (read_rmrrs(&dump, dmar, dmar_len, dmar_path ? dmar_path : dump_path, rmrrs, &rmrr_count))
        status = 1;
    printf("# %s: %u PCI functions in %u IOMMU groups (as Linux forms them%s)%s\n", dump_path,
           dump.count, groups,
           dump.pch_acs_workaround ? ", with its Intel PCH ACS workaround" : "",
           dmar ? "" : "; no DMAR table given (--dmar), RMRRs not checked");
    for (unsigned g = 0; g < groups; g++) {
        printf("# group %u:", g);
        for (unsigned i = 0; i < dump.count; i++)
            if (group[i] == g) {
                char bdf[16];
                bdf_text(bdf, sizeof bdf, &fns[i]);
                printf(" %s [%04x:%04x] %s%s", bdf, pci_cfg16(&fns[i], PCI_VENDOR_ID),
                       pci_cfg16(&fns[i], PCI_DEVICE_ID), pci_class_name(pci_class(&fns[i])),
                       owner[i] == OWNER_MGMT ? " (mgmt)" : "");
            }
        printf("\n");
    }
    /* the survey's own groups, as Linux formed them on that machine: the
     * checker's must partition the functions the same way */
    if (dump.has_linux_groups) {
        unsigned differ = 0;
        for (unsigned i = 0; i < dump.count; i++)
            for (unsigned k = i + 1; k < dump.count; k++) {
                int li = dump.devices[i].linux_group, lk = dump.devices[k].linux_group;
                if (li < 0 || lk < 0 || (li == lk) == (group[i] == group[k]))
                    continue;
                if (differ++ < 4) {
                    char a[16], b[16];
                    bdf_text(a, sizeof a, &fns[i]);
                    bdf_text(b, sizeof b, &fns[k]);
                    printf("%s: warning: Linux there put %s and %s in %s IOMMU groups, the checker in %s\n",
                           dump_path, a, b, li == lk ? "one of its" : "different",
                           li == lk ? "different ones" : "one");
                }
            }
        if (differ)
            printf("%s: warning: %u pairs of functions are grouped differently from Linux's groups on that machine (a quirk the checker lacks?)\n",
                   dump_path, differ);
        else
            printf("# the groups are the ones Linux formed on that machine (its iommu_groups)\n");
    }
    static struct unit_finding findings[UNIT_FINDINGS_MAX];
    unsigned n = device_units_check(fns, dump.count, group, owner, rmrrs, rmrr_count, &opts,
                                    findings, UNIT_FINDINGS_MAX);
    unsigned errors = 0;
    for (unsigned i = 0; i < n && i < UNIT_FINDINGS_MAX; i++) {
        const struct unit_finding *f = &findings[i];
        if (f->error && !m->allow_split) {
            fprintf(stderr, "%s:%u: devices: %s\n", conf, m->devices_line, f->text);
            errors++;
        } else {
            printf("%s: warning: %s%s\n", f->error ? conf : dump_path, f->text,
                   f->error ? " (allowed by allow_split = yes)" : "");
        }
    }
    if (n > UNIT_FINDINGS_MAX)
        printf("%s: warning: %u more findings not shown\n", dump_path, n - UNIT_FINDINGS_MAX);
    if (errors) {
        fprintf(stderr, "%s:%u: %u device finding(s) above; onestone.efi refuses this [mgmt] on "
                "this machine (allow_split = yes overrides, see the README)\n",
                conf, m->devices_line, errors);
        status = 1;
    }
    free(dmar_file);
    lspci_dump_free(&dump);
    return status;
}
