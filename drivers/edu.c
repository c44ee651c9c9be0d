/* Runs in UEFI boot services (VT-d test program and onestone's VT-d
 * self-test): QEMU's "edu" PCI device (hw/misc/edu.c), used as a DMA
 * engine and MSI source in VT-d tests. Segment 0, bus 0. */
#include "drivers/edu.h"
#include "drivers/pci.h"
#include <efi.h>
#include <efilib.h>

static uint32_t edu_cfg_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
    return pci_read32(PCI_BDF(bus, dev, fn), off);
}

static void edu_cfg_write(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint32_t v)
{
    pci_write32(PCI_BDF(bus, dev, fn), off, v);
}


bool edu_find(struct edu *e)
{
    return edu_find_nth(e, 0);
}

bool edu_find_nth(struct edu *e, unsigned n)
{
    for (unsigned dev = 0; dev < 32; dev++) {
        if (edu_cfg_read(0, (uint8_t)dev, 0, 0) != EDU_VENDOR_DEVICE || n-- > 0)
            continue;
        e->bus = 0;
        e->dev = (uint8_t)dev;
        e->fn = 0;
        e->bar0 = (volatile uint8_t *)(UINTN)(edu_cfg_read(0, (uint8_t)dev, 0, 0x10) & ~0xFu);
        uint32_t cmd = edu_cfg_read(0, (uint8_t)dev, 0, 0x04);
        edu_cfg_write(0, (uint8_t)dev, 0, 0x04, cmd | 0x6);   /* memory space, bus master */
        return true;
    }
    return false;
}

uint16_t edu_sid(const struct edu *e)
{
    return (uint16_t)((e->bus << 8) | (e->dev << 3) | e->fn);
}

static void edu_write64(struct edu *e, unsigned off, uint64_t v)
{
    *(volatile uint64_t *)(e->bar0 + off) = v;
}

/* Runs one DMA and waits for it (edu completes on a 100 ms virtual timer). */
bool edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint64_t count, uint32_t cmd)
{
    edu_write64(e, EDU_DMA_SRC, src);
    edu_write64(e, EDU_DMA_DST, dst);
    edu_write64(e, EDU_DMA_COUNT, count);
    edu_write64(e, EDU_DMA_CMD, cmd | EDU_CMD_START);
    for (unsigned i = 0; i < 400; i++) {
        if (!(*(volatile uint64_t *)(e->bar0 + EDU_DMA_CMD) & EDU_CMD_START))
            return true;
        uefi_call_wrapper(BS->Stall, 1, 1000);
    }
    return false;
}

/* RAM -> device buffer -> RAM: true if `to` ends up holding `from`'s bytes. */
bool edu_copy(struct edu *e, uint64_t from_iova, uint64_t to_iova)
{
    return edu_dma(e, from_iova, EDU_BUFFER, 256, 0) &&
           edu_dma(e, EDU_BUFFER, to_iova, 256, EDU_CMD_TO_RAM);
}

/* Programs the edu device's MSI capability (PCI 3.0 6.8.1) and makes the
 * device send one interrupt. */
bool edu_send_msi(struct edu *e, uint64_t address, uint16_t data)
{
    uint8_t cap = (uint8_t)(edu_cfg_read(e->bus, e->dev, e->fn, 0x34) & 0xFC);
    for (int guard = 0; cap && guard < 48; guard++) {
        uint32_t hdr = edu_cfg_read(e->bus, e->dev, e->fn, cap);
        if ((hdr & 0xFF) == 0x05) {
            bool is64 = (hdr >> 16) & 0x80;
            edu_cfg_write(e->bus, e->dev, e->fn, cap + 4, (uint32_t)address);
            if (is64)
                edu_cfg_write(e->bus, e->dev, e->fn, cap + 8, (uint32_t)(address >> 32));
            edu_cfg_write(e->bus, e->dev, e->fn, cap + (is64 ? 12 : 8), data);
            edu_cfg_write(e->bus, e->dev, e->fn, cap, hdr | (1u << 16));   /* MSI enable */
            *(volatile uint32_t *)(e->bar0 + 0x64) = ~0u;                /* ack old status */
            *(volatile uint32_t *)(e->bar0 + EDU_RAISE_IRQ) = 1;
            return true;
        }
        cap = (uint8_t)((hdr >> 8) & 0xFC);
    }
    return false;
}

/* MSI address in the remappable format (VT-d 5.1.5.2): handle bits 14:0
 * at 19:5, bit 15 at 2, IF (bit 4) = 1. */
uint64_t msi_remappable(unsigned handle)
{
    return 0xFEE00000ull | ((uint64_t)(handle & 0x7FFF) << 5) | (1u << 4) |
           ((uint64_t)((handle >> 15) & 1) << 2);
}

