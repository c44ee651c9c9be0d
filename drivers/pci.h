/* Shared (boot services, VT-d test programs): PCI configuration space of
 * segment 0 through the legacy ports 0xCF8/0xCFC, and bus mastering. */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_BDF(bus, dev, fn) ((uint16_t)(((bus) << 8) | ((dev) << 3) | (fn)))
#define PCI_COMMAND           0x04
#define PCI_COMMAND_MEMORY    (1u << 1)
#define PCI_COMMAND_MASTER    (1u << 2)

uint32_t pci_read32(uint16_t bdf, uint8_t offset);
void pci_write32(uint16_t bdf, uint8_t offset, uint32_t value);
/* a 1-, 2- or 4-byte access at offset (within its dword, below 0x100) */
uint32_t pci_read(uint16_t bdf, unsigned offset, unsigned size);
void pci_write(uint16_t bdf, unsigned offset, unsigned size, uint32_t value);
/* A PCI-to-PCI bridge's secondary / subordinate bus number (config
 * offsets 0x19 / 0x1A), or -1 if bus:dev.fn is absent or not a bridge.
 * Shaped as dmar_read_bus_fn (vtd/dmar.h); ctx is unused. */
int pci_bridge_secondary_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn);
int pci_bridge_subordinate_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn);

/* Calls FN for every function present on segment 0 (buses 0-255), in
 * bus:dev.fn order, with its vendor/device dword (config offset 0);
 * functions 1-7 of a single-function device are not probed. */
void pci_for_each_function(void (*fn)(void *ctx, uint16_t bdf, uint32_t id), void *ctx);

/* Sets or clears the bus-master enable bit; returns whether it was set. */
bool pci_set_bus_master(uint16_t bdf, bool on);

#endif
