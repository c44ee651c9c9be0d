/* Runs in VMX root: the store instruction at the guest's RIP, read through
 * the guest's page tables (hv/vmx/guest_mem.h) and decoded (hv/x86/mmio_decode.h),
 * for the exits that emulate or drop a guest's write: the xAPIC page
 * (hv/vmx/lapic_emul.c) and protected memory (hv/vmx/exits/exit_ept.c). */
#ifndef HV_GUEST_INSN_H
#define HV_GUEST_INSN_H

#include <stdint.h>
#include "hv/x86/mmio_decode.h"

struct guest_store {
    struct mmio_store st;
    uint64_t rip;
    uint8_t bytes[15];      /* the instruction bytes read (for log lines) */
    unsigned nbytes;
};

/* 0, or -1 with *why set when the instruction is not one onestone decodes
 * (the caller then raises #GP in the guest: the guest faults, not
 * onestone). */
int guest_decode_store(struct guest_store *out, const char **why);

#endif
