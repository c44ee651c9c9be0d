/* Shared header (boot services and host tools): onestone.conf, parsed by
 * boot/config.c, the one parser used by onestone.efi and the host checker
 * tools/onestone-conf. Grammar: one `key = value` per line, `#` starts a
 * comment, blank lines ignored, keys may appear once. Keys before the
 * first section are global (and the primary partition's boot keys, as
 * before sections existed); `[primary]` holds the primary partition's
 * boot keys, `[mgmt]` the management partition's. */
#ifndef ONESTONE_CONFIG_H
#define ONESTONE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "onestone/mgmt_abi.h"

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

#define CONFIG_VOLUME_MAX 64
#define CONFIG_PATH_MAX   256
#define CONFIG_ARGS_MAX   512
#define CONFIG_ERROR_MAX  160

enum boot_volume_kind { BOOT_VOLUME_SELF = 0, BOOT_VOLUME_LABEL = 1, BOOT_VOLUME_PARTUUID = 2 };
enum iommu_policy { IOMMU_REQUIRED = 0, IOMMU_OFF = 1 };
enum selftest_mode { SELFTEST_NONE = 0, SELFTEST_VTD = 1 };

#define CONFIG_DEVICES_MAX 8
#define CONFIG_TOKEN_MAX   64
#define CONFIG_URL_MAX     128

/* a PCI function named in `devices =`: by address or by vendor:device */
enum device_ref_kind { DEVICE_BY_ADDRESS = 0, DEVICE_BY_ID = 1 };
struct device_ref {
    enum device_ref_kind kind;
    uint16_t segment;
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
};

enum mgmt_address_mode { MGMT_ADDRESS_DHCP = 0, MGMT_ADDRESS_STATIC = 1 };

/* [mgmt]: the management partition. The *_line fields say where each key
 * was, for the checks only the machine can make (devices that exist, CPUs
 * and memory there are, the kernel file) to name the line they refuse. */
struct mgmt_config {
    bool present;
    unsigned line;                    /* the [mgmt] header */
    char kernel[CONFIG_PATH_MAX];     /* ELF64 on onestone's own volume */
    uint32_t cpus;                    /* how many: the last CPUs in MADT order */
    uint64_t memory, checkpoint;      /* bytes */
    struct device_ref devices[CONFIG_DEVICES_MAX];
    unsigned device_count;
    char token[CONFIG_TOKEN_MAX];     /* the API's bearer token, or */
    char token_file[CONFIG_PATH_MAX]; /* a file on onestone's volume holding it */
    enum mgmt_address_mode address;
    uint8_t ip[4], gateway[4];        /* MGMT_ADDRESS_STATIC; gateway 0 = none */
    uint8_t prefix;
    uint16_t port;
    char project[CONFIG_URL_MAX];     /* work-unit server, empty = none */
    uint32_t test;                    /* tests only: MGMT_TEST_* of mgmt_abi.h */
    /* give the partition its devices even where that splits an IOMMU
     * group, a multi-function device or an RMRR (boot/device_units.h):
     * the devices left with the primary can then reach the partition's
     * by DMA; logged as a warning at every boot */
    bool allow_split;
    unsigned allow_split_line;
    unsigned kernel_line, cpus_line, memory_line, checkpoint_line, devices_line,
        token_line;
};

struct onestone_config {
    uint16_t console_port;            /* I/O port of the 16550; 0 = no console */
    uint32_t console_baud;
    enum boot_volume_kind boot_volume_kind;
    /* BOOT_VOLUME_LABEL: the FAT volume label; BOOT_VOLUME_PARTUUID: the
     * GUID as written (lower case), and its 16 bytes as an EFI_GUID (and a
     * GPT entry, and a hard-drive device path node) lays them out */
    char boot_volume_label[CONFIG_VOLUME_MAX];
    uint8_t boot_volume_guid[16];
    char boot_path[CONFIG_PATH_MAX];  /* backslash path on that volume */
    char boot_args[CONFIG_ARGS_MAX];  /* load options given to the target */
    bool hide_hypervisor;             /* hide CPUID.1:ECX[31] and 0x4000_00xx */
    enum log_level log_level;
    enum iommu_policy iommu;          /* required: refuse without usable VT-d */
    enum selftest_mode selftest;      /* tests only: vtd = VT-d self-test, then stop */
    struct mgmt_config mgmt;
};

struct config_error {
    unsigned line;                    /* 1-based; 0 = not tied to a line */
    char message[CONFIG_ERROR_MAX];
};

/* Fills *out with the defaults, then applies `text`. Returns 0 on success;
 * on the first error returns -1, fills *err and leaves *out at defaults, so a
 * bad file never half-applies. */
int config_parse(const char *text, size_t len, struct onestone_config *out,
                 struct config_error *err);

void config_defaults(struct onestone_config *out);

/* A token_file's contents: one token of 1-63 printable characters without
 * spaces, optionally followed by a line end. */
bool config_token_file_ok(const char *text, size_t len);

/* "[SEG:]BB:DD.F" or "VVVV:DDDD" (hex) as a device reference; false for
 * anything else. */
bool config_parse_device(const char *s, size_t len, struct device_ref *out);

const char *config_log_level_name(enum log_level level);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex, either case), as lsblk's
 * PARTUUID and efibootmgr's HD() print it, as the 16 bytes of an EFI_GUID
 * in memory (the first three fields little-endian); false for anything
 * else. */
bool config_parse_guid(const char *s, size_t len, uint8_t out[16]);

#endif
