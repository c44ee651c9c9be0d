/* Shared header (boot services, VMX root, guests, host unit tests):
 * x86-64 architectural names from the SDM vol. 3A (control registers,
 * MSRs, CPUID feature bits, descriptors). */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#include <stdint.h>

/* CR0 (SDM 3A 2.5) */
#define CR0_PE  (1ull << 0)
#define CR0_MP  (1ull << 1)
#define CR0_EM  (1ull << 2)
#define CR0_TS  (1ull << 3)
#define CR0_ET  (1ull << 4)
#define CR0_NE  (1ull << 5)
#define CR0_WP  (1ull << 16)
#define CR0_AM  (1ull << 18)
#define CR0_NW  (1ull << 29)
#define CR0_CD  (1ull << 30)
#define CR0_PG  (1ull << 31)

/* CR4 */
#define CR4_PSE        (1ull << 4)
#define CR4_PAE        (1ull << 5)
#define CR4_PGE        (1ull << 7)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_LA57       (1ull << 12)
#define CR4_VMXE       (1ull << 13)
#define CR4_SMXE       (1ull << 14)
#define CR4_PCIDE      (1ull << 17)
#define CR4_OSXSAVE    (1ull << 18)
#define CR4_SMEP       (1ull << 20)
#define CR4_CET        (1ull << 23)

/* RFLAGS */
#define RFLAGS_RESERVED1 (1ull << 1)
#define RFLAGS_TF        (1ull << 8)
#define RFLAGS_IF        (1ull << 9)
#define RFLAGS_VM        (1ull << 17)

/* EFER */
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

/* MSR numbers (SDM 4, chapter 2) */
#define MSR_IA32_TSC                0x010u
#define MSR_IA32_APIC_BASE          0x01Bu
#define MSR_IA32_FEATURE_CONTROL    0x03Au
#define MSR_IA32_MTRRCAP            0x0FEu
#define MSR_IA32_SYSENTER_CS        0x174u
#define MSR_IA32_SYSENTER_ESP       0x175u
#define MSR_IA32_SYSENTER_EIP       0x176u
#define MSR_IA32_DEBUGCTL           0x1D9u
#define MSR_IA32_MTRR_PHYSBASE0     0x200u
#define MSR_IA32_MTRR_PHYSMASK0     0x201u
#define MSR_IA32_MTRR_FIX64K_00000  0x250u
#define MSR_IA32_MTRR_FIX16K_80000  0x258u
#define MSR_IA32_MTRR_FIX16K_A0000  0x259u
#define MSR_IA32_MTRR_FIX4K_C0000   0x268u
#define MSR_IA32_PAT                0x277u
#define MSR_IA32_MTRR_DEF_TYPE      0x2FFu
#define MSR_IA32_VMX_BASIC          0x480u
#define MSR_IA32_VMX_PINBASED_CTLS  0x481u
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482u
#define MSR_IA32_VMX_EXIT_CTLS      0x483u
#define MSR_IA32_VMX_ENTRY_CTLS     0x484u
#define MSR_IA32_VMX_MISC           0x485u
#define MSR_IA32_VMX_CR0_FIXED0     0x486u
#define MSR_IA32_VMX_CR0_FIXED1     0x487u
#define MSR_IA32_VMX_CR4_FIXED0     0x488u
#define MSR_IA32_VMX_CR4_FIXED1     0x489u
#define MSR_IA32_VMX_VMCS_ENUM      0x48Au
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48Bu
#define MSR_IA32_VMX_EPT_VPID_CAP   0x48Cu
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x48Du
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48Eu
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48Fu
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490u
#define MSR_IA32_VMX_VMFUNC         0x491u
#define MSR_IA32_EFER               0xC0000080u
#define MSR_IA32_FS_BASE            0xC0000100u
#define MSR_IA32_GS_BASE            0xC0000101u

/* IA32_FEATURE_CONTROL (SDM 3C 23.7) */
#define FEATURE_CONTROL_LOCKED            (1ull << 0)
#define FEATURE_CONTROL_VMX_INSIDE_SMX    (1ull << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX   (1ull << 2)

/* CPUID feature bits */
#define CPUID1_ECX_VMX          (1u << 5)
#define CPUID1_ECX_SMX          (1u << 6)
#define CPUID1_ECX_PCID         (1u << 17)
#define CPUID1_ECX_X2APIC       (1u << 21)
#define CPUID1_ECX_XSAVE        (1u << 26)
#define CPUID1_ECX_OSXSAVE      (1u << 27)
#define CPUID1_ECX_HYPERVISOR   (1u << 31)
#define CPUID1_EDX_MTRR         (1u << 12)
#define CPUID7_EBX_INVPCID      (1u << 10)
#define CPUIDD1_EAX_XSAVES      (1u << 3)
#define CPUID80000001_EDX_RDTSCP (1u << 27)

/* Hypervisor CPUID range (reserved for hypervisors by Intel) */
#define CPUID_HV_BASE           0x40000000u
#define CPUID_HV_LAST           0x4FFFFFFFu

/* MTRR memory types (SDM 3A 11.11) */
#define MTRR_TYPE_UC  0u
#define MTRR_TYPE_WC  1u
#define MTRR_TYPE_WT  4u
#define MTRR_TYPE_WP  5u
#define MTRR_TYPE_WB  6u
#define MTRR_TYPE_INVALID 0xFFu

/* Segment descriptor access byte bits (SDM 3A 3.4.5) */
#define SEG_ACCESS_PRESENT (1u << 7)

/* Exception vectors */
#define VECTOR_UD 6u
#define VECTOR_GP 13u
#define VECTOR_PF 14u
#define VECTOR_NMI 2u

#define PAGE_SIZE_4K  0x1000ull
#define PAGE_SIZE_2M  0x200000ull
#define PAGE_SIZE_1G  0x40000000ull

/* The GDTR/IDTR image stored by SGDT/SIDT in 64-bit mode */
struct __attribute__((packed)) descriptor_table_reg {
    uint16_t limit;
    uint64_t base;
};
_Static_assert(sizeof(struct descriptor_table_reg) == 10, "GDTR image is 10 bytes");

/* 64-bit TSS (SDM 3A 7.7) */
struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

/* 64-bit interrupt gate (SDM 3A 6.14.1) */
struct __attribute__((packed)) idt_gate64 {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t  ist;
    uint8_t  type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate64) == 16, "IDT gate is 16 bytes");

#endif
