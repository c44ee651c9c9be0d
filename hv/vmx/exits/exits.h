/* Runs in VMX root: exit dispatch (a table indexed by basic exit reason,
 * bounds-checked, with a default that logs the decoded state and resets)
 * and the handlers it dispatches to (the helpers they share are in
 * hv/vmx/guest_state.h). */
#ifndef HV_EXITS_H
#define HV_EXITS_H

#include "hv/vmx/percpu.h"
#include "hv/vmx/guest_state.h"

typedef void (*exit_handler_fn)(struct percpu *cpu, struct guest_regs *regs);

void exits_init(void);
void vmx_exit_handler(struct guest_regs *regs);

void exits_dump_stats(void);
/* after an NMI exit: NMIs stay blocked in VMX root until an IRET */
void exit_unblock_nmis(void);

/* the management partition's exit policy (hv/vmx/exits/exit_mgmt.c): its own table,
 * and containment: logs why, then restarts the partition or, after too
 * many crashes, keeps it stopped; never returns to the faulting code */
exit_handler_fn mgmt_exit_handler(uint32_t basic);
void mgmt_contain(struct percpu *cpu, struct guest_regs *regs, const char *why);
/* An NMI reached a management CPU in VMX root: a loan or a restart kick
 * waiting for it is acted on now (hv/vmx/exits/exit_mgmt.c). */
void mgmt_kicked(struct percpu *cpu, struct guest_regs *regs);

/* INIT/SIPI emulation (hv/vmx/exits/exit_init_sipi.c): the register state after INIT
 * and the start of a CPU at a start-up vector, on the current VMCS */
void exit_load_init_state(struct percpu *cpu);
void exit_start_at_vector(struct percpu *cpu, uint64_t vector);

/* lending a management CPU to the firmware's AP wake-up (hv/vmx/exits/exit_loan.c) */
void loan_begin(struct percpu *cpu, struct guest_regs *regs);
bool loan_ends_on(struct percpu *cpu, uint32_t basic);
void loan_end(struct percpu *cpu, struct guest_regs *regs, const char *why);

/* handlers, one file per family */
void handle_cpuid(struct percpu *cpu, struct guest_regs *regs);
void handle_rdmsr(struct percpu *cpu, struct guest_regs *regs);
void handle_wrmsr(struct percpu *cpu, struct guest_regs *regs);
void handle_cr_access(struct percpu *cpu, struct guest_regs *regs);
void handle_xsetbv(struct percpu *cpu, struct guest_regs *regs);
void handle_invd(struct percpu *cpu, struct guest_regs *regs);
void handle_vmx_instruction(struct percpu *cpu, struct guest_regs *regs);
void handle_vmcall(struct percpu *cpu, struct guest_regs *regs);
void handle_init(struct percpu *cpu, struct guest_regs *regs);
void handle_sipi(struct percpu *cpu, struct guest_regs *regs);
void handle_triple_fault(struct percpu *cpu, struct guest_regs *regs);
void handle_ept_violation(struct percpu *cpu, struct guest_regs *regs);
void handle_ept_misconfig(struct percpu *cpu, struct guest_regs *regs);
void handle_exception_nmi(struct percpu *cpu, struct guest_regs *regs);
void handle_io(struct percpu *cpu, struct guest_regs *regs);

#endif
