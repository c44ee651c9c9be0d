/* Runs in UEFI boot services: reads \EFI\onestone\onestone.conf from the
 * volume onestone.efi was loaded from and hands it to the shared parser. */
#include "boot/boot.h"
#include "hv/log.h"

EFI_STATUS conf_load(EFI_HANDLE image, struct onestone_config *out)
{
    EFI_LOADED_IMAGE *loaded = NULL;
    EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
                                      (void **)&loaded);
    if (EFI_ERROR(st)) {
        LOG_ERR("cannot find onestone's own image handle (status 0x%lx)", (unsigned long)st);
        return st;
    }
    EFI_FILE_HANDLE root = LibOpenRoot(loaded->DeviceHandle);
    if (!root) {
        LOG_ERR("cannot open the volume onestone.efi was loaded from");
        return EFI_NOT_FOUND;
    }
    EFI_FILE_HANDLE file;
    st = uefi_call_wrapper(root->Open, 5, root, &file, ONESTONE_CONF_PATH, EFI_FILE_MODE_READ, 0);
    if (EFI_ERROR(st)) {
        LOG_ERR("onestone.conf: cannot open \\EFI\\onestone\\onestone.conf on onestone's volume "
                "(status 0x%lx); refusing to start without a configuration",
                (unsigned long)st);
        uefi_call_wrapper(root->Close, 1, root);
        return st;
    }
    EFI_FILE_INFO *info = LibFileInfo(file);
    UINT64 size = info ? info->FileSize : 0;
    if (info)
        FreePool(info);
    if (!info || size > ONESTONE_CONF_MAX) {
        LOG_ERR("onestone.conf: %s", info ? "larger than 64 KiB" : "cannot read its size");
        uefi_call_wrapper(file->Close, 1, file);
        uefi_call_wrapper(root->Close, 1, root);
        return EFI_BAD_BUFFER_SIZE;
    }
    char *text = AllocatePool(size + 1);
    UINTN len = size;
    st = text ? uefi_call_wrapper(file->Read, 3, file, &len, text) : EFI_OUT_OF_RESOURCES;
    uefi_call_wrapper(file->Close, 1, file);
    uefi_call_wrapper(root->Close, 1, root);
    if (EFI_ERROR(st)) {
        LOG_ERR("onestone.conf: read failed (status 0x%lx)", (unsigned long)st);
        if (text)
            FreePool(text);
        return st;
    }
    struct config_error err;
    int rc = config_parse(text, len, out, &err);
    FreePool(text);
    if (rc) {
        LOG_ERR("onestone.conf:%u: %s", err.line, err.message);
        return EFI_LOAD_ERROR;
    }
    return EFI_SUCCESS;
}
