/* Runs on the host: checks an onestone.conf with the same parser
 * onestone.efi uses (boot/config.c), before it goes onto the ESP.
 *   onestone-conf check FILE   exit 0 and the effective settings, or exit 1
 *                              and "FILE:LINE: message" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onestone/config.h"

static int check(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open: ", path);
        perror(NULL);
        return 1;
    }
    static char buf[64 * 1024 + 1];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n == sizeof buf) {
        fprintf(stderr, "%s: larger than 64 KiB (onestone.efi refuses such a file)\n", path);
        return 1;
    }
    struct onestone_config c;
    struct config_error err;
    if (config_parse(buf, n, &c, &err) != 0) {
        fprintf(stderr, "%s:%u: %s\n", path, err.line, err.message);
        return 1;
    }
    printf("console = %s\n", c.console_port == 0x3F8 ? "com1" : c.console_port == 0x2F8 ? "com2" : "none");
    printf("baud = %u\n", c.console_baud);
    if (c.boot_volume_kind == BOOT_VOLUME_SELF)
        printf("boot_volume = self\n");
    else
        printf("boot_volume = label:%s\n", c.boot_volume_label);
    printf("boot_path = %s\n", c.boot_path);
    printf("boot_args = %s\n", c.boot_args);
    printf("hide_hypervisor = %s\n", c.hide_hypervisor ? "yes" : "no");
    printf("log_level = %s\n", config_log_level_name(c.log_level));
    printf("iommu = %s\n", c.iommu == IOMMU_REQUIRED ? "required" : "off");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "check") == 0)
        return check(argv[2]);
    fprintf(stderr, "usage: onestone-conf check FILE\n");
    return 2;
}
