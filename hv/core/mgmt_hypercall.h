/* Runs in VMX root: the management partition's hypercalls
 * (include/onestone/mgmt_abi.h), independent of how the call arrived.
 * Every buffer is checked to lie inside the caller's own memory; a bad
 * call gets an error code. Counters are read from memory onestone owns:
 * no other CPU is interrupted. */
#ifndef HV_CORE_MGMT_HYPERCALL_H
#define HV_CORE_MGMT_HYPERCALL_H

#include <stdint.h>
#include "hv/core/partition.h"

int64_t mgmt_hypercall(struct partition *caller, uint64_t fn, uint64_t buf_gpa, uint64_t size);

/* TSC at onestone's start (hv_prepare), for uptime */
extern uint64_t hv_start_tsc;

#endif
