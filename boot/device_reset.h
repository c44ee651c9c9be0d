/* Runs in UEFI boot services: see device_reset.c. */
#ifndef BOOT_DEVICE_RESET_H
#define BOOT_DEVICE_RESET_H

#include <stdbool.h>
#include <stdint.h>

/* Resets bus:dev.fn (bdf) by the first method it has; logs which, or why
 * none. False when it was not reset. */
bool boot_reset_function(uint16_t bdf);

struct pci_reset_result;
/* the same, with what happened in *r (the VT-d self-test judges it) */
bool boot_reset_function_result(uint16_t bdf, struct pci_reset_result *r);

#endif
