/* Runs in VMX root: reads guest memory by guest-linear address, walking the
 * guest's own page tables (identity EPT: guest-physical = host-physical
 * outside onestone's memory, which a walk refuses to touch). */
#ifndef HV_GUEST_MEM_H
#define HV_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

/* Translates a guest-linear address with the guest's CR0/CR3/CR4/EFER. */
bool guest_linear_to_phys(uint64_t linear, uint64_t *phys);
/* Copies up to n bytes at a guest-linear address (stops at a fault). */
unsigned guest_read_linear(uint64_t linear, uint8_t *buf, unsigned n);

#endif
