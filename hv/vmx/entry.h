/* Runs in VMX root: hv_prepare / hv_launch (see include/onestone/plan.h)
 * and their error codes. */
#ifndef HV_ENTRY_H
#define HV_ENTRY_H

#include <stdint.h>
#include "onestone/plan.h"
#include "hv/core/pgtable.h"

enum hv_error {
    HV_ENOMEM = 1,
    HV_EINVAL = 2,
    HV_EVMXON = 3,
    HV_EVMCS = 4,
    HV_EVMWRITE = 5,
    HV_ELAUNCH = 6,
};

int hv_prepare(struct hv_plan *plan);
int hv_launch(uint64_t cpu_index, uint64_t resume_rsp, uint64_t resume_rip);
const char *hv_error_name(int err);
int hv_cpu_index_by_apic(uint32_t apic_id);

extern struct pgtable hv_ept;
extern void *hv_sink_page;

#endif
