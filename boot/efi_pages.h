/* Runs in UEFI boot services: page allocations for VT-d tables and DMA
 * test buffers, shared by onestone's VT-d self-test and the VT-d test
 * program. */
#ifndef BOOT_EFI_PAGES_H
#define BOOT_EFI_PAGES_H

#include <efi.h>
#include <efilib.h>
#include "hv/core/pgtable.h"

/* Zeroed pages below `limit` (inclusive), NULL if none are left. */
uint8_t *efi_pages_below(UINTN pages, EFI_MEMORY_TYPE type, EFI_PHYSICAL_ADDRESS limit);

/* One zeroed page per call, below 4 GiB, identity-mapped. */
extern const struct pgtable_allocator efi_reserved_pages;   /* EfiReservedMemoryType */
extern const struct pgtable_allocator efi_boot_pages;       /* EfiBootServicesData */

#endif
