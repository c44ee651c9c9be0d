/* Runs in UEFI boot services: the files a [mgmt] section names on
 * onestone's own volume: the kernel (an ELF-64 x86-64 executable whose
 * segments fit below the checkpoint range, boot/elf_check.h) and the
 * token file. Each problem is logged as onestone.conf:LINE. */
#include "boot/boot.h"
#include "boot/elf_check.h"
#include "boot/mgmt_files.h"
#include "hv/log.h"

#define KERNEL_MAX (64u << 20)

static void to_char16(CHAR16 *dst, const char *src, unsigned cap)
{
    unsigned i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (CHAR16)src[i];
    dst[i] = 0;
}

int mgmt_files_check(EFI_HANDLE image, const struct mgmt_config *m)
{
    static CHAR16 path[CONFIG_PATH_MAX];
    char *data;
    UINTN len;
    const char *why;
    to_char16(path, m->kernel, CONFIG_PATH_MAX);
    EFI_STATUS st = own_volume_read(image, path, KERNEL_MAX, &data, &len, &why);
    if (EFI_ERROR(st)) {
        LOG_ERR("onestone.conf:%u: kernel: %s: %s (status 0x%lx)", m->kernel_line, m->kernel,
                why, (unsigned long)st);
        return -1;
    }
    struct elf_image img;
    int rc = elf_check((const uint8_t *)data, len, m->memory - m->checkpoint, &img, &why);
    FreePool(data);
    if (rc) {
        LOG_ERR("onestone.conf:%u: kernel: %s: %s", m->kernel_line, m->kernel, why);
        return -1;
    }
    if (m->token_file[0]) {
        to_char16(path, m->token_file, CONFIG_PATH_MAX);
        st = own_volume_read(image, path, CONFIG_TOKEN_MAX + 1, &data, &len, &why);
        if (EFI_ERROR(st)) {
            LOG_ERR("onestone.conf:%u: token_file: %s: %s (status 0x%lx)", m->token_line,
                    m->token_file, why, (unsigned long)st);
            return -1;
        }
        bool ok = config_token_file_ok(data, len);
        FreePool(data);
        if (!ok) {
            LOG_ERR("onestone.conf:%u: token_file: %s must hold one token of 1-63 printable "
                    "characters without spaces", m->token_line, m->token_file);
            return -1;
        }
    }
    return 0;
}
