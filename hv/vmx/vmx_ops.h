/* Runs in VMX root: the VMX instructions as inline functions. Failures
 * (CF or ZF set) are returned as false, never ignored. */
#ifndef HV_VMX_OPS_H
#define HV_VMX_OPS_H

#include <stdbool.h>
#include <stdint.h>

static inline bool vmxon(uint64_t pa)
{
    bool fail;
    __asm__ volatile("vmxon %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
    return !fail;
}

static inline bool vmclear(uint64_t pa)
{
    bool fail;
    __asm__ volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
    return !fail;
}

static inline bool vmptrld(uint64_t pa)
{
    bool fail;
    __asm__ volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
    return !fail;
}

static inline uint64_t vmread(uint64_t field)
{
    uint64_t v = 0;
    __asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(field) : "cc");
    return v;
}

static inline bool vmwrite_checked(uint64_t field, uint64_t v)
{
    bool fail;
    __asm__ volatile("vmwrite %2, %1; setna %0" : "=q"(fail) : "r"(field), "r"(v) : "cc");
    return !fail;
}

/* A batch of VMWRITEs; returns 0, or the field whose write failed (0xFFFF
 * stands for field 0, which is never a valid answer otherwise). */
struct vmcs_field_value {
    uint32_t field;
    uint64_t value;
};

static inline uint64_t vmwrite_all(const struct vmcs_field_value *fv, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (!vmwrite_checked(fv[i].field, fv[i].value))
            return fv[i].field ? fv[i].field : 0xFFFF;
    return 0;
}

struct inv_descriptor {
    uint64_t a, b;
};

static inline bool invept(uint64_t type, uint64_t eptp)
{
    struct inv_descriptor d = { eptp, 0 };
    bool fail;
    __asm__ volatile("invept %1, %2; setna %0" : "=q"(fail) : "m"(d), "r"(type) : "cc", "memory");
    return !fail;
}

static inline bool invvpid(uint64_t type, uint16_t vpid, uint64_t addr)
{
    struct inv_descriptor d = { vpid, addr };
    bool fail;
    __asm__ volatile("invvpid %1, %2; setna %0" : "=q"(fail) : "m"(d), "r"(type) : "cc", "memory");
    return !fail;
}

#endif
