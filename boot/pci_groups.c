/* Shared (boot services, host tools and tests): IOMMU groups from PCI
 * configuration images, as Linux forms them (boot/pci_groups.h). */
#include "boot/pci_groups.h"

uint8_t pci_cfg8(const struct pci_fn *f, unsigned off)
{
    return off < f->cfg_len ? f->cfg[off] : 0xFF;
}

uint16_t pci_cfg16(const struct pci_fn *f, unsigned off)
{
    return (uint16_t)(pci_cfg8(f, off) | pci_cfg8(f, off + 1) << 8);
}

uint32_t pci_cfg32(const struct pci_fn *f, unsigned off)
{
    return (uint32_t)pci_cfg16(f, off) | (uint32_t)pci_cfg16(f, off + 2) << 16;
}

unsigned pci_find_cap(const struct pci_fn *f, uint8_t id)
{
    if (!(pci_cfg16(f, PCI_STATUS) & PCI_STATUS_CAP_LIST))
        return 0;
    unsigned at = pci_cfg8(f, PCI_CAPABILITY_LIST) & 0xFC;
    for (unsigned hops = 0; at >= 0x40 && at < 0x100 && hops < 48; hops++) {
        if (pci_cfg8(f, at) == id)
            return at;
        at = pci_cfg8(f, at + 1) & 0xFC;
    }
    return 0;
}

unsigned pci_find_ext_cap(const struct pci_fn *f, uint16_t id)
{
    if (f->cfg_len <= PCI_EXT_CAP_START)
        return 0;
    unsigned at = PCI_EXT_CAP_START;
    for (unsigned hops = 0; at >= PCI_EXT_CAP_START && hops < 480; hops++) {
        uint32_t h = pci_cfg32(f, at);
        if (h == 0 || h == 0xFFFFFFFF)
            return 0;
        if ((h & 0xFFFF) == id)
            return at;
        at = (h >> 20) & 0xFFC;
    }
    return 0;
}

bool pci_is_bridge(const struct pci_fn *f)
{
    uint8_t t = pci_cfg8(f, PCI_HEADER_TYPE) & 0x7F;
    return t == 1 || t == 2;
}

int pci_pcie_type(const struct pci_fn *f)
{
    unsigned at = pci_find_cap(f, PCI_CAP_ID_EXP);
    return at ? (pci_cfg16(f, at + PCI_EXP_FLAGS) >> 4) & 0xF : -1;
}

uint32_t pci_class(const struct pci_fn *f)
{
    return pci_cfg32(f, 8) >> 8;
}

static bool same_slot(const struct pci_fn *a, const struct pci_fn *b)
{
    return a->segment == b->segment && a->bus == b->bus && a->dev == b->dev;
}

bool pci_is_multifunction(const struct pci_fn *fns, unsigned n, unsigned i)
{
    for (unsigned k = 0; k < n; k++)
        if (k != i && same_slot(&fns[k], &fns[i]))
            return true;
    for (unsigned k = 0; k < n; k++)
        if (same_slot(&fns[k], &fns[i]) && fns[k].fn == 0)
            return (pci_cfg8(&fns[k], PCI_HEADER_TYPE) & PCI_HEADER_MULTI) != 0;
    return false;
}

/* Intel PCH root ports Linux's pci_quirk_intel_pch_acs knows (quirks.c
 * pci_quirk_intel_pch_acs_ids): Ibex Peak, Cougar Point, Panther Point
 * (7-series, the reference board's Z77), Lynx Point, X79, X99 */
static bool intel_pch_root_port(uint16_t vendor, uint16_t device)
{
    if (vendor != 0x8086)
        return false;
    return (device >= 0x3b42 && device <= 0x3b51) || (device >= 0x1c10 && device <= 0x1c1f) ||
           (device >= 0x1e10 && device <= 0x1e1f) || (device >= 0x8c10 && device <= 0x8c1f) ||
           (device >= 0x1d10 && device <= 0x1d1e && !(device & 1)) ||
           (device >= 0x8d10 && device <= 0x8d1e && !(device & 1));
}

