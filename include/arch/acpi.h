/* Shared header (boot services, host unit tests): the ACPI structures
 * onestone reads or writes, ACPI 6.x spec sections 5.2.5 (RSDP), 5.2.6
 * (SDT header), 5.2.8 (XSDT) and 5.2.12 (MADT). */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

#include <stdint.h>

struct __attribute__((packed)) acpi_rsdp {
    char signature[8];              /* "RSD PTR " */
    uint8_t checksum;               /* first 20 bytes */
    char oem_id[6];
    uint8_t revision;               /* 2 for ACPI 2.0+ */
    uint32_t rsdt_address;
    uint32_t length;
    uint64_t xsdt_address;
    uint8_t extended_checksum;      /* whole structure */
    uint8_t reserved[3];
};
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");

struct __attribute__((packed)) acpi_sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
};
_Static_assert(sizeof(struct acpi_sdt_header) == 36, "SDT header is 36 bytes");

/* MCFG (PCI Firmware Specification 3.0, 4.1.2): the ECAM windows */
struct __attribute__((packed)) acpi_mcfg {
    struct acpi_sdt_header header;  /* "MCFG" */
    uint8_t reserved[8];
};
_Static_assert(sizeof(struct acpi_mcfg) == 44, "MCFG header is 44 bytes");

struct __attribute__((packed)) mcfg_allocation {
    uint64_t base;                  /* ECAM base of bus 0 of this segment */
    uint16_t segment;
    uint8_t start_bus, end_bus;
    uint32_t reserved;
};
_Static_assert(sizeof(struct mcfg_allocation) == 16, "MCFG allocation is 16 bytes");

struct __attribute__((packed)) acpi_madt {
    struct acpi_sdt_header header;  /* "APIC" */
    uint32_t local_apic_address;
    uint32_t flags;                 /* bit 0: PCAT_COMPAT (dual 8259s) */
};
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header is 44 bytes");

#define MADT_TYPE_LOCAL_APIC        0
#define MADT_TYPE_IO_APIC           1
#define MADT_TYPE_INTERRUPT_OVERRIDE 2
#define MADT_PCAT_COMPAT            1u
#define MADT_LAPIC_ENABLED          1u

struct __attribute__((packed)) madt_local_apic {
    uint8_t type, length;           /* 0, 8 */
    uint8_t processor_uid;
    uint8_t apic_id;
    uint32_t flags;
};
_Static_assert(sizeof(struct madt_local_apic) == 8, "MADT local APIC entry is 8 bytes");

struct __attribute__((packed)) madt_io_apic {
    uint8_t type, length;           /* 1, 12 */
    uint8_t io_apic_id;
    uint8_t reserved;
    uint32_t address;
    uint32_t gsi_base;
};
_Static_assert(sizeof(struct madt_io_apic) == 12, "MADT I/O APIC entry is 12 bytes");

struct __attribute__((packed)) madt_interrupt_override {
    uint8_t type, length;           /* 2, 10 */
    uint8_t bus;                    /* 0: ISA */
    uint8_t source;                 /* ISA IRQ */
    uint32_t gsi;
    uint16_t flags;
};
_Static_assert(sizeof(struct madt_interrupt_override) == 10, "MADT override entry is 10 bytes");

#define IOAPIC_DEFAULT_BASE 0xFEC00000u
#define IOAPIC_REG_ID       0x00u
#define IOAPIC_REG_VERSION  0x01u

#endif
