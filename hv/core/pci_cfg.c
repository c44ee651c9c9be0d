/* Runs in VMX root: see hv/core/pci_cfg.h. */
#include "hv/core/pci_cfg.h"
#include "hv/core/spinlock.h"
#include "arch/io.h"

#define CF8_ENABLE   (1u << 31)
#define PCI_COMMAND  0x04
#define PCI_COMMAND_MASTER        (1u << 2)
#define PCI_COMMAND_INTX_DISABLE  (1u << 10)

static spinlock_t cfg_lock;

static uint32_t hw_access(uint32_t address, unsigned offset, unsigned size, bool is_in,
                          uint32_t value)
{
    uint16_t port = (uint16_t)(PCI_CFG_DATA_PORT + offset);
    spin_lock(&cfg_lock);
    outl(PCI_CFG_ADDRESS_PORT, address);
    value = port_access(port, size, is_in, value);
    spin_unlock(&cfg_lock);
    return value;
}

static bool protected_register(const struct partition *p, unsigned reg, unsigned size)
{
    /* BARs 0x10-0x27 and the expansion ROM BAR 0x30-0x33 */
    if (p->kind == PARTITION_PRIMARY)
        return false;
    unsigned end = reg + size;
    return (reg < 0x28 && end > 0x10) || (reg < 0x34 && end > 0x30);
}

bool pci_cfg_port_access(const struct partition *p, uint32_t *latch, uint16_t port,
                         unsigned size, bool is_in, uint32_t *value)
{
    if (port == PCI_CFG_ADDRESS_PORT && size == 4) {
        if (is_in)
            *value = *latch;
        else
            *latch = *value;
        return true;
    }
    if (port < PCI_CFG_DATA_PORT || port + size > PCI_CFG_DATA_PORT + 4)
        return false;
    unsigned offset = port - PCI_CFG_DATA_PORT;
    uint32_t address = *latch;
    uint16_t bdf = (uint16_t)((address >> 8) & 0xFFFF);
    unsigned reg = (address & 0xFC) + offset;
    bool visible = (address & CF8_ENABLE) && partition_sees_pci(p, bdf);
    if (!(address & CF8_ENABLE) && p->kind == PARTITION_PRIMARY) {
        /* not a configuration cycle: plain port I/O, the primary's */
        *value = hw_access(address, offset, size, is_in, *value);
        return true;
    }
    if (!visible) {
        if (is_in)
            *value = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
        return true;
    }
    if (!is_in && protected_register(p, reg, size))
        return true;
    /* a management partition's functions keep INTx disabled: their line
     * is one of the primary's interrupt controller's (shared with its
     * devices, the console's `devices` shows), and the partition polls
     * or uses MSI */
    if (!is_in && p->kind != PARTITION_PRIMARY && reg == PCI_COMMAND && size >= 2)
        *value |= PCI_COMMAND_INTX_DISABLE;
    else if (!is_in && p->kind != PARTITION_PRIMARY && reg == PCI_COMMAND + 1)
        *value |= PCI_COMMAND_INTX_DISABLE >> 8;
    *value = hw_access(address, offset, size, is_in, *value);
    return true;
}

void pci_cfg_quiesce(uint16_t bdf)
{
    uint32_t address = CF8_ENABLE | ((uint32_t)bdf << 8) | PCI_COMMAND;
    uint32_t cmd = hw_access(address, 0, 2, true, 0);
    cmd = (cmd & ~PCI_COMMAND_MASTER) | PCI_COMMAND_INTX_DISABLE;
    hw_access(address, 0, 2, false, cmd);
}

uint32_t pci_cfg_read(uint16_t bdf, unsigned reg, unsigned size)
{
    return hw_access(CF8_ENABLE | ((uint32_t)bdf << 8) | (reg & 0xFC), reg & 3, size, true, 0);
}

void pci_cfg_write(uint16_t bdf, unsigned reg, unsigned size, uint32_t value)
{
    hw_access(CF8_ENABLE | ((uint32_t)bdf << 8) | (reg & 0xFC), reg & 3, size, false, value);
}
