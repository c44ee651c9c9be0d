/* Runs in UEFI boot services, before anything is hidden: the device-unit
 * rules of boot/device_units.h on the live machine. Every function's
 * configuration space is read (4 KiB through ECAM where the firmware has
 * an MCFG table, else 256 bytes through 0xCF8/0xCFC); ACS is enabled on
 * every root and downstream port that has it, as Linux does at
 * enumeration (source validation, request and completion redirect,
 * upstream forwarding), once the configuration is accepted, and the
 * groups are computed as they are with it on; the RMRRs come from the DMAR table. A [mgmt] device list
 * that splits a group, a multi-function device or an RMRR is refused by
 * its line, unless allow_split = yes (then each is logged as a warning). */
#include "boot/boot.h"
#include "boot/acpi_find.h"
#include "boot/device_units.h"
#include "boot/ecam.h"
#include "boot/mgmt_units.h"
#include "drivers/pci.h"
#include "hv/core/log.h"
#include "onestone/text_out.h"
#include "vtd/dmar.h"

#define CFG_SIZE 4096

static void read_function(struct pci_fn *f, uint8_t *cfg, const struct acpi_sdt_header *mcfg)
{
    uint64_t page = mcfg ? ecam_function_page(mcfg, mcfg->length, 0, f->bus, f->dev, f->fn) : 0;
    if (page) {
        const volatile uint32_t *ecam = (const volatile uint32_t *)(UINTN)page;
        for (unsigned off = 0; off < CFG_SIZE; off += 4) {
            uint32_t v = ecam[off / 4];
            cfg[off] = (uint8_t)v;
            cfg[off + 1] = (uint8_t)(v >> 8);
            cfg[off + 2] = (uint8_t)(v >> 16);
            cfg[off + 3] = (uint8_t)(v >> 24);
        }
        f->cfg_len = CFG_SIZE;
    } else {
        uint16_t bdf = PCI_BDF(f->bus, f->dev, f->fn);
        for (unsigned off = 0; off < 256; off += 4) {
            uint32_t v = pci_read32(bdf, (uint8_t)off);
            cfg[off] = (uint8_t)v;
            cfg[off + 1] = (uint8_t)(v >> 8);
            cfg[off + 2] = (uint8_t)(v >> 16);
            cfg[off + 3] = (uint8_t)(v >> 24);
        }
        f->cfg_len = 256;
    }
    f->cfg = cfg;
}

/* ACS on a port that has it: the control bits for the features its
 * capability register offers (boot/pci_groups.h PCI_ACS_REQUIRED), set in
 * the image first (the groups are computed as they will be); written to
 * the port only once the configuration is accepted. The ACS capability's
 * offset, or 0 where there is nothing to enable. */
static unsigned plan_acs(struct pci_fn *f, uint8_t *cfg, const struct acpi_sdt_header *mcfg)
{
    int type = pci_pcie_type(f);
    if (type != PCI_EXP_TYPE_ROOT_PORT && type != PCI_EXP_TYPE_DOWNSTREAM)
        return 0;
    unsigned at = pci_find_ext_cap(f, PCI_EXT_CAP_ID_ACS);
    if (!at || !mcfg)
        return 0;
    uint16_t want = pci_cfg16(f, at + PCI_ACS_CAP) & PCI_ACS_REQUIRED;
    uint16_t ctrl = pci_cfg16(f, at + PCI_ACS_CTRL);
    if ((ctrl & want) == want)
        return 0;
    ctrl |= want;
    cfg[at + PCI_ACS_CTRL] = (uint8_t)ctrl;
    cfg[at + PCI_ACS_CTRL + 1] = (uint8_t)(ctrl >> 8);
    return at;
}

static void write_acs(const struct pci_fn *f, unsigned at, const struct acpi_sdt_header *mcfg)
{
    uint64_t page = ecam_function_page(mcfg, mcfg->length, 0, f->bus, f->dev, f->fn);
    if (!page)
        return;
    /* the control register is the upper half of the dword at +4 */
    volatile uint32_t *reg = (volatile uint32_t *)(UINTN)(page + at + PCI_ACS_CAP);
    *reg = (*reg & 0xFFFF) | (uint32_t)pci_cfg16(f, at + PCI_ACS_CTRL) << 16;
}

