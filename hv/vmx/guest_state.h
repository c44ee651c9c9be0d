/* Runs in VMX root: reading and changing the interrupted guest's state on
 * the current VMCS (hv/vmx/guest_state.c). */
#ifndef HV_VMX_GUEST_STATE_H
#define HV_VMX_GUEST_STATE_H

#include "hv/vmx/percpu.h"

void exit_advance_rip(void);
void exit_inject_exception(struct percpu *cpu, uint8_t vector, bool has_error,
                           uint32_t error);
uint64_t exit_gpr_read(const struct guest_regs *regs, unsigned n);
void exit_gpr_write(struct guest_regs *regs, unsigned n, uint64_t v);
unsigned exit_guest_cpl(void);
/* logs the exit and the guest's state, then resets the platform */
__attribute__((noreturn)) void exit_fatal(struct percpu *cpu, struct guest_regs *regs,
                                          const char *why);

#endif
