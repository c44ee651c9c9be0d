/* Runs in UEFI boot services (and VT-d test programs): PCI configuration
 * mechanism #1 (PCI Local Bus spec 3.2.2.3.2). */
#include "drivers/pci.h"
#include "arch/io.h"

static uint32_t address(uint16_t bdf, uint8_t offset)
{
    return 0x80000000u | ((uint32_t)bdf << 8) | (offset & 0xFCu);
}

uint32_t pci_read32(uint16_t bdf, uint8_t offset)
{
    outl(0xCF8, address(bdf, offset));
    return inl(0xCFC);
}

void pci_write32(uint16_t bdf, uint8_t offset, uint32_t value)
{
    outl(0xCF8, address(bdf, offset));
    outl(0xCFC, value);
}

uint32_t pci_read(uint16_t bdf, unsigned offset, unsigned size)
{
    outl(0xCF8, address(bdf, (uint8_t)offset));
    return port_access((uint16_t)(0xCFC + (offset & 3)), size, true, 0);
}

void pci_write(uint16_t bdf, unsigned offset, unsigned size, uint32_t value)
{
    outl(0xCF8, address(bdf, (uint8_t)offset));
    port_access((uint16_t)(0xCFC + (offset & 3)), size, false, value);
}

static int bridge_bus(uint8_t bus, uint8_t dev, uint8_t fn, unsigned shift)
{
    uint16_t bdf = PCI_BDF(bus, dev, fn);
    if ((pci_read32(bdf, 0) & 0xFFFF) == 0xFFFF)
        return -1;
    if (((pci_read32(bdf, 0x0C) >> 16) & 0x7F) != 1)
        return -1;                      /* header type 1: PCI-to-PCI bridge */
    return (int)((pci_read32(bdf, 0x18) >> shift) & 0xFF);
}

int pci_bridge_secondary_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn)
{
    (void)ctx;
    return bridge_bus(bus, dev, fn, 8);
}

int pci_bridge_subordinate_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn)
{
    (void)ctx;
    return bridge_bus(bus, dev, fn, 16);
}

void pci_for_each_function(void (*fn)(void *ctx, uint16_t bdf, uint32_t id), void *ctx)
{
    for (unsigned bus = 0; bus < 256; bus++)
        for (unsigned dev = 0; dev < 32; dev++)
            for (unsigned f = 0; f < 8; f++) {
                uint16_t bdf = PCI_BDF(bus, dev, f);
                uint32_t id = pci_read32(bdf, 0);
                if ((id & 0xFFFF) == 0xFFFF) {
                    if (f == 0)
                        break;          /* no device: no other functions either */
                    continue;
                }
                fn(ctx, bdf, id);
                if (f == 0 && !(pci_read32(bdf, 0x0C) & 0x00800000))
                    break;              /* single-function device */
            }
}

bool pci_set_bus_master(uint16_t bdf, bool on)
{
    uint32_t cmd = pci_read32(bdf, PCI_COMMAND);
    bool was = (cmd & PCI_COMMAND_MASTER) != 0;
    /* write only the command half: the status half is write-1-to-clear */
    uint32_t v = (cmd & 0xFFFFu) & ~PCI_COMMAND_MASTER;
    if (on)
        v |= PCI_COMMAND_MASTER;
    pci_write32(bdf, PCI_COMMAND, v);
    return was;
}
