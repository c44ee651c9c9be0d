/* Runs in the management partition: its CPUs. The boot CPU (index 0)
 * serves the network, the API and checkpoints; every other CPU of the
 * partition runs jobs (jobs_worker). Under onestone the partition's CPUs
 * are started by onestone at mgmt_entry64 (mgmt_abi.h); standalone, the
 * partition finds them in the ACPI MADT and starts them itself with
 * INIT-SIPI-SIPI through ap_trampoline.S. */
#ifndef MGMT_SMP_H
#define MGMT_SMP_H

/* where the AP start-up code is copied: below 1 MiB, page aligned */
#define AP_TRAMPOLINE_BASE 0x8000

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
#include "onestone/mgmt_abi.h"

/* Standalone: fills cpu_count and cpu_apic_ids from the ACPI MADT (the boot
 * CPU first); one CPU when there is no usable MADT, with a log line. */
void smp_discover(struct mgmt_boot_params *p);
/* Standalone: starts every CPU of the parameters but the boot CPU and
 * waits for each; logs the ones that did not come up. */
void smp_start_cpus(const struct mgmt_boot_params *p);
/* An AP's life after mgmt_entry64: reports in, waits for the boot CPU to
 * set up the job table, then runs jobs forever. */
void smp_ap_main(unsigned cpu) __attribute__((noreturn));
/* Lets the APs begin computing (the job table is ready). */
void smp_release_aps(void);
bool smp_cpu_online(unsigned cpu);
#endif

#endif