/* pci_acs_flags_enabled: every required feature the capability has is
 * enabled in the control register (absent features count as enabled) */
static bool acs_flags_enabled(const struct pci_fn *f)
{
    unsigned at = pci_find_ext_cap(f, PCI_EXT_CAP_ID_ACS);
    if (!at)
        return false;
    uint16_t want = PCI_ACS_REQUIRED & pci_cfg16(f, at + PCI_ACS_CAP);
    return (pci_cfg16(f, at + PCI_ACS_CTRL) & want) == want;
}

bool pci_acs_isolates(const struct pci_fn *fns, unsigned n, unsigned i,
                      const struct pci_groups_options *o, const char **why)
{
    const struct pci_fn *f = &fns[i];
    uint16_t vendor = pci_cfg16(f, PCI_VENDOR_ID), device = pci_cfg16(f, PCI_DEVICE_ID);
    int type = pci_pcie_type(f);
    const char *dummy;
    why = why ? why : &dummy;
    if (type == PCI_EXP_TYPE_ROOT_PORT && intel_pch_root_port(vendor, device)) {
        *why = o->pch_acs_workaround ? "Intel PCH root port, Linux's ACS workaround applied"
                                     : "Intel PCH root port without Linux's ACS workaround";
        return o->pch_acs_workaround;
    }
    if (type == PCI_EXP_TYPE_RC_END && vendor == 0x8086) {
        *why = "Intel root-complex integrated endpoint (Linux's quirk: isolated)";
        return true;
    }
    if (type < 0) {
        *why = "conventional PCI: a shared bus";
        return false;
    }
    switch (type) {
    case PCI_EXP_TYPE_PCI_BRIDGE:
    case PCI_EXP_TYPE_PCIE_BRIDGE:
    case PCI_EXP_TYPE_RC_EC:
        *why = "PCIe-to-PCI bridge or event collector";
        return false;
    case PCI_EXP_TYPE_ROOT_PORT:
    case PCI_EXP_TYPE_DOWNSTREAM:
        *why = acs_flags_enabled(f) ? "ACS enabled" : "a port without ACS";
        return acs_flags_enabled(f);
    case PCI_EXP_TYPE_ENDPOINT:
    case PCI_EXP_TYPE_LEG_END:
    case PCI_EXP_TYPE_UPSTREAM:
    case PCI_EXP_TYPE_RC_END:
        if (!pci_is_multifunction(fns, n, i)) {
            *why = "single-function";
            return true;
        }
        *why = acs_flags_enabled(f) ? "ACS enabled" : "a multi-function device without ACS";
        return acs_flags_enabled(f);
    default:
        *why = "PCIe";
        return true;
    }
}

int pci_upstream_bridge(const struct pci_fn *fns, unsigned n, unsigned i)
{
    for (unsigned k = 0; k < n; k++)
        if (k != i && fns[k].segment == fns[i].segment && pci_is_bridge(&fns[k]) &&
            pci_cfg8(&fns[k], PCI_SECONDARY_BUS) == fns[i].bus && fns[i].bus != 0)
            return (int)k;
    return -1;
}

/* every bridge from fns[i] up to the root is isolating
 * (pci_acs_path_enabled) */
static bool acs_path_isolates(const struct pci_fn *fns, unsigned n, int i,
                              const struct pci_groups_options *o)
{
    for (unsigned depth = 0; i >= 0 && depth < 256; depth++) {
        if (!pci_acs_isolates(fns, n, (unsigned)i, o, NULL))
            return false;
        i = pci_upstream_bridge(fns, n, (unsigned)i);
    }
    return true;
}

static unsigned find(unsigned *parent, unsigned x)
{
    while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
    return x;
}

static void join(unsigned *parent, unsigned a, unsigned b)
{
    a = find(parent, a);
    b = find(parent, b);
    if (a != b)
        parent[a > b ? a : b] = a < b ? a : b;
}

