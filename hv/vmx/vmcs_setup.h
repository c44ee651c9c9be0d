/* Runs in VMX root: fills a CPU's VMCS. The guest state is the CPU's own
 * state at launch, so the firmware continues where it called onestone. */
#ifndef HV_VMCS_SETUP_H
#define HV_VMCS_SETUP_H

#include "hv/vmx/percpu.h"

struct launch_context {
    uint64_t resume_rsp, resume_rip, rflags;
};

/* Each returns 0 or the VMCS field whose VMWRITE failed (never 0 itself). */
uint64_t vmcs_setup(struct percpu *cpu, const struct launch_context *ctx);
/* The parts every partition's VMCS shares: execution controls `c` with
 * the CPU's partition's EPT, bitmaps and CR masks; the host state. */
uint64_t vmcs_setup_controls(struct percpu *cpu, const struct vmx_controls *c,
                             uint64_t guest_cr0, uint64_t guest_cr4, bool long_mode);
uint64_t vmcs_setup_host(struct percpu *cpu, uint64_t host_cr0, uint64_t host_cr4);
/* The VMX-preemption timer: whether this CPU has it, and its value for
 * `ms` milliseconds of guest time on the current VMCS (the TSC rate
 * shifted by IA32_VMX_MISC[4:0], capped at the field's 32 bits). */
bool vmx_preemption_timer_usable(void);
void vmx_preemption_timer_set_ms(uint64_t ms);
/* A management partition CPU at the 64-bit entry of
 * include/onestone/mgmt_abi.h (hv/vmx/vmcs_mgmt.c); fills *regs with the
 * registers the entry gets. */
uint64_t vmcs_setup_mgmt(struct percpu *cpu, struct guest_regs *regs);
/* Puts the CPU's guest state back at that entry (restart), same VMCS. */
uint64_t vmcs_mgmt_guest_reset(struct percpu *cpu, struct guest_regs *regs);
/* The management partition's tick (its watchdog, MGMT_HC_HEARTBEAT, and
 * on its first CPU the console): whether this CPU has the VMX-preemption
 * timer with its save control, and arming the next tick, `ms` of the
 * partition's time away (MGMT_WATCHDOG_TICK_MS on CPUs without the
 * console). */
#define MGMT_WATCHDOG_TICK_MS 1000u
bool vmcs_mgmt_has_watchdog(void);
void vmcs_mgmt_arm_tick(unsigned ms);

extern uint64_t hv_msr_bitmap_pa, hv_eptp, hv_host_cr3;
extern struct vmx_controls hv_controls;

#endif
