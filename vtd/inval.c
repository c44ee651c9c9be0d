/* Runs in UEFI boot services (and VT-d test programs): invalidation of the
 * unit's context cache and IOTLB. Queued invalidation (6.5.2) ends every
 * batch with a wait descriptor whose status write onestone polls, with a
 * timeout; register-based invalidation (6.5.1) is used before QI is on and
 * on units without QI (it stops working once QI is enabled). */
#include "vtd/vtd.h"
#include "vtd/vtd_internal.h"
#include "hv/core/log.h"

#define VTD_SPIN_LIMIT 50000000u
#define WAIT_DONE 0x600DF00Du

static int register_invalidate(struct vtd_unit *u)
{
    vtd_write64(u, VTD_CCMD_REG, VTD_CCMD_ICC | VTD_CCMD_GLOBAL);
    unsigned spin = 0;
    while (vtd_read64(u, VTD_CCMD_REG) & VTD_CCMD_ICC)
        if (++spin > VTD_SPIN_LIMIT)
            return -1;
    unsigned iotlb = VTD_ECAP_IRO(u->ecap) + 8;
    vtd_write64(u, iotlb, VTD_IOTLB_IVT | VTD_IOTLB_GLOBAL | VTD_IOTLB_DR | VTD_IOTLB_DW);
    spin = 0;
    while (vtd_read64(u, iotlb) & VTD_IOTLB_IVT)
        if (++spin > VTD_SPIN_LIMIT)
            return -1;
    return 0;
}

static void queue(struct vtd_unit *u, uint64_t lo, uint64_t hi)
{
    struct vtd_inv_desc *d = &u->iq[u->iq_tail];
    d->lo = lo;
    d->hi = hi;
    vtd_flush_range(u, d, sizeof *d);
    u->iq_tail = (u->iq_tail + 1) % VTD_IQ_ENTRIES;
}

/* Appends a wait descriptor, rings the tail and polls its status write. */
static int submit_and_wait(struct vtd_unit *u)
{
    *u->wait_status = 0;
    queue(u, VTD_INV_WAIT | VTD_INV_WAIT_SW | ((uint64_t)WAIT_DONE << 32), u->wait_status_pa);
    __asm__ volatile("mfence" : : : "memory");
    vtd_write64(u, VTD_IQT_REG, (uint64_t)u->iq_tail << 4);
    for (unsigned spin = 0; spin < VTD_SPIN_LIMIT; spin++) {
        if (*u->wait_status == WAIT_DONE)
            return 0;
        uint32_t fsts = vtd_read32(u, VTD_FSTS_REG);
        if (fsts & (VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE)) {
            LOG_ERR("VT-d unit 0x%lx: invalidation queue error (FSTS 0x%x, IQERCD 0x%lx)",
                    (unsigned long)u->base, fsts, (unsigned long)vtd_read64(u, VTD_IQERCD_REG));
            vtd_write32(u, VTD_FSTS_REG, fsts & (VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE));
            return -1;
        }
        __asm__ volatile("pause");
    }
    LOG_ERR("VT-d unit 0x%lx: invalidation wait descriptor timed out", (unsigned long)u->base);
    return -1;
}

static int queued_invalidate(struct vtd_unit *u)
{
    queue(u, VTD_INV_CONTEXT | VTD_INV_G_GLOBAL, 0);
    queue(u, VTD_INV_IOTLB | VTD_INV_G_GLOBAL | VTD_INV_IOTLB_DR | VTD_INV_IOTLB_DW, 0);
    return submit_and_wait(u);
}

int vtd_invalidate_iec(struct vtd_unit *u)
{
    if (!u->queued_invalidation)
        return -1;
    queue(u, VTD_INV_IEC, 0);           /* G = 0: global */
    return submit_and_wait(u);
}

int vtd_invalidate_all(struct vtd_unit *u)
{
    if (u->cap & VTD_CAP_RWBF) {
        /* write-buffer flush before invalidating (6.8) */
        uint32_t cur = vtd_read32(u, VTD_GSTS_REG) & ~VTD_GCMD_ONE_SHOT;
        vtd_write32(u, VTD_GCMD_REG, cur | VTD_GCMD_WBF);
        for (unsigned spin = 0; spin < VTD_SPIN_LIMIT; spin++)
            if (!(vtd_read32(u, VTD_GSTS_REG) & (1u << 27)))
                break;
    }
    return u->queued_invalidation ? queued_invalidate(u) : register_invalidate(u);
}
