/* Runs in UEFI boot services: a function the management partition is
 * given is reset once its firmware driver is disconnected, so the
 * partition starts with the device as after power-on, not as the
 * firmware's driver left it (hv/core/pci_reset.h; the restarts do the
 * same in VMX root, hv/core/partition_reset.c). */
#include "boot/boot.h"
#include "boot/device_reset.h"
#include "drivers/pci.h"
#include "hv/core/log.h"
#include "hv/core/pci_reset.h"

static uint32_t cfg_read(void *ctx, uint16_t bdf, unsigned off, unsigned size)
{
    (void)ctx;
    return pci_read(bdf, off, size);
}

static void cfg_write(void *ctx, uint16_t bdf, unsigned off, unsigned size, uint32_t v)
{
    (void)ctx;
    pci_write(bdf, off, size, v);
}

static uint32_t mmio_read32(void *ctx, uint64_t addr)
{
    (void)ctx;
    return *(volatile uint32_t *)(UINTN)addr;     /* boot services map all of it 1:1 */
}

static void mmio_write32(void *ctx, uint64_t addr, uint32_t v)
{
    (void)ctx;
    *(volatile uint32_t *)(UINTN)addr = v;
}

static void delay_ms(void *ctx, unsigned ms)
{
    (void)ctx;
    uefi_call_wrapper(BS->Stall, 1, (UINTN)ms * 1000);
}

bool boot_reset_function_result(uint16_t bdf, struct pci_reset_result *r)
{
    static const struct pci_reset_io io = { NULL, cfg_read, cfg_write, mmio_read32, mmio_write32,
                                            delay_ms };
    uint32_t id = pci_read(bdf, 0, 4);
    if (pci_reset_function(&io, bdf, r) != 0 || !r->ready) {
        LOG_WARN_("pci: %02x:%02x.%x [%04x:%04x] not reset: %s", bdf >> 8, (bdf >> 3) & 31,
                  bdf & 7, id & 0xFFFF, id >> 16, r->text);
        return false;
    }
    LOG_INF("pci: %02x:%02x.%x [%04x:%04x] reset by %s, %u ms", bdf >> 8, (bdf >> 3) & 31,
            bdf & 7, id & 0xFFFF, id >> 16, r->text, r->waited_ms);
    return true;
}

bool boot_reset_function(uint16_t bdf)
{
    struct pci_reset_result r;
    return boot_reset_function_result(bdf, &r);
}
