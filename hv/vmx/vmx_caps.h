/* Shared (boot services, VMX root, host unit tests): decides from raw
 * capability values whether this CPU can run onestone, naming what is
 * missing, and derives the VMCS control words. */
#ifndef HV_VMX_CAPS_H
#define HV_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

struct vmx_cpu_facts {
    uint32_t cpuid1_ecx;
    uint64_t feature_control;     /* after onestone tried to enable and lock it */
    uint64_t basic;
    uint64_t pin, proc, proc2, exit, entry;   /* TRUE_* MSRs where VMX_BASIC[55] */
    uint64_t misc;
    uint64_t ept_vpid;
};

struct vmx_controls {
    uint32_t pin, proc, proc2, exit, entry;
};

/* NULL when every feature onestone needs is there; otherwise a static
 * string naming the first missing one, e.g. "EPT (secondary control 1)". */
const char *vmx_missing_feature(const struct vmx_cpu_facts *f);

/* Control value with `wanted` bits set and every must-be-one bit of the
 * capability MSR (allowed-0 settings in bits 31:0, allowed-1 in 63:32). */
uint32_t vmx_adjust_controls(uint64_t cap_msr, uint32_t wanted);

bool vmx_control_allowed(uint64_t cap_msr, uint32_t bit);

/* The controls onestone runs every CPU with (see hv/vmx/vmcs_setup.c): only what
 * an unmodified OS needs intercepted; optional secondary controls that the
 * CPU's CPUID advertises (RDTSCP, INVPCID, XSAVES) are enabled when VMX
 * allows them so the guest keeps those instructions. */
void vmx_choose_controls(const struct vmx_cpu_facts *f, bool rdtscp,
                         bool invpcid, bool xsaves, struct vmx_controls *out);

#endif
