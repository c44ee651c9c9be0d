/* Runs in UEFI boot services: reads \EFI\onestone\onestone.conf from the
 * volume onestone.efi was loaded from and hands it to the shared parser. */
#include "boot/boot.h"
#include "hv/core/log.h"

EFI_STATUS conf_load(EFI_HANDLE image, struct onestone_config *out)
{
    char *text;
    UINTN len;
    const char *why;
    EFI_STATUS st = own_volume_read(image, ONESTONE_CONF_PATH, ONESTONE_CONF_MAX, &text, &len,
                                    &why);
    if (EFI_ERROR(st)) {
        LOG_ERR("onestone.conf: \\EFI\\onestone\\onestone.conf: %s%s (status 0x%lx); "
                "refusing to start without a configuration", why,
                st == EFI_BAD_BUFFER_SIZE ? " (over 64 KiB)" : "", (unsigned long)st);
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
