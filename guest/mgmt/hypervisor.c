/* Runs in the management partition: whether onestone is underneath, from
 * its CPUID signature (include/onestone/hvabi.h). Standalone the API says
 * so instead of inventing counters. */
#include "guest/mgmt/mgmt.h"
#include "onestone/hvabi.h"

bool hv_present(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1u), "c"(0u));
    if (!(c & (1u << 31)))
        return false;
    __asm__ volatile("cpuid"
                     : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                     : "a"(ONESTONE_CPUID_SIGNATURE), "c"(0u));
    return b == ONESTONE_SIGNATURE_EBX && c == ONESTONE_SIGNATURE_ECX &&
           d == ONESTONE_SIGNATURE_EDX;
}

int64_t hv_call(uint64_t fn, void *buf, uint64_t size)
{
    uint64_t rax = fn;
    __asm__ volatile("vmcall"
                     : "+a"(rax)
                     : "D"((uint64_t)(uintptr_t)buf), "S"(size)
                     : "memory");
    return (int64_t)rax;
}
