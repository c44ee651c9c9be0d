/* Runs in VMX root: PCI configuration space through ports 0xCF8/0xCFC as
 * each partition may see it. The hardware's address latch is one for the
 * whole machine, so every partition gets its own (per CPU, as on
 * hardware each CPU's driver pairs CF8 and CFC under its own lock) and
 * onestone performs the real CF8+CFC pair under one lock. A function the
 * partition may not see reads all-ones and ignores writes, as an empty
 * slot does; a management partition also cannot move its own BARs or
 * option ROM (writes there are dropped), since a BAR placed over another
 * partition's memory would take that memory's accesses. */
#ifndef HV_CORE_PCI_CFG_H
#define HV_CORE_PCI_CFG_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/core/partition.h"

#define PCI_CFG_ADDRESS_PORT 0xCF8
#define PCI_CFG_DATA_PORT    0xCFC

/* A 1-, 2- or 4-byte IN (is_in, result in *value) or OUT (*value) on
 * `port`. Returns true when onestone handled it as configuration access,
 * false when the port is not one (0xCF9-0xCFB and byte/word 0xCF8 are
 * other registers: the caller decides). */
bool pci_cfg_port_access(const struct partition *p, uint32_t *latch, uint16_t port,
                         unsigned size, bool is_in, uint32_t *value);

/* Onestone's own access (restarts): clears bus mastering and sets
 * INTx-disable on a function, under the same lock. */
void pci_cfg_quiesce(uint16_t bdf);

/* Onestone's own read (the console's `devices`) and write (device
 * resets), under the same lock. */
uint32_t pci_cfg_read(uint16_t bdf, unsigned reg, unsigned size);
void pci_cfg_write(uint16_t bdf, unsigned reg, unsigned size, uint32_t value);

#endif
