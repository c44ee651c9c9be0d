/* Shared header (boot services, VMX root, host unit tests): the ACPI DMA
 * Remapping Reporting table, Intel VT-d specification rev 3+, chapter 8
 * "BIOS Considerations": 8.1 DMAR table, 8.2 remapping structure types,
 * 8.3 DRHD and its Device Scope structure, then RMRR, ATSR, RHSA, ANDD
 * and SATC (section numbers after 8.3 moved between revisions, so the
 * structures below are named by their spec titles). All fields are little-endian and the structures follow each
 * other with no alignment, hence packed. The parser is vtd/dmar.c. */
#ifndef ARCH_VTD_DMAR_H
#define ARCH_VTD_DMAR_H

#include <stdint.h>
#include "arch/acpi.h"

#define ACPI_DMAR_SIGNATURE "DMAR"

/* 8.1: the table header. */
struct __attribute__((packed)) acpi_dmar_header {
    struct acpi_sdt_header header;  /* "DMAR" */
    uint8_t host_address_width;     /* maximum DMA physical address bits - 1 */
    uint8_t flags;                  /* DMAR_FLAG_* */
    uint8_t reserved[10];
};
_Static_assert(sizeof(struct acpi_dmar_header) == 48, "DMAR header is 48 bytes");

#define DMAR_FLAG_INTR_REMAP                 0x01u
#define DMAR_FLAG_X2APIC_OPT_OUT             0x02u
#define DMAR_FLAG_DMA_CTRL_PLATFORM_OPT_IN   0x04u

/* 8.2: every remapping structure starts with Type and Length (which
 * covers the whole structure, device scopes included), so a reader can
 * step over types it does not know. */
struct __attribute__((packed)) acpi_dmar_remap_header {
    uint16_t type;                  /* DMAR_TYPE_* */
    uint16_t length;
};
_Static_assert(sizeof(struct acpi_dmar_remap_header) == 4, "remapping structure header is 4 bytes");

#define DMAR_TYPE_DRHD  0u      /* DMA Remapping Hardware Unit Definition */
#define DMAR_TYPE_RMRR  1u      /* Reserved Memory Region Reporting */
#define DMAR_TYPE_ATSR  2u      /* Root Port ATS Capability Reporting */
#define DMAR_TYPE_RHSA  3u      /* Remapping Hardware Static Affinity */
#define DMAR_TYPE_ANDD  4u      /* ACPI Name-space Device Declaration */
#define DMAR_TYPE_SATC  5u      /* SoC Integrated Address Translation Cache */
#define DMAR_TYPE_SIDP  6u      /* SoC Integrated Device Property (rev 4) */

/* 8.3: one remapping hardware unit; device scopes follow. */
struct __attribute__((packed)) acpi_dmar_drhd {
    uint16_t type;                  /* DMAR_TYPE_DRHD */
    uint16_t length;                /* 16 + device scopes */
    uint8_t flags;                  /* DRHD_FLAG_* */
    uint8_t size;                   /* bits 3:0: register set is 2^N 4 KiB pages */
    uint16_t segment;               /* PCI segment the unit serves */
    uint64_t register_base;         /* 4 KiB aligned */
};
_Static_assert(sizeof(struct acpi_dmar_drhd) == 16, "DRHD is 16 bytes before its device scopes");

#define DRHD_FLAG_INCLUDE_PCI_ALL  0x01u    /* every device of the segment not named elsewhere */
#define DRHD_SIZE_PAGES_LOG2_MASK  0x0Fu

/* Reserved Memory Region Reporting (RMRR): memory a device's firmware keeps using for DMA (USB legacy
 * emulation, the graphics stolen memory), which must stay identity
 * mapped for the devices in its scopes. */
