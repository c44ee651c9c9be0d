/* Runs in UEFI boot services: reads a whole file from the volume
 * onestone.efi was loaded from (onestone.conf, a partition's kernel and
 * token file). */
#include "boot/boot.h"

EFI_STATUS own_volume_read(EFI_HANDLE image, const CHAR16 *path, UINT64 max, char **data,
                           UINTN *len, const char **why)
{
    EFI_LOADED_IMAGE *loaded = NULL;
    *data = NULL;
    EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
                                      (void **)&loaded);
    if (EFI_ERROR(st)) {
        *why = "cannot find onestone's own image handle";
        return st;
    }
    EFI_FILE_HANDLE root = LibOpenRoot(loaded->DeviceHandle);
    if (!root) {
        *why = "cannot open the volume onestone.efi was loaded from";
        return EFI_NOT_FOUND;
    }
    EFI_FILE_HANDLE file;
    st = uefi_call_wrapper(root->Open, 5, root, &file, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
    if (EFI_ERROR(st)) {
        *why = "not found on onestone's volume";
        uefi_call_wrapper(root->Close, 1, root);
        return st;
    }
    EFI_FILE_INFO *info = LibFileInfo(file);
    UINT64 size = info ? info->FileSize : 0;
    if (info)
        FreePool(info);
    if (!info || size > max) {
        *why = info ? "too large" : "cannot read its size";
        uefi_call_wrapper(file->Close, 1, file);
        uefi_call_wrapper(root->Close, 1, root);
        return EFI_BAD_BUFFER_SIZE;
    }
    char *buf = AllocatePool(size + 1);
    UINTN n = size;
    st = buf ? uefi_call_wrapper(file->Read, 3, file, &n, buf) : EFI_OUT_OF_RESOURCES;
    uefi_call_wrapper(file->Close, 1, file);
    uefi_call_wrapper(root->Close, 1, root);
    if (EFI_ERROR(st)) {
        *why = "read failed";
        if (buf)
            FreePool(buf);
        return st;
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return EFI_SUCCESS;
}
