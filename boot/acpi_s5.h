/* Shared (UEFI boot services; the parser also in host unit tests): how
 * to switch the machine off, from the FADT's PM1 control ports and the
 * DSDT's \_S5 package (ACPI 6.4, 5.2.9 and 7.4.2). */
#ifndef BOOT_ACPI_S5_H
#define BOOT_ACPI_S5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "onestone/plan.h"

/* Finds Name(_S5, Package() { SLP_TYPa, SLP_TYPb, ... }) in AML (a DSDT
 * or SSDT body) and reads its first two elements (ByteConst, Zero, One).
 * False when there is none or it is not in that form. */
bool acpi_s5_parse(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

/* Boot services: fills out from the firmware's tables (why says what is
 * missing when it cannot). */
void acpi_s5_collect(struct plan_poweroff *out);

#endif
