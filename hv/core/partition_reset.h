/* Runs in VMX root: resets a partition's PCI functions before it starts
 * again (hv/core/pci_reset.h), each logged with the method used. */
#ifndef HV_CORE_PARTITION_RESET_H
#define HV_CORE_PARTITION_RESET_H

#include "onestone/plan.h"

/* DELAY waits MS milliseconds (the caller's: it serves the console
 * meanwhile). Returns how many functions could not be reset. */
unsigned partition_reset_devices(const struct plan_mgmt *m, void (*delay)(void *ctx, unsigned ms),
                                 void *ctx);

#endif
