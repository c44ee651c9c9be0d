/* Runs in UEFI boot services: see efi_pages.h. */
#include "boot/efi_pages.h"

uint8_t *efi_pages_below(UINTN pages, EFI_MEMORY_TYPE type, EFI_PHYSICAL_ADDRESS limit)
{
    EFI_PHYSICAL_ADDRESS a = limit;
    if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, type, pages, &a)))
        return NULL;
    SetMem((void *)(UINTN)a, pages * 4096, 0);
    return (uint8_t *)(UINTN)a;
}

static void *page_of(EFI_MEMORY_TYPE type, uint64_t *pa)
{
    uint8_t *p = efi_pages_below(1, type, 0xFFFFFFFF);
    if (p)
        *pa = (uint64_t)(UINTN)p;
    return p;
}

static void *reserved_page(void *ctx, uint64_t *pa)
{
    (void)ctx;
    return page_of(EfiReservedMemoryType, pa);
}

static void *boot_page(void *ctx, uint64_t *pa)
{
    (void)ctx;
    return page_of(EfiBootServicesData, pa);
}

static void *identity(void *ctx, uint64_t pa)
{
    (void)ctx;
    return (void *)(UINTN)pa;
}

const struct pgtable_allocator efi_reserved_pages = { reserved_page, identity, NULL };
const struct pgtable_allocator efi_boot_pages = { boot_page, identity, NULL };
