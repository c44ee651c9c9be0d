/* Shared (boot services, VMX root, host unit tests): the ACPI DMAR table
 * parsed into fixed-capacity arrays (no allocation: boot code and the
 * hypervisor both use it), and the lookups VT-d setup needs: which
 * bus/device/function a device scope names, and which remapping unit
 * translates a device's DMA. Hardware layouts: include/arch/vtd_dmar.h. */
#ifndef VTD_DMAR_H
#define VTD_DMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/vtd_dmar.h"

/* Capacities. A table that needs more is refused with the limit named,
 * never truncated: a dropped unit or scope would leave a device
 * untranslated, i.e. able to DMA anywhere. */
#define DMAR_MAX_UNITS  8       /* DRHD structures */
#define DMAR_MAX_RMRR   8       /* RMRR structures */
#define DMAR_MAX_SCOPES 16      /* device scopes per DRHD or RMRR */
#define DMAR_MAX_PATH   8       /* path elements per device scope (bridge depth + 1) */

struct dmar_scope {
    uint8_t type;               /* DMAR_SCOPE_* (1..5, checked) */
    uint8_t enumeration_id;
    uint8_t start_bus;
    uint8_t path_len;           /* 1..DMAR_MAX_PATH */
    struct {
        uint8_t device, function;   /* checked: device < 32, function < 8 */
    } path[DMAR_MAX_PATH];
};

struct dmar_unit {
    uint64_t base;              /* register base, 4 KiB aligned, not 0 */
    uint16_t segment;
    bool include_pci_all;
    uint8_t size_pages_log2;    /* the registers span 2^N 4 KiB pages */
    unsigned scope_count;
    struct dmar_scope scopes[DMAR_MAX_SCOPES];
};

struct dmar_rmrr {
    uint16_t segment;
    uint64_t base, limit;       /* [base, limit], whole 4 KiB pages */
    unsigned scope_count;
    struct dmar_scope scopes[DMAR_MAX_SCOPES];
};

struct dmar_info {
    uint8_t host_address_width; /* the raw field: address bits = field + 1 */
    uint8_t flags;              /* DMAR_FLAG_* */
    unsigned unit_count;
    struct dmar_unit units[DMAR_MAX_UNITS];
    unsigned rmrr_count;
    struct dmar_rmrr rmrrs[DMAR_MAX_RMRR];
    unsigned skipped_structures;    /* ATSR, RHSA, ANDD, SATC and unknown types */
};

/* Parses and validates the DMAR table at `table` (`len` bytes readable;
 * nothing outside them is read, whatever the bytes say). Returns 0 and
 * fills *out, or -1 with *out unspecified and a message in err (if err
 * is not NULL) naming the structure (index and offset) and what is wrong
 * with it. */
int dmar_parse(const void *table, size_t len, struct dmar_info *out, char *err,
               size_t err_cap);

/* Reads a PCI-PCI bridge's secondary (config offset 0x19) or subordinate
 * (0x1A) bus number; returns it, or -1 if bus:dev.fn is absent or is not
 * a bridge. `ctx` is the caller's (ECAM mapping, a test's fake topology). */
typedef int (*dmar_read_bus_fn)(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn);

/* Resolves a device scope to the bus/device/function of its target
 * (bdf = bus << 8 | device << 3 | function), following bridges: for each
 * path element but the last, read_secondary_bus gives the bus the next
 * element is on. A one-element path needs no callback (it may be NULL).
 * Returns 0, or -1 if a bridge on the path is absent or the path is
 * invalid. Works for every scope type: for an I/O APIC or HPET it gives
 * the source-id its interrupts carry. */
int dmar_scope_bdf(const struct dmar_scope *s, dmar_read_bus_fn read_secondary_bus, void *ctx,
                   uint16_t *bdf);

/* The unit that translates DMA from segment:bdf, or NULL if none does.
 * In order of precedence:
 *  1. a unit of that segment with a scope that resolves to bdf itself
 *     (an endpoint, a bridge's own function, an I/O APIC, ...);
 *  2. a unit with a sub-hierarchy (bridge) scope whose bus range
 *     [secondary, subordinate] contains bdf's bus; if nested bridges are
 *     named by several units, the narrowest range wins;
 *  3. the segment's INCLUDE_PCI_ALL unit.
 * A scope whose path cannot be resolved (bridge absent) matches nothing.
 * read_subordinate_bus is only called for sub-hierarchy scopes. */
const struct dmar_unit *dmar_unit_for(const struct dmar_info *info, uint16_t segment,
                                      uint16_t bdf, dmar_read_bus_fn read_secondary_bus,
                                      dmar_read_bus_fn read_subordinate_bus, void *ctx);

/* "DRHD", "RMRR", ... or "unknown" for a remapping structure type. */
const char *dmar_type_name(uint16_t type);

#endif
