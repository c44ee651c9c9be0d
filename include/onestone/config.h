/* Shared header (boot services and host tools): onestone.conf, parsed by
 * boot/config.c, the one parser used by onestone.efi and the host checker
 * tools/onestone-conf. Grammar: one `key = value` per line, `#` starts a
 * comment, blank lines ignored, keys may appear once. */
#ifndef ONESTONE_CONFIG_H
#define ONESTONE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

#define CONFIG_VOLUME_MAX 64
#define CONFIG_PATH_MAX   256
#define CONFIG_ARGS_MAX   512
#define CONFIG_ERROR_MAX  160

enum boot_volume_kind { BOOT_VOLUME_SELF = 0, BOOT_VOLUME_LABEL = 1 };
enum iommu_policy { IOMMU_REQUIRED = 0, IOMMU_OFF = 1 };
enum selftest_mode { SELFTEST_NONE = 0, SELFTEST_VTD = 1 };

struct onestone_config {
    uint16_t console_port;            /* I/O port of the 16550; 0 = no console */
    uint32_t console_baud;
    enum boot_volume_kind boot_volume_kind;
    char boot_volume_label[CONFIG_VOLUME_MAX];   /* for BOOT_VOLUME_LABEL */
    char boot_path[CONFIG_PATH_MAX];  /* backslash path on that volume */
    char boot_args[CONFIG_ARGS_MAX];  /* load options given to the target */
    bool hide_hypervisor;             /* hide CPUID.1:ECX[31] and 0x4000_00xx */
    enum log_level log_level;
    enum iommu_policy iommu;          /* required: refuse without usable VT-d */
    enum selftest_mode selftest;      /* tests only: vtd = VT-d self-test, then stop */
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

const char *config_log_level_name(enum log_level level);

#endif
