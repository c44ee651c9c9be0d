/* Runs in UEFI boot services: ACPI table lookup (see acpi_find.c). */
#ifndef BOOT_ACPI_FIND_H
#define BOOT_ACPI_FIND_H

#include <efi.h>
#include <efilib.h>
#include "arch/acpi.h"

const struct acpi_sdt_header *acpi_find_table(const char sig[4]);

#endif
