/* Runs in UEFI boot services: see platform_facts.c. */
#ifndef BOOT_PLATFORM_FACTS_H
#define BOOT_PLATFORM_FACTS_H

#include "boot/mgmt_platform.h"

void platform_facts_collect(struct platform_facts *f);

#endif
