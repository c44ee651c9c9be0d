/* Runs in the management partition: the 82540EM NIC, polled. Rings and
 * buffers are allocated from the partition's own memory (identity-mapped:
 * a virtual address is a partition-physical address, and the bus address
 * the NIC needs is that plus the boot parameters' dma_offset; under
 * onestone with VT-d the partition's domain maps exactly its memory). */
#include "arch/e1000.h"
#include "guest/mgmt/e1000.h"
#include "drivers/pci.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rd(struct e1000 *n, uint32_t reg)
{
    return *(volatile uint32_t *)(n->regs + reg);
}

static void wr(struct e1000 *n, uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(n->regs + reg) = v;
}

static int find(uint8_t *bus, uint8_t *dev, uint8_t *fn)
{
    for (unsigned d = 0; d < 32; d++)
        for (unsigned f = 0; f < 8; f++) {
            uint32_t id = pci_read32(PCI_BDF(0, d, f), 0);
            if (id == (E1000_VENDOR_INTEL | (E1000_DEV_82540EM << 16))) {
                *bus = 0, *dev = (uint8_t)d, *fn = (uint8_t)f;
                return 0;
            }
        }
    return -1;
}

static uint16_t eeprom_word(struct e1000 *n, unsigned addr)
{
    wr(n, E1000_EERD, E1000_EERD_START | (addr << E1000_EERD_ADDR_SHIFT));
    for (unsigned spin = 0; spin < 1000000; spin++) {
        uint32_t v = rd(n, E1000_EERD);
        if (v & E1000_EERD_DONE)
            return (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
    }
    return 0xFFFF;
}

static void *dma_alloc(size_t size)
{
    /* 4 KiB alignment covers the 16-byte descriptor and 128-byte ring rules */
    void *p = memalign(4096, size);
    if (p)
        memset(p, 0, size);
    return p;
}

static uint64_t bus_addr(const struct e1000 *n, const void *p)
{
    return (uint64_t)(uintptr_t)p + n->dma_offset;
}

int e1000_open(struct e1000 *n, uint8_t bus, uint8_t dev, uint8_t fn, uint64_t dma_offset,
               char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    n->dma_offset = dma_offset;
    if (bus == 0xFF && find(&bus, &dev, &fn)) {
        snprintf(err, errlen, "no e1000 (8086:100e) on PCI bus 0");
        return -1;
    }
    n->bdf = PCI_BDF(bus, dev, fn);
    uint32_t id = pci_read32(n->bdf, 0);
    if ((id & 0xFFFF) != E1000_VENDOR_INTEL) {
        snprintf(err, errlen, "PCI %02x:%02x.%x is not an Intel NIC (id %08lx)", bus, dev, fn,
                 (unsigned long)id);
        return -1;
    }
    uint32_t bar0 = pci_read32(n->bdf, 0x10);
    if (bar0 & 1) {
        snprintf(err, errlen, "PCI %02x:%02x.%x BAR0 is not memory", bus, dev, fn);
        return -1;
    }
    uint64_t base = bar0 & ~0xFu;
    if (((bar0 >> 1) & 3) == 2)
        base |= (uint64_t)pci_read32(n->bdf, 0x14) << 32;
    if (base == 0 || base >= (4ull << 30)) {
        snprintf(err, errlen, "PCI %02x:%02x.%x BAR0 0x%llx is unassigned or above 4 GiB", bus,
                 dev, fn, (unsigned long long)base);
        return -1;
    }
    n->regs = (volatile uint8_t *)(uintptr_t)base;
    uint32_t cmd = pci_read32(n->bdf, PCI_COMMAND);
    pci_write32(n->bdf, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

    wr(n, E1000_IMC, 0xFFFFFFFFu);
    wr(n, E1000_CTRL, rd(n, E1000_CTRL) | E1000_CTRL_RST);
    for (unsigned spin = 0; spin < 1000000 && (rd(n, E1000_CTRL) & E1000_CTRL_RST); spin++)
        ;
    wr(n, E1000_IMC, 0xFFFFFFFFu);
    (void)rd(n, E1000_ICR);
    wr(n, E1000_CTRL, rd(n, E1000_CTRL) | E1000_CTRL_SLU | E1000_CTRL_ASDE);

    uint32_t ral = rd(n, E1000_RAL0), rah = rd(n, E1000_RAH0);
    if (!(rah & E1000_RAH_AV)) {
        for (unsigned i = 0; i < 3; i++) {
            uint16_t w = eeprom_word(n, i);
            n->mac[2 * i] = (uint8_t)w;
            n->mac[2 * i + 1] = (uint8_t)(w >> 8);
        }
        ral = (uint32_t)n->mac[0] | (uint32_t)n->mac[1] << 8 | (uint32_t)n->mac[2] << 16 |
              (uint32_t)n->mac[3] << 24;
        rah = (uint32_t)n->mac[4] | (uint32_t)n->mac[5] << 8 | E1000_RAH_AV;
        wr(n, E1000_RAL0, ral);
        wr(n, E1000_RAH0, rah);
    }
    for (unsigned i = 0; i < 4; i++)
        n->mac[i] = (uint8_t)(ral >> (8 * i));
    n->mac[4] = (uint8_t)rah;
    n->mac[5] = (uint8_t)(rah >> 8);
    for (unsigned i = 0; i < 128; i++)
        wr(n, E1000_MTA + 4 * i, 0);

    n->rx = dma_alloc(sizeof(struct e1000_rx_desc) * E1000_RX_RING);
    n->tx = dma_alloc(sizeof(struct e1000_tx_desc) * E1000_TX_RING);
    n->rx_bufs = dma_alloc((size_t)E1000_BUF_SIZE * E1000_RX_RING);
    n->tx_bufs = dma_alloc((size_t)E1000_BUF_SIZE * E1000_TX_RING);
    if (!n->rx || !n->tx || !n->rx_bufs || !n->tx_bufs) {
        snprintf(err, errlen, "out of memory for the NIC's rings");
        return -1;
    }
    for (unsigned i = 0; i < E1000_RX_RING; i++)
        n->rx[i].buffer_addr = bus_addr(n, n->rx_bufs + (size_t)i * E1000_BUF_SIZE);
    for (unsigned i = 0; i < E1000_TX_RING; i++) {
        n->tx[i].buffer_addr = bus_addr(n, n->tx_bufs + (size_t)i * E1000_BUF_SIZE);
        n->tx[i].status = E1000_TXD_STAT_DD;   /* free */
    }

    wr(n, E1000_RDBAL, (uint32_t)bus_addr(n, n->rx));
    wr(n, E1000_RDBAH, (uint32_t)(bus_addr(n, n->rx) >> 32));
    wr(n, E1000_RDLEN, sizeof(struct e1000_rx_desc) * E1000_RX_RING);
    wr(n, E1000_RDH, 0);
    wr(n, E1000_RDT, E1000_RX_RING - 1);
    wr(n, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_BSIZE_2048 | E1000_RCTL_SECRC);

    wr(n, E1000_TDBAL, (uint32_t)bus_addr(n, n->tx));
    wr(n, E1000_TDBAH, (uint32_t)(bus_addr(n, n->tx) >> 32));
    wr(n, E1000_TDLEN, sizeof(struct e1000_tx_desc) * E1000_TX_RING);
    wr(n, E1000_TDH, 0);
    wr(n, E1000_TDT, 0);
    wr(n, E1000_TIPG, E1000_TIPG_82540EM);
    wr(n, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT(0x10) | E1000_TCTL_COLD(0x40));
    return 0;
}

bool e1000_link_up(struct e1000 *n)
{
    return (rd(n, E1000_STATUS) & E1000_STATUS_LU) != 0;
}

size_t e1000_receive(struct e1000 *n, void *buf, size_t cap)
{
    for (;;) {
        volatile struct e1000_rx_desc *d = &n->rx[n->rx_next];
        if (!(d->status & E1000_RXD_STAT_DD))
            return 0;
        size_t len = d->length;
        bool whole = (d->status & E1000_RXD_STAT_EOP) && d->errors == 0 && len <= cap;
        if (whole)
            memcpy(buf, n->rx_bufs + (size_t)n->rx_next * E1000_BUF_SIZE, len);
        else
            n->rx_errors++;
        d->status = 0;
        /* hand the descriptor back: the tail is the last one we own */
        wr(n, E1000_RDT, n->rx_next);
        n->rx_next = (n->rx_next + 1) % E1000_RX_RING;
        if (whole) {
            n->rx_packets++;
            return len;
        }
    }
}

bool e1000_transmit(struct e1000 *n, const void *const *parts, const size_t *lens,
                    unsigned count)
{
    volatile struct e1000_tx_desc *d = &n->tx[n->tx_next];
    if (!(d->status & E1000_TXD_STAT_DD)) {
        n->tx_full++;
        return false;
    }
    uint8_t *buf = n->tx_bufs + (size_t)n->tx_next * E1000_BUF_SIZE;
    size_t len = 0;
    for (unsigned i = 0; i < count; i++) {
        if (lens[i] > E1000_BUF_SIZE - len)
            return false;
        memcpy(buf + len, parts[i], lens[i]);
        len += lens[i];
    }
    d->length = (uint16_t)len;
    d->cso = 0;
    d->css = 0;
    d->special = 0;
    d->status = 0;
    d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
    __asm__ volatile("sfence" ::: "memory");
    n->tx_next = (n->tx_next + 1) % E1000_TX_RING;
    wr(n, E1000_TDT, n->tx_next);
    n->tx_packets++;
    return true;
}
