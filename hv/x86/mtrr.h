/* Shared (boot services, VMX root, host unit tests): the platform's MTRR
 * settings, so the identity EPT can give every page the memory type the
 * firmware chose for it (EPT types replace the MTRRs for guest accesses,
 * SDM 3C 28.3.7). */
#ifndef HV_MTRR_H
#define HV_MTRR_H

#include <stdbool.h>
#include <stdint.h>

#define MTRR_MAX_VARIABLE 16
#define MTRR_FIXED_COUNT  88        /* 8 x 64K + 16 x 16K + 64 x 4K ranges */

struct mtrr_state {
    bool enabled;                   /* IA32_MTRR_DEF_TYPE.E */
    bool fixed_enabled;             /* IA32_MTRR_DEF_TYPE.FE and MTRRCAP.FIX */
    uint8_t default_type;
    uint8_t fixed[MTRR_FIXED_COUNT];
    unsigned variable_count;
    struct { uint64_t base, mask; } variable[MTRR_MAX_VARIABLE]; /* raw MSRs */
};

/* Memory type of the naturally aligned block [addr, addr + size), size a
 * power of two >= 4 KiB. Returns false if the block is not one type (the
 * caller must use smaller pages). */
bool mtrr_block_type(const struct mtrr_state *m, uint64_t addr, uint64_t size,
                     uint8_t *type);

#endif
