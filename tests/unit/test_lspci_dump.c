/* tools/lspci_dump.c and boot/pci_groups.c: reading lspci's dump format
 * and forming groups from it. A misread dump makes the checker judge a
 * machine that does not exist; a bad one must be refused by line. */
#include <stdio.h>
#include <string.h>
#include "tools/lspci_dump.h"
#include "boot/device_units.h"
#include "unit.h"

/* 16 bytes of configuration at OFF, vendor:device at 0, class at 8 */
static void hex_line(char *out, size_t cap, unsigned off, const unsigned char *b)
{
    size_t n = (size_t)snprintf(out, cap, "%02x:", off);
    for (int i = 0; i < 16; i++)
        n += (size_t)snprintf(out + n, cap - n, " %02x", b[i]);
    snprintf(out + n, cap - n, "\n");
}

/* a device as lspci -x prints it: its line, decoded text, 64 bytes */
static size_t device(char *out, size_t cap, const char *addr, unsigned vid, unsigned did,
                     unsigned cls, unsigned header)
{
    unsigned char first[16] = { (unsigned char)vid, (unsigned char)(vid >> 8), (unsigned char)did,
                                (unsigned char)(did >> 8) };
    first[8] = 1;
    first[9] = (unsigned char)cls;
    first[10] = (unsigned char)(cls >> 8);
    first[11] = (unsigned char)(cls >> 16);
    first[14] = (unsigned char)header;
    static const unsigned char zero[16];
    char l0[80], l1[80], l2[80], l3[80];
    hex_line(l0, sizeof l0, 0x00, first);
    hex_line(l1, sizeof l1, 0x10, zero);
    hex_line(l2, sizeof l2, 0x20, zero);
    hex_line(l3, sizeof l3, 0x30, zero);
    return (size_t)snprintf(out, cap, "%s Device [%04x]: vendor [%04x:%04x]\n\tSubsystem: x\n%s%s%s%s\n",
                            addr, cls >> 8, vid, did, l0, l1, l2, l3);
}

int main(int argc, char **argv)
{
    (void)argc;
    static char text[8192];
    size_t n = 0;
    n += device(text + n, sizeof text - n, "00:00.0", 0x8086, 0x1237, 0x060000, 0x00);
    n += device(text + n, sizeof text - n, "00:01.0", 0x8086, 0x7000, 0x060100, 0x80);
    n += device(text + n, sizeof text - n, "00:01.1", 0x8086, 0x7010, 0x010180, 0x00);
    n += device(text + n, sizeof text - n, "0000:00:03.0", 0x8086, 0x100e, 0x020000, 0x00);
    struct lspci_dump d;
    char err[200];
    CHECK_EQ_U64(lspci_dump_parse(text, n, &d, err, sizeof err), 0);
    CHECK_EQ_U64(d.count, 4);
    CHECK_EQ_U64(d.devices[3].fn.dev, 3);
    CHECK_EQ_U64(pci_cfg16(&d.devices[3].fn, PCI_DEVICE_ID), 0x100e);
    CHECK_EQ_U64(d.devices[1].fn.cfg_len, 64);
    CHECK_EQ_U64(pci_cfg8(&d.devices[1].fn, 0x80), 0xFF);     /* beyond what lspci showed */
    CHECK_CONTAINS(d.devices[2].desc, "Device [0101]");
    /* conventional PCI on the root bus: the two PIIX functions are one
     * group (a multi-function device without ACS), the rest their own */
    struct pci_fn fns[4];
    unsigned group[4];
    for (unsigned i = 0; i < 4; i++)
        fns[i] = d.devices[i].fn;
    struct pci_groups_options o = { false };
    CHECK_EQ_U64(pci_groups_compute(fns, 4, &o, group), 3);
    CHECK_EQ_U64(group[1], group[2]);
    CHECK(group[0] != group[1] && group[3] != group[1]);
    enum device_owner owner[4] = { OWNER_PLATFORM, OWNER_PRIMARY, OWNER_MGMT, OWNER_PRIMARY };
    struct unit_finding f[8];
    unsigned k = device_units_check(fns, 4, group, owner, NULL, 0, &o, f, 8);
    CHECK_EQ_U64(k, 2);
    CHECK_EQ_U64(f[0].kind, FINDING_FUNCTION_SPLIT);
    CHECK(f[0].error);
    CHECK_CONTAINS(f[0].text, "00:01.0 [8086:7000] (LPC bridge) goes to the primary, 00:01.1 [8086:7010] (IDE) to the management partition");
    CHECK_EQ_U64(f[1].kind, FINDING_LPC_GROUP);
    CHECK(!f[1].error);
    lspci_dump_free(&d);

    /* refusals, each by line */
    static const struct { const char *text, *want; } bad[] = {
        { "00:00.0 Host bridge\n", "1: this device has no configuration bytes" },
        { "00: 86 80 37 12 00 00 00 00 00 00 00 00 00 00 00 00\n", "1: configuration bytes before any device line" },
        { "00:00.0 x\n00: 86 80 37 12\n", "2: a configuration line with fewer than 16 bytes" },
        { "00:00.0 x\n08: 86 80 37 12 00 00 00 00 00 00 00 00 00 00 00 00\n", "2: a configuration offset that is not a multiple of 16" },
        { "00:00.0 x\n00: 86 80 37 12 00 00 00 00 00 00 00 00 00 00 00 zz\n", "2: a configuration line with something other than 16 hex bytes" },
        { "00:00.0 x\n00: 86 80 37 12 00 00 00 00 00 00 00 00 00 00 00 00\n00:00.0 y\n", "3: this function is listed twice" },
        { "hello\n", "1: no PCI functions" },
        { "## lspci\n## dmar\n 44 4d zz\n", "3: the dmar section holds something other than hex bytes" },
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (!CHECK_EQ_U64(lspci_dump_parse(bad[i].text, strlen(bad[i].text), &d, err, sizeof err), (uint64_t)-1))
            lspci_dump_free(&d);
        CHECK_CONTAINS(err, bad[i].want);
    }
    /* a survey: only its lspci section is the dump; its dmesg and groups are read */
    static const char survey[] =
        "# onestone-survey 1\n## lspci\n0000:00:1c.0 PCI bridge [0604]: Intel [8086:1e10]\n"
        "00: 86 80 10 1e 00 00 00 00 00 00 04 06 00 00 81 00\n"
        "## iommu_groups\n7 0000:00:1c.0\n7 reserved 0x00000000fee00000 0x00000000feefffff msi\n"
        "## dmesg\n[ 0.9] pci 0000:00:1c.0: Intel PCH root port ACS workaround enabled\n"
        "## interrupts\n00:00.0 not a device here\n";
    CHECK_EQ_U64(lspci_dump_parse(survey, sizeof survey - 1, &d, err, sizeof err), 0);
    CHECK_EQ_U64(d.count, 1);
    CHECK(d.pch_acs_workaround);
    CHECK(d.has_linux_groups);
    CHECK_EQ_U64((uint64_t)(int64_t)d.devices[0].linux_group, 7);
    lspci_dump_free(&d);
    return unit_finish(argv[0]);
}
