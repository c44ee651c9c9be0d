/* Runs as a guest (UEFI boot services, primary partition): the checks of
 * expect=partition. The management partition's CPU must be disabled in MP
 * services, its NIC (an e1000, 8086:100e) absent from configuration space
 * through 0xCF8/0xCFC, and the primary keeps making progress while the
 * harness uses the partition's API (the counter partition_hold prints). */
#include <efi.h>
#include <efilib.h>
#include "guest/testguest/partition.h"
#include "arch/io.h"

void result(BOOLEAN ok, const CHAR16 *what);

static UINT32 cfg_read(UINTN bus, UINTN dev, UINTN fn, UINTN reg)
{
    outl(0xCF8, 0x80000000u | (UINT32)(bus << 16 | dev << 11 | fn << 8 | reg));
    return inl(0xCFC);
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
}

void partition_hold(void)
{
    Print(L"testguest: partition: holding; progress every second\n");
    for (UINT64 n = 1;; n++) {
        uefi_call_wrapper(BS->Stall, 1, 1000000);
        Print(L"testguest: progress %ld\n", n);
    }
}
