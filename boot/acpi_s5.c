/* Runs in UEFI boot services (acpi_s5_parse also in host unit tests):
 * see acpi_s5.h. */
#include "boot/acpi_s5.h"

#define AML_ZERO_OP    0x00
#define AML_ONE_OP     0x01
#define AML_BYTE_PREFIX 0x0A
#define AML_PACKAGE_OP 0x12

/* one package element: its value, or -1 when not a small constant */
static int element(const uint8_t *p, const uint8_t *end, const uint8_t **next)
{
    if (p >= end)
        return -1;
    if (*p == AML_ZERO_OP || *p == AML_ONE_OP) {
        *next = p + 1;
        return *p;
    }
    if (*p == AML_BYTE_PREFIX && p + 1 < end) {
        *next = p + 2;
        return p[1];
    }
    return -1;
}

bool acpi_s5_parse(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
    for (size_t i = 0; i + 4 < len; i++) {
        if (aml[i] != '_' || aml[i + 1] != 'S' || aml[i + 2] != '5' || aml[i + 3] != '_')
            continue;
        const uint8_t *p = aml + i + 4, *end = aml + len;
        if (p >= end || *p != AML_PACKAGE_OP)
            continue;
        p++;
        if (p >= end)
            return false;
        unsigned follow = *p >> 6;          /* PkgLength: 1 + 0-3 more bytes */
        p += 1 + follow;
        if (p >= end)
            return false;
        p++;                                /* NumElements */
        const uint8_t *next;
        int a = element(p, end, &next);
        if (a < 0)
            return false;
        int b = element(next, end, &next);
        *typa = (uint8_t)(a & 7);
        *typb = (uint8_t)(b < 0 ? 0 : b & 7);
        return true;
    }
    return false;
}

#ifndef HOST_TEST  /* the lookup needs the firmware */
#include "boot/acpi_find.h"
#include "hv/core/log.h"

/* FADT fields (ACPI 6.4 table 5.9) */
#define FADT_DSDT         40
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_X_DSDT       140

static uint32_t get32(const uint8_t *t, size_t at)
{
    return (uint32_t)t[at] | (uint32_t)t[at + 1] << 8 | (uint32_t)t[at + 2] << 16 |
           (uint32_t)t[at + 3] << 24;
}

void acpi_s5_collect(struct plan_poweroff *out)
{
    *out = (struct plan_poweroff){ 0 };
    const struct acpi_sdt_header *fadt = acpi_find_table("FACP");
    if (!fadt || fadt->length < FADT_PM1B_CNT_BLK + 4) {
        fmt_snprintf(out->why, sizeof out->why, "no FADT");
        return;
    }
    const uint8_t *f = (const uint8_t *)fadt;
    uint64_t dsdt_pa = get32(f, FADT_DSDT);
    if (fadt->length >= FADT_X_DSDT + 8 && (get32(f, FADT_X_DSDT) || get32(f, FADT_X_DSDT + 4)))
        dsdt_pa = get32(f, FADT_X_DSDT) | (uint64_t)get32(f, FADT_X_DSDT + 4) << 32;
    out->pm1a_cnt = (uint16_t)get32(f, FADT_PM1A_CNT_BLK);
    out->pm1b_cnt = (uint16_t)get32(f, FADT_PM1B_CNT_BLK);
    if (!out->pm1a_cnt) {
        fmt_snprintf(out->why, sizeof out->why, "the FADT gives no PM1a control port");
        return;
    }
    const struct acpi_sdt_header *dsdt = (const struct acpi_sdt_header *)(uintptr_t)dsdt_pa;
    if (!dsdt || dsdt->length < sizeof *dsdt) {
        fmt_snprintf(out->why, sizeof out->why, "the FADT points at no DSDT");
        return;
    }
    if (!acpi_s5_parse((const uint8_t *)dsdt + sizeof *dsdt, dsdt->length - sizeof *dsdt,
                       &out->slp_typa, &out->slp_typb)) {
        fmt_snprintf(out->why, sizeof out->why, "the DSDT has no \\_S5 package");
        return;
    }
    out->known = 1;
}
#endif
