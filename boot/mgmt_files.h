/* Runs in UEFI boot services: see mgmt_files.c. */
#ifndef BOOT_MGMT_FILES_H
#define BOOT_MGMT_FILES_H

#include <efi.h>
#include "onestone/config.h"
#include "boot/elf_check.h"

/* 0, or -1 after logging onestone.conf:LINE: the problem */
int mgmt_files_check(EFI_HANDLE image, const struct mgmt_config *m);
/* The kernel file, read and checked (*data from the pool: the caller
 * frees it), or -1 with the reason logged. */
int mgmt_kernel_read(EFI_HANDLE image, const struct mgmt_config *m, char **data, UINTN *len,
                     struct elf_image *img);
/* The API token: the `token` key's, or the token file's (checked). */
int mgmt_token_read(EFI_HANDLE image, const struct mgmt_config *m, char out[MGMT_TOKEN_MAX]);

#endif
