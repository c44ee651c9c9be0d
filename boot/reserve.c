/* Runs in UEFI boot services: onestone's reserved memory. One allocation
 * of type EfiReservedMemoryType (which neither the firmware nor any OS
 * reuses) holds a relocated copy of this image, the plan and the page pool.
 * The hypervisor runs from the copy; the firmware-loaded original stays
 * with the guest and is freed as usual when the boot target takes over. */
#include "boot/boot.h"
#include "hv/core/log.h"

/* ELF dynamic-section and RELA entries (System V gABI), as gnu-efi's
 * self-relocation left them. */
struct elf64_dyn {
    INT64 tag;
    UINT64 val;
};
struct elf64_rela {
    UINT64 offset, info;
    INT64 addend;
};
#define DT_NULL 0
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define R_X86_64_RELATIVE 8

extern struct elf64_dyn _DYNAMIC[];

/* gnu-efi's _relocate added the load address to every RELATIVE slot;
 * the copy's slots still hold the original's addresses, so add the delta. */
static EFI_STATUS relocate_copy(UINT64 orig_base, UINT64 copy_base)
{
    UINT64 delta = copy_base - orig_base;
    UINT64 rela = 0, relasz = 0, relaent = sizeof(struct elf64_rela);
    for (struct elf64_dyn *d = _DYNAMIC; d->tag != DT_NULL; d++) {
        if (d->tag == DT_RELA)
            rela = d->val;
        else if (d->tag == DT_RELASZ)
            relasz = d->val;
        else if (d->tag == DT_RELAENT)
            relaent = d->val;
    }
    if (!rela || relaent != sizeof(struct elf64_rela))
        return relasz ? EFI_LOAD_ERROR : EFI_SUCCESS;
    const struct elf64_rela *r = (const struct elf64_rela *)(UINTN)(orig_base + rela);
    for (UINT64 i = 0; i < relasz / relaent; i++) {
        if ((r[i].info & 0xFFFFFFFF) != R_X86_64_RELATIVE)
            continue;
        UINT64 *slot = (UINT64 *)(UINTN)(copy_base + r[i].offset);
        *slot += delta;
    }
    return EFI_SUCCESS;
}

EFI_STATUS reserve_and_copy(EFI_HANDLE image, const struct hv_plan *facts, UINT64 pool_bytes,
                            struct reservation *out)
{
    EFI_LOADED_IMAGE *loaded;
    EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
                                      (void **)&loaded);
    if (EFI_ERROR(st))
        return st;
    UINT64 image_base = (UINT64)(UINTN)loaded->ImageBase;
    UINT64 image_bytes = (loaded->ImageSize + 0xFFF) & ~0xFFFull;
    UINT64 plan_bytes = (sizeof(struct hv_plan) + 0xFFF) & ~0xFFFull;
    UINT64 total = image_bytes + plan_bytes + pool_bytes;

    EFI_PHYSICAL_ADDRESS base = 0;
    st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiReservedMemoryType,
                           total / 0x1000, &base);
    if (EFI_ERROR(st)) {
        LOG_ERR("cannot reserve %lu KiB for onestone (status 0x%lx)",
                (unsigned long)(total / 1024), (unsigned long)st);
        return st;
    }
    SetMem((void *)(UINTN)base, total, 0);
    CopyMem((void *)(UINTN)base, loaded->ImageBase, loaded->ImageSize);
    st = relocate_copy(image_base, base);
    if (EFI_ERROR(st)) {
        LOG_ERR("cannot relocate onestone's copy: unexpected dynamic section");
        uefi_call_wrapper(BS->FreePages, 2, base, total / 0x1000);
        return st;
    }

    struct hv_plan *plan = (struct hv_plan *)(UINTN)(base + image_bytes);
    CopyMem(plan, (void *)facts, sizeof *plan);
    plan->magic = PLAN_MAGIC;
    plan->reserved_base = base;
    plan->reserved_size = total;
    plan->image_base = base;
    plan->image_size = image_bytes;
    plan->pool_base = base + image_bytes + plan_bytes;
    plan->pool_end = base + total;
    memrange_add(&plan->protected_ranges, base, base + total);
    out->plan = plan;
    out->delta = base - image_base;
    return EFI_SUCCESS;
}
