/* Runs in VMX root: CPUID exits (unconditional in VMX non-root). */
#include "hv/vmx/exits/exits.h"
#include "hv/core/spinlock.h"
#include "hv/x86/cpuid_policy.h"
#include "hv/vmx/vmcs_setup.h"
#include "onestone/hvabi.h"

#define STATS_DUMP_MIN_TICKS (1ull << 24)

static uint64_t last_dump_tsc;
static spinlock_t dump_lock;

static uint32_t try_dump_stats(void)
{
    if (!spin_trylock(&dump_lock))
        return 0;
    uint64_t now = rdtsc();
    uint32_t done = 0;
    if (!last_dump_tsc || now - last_dump_tsc >= STATS_DUMP_MIN_TICKS) {
        last_dump_tsc = now;
        exits_dump_stats();
        done = 1;
    }
    spin_unlock(&dump_lock);
    return done;
}

void handle_cpuid(struct percpu *cpu, struct guest_regs *regs)
{
    uint32_t leaf = (uint32_t)regs->gpr[GPR_RAX];
    uint32_t subleaf = (uint32_t)regs->gpr[GPR_RCX];
    struct cpuid_regs r = cpuid(leaf, subleaf);
    /* most leaves reach the guest unchanged: skip the policy for them */
    if (!cpuid_policy_touches(leaf)) {
        regs->gpr[GPR_RAX] = r.eax;
        regs->gpr[GPR_RBX] = r.ebx;
        regs->gpr[GPR_RCX] = r.ecx;
        regs->gpr[GPR_RDX] = r.edx;
        exit_advance_rip();
        return;
    }
    struct cpuid_policy *p = &cpu->cpuid_policy;
    if (leaf == ONESTONE_CPUID_EXIT_COUNT) {
        p->exits = percpu_exits_total(cpu);
        p->cycles = percpu_cycles_total(cpu);
    }
    cpuid_apply_policy(p, leaf, subleaf, &r);
    if (leaf == ONESTONE_CPUID_DUMP_STATS && !p->hide_hypervisor)
        r.eax = try_dump_stats();
    regs->gpr[GPR_RAX] = r.eax;
    regs->gpr[GPR_RBX] = r.ebx;
    regs->gpr[GPR_RCX] = r.ecx;
    regs->gpr[GPR_RDX] = r.edx;
    exit_advance_rip();
}
