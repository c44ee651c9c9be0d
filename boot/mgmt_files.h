/* Runs in UEFI boot services: see mgmt_files.c. */
#ifndef BOOT_MGMT_FILES_H
#define BOOT_MGMT_FILES_H

#include <efi.h>
#include "onestone/config.h"

/* 0, or -1 after logging onestone.conf:LINE: the problem */
int mgmt_files_check(EFI_HANDLE image, const struct mgmt_config *m);

#endif
