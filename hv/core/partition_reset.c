/* Runs in VMX root: a partition's functions reset before it starts again
 * (hv/core/partition_reset.h), through onestone's own configuration
 * access and the identity-mapped MMIO of their BARs. */
#include "hv/core/partition_reset.h"
#include "hv/core/arch.h"
#include "hv/core/log.h"
#include "hv/core/pci_cfg.h"
#include "hv/core/pci_reset.h"

struct root_io {
    void (*delay)(void *ctx, unsigned ms);
    void *ctx;
};

static uint32_t cfg_read(void *ctx, uint16_t bdf, unsigned off, unsigned size)
{
    (void)ctx;
    return pci_cfg_read(bdf, off, size);
}

static void cfg_write(void *ctx, uint16_t bdf, unsigned off, unsigned size, uint32_t v)
{
    (void)ctx;
    pci_cfg_write(bdf, off, size, v);
}

/* a BAR register onestone maps (the identity map covers [0, map_top)) */
static uint32_t mmio_read32(void *ctx, uint64_t addr)
{
    (void)ctx;
    if (addr + 4 > hv_plan->map_top)
        return 0xFFFFFFFFu;
    return *(volatile uint32_t *)(uintptr_t)addr;
}

static void mmio_write32(void *ctx, uint64_t addr, uint32_t v)
{
    (void)ctx;
    if (addr + 4 <= hv_plan->map_top)
        *(volatile uint32_t *)(uintptr_t)addr = v;
}

static void delay_ms(void *ctx, unsigned ms)
{
    struct root_io *r = ctx;
    r->delay(r->ctx, ms);
}

unsigned partition_reset_devices(const struct plan_mgmt *m, void (*delay)(void *ctx, unsigned ms),
                                 void *ctx)
{
    struct root_io r = { delay, ctx };
    const struct pci_reset_io io = { &r, cfg_read, cfg_write, mmio_read32, mmio_write32, delay_ms };
    unsigned failed = 0;
    for (uint32_t d = 0; d < m->device_count; d++) {
        uint16_t bdf = plan_device_bdf(&m->devices[d]);
        uint32_t id = pci_cfg_read(bdf, 0, 4);
        struct pci_reset_result res;
        if (pci_reset_function(&io, bdf, &res) != 0 || !res.ready) {
            LOG_WARN_("mgmt partition: %02x:%02x.%x [%04x:%04x] not reset: %s", bdf >> 8,
                      (bdf >> 3) & 31, bdf & 7, id & 0xFFFF, id >> 16, res.text);
            failed++;
        } else {
            LOG_INF("mgmt partition: %02x:%02x.%x [%04x:%04x] reset by %s, %u ms", bdf >> 8,
                    (bdf >> 3) & 31, bdf & 7, id & 0xFFFF, id >> 16, res.text, res.waited_ms);
        }
    }
    return failed;
}
