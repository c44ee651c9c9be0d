/* Shared (VMX root, host unit tests): what becomes of an IPI a guest
 * writes to its local APIC's interrupt command register, through the
 * x2APIC ICR MSR (WRMSR exit) or the emulated xAPIC page. Only IPIs
 * onestone allows reach the hardware:
 *   - x2APIC: reserved ICR bits raise #GP, as the hardware does;
 *   - SMI and the reserved delivery modes (3, 7) are dropped: SMM belongs
 *     to the firmware, not to one partition;
 *   - fixed, lowest-priority and NMI IPIs go to the hardware when every
 *     CPU they can reach belongs to the sender's partition, else dropped;
 *   - INIT and start-up IPIs are onestone's to route (hv/vmx/lapic_emul.c),
 *     under the same destination rule, except broadcasts, which onestone
 *     routes to the sender's own partition's CPUs.
 * Pure function of the values given. */
#ifndef HV_IPI_POLICY_H
#define HV_IPI_POLICY_H

#include <stdbool.h>
#include <stdint.h>

enum ipi_action {
    IPI_SEND,       /* to the hardware (x2APIC: with the busy bit cleared) */
    IPI_STARTUP,    /* INIT or start-up IPI: routed by onestone */
    IPI_DROP,       /* reaches nobody; *why says why */
    IPI_FAULT,      /* #GP in the guest; *why says why */
};

/* the CPUs of the sender's partition */
struct ipi_scope {
    const uint32_t *apic_ids;
    unsigned count;
    bool whole_machine;     /* they are every CPU of the machine */
};

enum ipi_action ipi_decide(uint32_t icr_low, uint32_t dest, bool x2apic,
                           const struct ipi_scope *scope, const char **why);

#endif
