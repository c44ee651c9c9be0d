/* Runs on the host: checks an onestone.conf with the same parser
 * onestone.efi uses (boot/config.c), before it goes onto the ESP.
 *   onestone-conf check FILE [--esp DIR] [--lspci DUMP [--dmar TABLE]]
 * exit 0 and the effective settings, or exit 1 and "FILE:LINE: message".
 * With --esp DIR (the ESP's root as a directory), the files the
 * configuration names on onestone's volume are checked too: the
 * management partition's kernel (an ELF-64 x86-64 executable that fits
 * its memory, boot/elf_check.c) and its token_file. Checks only the
 * machine can answer (devices that exist there, how many CPUs and how much
 * memory it has) are made by onestone.efi at boot and listed as such.
 * With --lspci DUMP (lspci -D -nnvvv -xxxx from the target machine, or a
 * tools/onestone-survey file) the device assignment is judged against
 * that machine's IOMMU groups, multi-function devices and RMRRs (from
 * the survey, or --dmar TABLE, /sys/firmware/acpi/tables/DMAR), as
 * onestone.efi judges it at boot (tools/conf_devices.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onestone/config.h"
#include "boot/elf_check.h"
#include "tools/conf_devices.h"
#include "tools/host_file.h"

#define CONF_MAX (64 * 1024)
#define KERNEL_MAX (64u << 20)

/* "\EFI\onestone\mgmt.elf" under DIR */
static void esp_path(char *out, size_t cap, const char *dir, const char *backslashed)
{
    snprintf(out, cap, "%s/%s", dir, backslashed + 1);
    for (char *p = out + strlen(dir); *p; p++)
        if (*p == '\\')
            *p = '/';
}

static void print_device(const struct device_ref *d)
{
    if (d->kind == DEVICE_BY_ID)
        printf(" %04x:%04x", d->vendor, d->device);
    else
        printf(" %04x:%02x:%02x.%x", d->segment, d->bus, d->dev, d->fn);
}

static void print_mgmt(const struct mgmt_config *m)
{
    printf("[mgmt]\n");
    printf("kernel = %s\n", m->kernel);
    printf("cpus = %u\n", m->cpus);
    printf("memory = %lluM\n", (unsigned long long)(m->memory >> 20));
    printf("checkpoint = %lluK\n", (unsigned long long)(m->checkpoint >> 10));
    printf("devices =");
    for (unsigned i = 0; i < m->device_count; i++)
        print_device(&m->devices[i]);
    printf("\n");
    if (m->token[0])
        printf("token = (%zu characters)\n", strlen(m->token));
    else
        printf("token_file = %s\n", m->token_file);
    if (m->address == MGMT_ADDRESS_DHCP)
        printf("address = dhcp\n");
    else
        printf("address = %u.%u.%u.%u/%u\n", m->ip[0], m->ip[1], m->ip[2], m->ip[3], m->prefix);
    if (m->gateway[0] | m->gateway[1] | m->gateway[2] | m->gateway[3])
        printf("gateway = %u.%u.%u.%u\n", m->gateway[0], m->gateway[1], m->gateway[2],
               m->gateway[3]);
    printf("port = %u\n", m->port);
    if (m->project[0])
        printf("project = %s\n", m->project);
}

