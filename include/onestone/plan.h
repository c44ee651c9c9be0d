/* Shared header (boot services -> VMX root): the one structure that carries
 * everything the boot side learned to the hypervisor. It lives inside
 * onestone's reserved memory and holds values only, no pointers into the
 * boot image, because the hypervisor runs from a relocated copy. */
#ifndef ONESTONE_PLAN_H
#define ONESTONE_PLAN_H

#include <stdint.h>
#include "onestone/config.h"
#include "hv/memrange.h"
#include "hv/mtrr.h"
#include "hv/vmx_caps.h"
#include "vtd/vtd.h"

#define PLAN_MAX_CPUS 64

struct plan_cpu {
    uint32_t apic_id;
    uint32_t is_bsp;
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

    /* VT-d units translating for the primary partition (iommu = required),
     * copied after setup so VMX root can poll their fault records; no
     * pointer in them is used there but the register base. */
    uint32_t vtd_unit_count;
    struct vtd_unit vtd_units[8];
};

#define PLAN_MAGIC 0x4e414c5048534f31ull    /* "1OSHPLAN" */

/* Entry points of the relocated hypervisor image (hv/entry.c). All take
 * SysV arguments; boot/ calls them through pointers adjusted by the
 * relocation delta. */
typedef int (*hv_prepare_fn)(struct hv_plan *plan);
/* Launches the calling CPU: on success the CPU continues at resume_rip with
 * resume_rsp as a guest and the call appears to return 0 there (see
 * boot/launch_thunk.S); returns a negative error otherwise. */
typedef int (*hv_launch_fn)(uint64_t cpu_index, uint64_t resume_rsp, uint64_t resume_rip);

#endif
