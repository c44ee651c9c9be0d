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
