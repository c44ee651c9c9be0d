/* Runs in VMX root setup: the MSR bitmap (SDM 3C 24.6.9). Every MSR is the
 * guest's except the few onestone must virtualize. */
#ifndef HV_MSR_BITMAP_H
#define HV_MSR_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

void msr_bitmap_build(uint8_t *bitmap);
/* True for the MSRs onestone intercepts (shared with the unit tests). */
bool msr_is_virtualized(uint32_t msr);
void msr_bitmap_set(uint8_t *bitmap, uint32_t msr, bool read, bool write);
bool msr_bitmap_test(const uint8_t *bitmap, uint32_t msr, bool write);

#endif
