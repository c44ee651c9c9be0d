/* Runs in VMX root: per-CPU state, reached through the host GS base (set
 * from the VMCS on every exit), and the guest register frame that
 * hv/vmx/vmx_entry.S builds on the host stack. */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/vmx.h"
#include "arch/x86.h"
#include "onestone/plan.h"
#include "hv/x86/cpuid_policy.h"
#include "hv/core/partition.h"
#include "hv/core/arch.h"

/* General registers in architectural order (RAX=0 ... R15=15). Slot 4
 * (RSP) is a placeholder: the guest RSP lives in the VMCS. */
struct guest_regs {
    uint64_t gpr[16];
};
_Static_assert(sizeof(struct guest_regs) == 128, "vmx_entry.S pushes 16 registers");

enum { GPR_RAX = 0, GPR_RCX = 1, GPR_RDX = 2, GPR_RBX = 3, GPR_RSP = 4 };

#define HOST_STACK_SIZE (16 * 1024)

struct host_gdt {
    uint64_t null, code64, data, tss_low, tss_high;
};
#define HOST_CS_SEL  0x08
#define HOST_DS_SEL  0x10
#define HOST_TSS_SEL 0x18

struct percpu {
    struct percpu *self;            /* at offset 0: read with %gs:0 */
    /* at offset 8 (hv/vmx/vmx_entry.S): enter the current VMCS with VMLAUNCH,
     * not VMRESUME (a VMCS loaded for the first time, hv/vmx/exits/exit_loan.c) */
    uint64_t launch_next;
    uint32_t index;
    uint32_t apic_id;
    bool is_bsp;
    bool launched;
    uint16_t vpid;
    struct partition *part;         /* the partition this CPU runs */
    uint32_t part_index;            /* its index among that partition's CPUs */
    uint32_t pci_cf8;               /* the guest's 0xCF8 latch (hv/core/pci_cfg.h) */

    uint64_t vmxon_pa, vmcs_pa;
    uint64_t host_stack_top;
    struct host_gdt gdt __attribute__((aligned(16)));
    struct tss64 tss __attribute__((aligned(16)));

    /* the guest's CPUID view, fixed at launch (counters filled on demand) */
    struct cpuid_policy cpuid_policy;

    /* guest control-register bookkeeping */
    uint64_t cr0_must_be_one, cr0_may_be_one;   /* for the actual CR0 */
    uint64_t cr4_must_be_one, cr4_may_be_one;

    /* start-up IPI mailbox: 0 idle, 1 waiting after INIT, 2+vector delivered */
    volatile uint32_t sipi_state;
    volatile bool init_pending;     /* INIT routed by onestone, NMI kick sent */

    /* event to re-deliver: NMI taken while in VMX root */
    volatile bool nmi_pending;
    bool event_injected;            /* a handler already set entry intr info */

    /* statistics */
    uint64_t exits[EXIT_REASON_MAX];
    uint64_t cycles[EXIT_REASON_MAX];
    uint64_t exits_other, cycles_other;     /* reasons beyond the table */
    uint64_t protected_accesses;
    uint64_t ipis_dropped;
    uint64_t events_dropped;        /* interrupts, NMIs, INITs not for this partition */

    /* a management CPU lent to the primary's firmware (hv/vmx/exits/exit_loan.c) */
    uint64_t loan_vmcs_pa;
    bool loan_launched, on_loan;
    volatile bool loan_pending;
    uint64_t loan_start_tsc, loans;
    struct guest_regs saved_regs;   /* the partition's, during a loan */
};
_Static_assert(__builtin_offsetof(struct percpu, launch_next) == 8, "hv/vmx/vmx_entry.S uses %gs:8");

/* Totals over all reasons, summed on demand (keeps the exit path short). */
static inline uint64_t percpu_exits_total(const struct percpu *c)
{
    uint64_t n = c->exits_other;
    for (unsigned r = 0; r < EXIT_REASON_MAX; r++)
        n += c->exits[r];
    return n;
}

static inline uint64_t percpu_cycles_total(const struct percpu *c)
{
    uint64_t n = c->cycles_other;
    for (unsigned r = 0; r < EXIT_REASON_MAX; r++)
        n += c->cycles[r];
    return n;
}

static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

/* The hypervisor's global state (hv/vmx/entry.c; hv_plan in
 * hv/core/arch.h). */
extern struct percpu *hv_cpus;      /* array of plan->cpu_count */
extern bool hv_log_every_exit;      /* log_level = debug */

#endif
