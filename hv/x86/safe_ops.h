/* Runs in VMX root: instructions executed with values a guest chose, each
 * with an exception-table fixup (hv/x86/extable.h). Every one returns 0, or
 * the vector of the exception the instruction raised (13 for #GP, 14 for
 * #PF); the operation then had no effect. */
#ifndef HV_SAFE_OPS_H
#define HV_SAFE_OPS_H

#include <stdint.h>
#include "hv/x86/extable.h"

static inline unsigned rdmsr_safe(uint32_t msr, uint64_t *value)
{
    uint64_t rax, rdx = 0;
    __asm__ volatile("1: rdmsr\n\t"
                     "shl $32, %%rdx\n\t"
                     "mov %%eax, %%eax\n\t"
                     "or %%rax, %%rdx\n\t"
                     "xor %%eax, %%eax\n"
                     "2:\n\t"
                     EXTABLE_ENTRY(1b, 2b)
                     : "=a"(rax), "+d"(rdx) : "c"(msr) : "memory", "cc");
    *value = rax ? 0 : rdx;
    return (unsigned)rax;
}

/* WRMSR and XSETBV: ECX names the register, EDX:EAX holds the value */
#define DEFINE_ECX_EDX_EAX_SAFE(name, insn)                                 \
    static inline unsigned name(uint32_t ecx, uint64_t value)               \
    {                                                                       \
        uint64_t rax = (uint32_t)value;                                     \
        __asm__ volatile("1: " insn "\n\t"                                  \
                         "xor %%eax, %%eax\n"                               \
                         "2:\n\t"                                           \
                         EXTABLE_ENTRY(1b, 2b)                              \
                         : "+a"(rax) : "c"(ecx), "d"((uint32_t)(value >> 32)) \
                         : "memory", "cc");                                 \
        return (unsigned)rax;                                               \
    }
DEFINE_ECX_EDX_EAX_SAFE(wrmsr_safe, "wrmsr")
DEFINE_ECX_EDX_EAX_SAFE(xsetbv_safe, "xsetbv")
#undef DEFINE_ECX_EDX_EAX_SAFE

/* Reads of physical memory a guest named (its page tables, its code):
 * through onestone's identity host mapping, which may not cover the
 * address. read_phys64_safe, read_phys32_safe, read_phys8_safe. */
#define DEFINE_READ_PHYS_SAFE(name, type, insn, constraint)                 \
    static inline unsigned name(uint64_t pa, type *value)                   \
    {                                                                       \
        uint64_t rax = 0;                                                   \
        type v = 0;                                                         \
        __asm__ volatile("1: " insn " (%2), %1\n\t"                          \
                         "xor %%eax, %%eax\n"                               \
                         "2:\n\t"                                           \
                         EXTABLE_ENTRY(1b, 2b)                              \
                         : "+a"(rax), "+&" constraint(v) : "r"(pa) : "memory", "cc"); \
        *value = v;                                                         \
        return (unsigned)rax;                                               \
    }
DEFINE_READ_PHYS_SAFE(read_phys64_safe, uint64_t, "movq", "r")
DEFINE_READ_PHYS_SAFE(read_phys32_safe, uint32_t, "movl", "r")
DEFINE_READ_PHYS_SAFE(read_phys8_safe, uint8_t, "movb", "q")
#undef DEFINE_READ_PHYS_SAFE

#endif
