/* libFuzzer target: the lspci dump and survey reader (tools/lspci_dump.c),
 * then the IOMMU groups and unit findings over whatever it read. */
#include "tests/fuzz/fuzz.h"
#include "boot/device_units.h"
#include "tools/lspci_dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = (char *)fuzz_exact(data, size);
    struct lspci_dump d;
    char err[200];
    if (lspci_dump_parse(text, size, &d, err, sizeof err) == 0) {
        static struct pci_fn fns[PCI_GROUPS_MAX];
        static unsigned group[PCI_GROUPS_MAX];
        static enum device_owner owner[PCI_GROUPS_MAX];
        static struct unit_finding f[UNIT_FINDINGS_MAX];
        for (unsigned i = 0; i < d.count; i++) {
            fns[i] = d.devices[i].fn;
            owner[i] = i % 3 ? device_default_owner(&fns[i]) : OWNER_MGMT;
        }
        struct pci_groups_options o = { d.pch_acs_workaround };
        pci_groups_compute(fns, d.count, &o, group);
        struct unit_rmrr r = { 0x1000, 0x1fff, 2, { 0, d.count - 1 } };
        device_units_check(fns, d.count, group, owner, &r, 1, &o, f, UNIT_FINDINGS_MAX);
        lspci_dump_free(&d);
    }
    free(text);
    return 0;
}
