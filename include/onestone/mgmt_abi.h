/* Shared header (VMX root, the management partition, host tools): how the
 * management partition is entered and what it may ask onestone.
 *
 * Entry contract (64-bit). Whoever starts the partition (onestone, or the
 * multiboot shim in guest/mgmt/boot32.S when QEMU boots mgmt.elf directly)
 * enters `mgmt_entry64` on the boot CPU with:
 *   - long mode, CPL 0, paging on; every byte of [mem_base, mem_base +
 *     mem_size) and the NIC's MMIO BAR identity-mapped write-back
 *     (the BAR uncached), CS a 64-bit code segment, DS/ES/SS flat data;
 *   - interrupts off (RFLAGS.IF = 0), no IDT assumed (the partition loads
 *     its own GDT and IDT first);
 *   - RDI = physical address of a struct mgmt_boot_params inside
 *     [mem_base, mem_base + mem_size); RSP = any usable stack (the partition
 *     switches to its own stack at once);
 *   - SSE is not assumed: the partition enables it itself.
 * The other CPUs listed in cpu_apic_ids are not started by the entry; they
 * are the partition's to start (INIT-SIPI) or, under onestone, are started
 * by onestone at the same entry with RDI = the same params and
 * RSI = their index in cpu_apic_ids (the boot CPU gets RSI = 0).
 *
 * Under onestone the partition's physical address space starts at 0:
 * mem_base is 0, the image sits where its ELF segments say, and onestone
 * puts the boot parameters, a GDT, the initial page tables and the entry
 * stack in [0x1000, 0x10000), below the image (which the ELF check keeps
 * at 1 MiB or above). Nothing else is mapped but the NIC's BARs, at their
 * machine addresses; any other access stops the partition.
 */
#ifndef ONESTONE_MGMT_ABI_H
#define ONESTONE_MGMT_ABI_H

#include <stdint.h>

/* partition addresses [MGMT_BOOT_AREA_START, MGMT_BOOT_AREA_END) are
 * onestone's boot structures (see above); the image loads above them */
#define MGMT_BOOT_AREA_START   0x1000u
#define MGMT_BOOT_AREA_END     0x10000u

#define MGMT_BOOT_MAGIC        0x746f6f4267746d4full   /* "OmgtBoot" */
#define MGMT_BOOT_VERSION      2u
#define MGMT_MAX_CPUS          8u
#define MGMT_TOKEN_MAX         64u    /* bytes, printable ASCII, NUL-terminated */
#define MGMT_URL_MAX           128u

/* how the partition's network address is set */
#define MGMT_NET_DHCP          0u
#define MGMT_NET_STATIC        1u

/* who started the partition */
#define MGMT_HOST_STANDALONE   0u   /* no hypervisor: booted directly */
#define MGMT_HOST_ONESTONE     1u   /* a partition of onestone */

struct mgmt_boot_params {
    uint64_t magic;                 /* MGMT_BOOT_MAGIC */
    uint32_t version;               /* MGMT_BOOT_VERSION */
    uint32_t host;                  /* MGMT_HOST_* */
    uint64_t mem_base;              /* the partition's RAM, physical */
    uint64_t mem_size;
    /* memory that survives a restart of the partition: job checkpoints.
     * Inside [mem_base, mem_base + mem_size); 0 size means none. */
    uint64_t ckpt_base;
    uint64_t ckpt_size;
    uint64_t tsc_khz;               /* 0: the partition calibrates it */
    uint32_t cpu_count;             /* entries used in cpu_apic_ids */
    uint32_t cpu_apic_ids[MGMT_MAX_CPUS];
    /* the NIC (an e1000 82540EM or compatible): PCI address on segment 0 */
    uint8_t  nic_bus, nic_dev, nic_fn, nic_pad;
    uint32_t net_mode;              /* MGMT_NET_* */
    uint32_t ipv4_addr;             /* static mode, network byte order */
    uint32_t ipv4_netmask;
    uint32_t ipv4_gateway;
    uint16_t api_port;              /* TCP port of the management API */
    uint16_t pad2;
    char     api_token[MGMT_TOKEN_MAX];     /* bearer token; never empty */
    char     project_url[MGMT_URL_MAX];     /* work-unit server, "" = none */
    /* what to add to a partition-physical address to get the bus address a
     * device's DMA must use: 0 when addresses are the machine's (standalone)
     * or an IOMMU translates for the partition, the machine address of
     * partition address 0 under onestone without one (version 2) */
    uint64_t dma_offset;
    uint32_t restarts;              /* times onestone restarted the partition */
    uint32_t test_mode;             /* MGMT_TEST_*: tests only, 0 otherwise */
};
_Static_assert(sizeof(struct mgmt_boot_params) == 328, "boot params layout is ABI");

