/* Runs on the host: onestone-conf check's --lspci part (tools/conf_devices.c). */
#ifndef TOOLS_CONF_DEVICES_H
#define TOOLS_CONF_DEVICES_H

#include "onestone/config.h"

/* Prints the dump's IOMMU groups and the findings on CONF's device
 * assignment; 0, or 1 when onestone.efi would refuse it there (said on
 * stderr as "CONF:LINE: ..."). DMAR_PATH: the binary DMAR table, or NULL
 * (then the survey's, if the dump has one). */
int conf_check_devices(const char *conf, const struct onestone_config *c, const char *dump_path,
                       const char *dmar_path);

#endif
