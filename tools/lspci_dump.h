/* Runs on the host (onestone-conf, tests): reads what lspci printed on the
 * target machine (`lspci -D -nnvvv -xxxx`, or -xxx, or -x) into
 * configuration images for boot/pci_groups.c, and a survey file of
 * tools/onestone-survey (its "## lspci" section, its DMAR table, its
 * dmesg lines, the IOMMU groups Linux formed there). The device grammar is libpci's dump format (lib/dump.c):
 * a line "[DDDD:]BB:DD.F description" starts a device, lines "OFF: xx xx
 * ..." give its bytes, anything else (lspci -vvv's decoded text) is
 * skipped. */
#ifndef TOOLS_LSPCI_DUMP_H
#define TOOLS_LSPCI_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "boot/pci_groups.h"

#define LSPCI_DESC_MAX 120

struct lspci_device {
    struct pci_fn fn;           /* fn.cfg points at cfg below */
    uint8_t cfg[4096];
    char desc[LSPCI_DESC_MAX];  /* lspci's description, "VGA compatible controller [0300]: ..." */
    unsigned line;              /* where the device starts */
    int linux_group;            /* the survey's /sys/kernel/iommu_groups number, or -1 */
};

struct lspci_dump {
    unsigned count;
    struct lspci_device *devices;   /* count of them, malloc'ed */
    bool pch_acs_workaround;        /* the survey's dmesg says Linux applied it */
    uint8_t *dmar;                  /* the survey's DMAR table, or NULL */
    size_t dmar_len;
    bool has_linux_groups;          /* the survey lists Linux's IOMMU groups */
};

/* Parses TEXT (LEN bytes). 0, or -1 with "LINE: message" in err. */
int lspci_dump_parse(const char *text, size_t len, struct lspci_dump *out, char *err,
                     size_t err_cap);
void lspci_dump_free(struct lspci_dump *d);

#endif