/* onestone.conf [mgmt] `test =`: the partition misbehaves on purpose */
#define MGMT_TEST_NONE         0u
#define MGMT_TEST_CRASH        1u   /* triple-faults once, mid-job (first run) */
#define MGMT_TEST_ATTACK       2u   /* run k: attack k (mgmt/testfault.c) */
/* MGMT_TEST_CRASH also hangs once, on the run after the crash, mid-job:
 * no more heartbeats, no exits (the watchdog's case) */

/* Hypercalls from the management partition: VMCALL at CPL 0 with
 * RAX = function, RDI = guest-physical address of the argument buffer
 * (inside the partition's memory), RSI = its size in bytes. Returns
 * RAX = 0 or a negative MGMT_HC_E* code. Only the management partition may
 * call these; from any other partition VMCALL stays #UD. A partition can
 * tell onestone is there from CPUID leaf 0x40000000 (see hvabi.h). */
#define MGMT_HC_BASE           0x6f6e657300000100ull   /* ONESTONE_HC_MAGIC | 0x100 */
#define MGMT_HC_STATUS         (MGMT_HC_BASE | 1)   /* fills struct mgmt_hc_status */
#define MGMT_HC_COUNTERS       (MGMT_HC_BASE | 2)   /* fills struct mgmt_hc_counters */
#define MGMT_HC_FAULTS         (MGMT_HC_BASE | 3)   /* fills struct mgmt_hc_faults */
#define MGMT_HC_CONTROL        (MGMT_HC_BASE | 4)   /* reads struct mgmt_hc_control */
/* RDI/RSI: one log line (printable ASCII, at most MGMT_LOG_MAX bytes, no
 * line end needed); onestone prints it tagged "mgmt: ", rate-limited */
#define MGMT_HC_LOG            (MGMT_HC_BASE | 5)
#define MGMT_LOG_MAX           240u
/* No buffer (RDI, RSI ignored): the partition is alive. A partition that
 * makes no HEARTBEAT call for MGMT_WATCHDOG_MS (from its start, then from
 * its last call) is stopped and restarted like one that crashed. */
#define MGMT_HC_HEARTBEAT      (MGMT_HC_BASE | 6)
#define MGMT_WATCHDOG_MS       10000u
/* HEARTBEAT may carry a struct mgmt_hc_heartbeat (RDI, RSI = its size):
 * the partition reports its compute state, and onestone answers in the
 * same buffer with what its console asked (MGMT_REQ_*), once. */
#define MGMT_REQ_NONE           0u
#define MGMT_REQ_COMPUTE_PAUSE  1u
#define MGMT_REQ_COMPUTE_RESUME 2u
struct mgmt_hc_heartbeat {
    uint32_t compute_paused;        /* in: 1 when paused */
    uint32_t compute_cpus;          /* in: the CPU cap, 0 = none */
    uint32_t jobs_running, jobs_queued, jobs_done;     /* in */
    uint32_t request;               /* out: MGMT_REQ_* */
};
_Static_assert(sizeof(struct mgmt_hc_heartbeat) == 24, "hypercall layout is ABI");
/* RDI: a struct mgmt_hc_log_read, RSI its size (at least the header):
 * onestone fills text with the lines of its log ring numbered `since` or
 * later, oldest first, each "SEQ TSC CPU TEXT\n" (CPU 65535: not a CPU's),
 * as many whole lines as fit, and says which it gave. */
#define MGMT_HC_LOG_READ       (MGMT_HC_BASE | 7)
struct mgmt_hc_log_read {
    uint64_t since;                 /* in */
    uint64_t first_seq;             /* out: the oldest line the ring holds */
    uint64_t next_seq;              /* out: the number the next line will get */
    uint64_t resume_seq;            /* out: ask from here next time */
    uint32_t lines, bytes;          /* out: in text */
    char text[];
};
_Static_assert(sizeof(struct mgmt_hc_log_read) == 40, "hypercall layout is ABI");
#define MGMT_LOG_READ_MAX      (64u * 1024u)      /* RSI at most */
/* RDI: a struct mgmt_hc_devices, RSI its size: onestone's view of every
 * PCI function of segment 0 (the primary's included, which the partition
 * cannot see itself): owner and interrupt delivery as each function's
 * configuration space says now. */
