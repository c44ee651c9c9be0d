/* Runs in UEFI boot services: the files a [mgmt] section names on
 * onestone's own volume: the kernel (an ELF-64 x86-64 executable whose
 * segments fit below the checkpoint range, boot/elf_check.h) and the
 * token file. Each problem is logged as onestone.conf:LINE. The check
 * before anything changes and the loader (boot/mgmt_launch.c) read them
 * through the same two functions. */
#include "boot/boot.h"
#include "boot/mgmt_files.h"
#include "hv/core/log.h"

#define KERNEL_MAX (64u << 20)

static void to_char16(CHAR16 *dst, const char *src, unsigned cap)
{
    unsigned i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (CHAR16)src[i];
    dst[i] = 0;
}

int mgmt_kernel_read(EFI_HANDLE image, const struct mgmt_config *m, char **data, UINTN *len,
                     struct elf_image *img)
{
    static CHAR16 path[CONFIG_PATH_MAX];
    const char *why;
    to_char16(path, m->kernel, CONFIG_PATH_MAX);
    EFI_STATUS st = own_volume_read(image, path, KERNEL_MAX, data, len, &why);
    if (EFI_ERROR(st)) {
        LOG_ERR("onestone.conf:%u: kernel: %s: %s (status 0x%lx)", m->kernel_line, m->kernel,
                why, (unsigned long)st);
        return -1;
    }
    if (elf_check((const uint8_t *)*data, *len, m->memory - m->checkpoint, img, &why)) {
        FreePool(*data);
        LOG_ERR("onestone.conf:%u: kernel: %s: %s", m->kernel_line, m->kernel, why);
        return -1;
    }
    return 0;
}

int mgmt_token_read(EFI_HANDLE image, const struct mgmt_config *m, char out[MGMT_TOKEN_MAX])
{
    _Static_assert(CONFIG_TOKEN_MAX <= MGMT_TOKEN_MAX, "a configured token fits the ABI");
    if (!m->token_file[0]) {
        CopyMem(out, m->token, CONFIG_TOKEN_MAX);
        out[CONFIG_TOKEN_MAX - 1] = 0;
        return 0;
    }
    static CHAR16 path[CONFIG_PATH_MAX];
    char *data;
    UINTN len;
    const char *why;
    to_char16(path, m->token_file, CONFIG_PATH_MAX);
    EFI_STATUS st = own_volume_read(image, path, CONFIG_TOKEN_MAX + 1, &data, &len, &why);
    if (EFI_ERROR(st)) {
        LOG_ERR("onestone.conf:%u: token_file: %s: %s (status 0x%lx)", m->token_line,
                m->token_file, why, (unsigned long)st);
        return -1;
    }
    bool ok = config_token_file_ok(data, len);
    UINTN n = 0;
    for (; ok && n < len && n + 1 < MGMT_TOKEN_MAX && data[n] > ' ' && data[n] < 0x7F; n++)
        out[n] = data[n];
    out[n] = 0;
    FreePool(data);
    if (!ok) {
        LOG_ERR("onestone.conf:%u: token_file: %s must hold one token of 1-63 printable "
                "characters without spaces", m->token_line, m->token_file);
        return -1;
    }
    return 0;
}

int mgmt_files_check(EFI_HANDLE image, const struct mgmt_config *m)
{
    char *data, token[MGMT_TOKEN_MAX];
    UINTN len;
    struct elf_image img;
    if (mgmt_kernel_read(image, m, &data, &len, &img))
        return -1;
    FreePool(data);
    return mgmt_token_read(image, m, token);
}
