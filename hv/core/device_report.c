/* Runs in VMX root: the machine's PCI functions with their owners and
 * interrupt delivery (hv/core/device_report.h). A function whose driver
 * uses INTx on a line another function also uses is the 2012 HDMI-audio
 * failure's first link (README, Interrupts): a level-triggered line one
 * driver leaves asserted starves the others on it. */
#include "hv/core/device_report.h"
#include "hv/core/arch.h"
#include "hv/core/pci_cfg.h"
#include "onestone/plan.h"

/* a capability's offset in the legacy list (0: none) */
static unsigned find_cap(uint16_t bdf, uint8_t id)
{
    if (!(pci_cfg_read(bdf, 0x06, 2) & 0x10))
        return 0;
    unsigned at = pci_cfg_read(bdf, 0x34, 1) & 0xFC;
    for (unsigned hops = 0; at >= 0x40 && hops < 48; hops++) {
        if ((pci_cfg_read(bdf, at, 1) & 0xFF) == id)
            return at;
        at = pci_cfg_read(bdf, at + 1, 1) & 0xFC;
    }
    return 0;
}

static uint8_t irq_mode(uint16_t bdf, uint8_t pin)
{
    unsigned msix = find_cap(bdf, 0x11), msi = find_cap(bdf, 0x05);
    if (msix && (pci_cfg_read(bdf, msix + 2, 2) & 0x8000))      /* MSI-X Enable */
        return MGMT_IRQ_MSIX;
    if (msi && (pci_cfg_read(bdf, msi + 2, 2) & 0x0001))        /* MSI Enable */
        return MGMT_IRQ_MSI;
    if (!pin)
        return MGMT_IRQ_NONE;
    return (pci_cfg_read(bdf, 0x04, 2) & 0x400) ? MGMT_IRQ_INTX_DISABLED : MGMT_IRQ_INTX;
}

static uint8_t owner_of(uint16_t bdf)
{
    const struct plan_mgmt *m = &hv_plan->mgmt;
    for (uint32_t d = 0; m->present && d < m->device_count; d++)
        if (plan_device_bdf(&m->devices[d]) == bdf)
            return MGMT_OWNER_MGMT;
    return MGMT_OWNER_PRIMARY;
}

unsigned device_report_collect(struct mgmt_hc_device *out, unsigned max)
{
    /* every function is needed to judge sharing, listed or not */
    static struct mgmt_hc_device all[512];
    unsigned n = 0;
    for (unsigned bus = 0; bus < 256; bus++)
        for (unsigned dev = 0; dev < 32; dev++)
            for (unsigned fn = 0; fn < 8; fn++) {
                uint16_t bdf = (uint16_t)(bus << 8 | dev << 3 | fn);
                uint32_t id = pci_cfg_read(bdf, 0, 4);
                if (id == 0xFFFFFFFFu || id == 0) {
                    if (fn == 0)
                        break;
                    continue;
                }
                if (n < sizeof all / sizeof all[0]) {
                    uint8_t pin = (uint8_t)pci_cfg_read(bdf, 0x3D, 1);
                    all[n] = (struct mgmt_hc_device){
                        .bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = (uint8_t)fn,
                        .owner = owner_of(bdf), .vendor = (uint16_t)id,
                        .device = (uint16_t)(id >> 16),
                        .class_code = pci_cfg_read(bdf, 0x08, 4) >> 8,
                        .irq_mode = irq_mode(bdf, pin), .intx_pin = pin <= 4 ? pin : 0,
                        .intx_line = (uint8_t)pci_cfg_read(bdf, 0x3C, 1),
                    };
                    n++;
                }
                if (fn == 0 && !(pci_cfg_read(bdf, 0x0E, 1) & 0x80))
                    break;
            }
    device_report_mark_shared(all, n);
    for (unsigned i = 0; i < n && i < max; i++)
        out[i] = all[i];
    return n;
}
