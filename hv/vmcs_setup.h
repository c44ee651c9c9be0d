/* Runs in VMX root: fills a CPU's VMCS. The guest state is the CPU's own
 * state at launch, so the firmware continues where it called onestone. */
#ifndef HV_VMCS_SETUP_H
#define HV_VMCS_SETUP_H

#include "hv/percpu.h"

struct launch_context {
    uint64_t resume_rsp, resume_rip, rflags;
};

/* Returns 0 or the VMCS field whose VMWRITE failed (never 0 itself). */
uint64_t vmcs_setup(struct percpu *cpu, const struct launch_context *ctx);

extern uint64_t hv_msr_bitmap_pa, hv_eptp, hv_host_cr3;
extern struct vmx_controls hv_controls;

#endif
