/* Runs in UEFI boot services: see mgmt_units.c. */
#ifndef BOOT_MGMT_UNITS_H
#define BOOT_MGMT_UNITS_H

#include "boot/mgmt_platform.h"

/* 0, or -1 with *err naming the [mgmt] devices line and the first unit
 * the devices split (every one is logged). resolved: mgmt_platform_check's. */
int mgmt_units_check(const struct mgmt_config *m, const struct platform_facts *f,
                     const unsigned resolved[CONFIG_DEVICES_MAX], struct config_error *err);

#endif
