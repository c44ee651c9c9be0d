/* Runs in VMX root: onestone's host IDT (see host_idt.c). */
#ifndef HV_HOST_IDT_H
#define HV_HOST_IDT_H

#include <stdint.h>

void host_idt_init(void);
uint64_t host_idt_base(void);
uint16_t host_idt_limit(void);

#endif
