/* Runs in VMX root setup and host unit tests. Layout: read-low at 0,
 * read-high at 1024, write-low at 2048, write-high at 3072; low covers
 * 0..0x1FFF, high 0xC0000000..0xC0001FFF. MSRs outside both always exit. */
#include "hv/vmx/msr_bitmap.h"
#include "arch/x86.h"

bool msr_is_virtualized(uint32_t msr)
{
    return msr == MSR_IA32_FEATURE_CONTROL ||
           (msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_VMFUNC);
}

static int bit_offset(uint32_t msr, bool write, uint32_t *bit)
{
    uint32_t base;
    if (msr <= 0x1FFF) {
        base = write ? 2048 : 0;
        *bit = msr;
    } else if (msr >= 0xC0000000u && msr <= 0xC0001FFFu) {
        base = write ? 3072 : 1024;
        *bit = msr - 0xC0000000u;
    } else {
        return -1;
    }
    *bit += base * 8;
    return 0;
}

void msr_bitmap_set(uint8_t *bitmap, uint32_t msr, bool read, bool write)
{
    uint32_t bit;
    if (read && bit_offset(msr, false, &bit) == 0)
        bitmap[bit / 8] |= (uint8_t)(1u << (bit % 8));
    if (write && bit_offset(msr, true, &bit) == 0)
        bitmap[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

bool msr_bitmap_test(const uint8_t *bitmap, uint32_t msr, bool write)
{
    uint32_t bit;
    if (bit_offset(msr, write, &bit) != 0)
        return true;
    return (bitmap[bit / 8] >> (bit % 8)) & 1;
}

void msr_bitmap_build(uint8_t *bitmap)
{
    for (int i = 0; i < 4096; i++)
        bitmap[i] = 0;
    msr_bitmap_set(bitmap, MSR_IA32_FEATURE_CONTROL, true, true);
    for (uint32_t m = MSR_IA32_VMX_BASIC; m <= MSR_IA32_VMX_VMFUNC; m++)
        msr_bitmap_set(bitmap, m, true, true);
    /* x2APIC ICR writes: start-up IPIs go through onestone (lapic_emul.h) */
    msr_bitmap_set(bitmap, 0x830, false, true);
}