/* The files [mgmt] names, under the ESP directory. 0 or 1 (reported). */
static int check_mgmt_files(const char *conf, const struct mgmt_config *m, const char *esp)
{
    char path[4096];
    const char *why = NULL;
    size_t len;
    esp_path(path, sizeof path, esp, m->kernel);
    char *image = host_file_read(path, KERNEL_MAX, &len, &why);
    if (!image) {
        fprintf(stderr, "%s:%u: kernel: %s (%s) %s\n", conf, m->kernel_line, m->kernel, path, why);
        return 1;
    }
    struct elf_image img;
    int rc = elf_check((const uint8_t *)image, len, m->memory - m->checkpoint, &img, &why);
    free(image);
    if (rc) {
        fprintf(stderr, "%s:%u: kernel: %s: %s\n", conf, m->kernel_line, m->kernel, why);
        return 1;
    }
    printf("# kernel %s: ELF-64 x86-64, %u loadable segment(s), fits below the checkpoint "
           "range\n", m->kernel, img.count);
    if (m->token_file[0]) {
        esp_path(path, sizeof path, esp, m->token_file);
        char *tok = host_file_read(path, CONFIG_TOKEN_MAX + 1, &len, &why);
        if (tok) {
            why = config_token_file_ok(tok, len) ? NULL :
                  "must hold one token of 1-63 printable characters without spaces";
            free(tok);
        }
        if (why) {
            fprintf(stderr, "%s:%u: token_file: %s %s\n", conf, m->token_line, m->token_file,
                    why);
            return 1;
        }
        printf("# token_file %s: holds a token\n", m->token_file);
    }
    return 0;
}

static int check(const char *path, const char *esp, const char *lspci, const char *dmar)
{
    const char *why = NULL;
    size_t n;
    char *buf = host_file_read(path, CONF_MAX, &n, &why);
    if (!buf) {
        fprintf(stderr, "%s: %s%s\n", path, why,
                strcmp(why, "is too large") ? "" : " (over 64 KiB: onestone.efi refuses it)");
        return 1;
    }
    struct onestone_config c;
    struct config_error err;
    int rc = config_parse(buf, n, &c, &err);
    free(buf);
    if (rc != 0) {
        fprintf(stderr, "%s:%u: %s\n", path, err.line, err.message);
        return 1;
    }
    if (c.mgmt.present && esp && check_mgmt_files(path, &c.mgmt, esp))
        return 1;
    if (lspci && conf_check_devices(path, &c, lspci, dmar))
        return 1;
    printf("console = %s\n", c.console_port == 0x3F8 ? "com1" : c.console_port == 0x2F8 ? "com2" : "none");
    printf("baud = %u\n", c.console_baud);
    printf("log_level = %s\n", config_log_level_name(c.log_level));
    printf("iommu = %s\n", c.iommu == IOMMU_REQUIRED ? "required" : "off");
    printf("[primary]\n");
    if (c.boot_volume_kind == BOOT_VOLUME_SELF)
        printf("boot_volume = self\n");
    else
        printf("boot_volume = %s:%s\n",
               c.boot_volume_kind == BOOT_VOLUME_LABEL ? "label" : "partuuid", c.boot_volume_label);
    printf("boot_path = %s\n", c.boot_path);
    printf("boot_args = %s\n", c.boot_args);
    printf("hide_hypervisor = %s\n", c.hide_hypervisor ? "yes" : "no");
    if (c.mgmt.present) {
        print_mgmt(&c.mgmt);
        if (!esp)
            printf("# the kernel and token files were not checked: give --esp DIR\n");
        if (c.mgmt.allow_split)
            printf("allow_split = yes\n");
        printf("# checked at boot only: that the devices exist (and are not bridges), that "
               "the machine has more than %u CPU(s) and the memory%s\n", c.mgmt.cpus,
               lspci ? "" : "; give --lspci DUMP to check the devices' IOMMU groups now");
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *esp = NULL, *lspci = NULL, *dmar = NULL;
    if (argc < 3 || strcmp(argv[1], "check") != 0)
        goto usage;
    for (int i = 3; i < argc; i += 2) {
        if (i + 1 >= argc)
            goto usage;
        if (!strcmp(argv[i], "--esp"))
            esp = argv[i + 1];
        else if (!strcmp(argv[i], "--lspci"))
            lspci = argv[i + 1];
        else if (!strcmp(argv[i], "--dmar"))
            dmar = argv[i + 1];
        else
            goto usage;
    }
    if (dmar && !lspci)
        goto usage;
    return check(argv[2], esp, lspci, dmar);
usage:
    fprintf(stderr, "usage: onestone-conf check FILE [--esp DIR] [--lspci DUMP [--dmar TABLE]]\n");
    return 2;
}
