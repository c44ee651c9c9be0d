/* Runs as a guest (UEFI boot services, primary partition): the checks of
 * expect=partition. The management partition's CPU must be disabled in MP
 * services, its NIC (an e1000, 8086:100e) absent from configuration space
 * through 0xCF8/0xCFC and its I/O BAR, and the primary keeps making progress while the
 * harness uses the partition's API (the counter partition_hold prints). */
#include <efi.h>
#include <efilib.h>
#include "guest/testguest/partition.h"
#include "arch/io.h"
#include "boot/acpi_find.h"
#include "boot/ecam.h"

void result(BOOLEAN ok, const CHAR16 *what);

static UINT32 cfg_read(UINTN bus, UINTN dev, UINTN fn, UINTN reg)
{
    outl(0xCF8, 0x80000000u | (UINT32)(bus << 16 | dev << 11 | fn << 8 | reg));
    return inl(0xCFC);
}

/* The firmware's PCI bus driver still holds a PCI I/O protocol for every
 * function it enumerated at power-on, with the BARs it assigned, so the
 * primary can find the partition's NIC's I/O BAR without configuration
 * space. Through it: write the e1000's IOADDR (BAR + 0) with the STATUS
 * register's offset, read IODATA (BAR + 4). A real e1000 answers its
 * status; concealed, every read is all-ones. */
/* Through ECAM, where the firmware has an MCFG table (QEMU's q35 under
 * KVM; OVMF in Bochs has none): the concealed function's page must read
 * all-ones while the host bridge's still answers. */
static void check_ecam(UINTN bus, UINTN dev, UINTN fn, BOOLEAN *checked, BOOLEAN *leaked)
{
    const struct acpi_sdt_header *mcfg = acpi_find_table("MCFG");
    if (!mcfg)
        return;
    uint64_t page = ecam_function_page(mcfg, mcfg->length, 0, (uint8_t)bus, (uint8_t)dev,
                                       (uint8_t)fn);
    uint64_t host = ecam_function_page(mcfg, mcfg->length, 0, 0, 0, 0);
    if (!page || !host)
        return;
    UINT32 id = *(volatile UINT32 *)(UINTN)page, host_id = *(volatile UINT32 *)(UINTN)host;
    Print(L"testguest: ECAM: concealed %02x:%02x.%x reads 0x%08x, host bridge 0x%08x\n",
          bus, dev, fn, id, host_id);
    *checked = TRUE;
    if (id != 0xFFFFFFFFu || host_id == 0xFFFFFFFFu)
        *leaked = TRUE;
}

static void check_io_bar_concealed(void)
{
    UINTN count = 0, tried = 0;
    EFI_HANDLE *handles = NULL;
    BOOLEAN leaked = FALSE, ecam_checked = FALSE, ecam_leaked = FALSE;
    if (EFI_ERROR(LibLocateHandle(ByProtocol, &PciIoProtocol, NULL, &count, &handles)))
        count = 0;
    for (UINTN i = 0; i < count; i++) {
        EFI_PCI_IO_PROTOCOL *pci;
        UINT32 id = 0;
        UINTN seg, bus, dev, fn;
        if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, handles[i], &PciIoProtocol,
                                        (void **)&pci)) ||
            EFI_ERROR(uefi_call_wrapper(pci->Pci.Read, 5, pci, EfiPciIoWidthUint32, 0, 1, &id)) ||
            id != 0xFFFFFFFFu)
            continue;                       /* not concealed */
        uefi_call_wrapper(pci->GetLocation, 5, pci, &seg, &bus, &dev, &fn);
        check_ecam(bus, dev, fn, &ecam_checked, &ecam_leaked);
        for (UINT8 bar = 0; bar < 6; bar++) {
            UINT32 reg = 0x8, addr = 0, data = 0;   /* STATUS */
            if (EFI_ERROR(uefi_call_wrapper(pci->Io.Write, 6, pci, EfiPciIoWidthUint32, bar, 0,
                                            1, &reg)))
                continue;                   /* not an I/O BAR */
            uefi_call_wrapper(pci->Io.Read, 6, pci, EfiPciIoWidthUint32, bar, 0, 1, &addr);
            uefi_call_wrapper(pci->Io.Read, 6, pci, EfiPciIoWidthUint32, bar, 4, 1, &data);
            Print(L"testguest: concealed %02x:%02x.%x, I/O BAR %d: IOADDR 0x%08x IODATA 0x%08x\n",
                  bus, dev, fn, bar, addr, data);
            tried++;
            if (addr != 0xFFFFFFFFu || data != 0xFFFFFFFFu)
                leaked = TRUE;
        }
    }
    if (handles)
        FreePool(handles);
    result(tried > 0 && !leaked,
           L"the management partition's e1000 I/O BAR, found through the firmware's PCI I/O "
           L"protocol, reads all-ones");
    if (ecam_checked)
        result(!ecam_leaked, L"through ECAM the partition's e1000 reads all-ones and the host "
                             L"bridge does not");
    else
        Print(L"testguest: no MCFG table: configuration space through ECAM not checked\n");
}

void check_partition_view(UINTN cpus, UINTN enabled)
{
    result(enabled == cpus - 1, L"MP services list the management CPU as disabled");
    BOOLEAN nic = FALSE;
    UINTN found = 0;
    for (UINTN dev = 0; dev < 32; dev++)
        for (UINTN fn = 0; fn < 8; fn++) {
            UINT32 id = cfg_read(0, dev, fn, 0);
            if ((id & 0xFFFF) == 0xFFFF)
                continue;
            found++;
            Print(L"testguest: pci 00:%02x.%x %04x:%04x\n", dev, fn, id & 0xFFFF, id >> 16);
            if (id == 0x100E8086)
                nic = TRUE;
        }
    result(found > 0 && !nic,
           L"the management partition's e1000 is absent from PCI configuration space (0xCF8/0xCFC)");
    check_io_bar_concealed();
}

void partition_hold(void)
{
    Print(L"testguest: partition: holding; progress every second\n");
    for (UINT64 n = 1;; n++) {
        uefi_call_wrapper(BS->Stall, 1, 1000000);
        Print(L"testguest: progress %ld\n", n);
    }
}
