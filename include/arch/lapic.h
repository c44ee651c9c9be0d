/* Shared header (VMX root, unit tests): local APIC registers and ICR
 * fields (SDM 3A chapter 10). */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#define APIC_BASE_ADDR_MASK      0xFFFFFF000ull   /* IA32_APIC_BASE[35:12] */
#define APIC_BASE_BSP            (1ull << 8)
#define APIC_BASE_X2APIC_ENABLE  (1ull << 10)

#define LAPIC_REG_ICR_LOW        0x300
#define LAPIC_REG_ICR_HIGH       0x310
#define MSR_X2APIC_ICR           0x830u
#define MSR_X2APIC_EOI           0x80Bu
#define LAPIC_REG_EOI            0xB0u

#define ICR_VECTOR(v)            ((v) & 0xFFu)
#define ICR_DELIVERY_MODE(v)     (((v) >> 8) & 7u)
#define ICR_DM_FIXED             0u
#define ICR_DM_LOWEST            1u
#define ICR_DM_SMI               2u
#define ICR_DM_NMI               4u
#define ICR_DM_INIT              5u
#define ICR_DM_STARTUP           6u
#define ICR_DEST_LOGICAL         (1u << 11)
#define ICR_BUSY                 (1u << 12)   /* delivery status; reserved in x2APIC mode */
/* x2APIC ICR bits that must be zero (SDM 3A 10.12.1.3, 10.12.9; bit 12
 * is ignored on Intel, as KVM's X2APIC_ICR_RESERVED_BITS has it) */
#define ICR_X2APIC_RESERVED      0xFFF32000u
#define ICR_XAPIC_BROADCAST      0xFFu
#define ICR_X2APIC_BROADCAST     0xFFFFFFFFu
#define ICR_LEVEL_ASSERT         (1u << 14)
#define ICR_SHORTHAND(v)         (((v) >> 18) & 3u)
#define ICR_SH_NONE              0u
#define ICR_SH_SELF              1u
#define ICR_SH_ALL_INCL_SELF     2u
#define ICR_SH_ALL_EXCL_SELF     3u
#define ICR_XAPIC_DEST(high)     ((high) >> 24)

#endif
