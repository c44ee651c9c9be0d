/* Runs as a guest (the EFI test guest): instructions that may fault, each
 * executed under a private IDT whose #UD and #GP stubs record the vector
 * and resume after the instruction. Every probe returns 0 (no fault) or
 * the vector (6 #UD, 13 #GP). probe_idt_enter/leave bracket a series of
 * probes (interrupts off in between). */
#ifndef GUEST_TESTGUEST_PROBE_H
#define GUEST_TESTGUEST_PROBE_H

#include <efi.h>
#include <stdint.h>

void probe_idt_enter(void);
void probe_idt_leave(void);

uint32_t probe_rdmsr(uint32_t msr, uint64_t *value);
uint32_t probe_wrmsr(uint32_t msr, uint64_t value);
uint32_t probe_write_cr0(uint64_t value);
uint32_t probe_write_cr4(uint64_t value);
uint32_t probe_xsetbv(uint32_t index, uint64_t value);
uint32_t probe_vmxon(void);
uint32_t probe_vmcall(uint64_t function);
/* stores of each width with MOV r/m,reg; MOV r/m,imm32; and ADD r/m,imm8
 * (a read-modify-write) */
uint32_t probe_store(volatile void *p, uint64_t value, unsigned size);
uint32_t probe_store_imm32(volatile uint32_t *p);
uint32_t probe_add64(volatile uint64_t *p);

/* testguest.c: one PASS:/FAIL: line */
void result(BOOLEAN ok, const CHAR16 *what);

#endif
