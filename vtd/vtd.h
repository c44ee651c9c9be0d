/* Shared (boot services, VMX root, EFI test programs): one VT-d remapping
 * unit as onestone drives it: bring-up with capability checks, root and
 * context tables, one second-level page table per domain (the page-table
 * engine of hv/core/pgtable.c), invalidation and fault recording. */
#ifndef VTD_VTD_H
#define VTD_VTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hv/core/pgtable.h"
#include "vtd/regs.h"

#define VTD_IQ_ENTRIES 256
#define VTD_MAX_FAULT_DEVICES 32
#define VTD_LAST_FAULTS 4

struct vtd_domain {
    uint16_t id;                        /* never 0: reserved with caching mode */
    struct pgtable pt;
};

struct vtd_fault {
    uint16_t source_id;                 /* bus << 8 | dev << 3 | fn */
    uint8_t reason;
    bool is_read;
    uint64_t address;
};

struct vtd_unit {
    volatile uint8_t *regs;
    uint64_t base;
    uint64_t cap, ecap;
    unsigned levels;                    /* 3 (39-bit) or 4 (48-bit) walks */
    bool queued_invalidation;
    bool coherent;                      /* ECAP.C: no cache flush of tables needed */
    const struct pgtable_allocator *alloc;
    struct vtd_root_entry *root;
    uint64_t root_pa;
    struct vtd_inv_desc *iq;
    uint64_t iq_pa;
    unsigned iq_tail;
    volatile uint32_t *wait_status;
    struct vtd_irte *irt;               /* interrupt remapping table, NULL if off */
    uint64_t wait_status_pa;
    /* faults, counted per source device */
    uint64_t faults_total, faults_overflow;
    unsigned fault_device_count;
    struct { uint16_t source_id; uint64_t count; } fault_devices[VTD_MAX_FAULT_DEVICES];
    /* the last VTD_LAST_FAULTS faults (oldest overwritten), for the console */
    struct vtd_fault last_faults[VTD_LAST_FAULTS];
    uint64_t last_fault_tsc[VTD_LAST_FAULTS];
};

/* Maps a unit's registers (identity-mapped), reads CAP/ECAP and checks
 * what onestone needs; returns 0, or -1 with the missing feature named. */
int vtd_unit_probe(struct vtd_unit *u, uint64_t base, const struct pgtable_allocator *alloc,
                   char *err, size_t err_cap);
/* Allocates the (empty) root table, so context entries can be written
 * before translation is turned on. */
int vtd_unit_prepare(struct vtd_unit *u);
/* Root table (allocated if vtd_unit_prepare was not called), SRTP, global
 * invalidation, queued invalidation (when the unit has it), translation
 * on. Devices without a context entry are blocked. */
int vtd_unit_enable(struct vtd_unit *u, char *err, size_t err_cap);
void vtd_unit_disable(struct vtd_unit *u);

int vtd_domain_init(struct vtd_unit *u, struct vtd_domain *d, uint16_t id);
/* Identity-maps [start, end) read-write in the domain. */
int vtd_domain_map_identity(struct vtd_unit *u, struct vtd_domain *d, uint64_t start, uint64_t end);
int vtd_domain_set(struct vtd_unit *u, struct vtd_domain *d, uint64_t iova, uint64_t pa,
                   uint64_t attrs);
/* Maps [iova, iova + len) read-write to [pa, pa + len) in the domain. */
int vtd_domain_map(struct vtd_unit *u, struct vtd_domain *d, uint64_t iova, uint64_t pa,
                   uint64_t len);

/* Puts bus:devfn in the domain (context entry present) or blocks it. */
int vtd_assign(struct vtd_unit *u, uint8_t bus, uint8_t devfn, const struct vtd_domain *d);
int vtd_block(struct vtd_unit *u, uint8_t bus, uint8_t devfn);
/* Writes the context entry only, for tables that are not live yet (before
 * vtd_unit_enable, whose invalidation covers them). */
int vtd_assign_deferred(struct vtd_unit *u, uint8_t bus, uint8_t devfn, const struct vtd_domain *d);
/* Moves a device to another domain with its bus mastering off until the
 * new context entry is in place and invalidated (segment 0, drivers/pci.c);
 * on failure mastering stays off. */
int vtd_reassign(struct vtd_unit *u, uint8_t bus, uint8_t devfn, const struct vtd_domain *d);

/* Global context-cache and IOTLB invalidation: queued (with a wait
 * descriptor and a timeout) when enabled, register-based otherwise.
 * Returns 0, or -1 on a timeout or an invalidation-queue error. */
int vtd_invalidate_all(struct vtd_unit *u);

/* GSTS_REG: which of TE, QIES, IRES, CFIS, ... are in effect. */
uint32_t vtd_global_status(struct vtd_unit *u);

/* Interrupt-entry-cache invalidation (global), queued only. */
int vtd_invalidate_iec(struct vtd_unit *u);

/* Interrupt remapping: table on, compatibility format blocked. */
int vtd_ir_enable(struct vtd_unit *u, char *err, size_t err_cap);
/* Lets `source_id` send `vector` to the xAPIC `dest_apic_id` through
 * remappable-format handle `index`; every other handle stays blocked. */
int vtd_ir_set(struct vtd_unit *u, unsigned index, uint8_t vector, uint8_t dest_apic_id,
               uint16_t source_id);
int vtd_ir_clear(struct vtd_unit *u, unsigned index);

/* Decodes, logs, counts and clears every pending fault record (including
 * overflow); calls fn for each (may be NULL). Returns the records taken. */
unsigned vtd_fault_poll(struct vtd_unit *u, void (*fn)(void *ctx, const struct vtd_fault *f),
                        void *ctx);
const char *vtd_fault_reason_name(uint8_t reason);
/* Polls until a fault is recorded (about a second at most); the last one
 * taken goes to *out. */
bool vtd_fault_wait(struct vtd_unit *u, struct vtd_fault *out);

#endif
