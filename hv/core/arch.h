/* Runs in VMX root: what the generic core (hv/core/) asks of the
 * architecture backend (hv/vmx/ today; an SVM backend would provide the
 * same), so the core never includes a VMX header. */
#ifndef HV_CORE_ARCH_H
#define HV_CORE_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include "onestone/plan.h"

/* The plan boot handed over (set by the backend's hv_prepare). */
extern struct hv_plan *hv_plan;

/* TSC ticks per millisecond as boot measured them (a 1 GHz guess when it
 * could not: only delays and rate limits depend on it) */
static inline uint64_t hv_tsc_per_ms(void)
{
    return hv_plan->tsc_khz ? hv_plan->tsc_khz : 1000000;
}

/* Exits CPU `index` has taken so far, and the TSC ticks spent on them,
 * from memory onestone owns (no other CPU is interrupted). */
uint64_t arch_cpu_exits(uint32_t index);
uint64_t arch_cpu_exit_ticks(uint32_t index);

/* The same by exit reason, with the reasons' names (NULL: none), for the
 * console's `stats`. */
unsigned arch_exit_reason_count(void);
const char *arch_exit_reason_name(unsigned reason);
uint64_t arch_cpu_exits_by_reason(uint32_t index, unsigned reason);

/* The partition CPU `index` runs. */
struct partition *arch_cpu_partition(uint32_t index);

/* What the virtualization extensions are ("VT-x with EPT"). */
const char *arch_name(void);

/* The console's `iommu`: units, domains, fault counts and the last
 * faults, in text or (json) as one JSON object per line. */
struct text_out;
void arch_iommu_report(struct text_out *o, bool json);

#endif
