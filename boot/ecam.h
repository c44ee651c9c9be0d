/* Shared (boot services, host unit tests): where a PCI function's
 * configuration space lies in ECAM, from the firmware's MCFG table. */
#ifndef BOOT_ECAM_H
#define BOOT_ECAM_H

#include <stdint.h>

/* The 4 KiB ECAM page of segment:bus:dev.fn, from an MCFG table of `len`
 * bytes (its header's length, checked against the allocations it
 * claims); 0 when no window covers the function or the table is
 * malformed. */
uint64_t ecam_function_page(const void *mcfg, uint32_t len, uint16_t segment, uint8_t bus,
                            uint8_t dev, uint8_t fn);

#endif