struct __attribute__((packed)) acpi_dmar_rmrr {
    uint16_t type;                  /* DMAR_TYPE_RMRR */
    uint16_t length;                /* 24 + device scopes */
    uint16_t reserved;
    uint16_t segment;
    uint64_t base;                  /* 4 KiB aligned */
    uint64_t limit;                 /* last byte; limit + 1 is 4 KiB aligned */
};
_Static_assert(sizeof(struct acpi_dmar_rmrr) == 24, "RMRR is 24 bytes before its device scopes");

/* Root Port ATS Capability Reporting (ATSR): not used by onestone. */
struct __attribute__((packed)) acpi_dmar_atsr {
    uint16_t type;                  /* DMAR_TYPE_ATSR */
    uint16_t length;                /* 8 + device scopes */
    uint8_t flags;                  /* bit 0: ALL_PORTS */
    uint8_t reserved;
    uint16_t segment;
};
_Static_assert(sizeof(struct acpi_dmar_atsr) == 8, "ATSR is 8 bytes before its device scopes");

/* Remapping Hardware Static Affinity (RHSA): NUMA node of a unit. */
struct __attribute__((packed)) acpi_dmar_rhsa {
    uint16_t type;                  /* DMAR_TYPE_RHSA */
    uint16_t length;                /* 20 */
    uint32_t reserved;
    uint64_t register_base;         /* a DRHD's register base */
    uint32_t proximity_domain;
};
_Static_assert(sizeof(struct acpi_dmar_rhsa) == 20, "RHSA is 20 bytes");

/* ACPI Name-space Device Declaration (ANDD): an ACPI object name
 * (NUL-terminated) follows. */
struct __attribute__((packed)) acpi_dmar_andd {
    uint16_t type;                  /* DMAR_TYPE_ANDD */
    uint16_t length;
    uint8_t reserved[3];
    uint8_t acpi_device_number;     /* the Enumeration ID of namespace device scopes */
};
_Static_assert(sizeof(struct acpi_dmar_andd) == 8, "ANDD is 8 bytes before the object name");

/* SoC Integrated Address Translation Cache (SATC, rev 3.2+). */
struct __attribute__((packed)) acpi_dmar_satc {
    uint16_t type;                  /* DMAR_TYPE_SATC */
    uint16_t length;                /* 8 + device scopes */
    uint8_t flags;                  /* bit 0: ATC_REQUIRED */
    uint8_t reserved;
    uint16_t segment;
};
_Static_assert(sizeof(struct acpi_dmar_satc) == 8, "SATC is 8 bytes before its device scopes");

/* 8.3.1: Device Scope structure. The path is a list of (device, function) pairs
 * walked from Start Bus Number: every pair but the last names a PCI-PCI
 * bridge whose secondary bus the next pair is on, so Length is 6 + 2n. */
struct __attribute__((packed)) acpi_dmar_device_scope {
    uint8_t type;                   /* DMAR_SCOPE_* */
    uint8_t length;                 /* 6 + 2 * path elements */
    uint16_t reserved;              /* byte 2 is Flags in rev 4 (reserved before) */
    uint8_t enumeration_id;         /* I/O APIC id, HPET number or ACPI device number */
    uint8_t start_bus;
};
_Static_assert(sizeof(struct acpi_dmar_device_scope) == 6, "device scope is 6 bytes before its path");

struct __attribute__((packed)) acpi_dmar_pci_path {
    uint8_t device;                 /* 0..31 */
    uint8_t function;               /* 0..7 */
};
_Static_assert(sizeof(struct acpi_dmar_pci_path) == 2, "device scope path element is 2 bytes");

#define DMAR_SCOPE_PCI_ENDPOINT     1u
#define DMAR_SCOPE_PCI_SUBHIERARCHY 2u  /* a bridge and every bus below it */
#define DMAR_SCOPE_IOAPIC           3u
#define DMAR_SCOPE_HPET             4u  /* MSI-capable HPET */
#define DMAR_SCOPE_ACPI_NAMESPACE   5u

#define DMAR_REGISTER_PAGE_SIZE     4096u

#endif
