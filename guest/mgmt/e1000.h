/* Runs in the management partition: the 82540EM driver, polled (no
 * interrupts: the partition's CPU polls its rings in the main loop). */
#ifndef MGMT_E1000_H
#define MGMT_E1000_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/e1000.h"

#define E1000_RX_RING  64
#define E1000_TX_RING  64
#define E1000_BUF_SIZE 2048

struct e1000 {
    uint16_t bdf;
    volatile uint8_t *regs;
    uint8_t mac[6];
    struct e1000_rx_desc *rx;
    struct e1000_tx_desc *tx;
    uint8_t *rx_bufs, *tx_bufs;
    unsigned rx_next, tx_next;
    uint64_t rx_packets, tx_packets, rx_errors, tx_full;
    uint64_t dma_offset;            /* bus address = partition address + this */
};

/* Finds the NIC (at bus:dev.fn, or the first 82540EM on bus 0 when bus is
 * 0xFF), resets it and starts both rings. 0, or -1 with err set. */
int e1000_open(struct e1000 *nic, uint8_t bus, uint8_t dev, uint8_t fn, uint64_t dma_offset,
               char *err, size_t errlen);
bool e1000_link_up(struct e1000 *nic);
/* Copies one received frame into buf; returns its length, 0 if none. */
size_t e1000_receive(struct e1000 *nic, void *buf, size_t cap);
/* Queues one frame gathered from parts; false if the ring is full. */
bool e1000_transmit(struct e1000 *nic, const void *const *parts, const size_t *lens,
                    unsigned count);

#endif