static unsigned read_rmrrs(const struct pci_fn *fns, unsigned n, struct unit_rmrr *out)
{
    const struct acpi_sdt_header *t = acpi_find_table("DMAR");
    static struct dmar_info info;
    if (!t || dmar_parse(t, t->length, &info, NULL, 0))
        return 0;
    struct pci_fn_list list = { fns, n };
    unsigned count = 0;
    for (unsigned r = 0; r < info.rmrr_count && count < DMAR_MAX_RMRR; r++) {
        struct unit_rmrr *u = &out[count++];
        u->base = info.rmrrs[r].base;
        u->limit = info.rmrrs[r].limit;
        u->count = 0;
        for (unsigned s = 0; s < info.rmrrs[r].scope_count && u->count < UNIT_RMRR_DEVICES; s++) {
            uint16_t bdf;
            if (info.rmrrs[r].segment != 0 ||
                dmar_scope_bdf(&info.rmrrs[r].scopes[s], pci_fn_list_secondary_bus, &list, &bdf))
                continue;
            for (unsigned i = 0; i < n; i++)
                if (PCI_BDF(fns[i].bus, fns[i].dev, fns[i].fn) == bdf)
                    u->fns[u->count++] = i;
        }
    }
    return count;
}

int mgmt_units_check(const struct mgmt_config *m, const struct platform_facts *f,
                     const unsigned resolved[CONFIG_DEVICES_MAX], struct config_error *err)
{
    static struct pci_fn fns[PLATFORM_FUNCTIONS_MAX];
    static unsigned group[PLATFORM_FUNCTIONS_MAX];
    static enum device_owner owner[PLATFORM_FUNCTIONS_MAX];
    static struct unit_rmrr rmrrs[DMAR_MAX_RMRR];
    static struct unit_finding findings[UNIT_FINDINGS_MAX];
    static unsigned acs_at[PLATFORM_FUNCTIONS_MAX];
    unsigned n = f->function_count;
    uint8_t *images = AllocatePool((UINTN)n * CFG_SIZE);
    if (!images) {
        LOG_ERR("device units: no memory to read %u functions' configuration space", n);
        return -1;
    }
    const struct acpi_sdt_header *mcfg = acpi_find_table("MCFG");
    unsigned acs = 0;
    for (unsigned i = 0; i < n; i++) {
        fns[i] = (struct pci_fn){ 0, f->functions[i].bus, f->functions[i].dev, f->functions[i].fn,
                                  NULL, 0 };
        read_function(&fns[i], images + (UINTN)i * CFG_SIZE, mcfg);
    }
    for (unsigned i = 0; i < n; i++) {
        acs_at[i] = plan_acs(&fns[i], images + (UINTN)i * CFG_SIZE, mcfg);
        acs += acs_at[i] != 0;
    }
    struct pci_groups_options opts = { .pch_acs_workaround = false };
    unsigned groups = pci_groups_compute(fns, n, &opts, group);
    for (unsigned i = 0; i < n; i++)
        owner[i] = device_default_owner(&fns[i]);
    for (unsigned i = 0; i < m->device_count; i++)
        owner[resolved[i]] = OWNER_MGMT;
    unsigned rmrr_count = read_rmrrs(fns, n, rmrrs);
    unsigned found = device_units_check(fns, n, group, owner, rmrrs, rmrr_count, &opts, findings,
                                        UNIT_FINDINGS_MAX);
    LOG_INF("devices: %u PCI functions in %u IOMMU groups (%s%u ports' ACS to enable), %u RMRRs",
            n, groups, mcfg ? "" : "no MCFG: 256-byte configuration space, ", acs, rmrr_count);
    int refused = 0;
    for (unsigned i = 0; i < found && i < UNIT_FINDINGS_MAX; i++) {
        const struct unit_finding *u = &findings[i];
        if (u->kind == FINDING_LPC_GROUP)
            continue;       /* about devices nobody assigns: the checker's to say */
        if (u->error && !m->allow_split) {
            LOG_ERR("onestone.conf:%u: devices: %s", m->devices_line, u->text);
            if (!refused) {
                struct text_out o = { err->message, sizeof err->message, 0, 0 };
                err->line = m->devices_line;
                text_out_str(&o, "devices: ");
                text_out_str(&o, u->text);
            }
            refused = 1;
        } else {
            LOG_WARN_("onestone.conf:%u: devices: %s%s", u->error ? m->allow_split_line : m->devices_line,
                      u->text, u->error ? " (allow_split = yes)" : "");
        }
    }
    for (unsigned i = 0; !refused && i < n; i++)
        if (acs_at[i])
            write_acs(&fns[i], acs_at[i], mcfg);
    FreePool(images);
    return refused ? -1 : 0;
}
