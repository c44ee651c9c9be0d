/* Runs in VMX root: guest writes to the local APIC, and start-up IPIs.
 *
 * Why: an OS starts its APs with INIT-SIPI-SIPI. INIT always causes a VM
 * exit on the target; the usual design parks the target in the
 * wait-for-SIPI activity state and lets the SIPI cause a second exit.
 * Bochs 2.7 delivers a SIPI synchronously in the sending CPU's context,
 * and a SIPI VM exit there corrupts the target (it never runs again), so
 * onestone does not depend on SIPI exits: the xAPIC page is mapped
 * read-only in the EPT and every guest write to it is emulated (the way
 * Jailhouse handles xAPIC), the x2APIC ICR MSR write is intercepted, and a
 * start-up IPI to a CPU onestone runs is handed to that CPU through a
 * mailbox while it waits in VMX root after its INIT exit. Other IPIs,
 * INIT included, go to the hardware unchanged.
 *
 * Emulating every APIC write costs a VM exit per EOI. Once the OS runs on
 * every AP after the firmware's boot services ended, onestone
 * hands the xAPIC page back to the guest (read-write in the EPT) and the
 * guest runs without APIC exits; an INIT sent after that reaches the CPU
 * as a real INIT and is handled with the wait-for-SIPI activity state. */
#ifndef HV_LAPIC_EMUL_H
#define HV_LAPIC_EMUL_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/vmx/percpu.h"

void lapic_emul_init(uint64_t apic_base_pa);
uint64_t lapic_emul_page(void);

/* EPT write fault on the xAPIC page: decode, emulate (ICR writes under
 * hv/x86/ipi_policy.h), advance RIP; an instruction onestone cannot decode
 * raises #GP in the guest. */
void lapic_handle_mmio_write(struct percpu *cpu, struct guest_regs *regs, uint64_t gpa);
/* WRMSR to the x2APIC ICR: 0 when done (RIP to advance), else the vector
 * the guest gets (#GP with x2APIC off or reserved bits set, as on
 * hardware). */
unsigned lapic_handle_x2apic_icr(struct percpu *cpu, uint64_t value);

/* The guest's boot services ended (hypercall from onestone's boot code). */
void lapic_os_took_over(void);
/* A loan of a management CPU to the firmware's AP wake-up ended
 * (hv/vmx/exits/exit_loan.c). */
void lapic_firmware_wakeup_ended(void);
/* An AP ran OS code: it set XCR0 (XSETBV) after the boot services ended.
 * Firmware AP code does not, and EDK2 parks the APs once more inside
 * ExitBootServices (possibly after onestone was told), so a start-up IPI
 * alone does not prove the OS started the CPU. An OS that never uses
 * XSETBV keeps its APIC writes emulated: slower, still correct. */
void lapic_note_os_code_on(struct percpu *cpu);
/* True while APIC writes are trapped and INIT/SIPI are routed. */
bool lapic_routing_active(void);

/* An NMI to a CPU (stops a partition's CPU for a restart); EOI on this
 * CPU's local APIC (an interrupt acknowledged on VM exit). */
void lapic_send_nmi(uint32_t apic_id);
void lapic_eoi(void);

/* AP side: after INIT, wait in VMX root for a start-up IPI; returns the
 * vector. */
uint8_t lapic_wait_for_sipi(struct percpu *cpu);
/* The same with a deadline (TSC): false when no SIPI came by then. */
bool lapic_wait_for_sipi_until(struct percpu *cpu, uint64_t deadline_tsc, uint8_t *vector);

#endif
