/* Runs in VMX root: guest page-table walks (SDM 3A 4.5 for 4-level paging;
 * no paging; 32-bit and PAE paging for completeness). Every address comes
 * from the guest's CR3 and page tables: protected memory is never read,
 * and each read is fixed up (hv/x86/safe_ops.h) in case the address lies
 * outside what onestone's host tables map. */
#include "hv/vmx/guest_mem.h"
#include "hv/vmx/percpu.h"
#include "hv/x86/safe_ops.h"
#include "hv/vmx/vmx_ops.h"
#include "hv/core/memrange.h"

static bool readable(uint64_t pa, unsigned size)
{
    return !memrange_contains(&hv_plan->protected_ranges, pa) &&
           !memrange_contains(&hv_plan->protected_ranges, pa + size - 1);
}

static bool read_phys64(uint64_t pa, uint64_t *v)
{
    return readable(pa, 8) && read_phys64_safe(pa, v) == 0;
}

static bool read_phys32(uint64_t pa, uint32_t *v)
{
    return readable(pa, 4) && read_phys32_safe(pa, v) == 0;
}

bool guest_linear_to_phys(uint64_t la, uint64_t *phys)
{
    uint64_t cr0 = vmread(VMCS_GUEST_CR0), cr4 = vmread(VMCS_GUEST_CR4);
    uint64_t cr3 = vmread(VMCS_GUEST_CR3), efer = vmread(VMCS_GUEST_EFER);
    if (!(cr0 & CR0_PG)) {
        *phys = la & 0xFFFFFFFFull;
        return true;
    }
    uint64_t e;
    if (efer & EFER_LMA) {
        uint64_t table = cr3 & 0x000FFFFFFFFFF000ull;
        for (int level = 4; level >= 1; level--) {
            unsigned idx = (unsigned)((la >> (12 + 9 * (level - 1))) & 0x1FF);
            if (!read_phys64(table + idx * 8, &e) || !(e & 1))
                return false;
            if (level == 1 || (level <= 3 && (e & 0x80))) {
                uint64_t size = 1ull << (12 + 9 * (level - 1));
                *phys = (e & 0x000FFFFFFFFFF000ull & ~(size - 1)) | (la & (size - 1));
                return true;
            }
            table = e & 0x000FFFFFFFFFF000ull;
        }
        return false;
    }
    if (cr4 & CR4_PAE) {
        uint64_t pdpte;
        if (!read_phys64((cr3 & 0xFFFFFFE0ull) + ((la >> 30) & 3) * 8, &pdpte) || !(pdpte & 1))
            return false;
        if (!read_phys64((pdpte & 0x000FFFFFFFFFF000ull) + ((la >> 21) & 0x1FF) * 8, &e) || !(e & 1))
            return false;
        if (e & 0x80) {
            *phys = (e & 0x000FFFFFFFE00000ull) | (la & 0x1FFFFF);
            return true;
        }
        if (!read_phys64((e & 0x000FFFFFFFFFF000ull) + ((la >> 12) & 0x1FF) * 8, &e) || !(e & 1))
            return false;
        *phys = (e & 0x000FFFFFFFFFF000ull) | (la & 0xFFF);
        return true;
    }
    /* 32-bit paging */
    uint32_t pde, pte;
    if (!read_phys32((cr3 & 0xFFFFF000ull) + ((la >> 22) & 0x3FF) * 4, &pde) || !(pde & 1))
        return false;
    if ((pde & 0x80) && (cr4 & 0x10)) {
        *phys = (pde & 0xFFC00000ull) | (la & 0x3FFFFF);
        return true;
    }
    if (!read_phys32((pde & 0xFFFFF000ull) + ((la >> 12) & 0x3FF) * 4, &pte) || !(pte & 1))
        return false;
    *phys = (pte & 0xFFFFF000ull) | (la & 0xFFF);
    return true;
}

unsigned guest_read_linear(uint64_t la, uint8_t *buf, unsigned n)
{
    unsigned done = 0;
    while (done < n) {
        uint64_t pa;
        if (!guest_linear_to_phys(la + done, &pa) || !readable(pa, 1) ||
            read_phys8_safe(pa, &buf[done]))
            break;
        done++;
    }
    return done;
}
