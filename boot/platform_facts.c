/* Runs in UEFI boot services: collects what boot/mgmt_platform.c checks a
 * [mgmt] section against: the CPUs (PI MP Services), the free memory (the
 * UEFI memory map) and every PCI function of segment 0 (configuration
 * space through 0xCF8/0xCFC, before anything is hidden). */
#include "boot/boot.h"
#include "boot/platform_facts.h"
#include "drivers/pci.h"
#include "onestone/efi_mp_services.h"

static EFI_GUID mp_guid = EFI_MP_SERVICES_PROTOCOL_GUID;

static void note_function(void *ctx, uint16_t bdf, uint32_t id)
{
    struct platform_facts *f = ctx;
    uint32_t cls = pci_read32(bdf, 0x08), hdr = pci_read32(bdf, 0x0C);
    if (f->function_count < PLATFORM_FUNCTIONS_MAX)
        f->functions[f->function_count++] = (struct pci_function_fact){
            .bus = (uint8_t)(bdf >> 8), .dev = (uint8_t)((bdf >> 3) & 0x1F),
            .fn = (uint8_t)(bdf & 7), .vendor = (uint16_t)id, .device = (uint16_t)(id >> 16),
            .header_type = (uint8_t)((hdr >> 16) & 0x7F),
            .class_code = (uint8_t)(cls >> 24), .subclass = (uint8_t)(cls >> 16),
        };
}

static uint64_t free_memory(void)
{
    UINTN entries, key, desc_size;
    UINT32 desc_version;
    EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &desc_size, &desc_version);
    uint64_t bytes = 0;
    for (UINTN i = 0; map && i < entries; i++) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + i * desc_size);
        if (d->Type == EfiConventionalMemory)
            bytes += d->NumberOfPages * 4096;
    }
    if (map)
        FreePool(map);
    return bytes;
}

void platform_facts_collect(struct platform_facts *f)
{
    EFI_MP_SERVICES_PROTOCOL *mp;
    UINTN cpus = 1, enabled = 1;
    f->cpu_count = 1;
    if (!EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &mp_guid, NULL, (void **)&mp)) &&
        !EFI_ERROR(mp->GetNumberOfProcessors(mp, &cpus, &enabled)))
        f->cpu_count = (unsigned)cpus;
    f->free_memory = free_memory();
    f->function_count = 0;
    pci_for_each_function(note_function, f);
}
