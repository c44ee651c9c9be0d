/* Shared (VMX root, host unit tests): what a guest sees for each CPUID
 * leaf, given the native result. Pure, so its rules are unit-tested. */
#ifndef HV_CPUID_POLICY_H
#define HV_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/io.h"

struct cpuid_policy {
    bool hide_hypervisor;
    bool rdtscp_enabled, invpcid_enabled, xsaves_enabled;
    uint32_t cpu_index, cpu_count;
    uint64_t exits, cycles;
};

/* Returns true when the leaf was answered by the policy; `out` starts as
 * the native result. Leaves 0x4000_0003 (stats dump) are handled by the
 * caller, which owns the side effect. */
void cpuid_apply_policy(const struct cpuid_policy *p, uint32_t leaf, uint32_t subleaf,
                        struct cpuid_regs *out);

/* False for leaves the policy passes through unchanged (the fast path);
 * inline because it runs on every CPUID exit. */
static inline bool cpuid_policy_touches(uint32_t leaf)
{
    return leaf == 1 || leaf == 7 || leaf == 0xD || leaf == 0x80000001 ||
           (leaf >= 0x40000000u && leaf <= 0x4FFFFFFFu);
}

#endif
