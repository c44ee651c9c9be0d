/* Runs in the management partition: what its parts share (console, time,
 * memory, the boot parameters). */
#ifndef MGMT_MGMT_H
#define MGMT_MGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/io.h"
#include "onestone/mgmt_abi.h"

#define MGMT_COM1 0x3F8

/* the boot parameters, copied out of the loader's memory at entry */
extern struct mgmt_boot_params mgmt_params;

/* console.c: COM1 polled standalone, onestone's log under onestone;
 * printf() ends up here too */
void console_init(bool under_onestone);
void console_write(const char *s, size_t len);
void mlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* a fatal error in the partition: logs and stops this CPU */
void mgmt_halt(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* time.c: TSC-based time since boot */
void time_init(uint64_t tsc_khz);
uint64_t time_ms(void);
uint64_t time_tsc_khz(void);
/* busy-waits (no interrupts in the partition) */
void time_delay_us(uint64_t us);

/* syscalls.c: the heap newlib's malloc grows into */
void heap_init(uintptr_t start, uintptr_t limit);
size_t heap_used(void);
size_t heap_limit_bytes(void);

/* traps.c: exceptions are fatal and counted; the IDT is loaded at entry */
void traps_init(void);
/* loads the IDT traps_init built (the other CPUs of the partition) */
void traps_load(void);

/* hypervisor.c: onestone's CPUID leaves and hypercalls, when present */
bool hv_present(void);
/* testfault.c: tests only (boot parameter test_mode) */
void testfault_attack(const struct mgmt_boot_params *p);
void testfault_poll(const struct mgmt_boot_params *p);
/* a hypercall of include/onestone/mgmt_abi.h: 0 or a negative MGMT_HC_E* */
int64_t hv_call(uint64_t fn, void *buf, uint64_t size);

/* entry64.S: the 64-bit entry of the contract (mgmt_abi.h), every CPU */
void mgmt_entry64(struct mgmt_boot_params *params, uint64_t cpu_index) __attribute__((noreturn));
void mgmt_main(struct mgmt_boot_params *params, uint64_t cpu_index) __attribute__((noreturn));

#endif
