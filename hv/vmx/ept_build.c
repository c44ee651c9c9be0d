/* Runs in VMX root (setup before launch, lazy mappings on EPT violations)
 * and in host unit tests. */
#include "hv/vmx/ept_build.h"
#include "arch/ept.h"

struct typed_ctx {
    struct pgtable *pt;
    const struct mtrr_state *mtrr;
};

static int map_typed(void *vctx, uint64_t start, uint64_t end)
{
    struct typed_ctx *ctx = vctx;
    uint64_t addr = start;
    while (addr < end) {
        unsigned level = ctx->pt->fmt->max_leaf_level;
        for (;; level--) {
            uint64_t size = pgtable_level_size(level);
            uint8_t type;
            if (level > 1 && ((addr & (size - 1)) || addr + size > end))
                continue;
            if (!mtrr_block_type(ctx->mtrr, addr, size, &type)) {
                if (level > 1)
                    continue;
                type = 0;   /* unreachable: MTRRs are 4 KiB granular */
            }
            int rc = pgtable_map(ctx->pt, addr, addr, size,
                                 EPT_RWX | ((uint64_t)type << EPT_MEMTYPE_SHIFT), level);
            if (rc)
                return rc;
            addr += size;
            break;
        }
    }
    return 0;
}

int ept_build_identity(struct pgtable *pt, const struct memrange_list *holes,
                       uint64_t top, const struct mtrr_state *mtrr)
{
    struct typed_ctx ctx = { pt, mtrr };
    return memrange_for_each_gap(holes, 0, top, map_typed, &ctx);
}

static bool block_touches_hole(const struct memrange_list *holes, uint64_t s, uint64_t e)
{
    for (unsigned i = 0; i < holes->count; i++)
        if (holes->r[i].start < e && holes->r[i].end > s)
            return true;
    return false;
}

int ept_map_identity_block(struct pgtable *pt, const struct memrange_list *holes,
                           uint64_t gpa, const struct mtrr_state *mtrr)
{
    for (unsigned level = pt->fmt->max_leaf_level; level >= 1; level--) {
        uint64_t size = pgtable_level_size(level);
        uint64_t base = gpa & ~(size - 1);
        uint8_t type;
        if (block_touches_hole(holes, base, base + size))
            continue;
        if (!mtrr_block_type(mtrr, base, size, &type))
            continue;
        return pgtable_map(pt, base, base, size,
                           EPT_RWX | ((uint64_t)type << EPT_MEMTYPE_SHIFT), level);
    }
    return PGTABLE_EINVAL;          /* gpa lies in a hole */
}

int host_build_identity(struct pgtable *pt, uint64_t top)
{
    return pgtable_map(pt, 0, 0, top, PTE_WRITABLE, PGTABLE_LEVELS);
}