#define MGMT_HC_DEVICES        (MGMT_HC_BASE | 8)
#define MGMT_DEVICES_MAX       64u
#define MGMT_OWNER_PRIMARY     0u
#define MGMT_OWNER_MGMT        1u
#define MGMT_IRQ_NONE          0u      /* no interrupt pin, no MSI enabled */
#define MGMT_IRQ_INTX          1u      /* a line-based interrupt (pin, line) */
#define MGMT_IRQ_INTX_DISABLED 2u      /* a pin, but Command.INTx Disable set and no MSI */
#define MGMT_IRQ_MSI           3u
#define MGMT_IRQ_MSIX          4u
struct mgmt_hc_device {
    uint8_t bus, dev, fn, owner;    /* MGMT_OWNER_* */
    uint16_t vendor, device;
    uint32_t class_code;            /* class, subclass, programming interface */
    uint8_t irq_mode;               /* MGMT_IRQ_* */
    uint8_t intx_pin;               /* 1-4 = INTA-INTD, 0 = none (config 0x3D) */
    uint8_t intx_line;              /* config 0x3C as the firmware or OS wrote it; 0xFF unknown */
    uint8_t intx_sharers;           /* MGMT_IRQ_INTX: how many other functions use that line */
};
_Static_assert(sizeof(struct mgmt_hc_device) == 16, "hypercall layout is ABI");
struct mgmt_hc_devices {
    uint32_t count;                 /* out: entries filled */
    uint32_t total;                 /* out: functions onestone found (count if <= MGMT_DEVICES_MAX) */
    struct mgmt_hc_device d[MGMT_DEVICES_MAX];
};
_Static_assert(sizeof(struct mgmt_hc_devices) == 8 + 16 * MGMT_DEVICES_MAX, "hypercall layout is ABI");

#define MGMT_HC_EINVAL         (-22)   /* bad function, buffer or request */
#define MGMT_HC_EPERM          (-1)    /* not allowed for this partition */

#define MGMT_MAX_PARTITIONS    4u

struct mgmt_hc_partition {
    char     name[16];              /* "primary", "mgmt" */
    uint32_t cpu_count;
    uint32_t state;                 /* 0 stopped, 1 running, 2 failed */
    uint64_t mem_bytes;
};
_Static_assert(sizeof(struct mgmt_hc_partition) == 32, "hypercall layout is ABI");

struct mgmt_hc_status {
    uint32_t abi_version;           /* ONESTONE_ABI_VERSION */
    uint32_t partition_count;
    uint64_t uptime_tsc;            /* TSC ticks since onestone started */
    uint64_t tsc_khz;
    struct mgmt_hc_partition partitions[MGMT_MAX_PARTITIONS];
};
_Static_assert(sizeof(struct mgmt_hc_status) == 24 + 32 * 4, "hypercall layout is ABI");

struct mgmt_hc_counters {
    uint32_t cpu_count;
    uint32_t pad;
    uint64_t exits[MGMT_MAX_CPUS];       /* VM exits per CPU */
    uint64_t exit_ticks[MGMT_MAX_CPUS];  /* TSC ticks spent in them */
};
_Static_assert(sizeof(struct mgmt_hc_counters) == 8 + 16 * 8, "hypercall layout is ABI");

struct mgmt_hc_faults {
    uint64_t total;                 /* VT-d faults recorded since start */
    uint64_t overflows;             /* fault-record overflows seen */
    uint32_t recent_count;          /* entries used in recent[] */
    uint32_t pad;
    struct {
        uint16_t source_id;         /* requester BDF */
        uint8_t  reason;            /* VT-d fault reason code */
        uint8_t  is_write;
        uint32_t pad;
        uint64_t address;
    } recent[8];
};
_Static_assert(sizeof(struct mgmt_hc_faults) == 24 + 16 * 8, "hypercall layout is ABI");

#define MGMT_CONTROL_RESTART_SELF  1u   /* restart the management partition */
struct mgmt_hc_control {
    uint32_t request;               /* MGMT_CONTROL_* */
    uint32_t arg;
};
_Static_assert(sizeof(struct mgmt_hc_control) == 8, "hypercall layout is ABI");

#endif
