/* Shared (boot services, host unit tests): builds the ACPI tables onestone
 * gives the primary partition when the firmware has none (OVMF in Bochs has
 * no fw_cfg and installs no ACPI tables, so an OS cannot find its CPUs). */
#ifndef BOOT_ACPI_TABLES_H
#define BOOT_ACPI_TABLES_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

struct acpi_cpu {
    uint32_t apic_id;
    bool hidden;                    /* another partition's: listed disabled */
};

/* Lays out RSDP (at buf), XSDT and a MADT listing `cpus` plus one I/O APIC
 * into buf, which sits at physical address `buf_pa`. Returns the bytes
 * used, or 0 if `cap` is too small. */
size_t acpi_build_minimal(uint8_t *buf, size_t cap, uint64_t buf_pa,
                          const struct acpi_cpu *cpus, unsigned count,
                          uint8_t io_apic_id, uint32_t io_apic_address);

uint8_t acpi_checksum(const void *p, size_t n);

#endif
