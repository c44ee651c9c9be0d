/* Runs wherever the vtd/ sources run (boot services, VMX root, VT-d test
 * programs): register access and cache flushing shared by vtd/ only. */
#ifndef VTD_VTD_INTERNAL_H
#define VTD_VTD_INTERNAL_H

#include "vtd/vtd.h"

static inline uint32_t vtd_read32(struct vtd_unit *u, unsigned off)
{
    return *(volatile uint32_t *)(u->regs + off);
}

static inline uint64_t vtd_read64(struct vtd_unit *u, unsigned off)
{
    return *(volatile uint64_t *)(u->regs + off);
}

static inline void vtd_write32(struct vtd_unit *u, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(u->regs + off) = v;
}

static inline void vtd_write64(struct vtd_unit *u, unsigned off, uint64_t v)
{
    *(volatile uint64_t *)(u->regs + off) = v;
}

/* A unit whose page walks do not snoop (ECAP.C = 0) reads tables from
 * memory: write the changed lines back first (VT-d spec 6.1). */
static inline void vtd_flush_range(struct vtd_unit *u, const void *p, size_t n)
{
    if (u->coherent)
        return;
    for (uintptr_t a = (uintptr_t)p & ~63ul; a < (uintptr_t)p + n; a += 64)
        __asm__ volatile("clflush (%0)" : : "r"(a) : "memory");
    __asm__ volatile("mfence" : : : "memory");
}

/* GCMD write carrying the persistent enables, then wait for GSTS (unit.c) */
int vtd_gcmd(struct vtd_unit *u, uint32_t bit, bool on);

#endif
