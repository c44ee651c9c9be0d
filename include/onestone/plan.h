/* Shared header (boot services -> VMX root): the one structure that carries
 * everything the boot side learned to the hypervisor. It lives inside
 * onestone's reserved memory and holds values only, no pointers into the
 * boot image, because the hypervisor runs from a relocated copy. */
#ifndef ONESTONE_PLAN_H
#define ONESTONE_PLAN_H

#include <stdint.h>
#include "onestone/config.h"
#include "hv/core/memrange.h"
#include "hv/x86/mtrr.h"
#include "hv/vmx/vmx_caps.h"
#include "vtd/vtd.h"

#define PLAN_MAX_CPUS 64

/* which partition a CPU runs */
#define PLAN_PARTITION_PRIMARY 0u
#define PLAN_PARTITION_MGMT    1u

struct plan_cpu {
    uint32_t apic_id;
    uint32_t is_bsp;
    uint32_t partition;             /* PLAN_PARTITION_* */
    uint32_t mgmt_index;            /* its index in the management partition */
};

#define PLAN_BARS_MAX 6
/* the log lines VMX root keeps in its own memory (hv/core/log_ring.h) */
#define HV_LOG_RING_BYTES (64u * 1024)
struct plan_device {
    uint8_t bus, dev, fn, pad;
    uint32_t bar_count;
    struct { uint64_t base, size; } bars[PLAN_BARS_MAX];   /* memory BARs */
    uint32_t io_bar_count;
    struct { uint16_t base, size; } io_bars[PLAN_BARS_MAX]; /* I/O BARs (ports) */
    uint64_t ecam_page;             /* its configuration space in ECAM, 0: none */
};

/* bus << 8 | dev << 3 | fn, the requester/config-space form */
static inline uint16_t plan_device_bdf(const struct plan_device *d)
{
    return (uint16_t)(d->bus << 8 | d->dev << 3 | d->fn);
}

/* The management partition as boot/mgmt_launch.c laid it out: partition
 * address 0 is machine address mem_hpa, and everything in it (kernel,
 * boot parameters, page tables) is written; pristine_hpa holds a copy of
 * [0, ckpt_base) as loaded, for restarts. */
struct plan_mgmt {
    uint32_t present;
    uint32_t cpu_count;
    uint64_t mem_hpa, mem_size;
    uint64_t ckpt_base, ckpt_size;      /* partition addresses */
    uint64_t pristine_hpa, load_end;    /* pristine copy of [0, load_end) */
    uint64_t entry, params_gpa, gdt_gpa, pt_root_gpa, stack_gpa;
    /* boot side's uint32_t per CPU: 1 when its VMLAUNCH starts, 2 failed */
    uint64_t launch_flags_pa;
    uint32_t device_count;
    struct plan_device devices[CONFIG_DEVICES_MAX];
};

/* How to switch the machine off (ACPI S5), from the FADT and the DSDT's
 * \_S5 package, found at boot */
struct plan_poweroff {
    uint32_t known;
    uint16_t pm1a_cnt, pm1b_cnt;        /* PM1 control ports (b: 0 = none) */
    uint8_t slp_typa, slp_typb;         /* SLP_TYP values for S5 */
    char why[80];                       /* when not known: what was missing */
};

struct hv_plan {
    uint64_t magic;                     /* PLAN_MAGIC */
    struct onestone_config config;

    /* onestone's reservation: [reserved_base, reserved_base + reserved_size)
     * holds the relocated image, this plan and the pool */
    uint64_t reserved_base, reserved_size;
    uint64_t image_base, image_size;    /* relocated copy */
    uint64_t pool_base, pool_end;       /* page pool for tables and per-CPU data */

    uint64_t map_top;                   /* identity maps cover [0, map_top) */
    unsigned phys_addr_bits;
    struct memrange_list protected_ranges;   /* hidden from the primary partition */
    struct mtrr_state mtrr;

    struct vmx_cpu_facts vmx;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    uint32_t cpuid_rdtscp, cpuid_invpcid, cpuid_xsaves, cpuid_xsave;

    uint32_t cpu_count;
    struct plan_cpu cpus[PLAN_MAX_CPUS];
    uint64_t tsc_khz;                   /* measured at boot; 0 = unknown */
    struct plan_mgmt mgmt;
    struct plan_poweroff poweroff;

    /* VT-d units translating for the primary partition (iommu = required),
     * copied after setup so VMX root can poll their fault records; no
     * pointer in them is used there but the register base. */
    uint32_t vtd_unit_count;
    struct vtd_unit vtd_units[8];
};

#define PLAN_MAGIC 0x4e414c5048534f31ull    /* "1OSHPLAN" */

/* Entry points of the relocated hypervisor image (hv/vmx/entry.c). All take
 * SysV arguments; boot/ calls them through pointers adjusted by the
 * relocation delta. */
typedef int (*hv_prepare_fn)(struct hv_plan *plan);
/* Launches the calling CPU: on success the CPU continues at resume_rip with
 * resume_rsp as a guest and the call appears to return 0 there (see
 * boot/launch_thunk.S); returns a negative error otherwise. */
typedef int (*hv_launch_fn)(uint64_t cpu_index, uint64_t resume_rsp, uint64_t resume_rip);

#endif
