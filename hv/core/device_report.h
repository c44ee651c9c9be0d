/* Runs in VMX root (the console's `devices`, MGMT_HC_DEVICES): every PCI
 * function of segment 0 with its owner and how it interrupts, from its
 * configuration space as it is now (MSI-X or MSI enabled, else its INTx
 * pin and line), and which INTx lines more than one function uses. */
#ifndef HV_CORE_DEVICE_REPORT_H
#define HV_CORE_DEVICE_REPORT_H

#include <stdint.h>
#include "onestone/mgmt_abi.h"

/* Fills out[0..max-1]; returns how many functions there are (may be more
 * than max: the rest are counted, not listed, shared lines still judged
 * over all of them). */
unsigned device_report_collect(struct mgmt_hc_device *out, unsigned max);

/* "MSI-X", "MSI", "INTx", "INTx (disabled)", "none" */
const char *device_irq_mode_name(uint8_t mode);

/* the INTx line sharing judged over a list already read (pure: the unit
 * tests call it): sets intx_sharers of each MGMT_IRQ_INTX entry */
void device_report_mark_shared(struct mgmt_hc_device *d, unsigned n);

#endif
