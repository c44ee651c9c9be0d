/* Shared (boot services, host tools and tests): which PCI functions must
 * go to one partition together, and what a device assignment breaks. The
 * units are an IOMMU group (boot/pci_groups.h), the functions of one
 * multi-function device (a GPU and its HDMI audio) and the devices an
 * RMRR names; onestone.efi refuses a [mgmt] section that splits one
 * (unless allow_split = yes) and onestone-conf check --lspci reports the
 * same findings, with the advice, from a dump of the target machine. */
#ifndef BOOT_DEVICE_UNITS_H
#define BOOT_DEVICE_UNITS_H

#include <stdbool.h>
#include <stdint.h>
#include "boot/pci_groups.h"

enum device_owner {
    OWNER_PLATFORM = 0,     /* bridges and host bridges: nobody's to give */
    OWNER_PRIMARY = 1,
    OWNER_MGMT = 2,
};

enum unit_finding_kind {
    FINDING_GROUP_SPLIT,        /* error: an IOMMU group has two owners */
    FINDING_FUNCTION_SPLIT,     /* error: one device's functions have two owners */
    FINDING_GPU_AUDIO_SPLIT,    /* error: the same, a GPU and its audio function */
    FINDING_RMRR_SHARED,        /* error: an RMRR names devices of two owners */
    FINDING_BRIDGE_NO_ACS,      /* warning: a partition's device behind a bridge that does not isolate */
    FINDING_LPC_GROUP,          /* warning: a controller shares the LPC bridge's group */
};

#define UNIT_FINDING_TEXT 240
#define UNIT_FINDINGS_MAX 64
#define UNIT_RMRR_DEVICES 16

struct unit_finding {
    enum unit_finding_kind kind;
    bool error;
    unsigned a, b;              /* the two functions it names (indices) */
    char text[UNIT_FINDING_TEXT];
};

/* an RMRR with its device scopes resolved to function indices */
struct unit_rmrr {
    uint64_t base, limit;
    unsigned count;
    unsigned fns[UNIT_RMRR_DEVICES];
};

/* Checks the ownership of fns[0..n-1] (owner[i]; group[i] from
 * pci_groups_compute) and the RMRRs; fills out[] (at most max) and
 * returns how many findings there are, errors first within each kind.
 * Every finding names its devices by address and vendor:device. */
unsigned device_units_check(const struct pci_fn *fns, unsigned n, const unsigned *group,
                            const enum device_owner *owner, const struct unit_rmrr *rmrrs,
                            unsigned rmrr_count, const struct pci_groups_options *o,
                            struct unit_finding *out, unsigned max);

/* "VGA", "audio", "SATA", "USB", ... for a class code (pci_class), or
 * "device" */
const char *pci_class_name(uint32_t class_code);

/* The owner a function gets by default: the platform's for a bridge or
 * host bridge, else the primary partition's. */
enum device_owner device_default_owner(const struct pci_fn *f);

/* For dmar_scope_bdf (vtd/dmar.h): a bridge's secondary bus among the
 * functions of ctx (a struct pci_fn_list), or -1. */
struct pci_fn_list {
    const struct pci_fn *fns;
    unsigned n;
};
int pci_fn_list_secondary_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn);

#endif
