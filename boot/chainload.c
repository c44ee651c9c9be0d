/* Runs in UEFI boot services, as a guest of onestone by now: loads and
 * starts the configured boot target (for Windows \EFI\Microsoft\Boot\
 * bootmgfw.efi) from the configured volume, with boot_args as its load
 * options. */
#include "boot/boot.h"
#include "hv/core/log.h"

static CHAR16 *ascii_to_ucs2(const char *s)
{
    UINTN n = 0;
    while (s[n])
        n++;
    CHAR16 *w = AllocatePool((n + 1) * sizeof(CHAR16));
    if (!w)
        return NULL;
    for (UINTN i = 0; i <= n; i++)
        w[i] = (CHAR16)(unsigned char)s[i];
    return w;
}

EFI_STATUS chainload(EFI_HANDLE image, const struct onestone_config *c)
{
    const char *volume_name = c->boot_volume_kind == BOOT_VOLUME_SELF ? "onestone's own volume"
                                                                       : c->boot_volume_label;
    EFI_HANDLE volume = boot_volume_find(image, c);
    if (!volume) {
        LOG_ERR("boot target: volume '%s' not found; returning to the firmware boot manager",
                volume_name);
        return EFI_NOT_FOUND;
    }
    CHAR16 *path = ascii_to_ucs2(c->boot_path);
    EFI_DEVICE_PATH *dp = path ? FileDevicePath(volume, path) : NULL;
    if (!dp) {
        if (path)
            FreePool(path);
        return EFI_OUT_OF_RESOURCES;
    }
    EFI_HANDLE child = NULL;
    EFI_STATUS st = uefi_call_wrapper(BS->LoadImage, 6, FALSE, image, dp, NULL, 0, &child);
    FreePool(dp);
    FreePool(path);
    if (EFI_ERROR(st)) {
        LOG_ERR("boot target %s on %s: %s (status 0x%lx); returning to the firmware boot manager",
                c->boot_path, volume_name,
                st == EFI_NOT_FOUND ? "not found" : "cannot be loaded", (unsigned long)st);
        return st;
    }
    if (c->boot_args[0]) {
        EFI_LOADED_IMAGE *li;
        if (!EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, child, &LoadedImageProtocol,
                                         (void **)&li))) {
            CHAR16 *args = ascii_to_ucs2(c->boot_args);
            if (args) {
                li->LoadOptions = args;
                li->LoadOptionsSize = (UINT32)(StrLen(args) + 1) * sizeof(CHAR16);
            }
        }
    }
    LOG_INF("starting boot target %s on %s", c->boot_path, volume_name);
    st = uefi_call_wrapper(BS->StartImage, 3, child, NULL, NULL);
    LOG_WARN_("boot target %s returned (status 0x%lx); returning to the firmware boot manager",
              c->boot_path, (unsigned long)st);
    return st;
}
