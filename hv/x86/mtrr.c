/* Runs in UEFI boot services, VMX root and host unit tests: memory-type
 * lookups over an MTRR snapshot (SDM 3A 11.11.4, precedence 11.11.4.1). */
#include "hv/x86/mtrr.h"
#include "arch/x86.h"

#define VAR_VALID (1ull << 11)      /* IA32_MTRR_PHYSMASKn.V */
#define VAR_ADDR  0x000FFFFFFFFFF000ull

static uint8_t fixed_type(const struct mtrr_state *m, uint64_t addr)
{
    if (addr < 0x80000)
        return m->fixed[addr >> 16];
    if (addr < 0xC0000)
        return m->fixed[8 + ((addr - 0x80000) >> 14)];
    return m->fixed[24 + ((addr - 0xC0000) >> 12)];
}

/* Overlapping variable ranges: UC wins, then WT over WB (11.11.4.1). */
static uint8_t combine(uint8_t a, uint8_t b)
{
    if (a == MTRR_TYPE_INVALID)
        return b;
    if (a == b)
        return a;
    if (a == MTRR_TYPE_UC || b == MTRR_TYPE_UC)
        return MTRR_TYPE_UC;
    if ((a == MTRR_TYPE_WT && b == MTRR_TYPE_WB) || (a == MTRR_TYPE_WB && b == MTRR_TYPE_WT))
        return MTRR_TYPE_WT;
    return MTRR_TYPE_UC;            /* undefined combinations: be safe */
}

bool mtrr_block_type(const struct mtrr_state *m, uint64_t addr, uint64_t size,
                     uint8_t *type)
{
    if (!m->enabled) {
        *type = MTRR_TYPE_UC;
        return true;
    }
    if (m->fixed_enabled && addr < 0x100000) {
        if (size > 0x1000) {
            uint8_t first = fixed_type(m, addr);
            for (uint64_t a = addr; a < addr + size && a < 0x100000; a += 0x1000)
                if (fixed_type(m, a) != first)
                    return false;
            if (addr + size > 0x100000)
                return false;
            *type = first;
            return true;
        }
        *type = fixed_type(m, addr);
        return true;
    }
    uint8_t t = MTRR_TYPE_INVALID;
    for (unsigned i = 0; i < m->variable_count; i++) {
        uint64_t base = m->variable[i].base & VAR_ADDR;
        uint64_t mask = m->variable[i].mask & VAR_ADDR;
        if (!(m->variable[i].mask & VAR_VALID))
            continue;
        /* The block intersects the range iff the address bits at or
         * above the block size agree under the mask. */
        if (((addr ^ base) & mask & ~(size - 1)) != 0)
            continue;
        /* The range is finer than the block: only part of it matches. */
        if (mask & (size - 1))
            return false;
        t = combine(t, (uint8_t)(m->variable[i].base & 0xFF));
    }
    *type = (t == MTRR_TYPE_INVALID) ? m->default_type : t;
    return true;
}
