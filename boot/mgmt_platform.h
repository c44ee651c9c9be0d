/* Runs in UEFI boot services (onestone.efi) and on the host (tests/unit):
 * the checks of a [mgmt] section that only the machine can answer: that
 * each device exists once and is not a bridge, that CPUs are left for the
 * primary partition, that the memory is there. The facts are collected by
 * boot/platform_facts.c; this part is a pure function of them, so every
 * refusal is unit-tested. */
#ifndef BOOT_MGMT_PLATFORM_H
#define BOOT_MGMT_PLATFORM_H

#include <stdint.h>
#include "onestone/config.h"

#define PLATFORM_FUNCTIONS_MAX 512

struct pci_function_fact {
    uint16_t segment;
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint8_t header_type;        /* bits 6:0 of config offset 0x0E */
    uint8_t class_code, subclass;
};

struct platform_facts {
    unsigned cpu_count;
    uint64_t free_memory;       /* bytes the firmware reports free (conventional) */
    unsigned function_count;
    struct pci_function_fact functions[PLATFORM_FUNCTIONS_MAX];
};

/* memory the primary partition keeps at the least, beside the partition's */
#define PLATFORM_PRIMARY_MEMORY_MIN (256ull << 20)

/* 0, with resolved[i] the index in f->functions of m->devices[i]; or -1
 * with *err naming the config line and the problem. */
int mgmt_platform_check(const struct mgmt_config *m, const struct platform_facts *f,
                        unsigned resolved[CONFIG_DEVICES_MAX], struct config_error *err);

#endif
