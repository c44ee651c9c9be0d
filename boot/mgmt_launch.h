/* Runs in UEFI boot services: lays out the management partition before
 * onestone starts (see mgmt_launch.c). */
#ifndef BOOT_MGMT_LAUNCH_H
#define BOOT_MGMT_LAUNCH_H

#include <efi.h>
#include "boot/mgmt_platform.h"
#include "onestone/plan.h"

/* Chooses the partition's CPUs (the last ones in MADT order), allocates
 * and fills its memory (kernel, boot parameters, GDT, page tables,
 * pristine copy), quiets its devices and hides all of it from the primary
 * (plan->protected_ranges). Needs plan->cpus. 0, or -1 with the reason
 * logged; on failure nothing stays allocated. */
int mgmt_prepare(EFI_HANDLE image, const struct mgmt_config *m,
                 const struct platform_facts *facts, const unsigned resolved[],
                 struct hv_plan *plan);
/* Frees what mgmt_prepare allocated (onestone did not start). */
void mgmt_undo(const struct hv_plan *plan);
/* The TSC rate, measured against the firmware's Stall (kHz). */
UINT64 mgmt_measure_tsc_khz(void);

#endif
