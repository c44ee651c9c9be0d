/* Runs in UEFI boot services: the boot side's internal interfaces. */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

#include <efi.h>
#include <efilib.h>
#include "onestone/config.h"
#include "onestone/plan.h"
#include "vtd/dmar.h"

#define ONESTONE_CONF_PATH L"\\EFI\\onestone\\onestone.conf"
#define ONESTONE_CONF_MAX  (64 * 1024)

/* own_volume.c: the whole file PATH (at most MAX bytes) of onestone's own
 * volume, NUL-terminated, in pool memory the caller frees; on failure an
 * error status and *why. */
EFI_STATUS own_volume_read(EFI_HANDLE image, const CHAR16 *path, UINT64 max, char **data,
                           UINTN *len, const char **why);

/* conf_load.c: reads and parses onestone.conf from onestone's own volume.
 * On failure prints why (file, line, message) and returns an error. */
EFI_STATUS conf_load(EFI_HANDLE image, struct onestone_config *out);

/* cpu_facts.c: the calling CPU's VMX facts; enables and locks
 * IA32_FEATURE_CONTROL when the firmware left it unlocked. */
void cpu_facts_collect(struct vmx_cpu_facts *facts);

/* mp.c */
EFI_STATUS mp_init(struct hv_plan *plan);
/* Runs cpu_facts_collect on every AP; returns the first AP's missing
 * feature (and which AP) or NULL. */
const char *mp_check_aps(const struct vmx_cpu_facts *bsp, UINTN *bad_cpu);
/* Launches every AP; returns the number that failed. */
UINTN mp_launch_aps(hv_launch_fn launch, const struct hv_plan *plan);
/* address of the flags a management CPU's launch sets (boot/mp.c) */
UINT64 mp_mgmt_launch_flags(void);
UINTN mp_bsp_index(void);

/* reserve.c: allocates onestone's reserved memory, copies the running
 * image into it and relocates the copy; the plan inside starts as a copy
 * of `facts` with the reservation's own fields filled in. */
struct reservation {
    struct hv_plan *plan;
    UINT64 delta;                   /* copy address - original address */
};
EFI_STATUS reserve_and_copy(EFI_HANDLE image, const struct hv_plan *facts, UINT64 pool_bytes,
                            struct reservation *out);

/* plan_build.c */
void plan_collect_platform(struct hv_plan *plan);
UINT64 plan_pool_bytes(UINT64 map_top, UINT32 cpus, BOOLEAN ept_1g);
UINT64 plan_map_top(unsigned phys_bits);

/* boot_volume.c: the volume the boot target is on (boot_volume =), NULL
 * after logging why none is */
EFI_HANDLE boot_volume_find(EFI_HANDLE image, const struct onestone_config *config);

/* chainload.c: loads and starts the configured boot target; returns only
 * if it could not be started or it returned. */
EFI_STATUS chainload(EFI_HANDLE image, const struct onestone_config *config);

/* iommu_policy.c: NULL if the `iommu` setting lets onestone start, else
 * the reason it must refuse (may point into `why`). */
const char *iommu_policy_check(const struct onestone_config *c, char *why, size_t cap);
/* The DMAR table iommu_policy_check parsed (valid when it returned NULL
 * with iommu = required). */
const struct dmar_info *iommu_dmar(void);

/* iommu_launch.c: VT-d for the launch (nothing with iommu = off) */
EFI_STATUS iommu_reserve(const struct onestone_config *c, const struct hv_plan *plan,
                         uint64_t map_top, struct memrange_list *protected_ranges);
EFI_STATUS iommu_enable_primary(const struct onestone_config *c, struct hv_plan *plan,
                                const struct memrange_list *protected_ranges, uint64_t map_top);
void iommu_undo(void);

/* vtd_selftest.c: `selftest = vtd` (QEMU, no VMX): sets up the primary
 * partition's DMA remapping as onestone will, checks it with the edu
 * device, tears it down and reports. */
void vtd_selftest(void);

/* acpi_install.c: installs a minimal MADT when the firmware has no ACPI */
EFI_STATUS acpi_ensure_madt(const struct hv_plan *plan);

/* launch_thunk.S */
UINT64 launch_thunk(hv_launch_fn fn, UINT64 cpu_index);

/* console.c */
void console_mirror_line(const char *line);

#endif
