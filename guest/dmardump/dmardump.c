/* Runs as a UEFI application (boot services, natively under QEMU + OVMF,
 * never under onestone): prints the firmware's ACPI DMAR table as hex
 * between marker lines on the console (which OVMF mirrors to the serial
 * port), lists the PCI functions so the device scopes can be read against
 * them, then powers the machine off. tools/capture-dmar.sh
 * builds it, boots it under each intel-iommu variant and turns the hex
 * into the fixtures of tests/unit/dmar_fixtures.h. */
#include <efi.h>
#include <efilib.h>
#include "arch/acpi.h"

/* Lines are short (16 bytes) so that no terminal driver wraps them, and
 * each carries its offset so the capture script can check that none was
 * lost or reordered on the way through the serial console. */
static void dump_hex(const UINT8 *p, UINT32 len)
{
    Print(L"DMARDUMP-BEGIN len=%d\n", len);
    for (UINT32 off = 0; off < len; off += 16) {
        CHAR16 line[64];
        UINTN n = 0;
        static const CHAR16 hex[] = L"0123456789abcdef";
        for (UINT32 i = off; i < off + 16 && i < len; i++) {
            line[n++] = hex[p[i] >> 4];
            line[n++] = hex[p[i] & 15];
        }
        line[n] = 0;
        Print(L"DMARHEX %04x %s\n", off, line);
    }
    Print(L"DMARDUMP-END\n");
}

static BOOLEAN sig_is(const struct acpi_sdt_header *h, const char *sig)
{
    return h->signature[0] == sig[0] && h->signature[1] == sig[1] &&
           h->signature[2] == sig[2] && h->signature[3] == sig[3];
}

/* Legacy configuration mechanism #1 (CF8/CFC) reaches every bus on q35
 * without any protocol; the listing is only for the human reading the
 * capture. */
static UINT32 pci_read32(UINT8 bus, UINT8 dev, UINT8 fn, UINT8 reg)
{
    UINT32 addr = 0x80000000u | ((UINT32)bus << 16) | ((UINT32)dev << 11) |
                  ((UINT32)fn << 8) | (reg & 0xFCu);
    UINT32 v;
    __asm__ volatile("outl %0, %1" : : "a"(addr), "Nd"((UINT16)0xCF8));
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"((UINT16)0xCFC));
    return v;
}

/* Every bus, so that functions behind bridges show up too; for a bridge
 * (header type 1) the secondary bus it forwards to is printed as well. */
static void list_pci(void)
{
    for (UINT32 bus = 0; bus < 256; bus++) {
        for (UINT8 dev = 0; dev < 32; dev++) {
            for (UINT8 fn = 0; fn < 8; fn++) {
                UINT32 id = pci_read32((UINT8)bus, dev, fn, 0);
                if ((id & 0xFFFF) == 0xFFFF) {
                    if (fn == 0)
                        break;
                    continue;
                }
                UINT32 class_rev = pci_read32((UINT8)bus, dev, fn, 8);
                UINT32 hdr = pci_read32((UINT8)bus, dev, fn, 0x0C) >> 16;
                if ((hdr & 0x7F) == 1)
                    Print(L"DMARPCI %02x:%02x.%x %04x:%04x class %06x bridge to bus %02x\n",
                          bus, dev, fn, id & 0xFFFF, id >> 16, class_rev >> 8,
                          (pci_read32((UINT8)bus, dev, fn, 0x18) >> 8) & 0xFF);
                else
                    Print(L"DMARPCI %02x:%02x.%x %04x:%04x class %06x\n", bus, dev, fn,
                          id & 0xFFFF, id >> 16, class_rev >> 8);
                /* header type bit 7: multi-function; without it only fn 0 exists */
                if (fn == 0 && !(hdr & 0x80))
                    break;
            }
        }
    }
}

static void power_off(void)
{
    uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
}

/* gnu-efi's crt0 calls efi_main with the SysV convention, not EFIAPI */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    InitializeLib(image, systab);
    Print(L"dmardump: started\n");
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
    struct acpi_rsdp *rsdp = NULL;
    if (EFI_ERROR(LibGetSystemConfigurationTable(&acpi20, (VOID **)&rsdp)) || !rsdp ||
        rsdp->revision < 2 || !rsdp->xsdt_address) {
        Print(L"DMARDUMP-ERROR no ACPI 2.0 RSDP with an XSDT\n");
        power_off();
        return EFI_NOT_FOUND;
    }
    const struct acpi_sdt_header *xsdt =
        (const struct acpi_sdt_header *)(UINTN)rsdp->xsdt_address;
    UINTN entries = (xsdt->length - sizeof *xsdt) / 8;
    const UINT8 *ptrs = (const UINT8 *)(xsdt + 1);
    const struct acpi_sdt_header *dmar = NULL;
    for (UINTN i = 0; i < entries; i++) {
        UINT64 pa;
        CopyMem(&pa, (VOID *)(ptrs + 8 * i), 8);       /* XSDT entries are unaligned */
        const struct acpi_sdt_header *h = (const struct acpi_sdt_header *)(UINTN)pa;
        Print(L"dmardump: XSDT[%d] %c%c%c%c length %d at 0x%lx\n", i, h->signature[0],
              h->signature[1], h->signature[2], h->signature[3], h->length, pa);
        if (sig_is(h, "DMAR") && !dmar)
            dmar = h;
    }
    list_pci();
    if (!dmar)
        Print(L"DMARDUMP-ERROR no DMAR table in the XSDT\n");
    else
        dump_hex((const UINT8 *)dmar, dmar->length);
    power_off();
    return EFI_SUCCESS;
}