/* the DMA-alias quirks of quirks.c: devices that use the requester ID
 * of function 0 (Ricoh card readers) or function 1 (Marvell 88SE91xx/
 * 92xx SATA, the 2012-era add-in cards, and others) of their slot */
static int dma_alias_function(uint16_t vendor, uint16_t device)
{
    static const uint16_t marvell_func1[] = { 0x9120, 0x9123, 0x9125, 0x9128, 0x9130, 0x9170,
                                              0x9172, 0x917a, 0x9182, 0x9183, 0x91a0, 0x9215,
                                              0x9220, 0x9230, 0x9235 };
    if (vendor == 0x1180 && (device == 0xe832 || device == 0xe476))
        return 0;
    if (vendor == 0x1b4b || vendor == 0x1b4c) /* Marvell and Marvell_EXT */
        for (unsigned k = 0; k < sizeof marvell_func1 / sizeof marvell_func1[0]; k++)
            if (marvell_func1[k] == device)
                return 1;
    if ((vendor == 0x1103 && (device == 0x0642 || device == 0x0645)) ||
        (vendor == 0x197b && device == 0x2393) || (vendor == 0x1c28 && device == 0x0122))
        return 1;
    return -1;
}

/* pci_device_group for fns[i]: the device its DMA aliases to (the
 * topmost bridge on its path that takes over requester IDs), then up to
 * the highest bridge whose path to the root is not isolating */
static unsigned group_anchor(const struct pci_fn *fns, unsigned n, unsigned i,
                             const struct pci_groups_options *o)
{
    unsigned a = i;
    for (int br = pci_upstream_bridge(fns, n, i), depth = 0; br >= 0 && depth < 256;
         br = pci_upstream_bridge(fns, n, (unsigned)br), depth++) {
        int t = pci_pcie_type(&fns[br]);
        if (t == PCI_EXP_TYPE_ROOT_PORT || t == PCI_EXP_TYPE_UPSTREAM || t == PCI_EXP_TYPE_DOWNSTREAM)
            continue;
        a = (unsigned)br;       /* PCIe-to-PCI, PCI-to-PCIe or conventional bridge */
    }
    for (int br = pci_upstream_bridge(fns, n, a), depth = 0; br >= 0 && depth < 256; depth++) {
        if (acs_path_isolates(fns, n, br, o))
            break;
        a = (unsigned)br;
        br = pci_upstream_bridge(fns, n, a);
    }
    return a;
}

unsigned pci_groups_compute(const struct pci_fn *fns, unsigned n,
                            const struct pci_groups_options *o, unsigned *group)
{
    static unsigned parent[PCI_GROUPS_MAX];
    if (n > PCI_GROUPS_MAX)
        n = PCI_GROUPS_MAX;
    for (unsigned i = 0; i < n; i++)
        parent[i] = i;
    for (unsigned i = 0; i < n; i++) {
        unsigned a = group_anchor(fns, n, i, o);
        join(parent, i, a);
        int alias = dma_alias_function(pci_cfg16(&fns[i], PCI_VENDOR_ID),
                                       pci_cfg16(&fns[i], PCI_DEVICE_ID));
        for (unsigned k = 0; alias >= 0 && k < n; k++)
            if (same_slot(&fns[k], &fns[i]) && fns[k].fn == alias)
                join(parent, i, k);
        /* get_pci_function_alias_group: the functions of a multi-function
         * device that do not isolate share one group */
        if (pci_is_multifunction(fns, n, a) && !pci_acs_isolates(fns, n, a, o, NULL))
            for (unsigned k = 0; k < n; k++)
                if (k != a && same_slot(&fns[k], &fns[a]) && !pci_acs_isolates(fns, n, k, o, NULL))
                    join(parent, a, k);
    }
    unsigned count = 0;
    static unsigned number[PCI_GROUPS_MAX];
    for (unsigned i = 0; i < n; i++)
        number[i] = ~0u;
    for (unsigned i = 0; i < n; i++) {
        unsigned r = find(parent, i);
        if (number[r] == ~0u)
            number[r] = count++;
        group[i] = number[r];
    }
    return count;
}
