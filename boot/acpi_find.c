/* Runs in UEFI boot services (onestone.efi and the VT-d test program):
 * finds an ACPI table by signature through the firmware's RSDP (ACPI 2.0
 * configuration table) and XSDT. */
#include "boot/acpi_find.h"

const struct acpi_sdt_header *acpi_find_table(const char sig[4])
{
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
    void *rsdp_v = NULL;
    if (EFI_ERROR(LibGetSystemConfigurationTable(&acpi20, &rsdp_v)) || !rsdp_v)
        return NULL;
    const struct acpi_rsdp *rsdp = rsdp_v;
    if (rsdp->revision < 2 || !rsdp->xsdt_address)
        return NULL;
    const struct acpi_sdt_header *xsdt = (const void *)(UINTN)rsdp->xsdt_address;
    if (xsdt->length < sizeof *xsdt)
        return NULL;
    unsigned n = (xsdt->length - sizeof *xsdt) / 8;
    const uint8_t *entries = (const uint8_t *)xsdt + sizeof *xsdt;
    for (unsigned i = 0; i < n; i++) {
        uint64_t pa;
        CopyMem(&pa, (void *)(entries + 8 * i), 8);
        const struct acpi_sdt_header *h = (const void *)(UINTN)pa;
        if (h && CompareMem((void *)h->signature, (void *)sig, 4) == 0)
            return h;
    }
    return NULL;
}
