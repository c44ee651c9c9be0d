/* Runs in VMX root (and host unit tests for the pure parts): the partition
 * model. A partition is a set of CPUs with one guest-physical address
 * space (its second-stage translation: EPT on VT-x), one DMA domain, the
 * PCI functions it owns or must not see, and an exit policy. Each CPU
 * points at its partition; exit handlers decide by it. Two kinds today:
 * the primary (the firmware and its OS: identity map minus what is
 * hidden) and the management partition (a kernel onestone loads, seeing
 * only its own memory and devices). A new kind is a new loader plus an
 * exit policy, not a rewrite: nothing here knows about VMX. */
#ifndef HV_CORE_PARTITION_H
#define HV_CORE_PARTITION_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/core/pgtable.h"
#include "onestone/config.h"
#include "onestone/mgmt_abi.h"

#define HV_PARTITIONS_MAX 4
#define PARTITION_CONCEALED_PORTS_MAX 16

enum partition_kind { PARTITION_PRIMARY, PARTITION_MGMT };
/* the values of struct mgmt_hc_partition.state */
enum partition_state { PARTITION_STOPPED = 0, PARTITION_RUNNING = 1, PARTITION_FAILED = 2 };
enum partition_request { PARTITION_REQ_NONE, PARTITION_REQ_STOP, PARTITION_REQ_START,
                         PARTITION_REQ_RESTART };

struct partition {
    enum partition_kind kind;
    const char *name;
    volatile enum partition_state state;
    uint32_t cpu_count;
    uint64_t mem_bytes;             /* RAM it owns (primary: 0, "the rest") */
    /* partition address 0 is machine address mem_hpa (mgmt); the primary
     * is identity-mapped */
    uint64_t mem_hpa;
    /* second-stage translation: the arch's table and its root pointer */
    struct pgtable *gpa_map;
    uint64_t gpa_map_pointer;
    uint64_t msr_bitmap_pa;
    uint64_t io_bitmap_pa[2];       /* 0: no I/O bitmaps */
    /* PCI functions (bus << 8 | dev << 3 | fn on segment 0): the only ones
     * it sees when sees_only_listed, else the ones it must not see */
    bool sees_only_listed;
    unsigned pci_count;
    uint16_t pci_bdf[CONFIG_DEVICES_MAX];
    /* I/O ports of other partitions' functions (their I/O BARs): they trap
     * here, read all-ones and ignore writes */
    unsigned concealed_port_count;
    struct { uint16_t base, size; } concealed_ports[PARTITION_CONCEALED_PORTS_MAX];
    uint64_t concealed_port_accesses;
    /* containment bookkeeping */
    uint64_t violations;            /* accesses stopped */
    uint32_t restarts;
    uint64_t dropped_events;        /* interrupts, NMIs, INITs not its own */
    volatile uint64_t heartbeat_tsc; /* last MGMT_HC_HEARTBEAT, or its start */
    /* what the console asked of it (the backend acts on its next tick) */
    volatile enum partition_request request;
    /* compute, as the partition last reported it (MGMT_HC_HEARTBEAT), and
     * the console's MGMT_REQ_* for its next heartbeat */
    bool compute_known;
    struct mgmt_hc_heartbeat compute;
    uint64_t compute_tsc;
    volatile uint32_t compute_request;
};

extern struct partition hv_partitions[HV_PARTITIONS_MAX];
extern unsigned hv_partition_count;

/* Whether the partition may reach PCI function bdf through configuration
 * space (pure). */
bool partition_sees_pci(const struct partition *p, uint16_t bdf);

/* Whether any of the `size` ports from `port` is concealed from the
 * partition (pure). */
bool partition_port_concealed(const struct partition *p, uint16_t port, unsigned size);

/* [gpa, gpa + len) inside the partition's own RAM (mgmt kind): the machine
 * address, or 0 when any byte lies outside (pure). */
uint64_t partition_ram_to_machine(const struct partition *p, uint64_t gpa, uint64_t len);

/* "stopped", "running", "failed" (pure). */
const char *partition_state_name(enum partition_state s);

/* The management partition, or NULL when none is configured. */
struct partition *partition_mgmt(void);

#endif
