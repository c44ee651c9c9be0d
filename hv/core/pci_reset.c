/* Shared (VMX root, boot services, host unit tests): one PCI function's
 * reset, by the first method it supports (hv/core/pci_reset.h). */
#include "hv/core/pci_reset.h"
#include "onestone/text_out.h"

/* configuration registers (PCI 3.0 6.1, PCIe 4.0 7.5, PCI PM 1.2 3.2,
 * PCI Advanced Features ECN) */
#define CFG_COMMAND         0x04
#define CFG_COMMAND_MEMORY  0x0002
#define CFG_COMMAND_INTX_DISABLE 0x0400
#define CFG_STATUS_CAPS     0x0010
#define CFG_CLASS           0x08
#define CFG_HEADER_TYPE     0x0E
#define CFG_BAR0            0x10
#define CFG_ROM             0x30
#define CFG_CAPS            0x34
#define CFG_INTERRUPT_LINE  0x3C
#define CFG_SECONDARY_BUS   0x19
#define CFG_BRIDGE_CONTROL  0x3E
#define BRIDGE_CTL_BUS_RESET 0x0040
#define CAP_PM              0x01
#define CAP_MSI             0x05
#define CAP_EXP             0x10
#define CAP_MSIX            0x11
#define CAP_AF              0x13
#define EXP_FLAGS           0x02
#define EXP_DEVCAP          0x04
#define EXP_DEVCAP_FLR      (1u << 28)
#define EXP_DEVCTL          0x08
#define EXP_DEVCTL_BCR_FLR  0x8000
#define EXP_DEVSTA          0x0A
#define EXP_DEVSTA_TRPND    0x0020
#define EXP_LNKCTL          0x10
#define EXP_DEVCTL2         0x28
#define PM_CTRL             0x04
#define PM_CTRL_NO_SOFT_RESET 0x0008
#define PM_CTRL_STATE_MASK  0x0003
#define PM_D3HOT            0x0003
#define AF_CAP              0x03
#define AF_CAP_TP           0x01
#define AF_CAP_FLR          0x02
#define AF_CTRL             0x04
#define AF_CTRL_FLR         0x01
#define AF_STATUS           0x05
#define AF_STATUS_TP        0x01
/* Intel 8254x/8257x/82579 Device Control register: software reset */
#define E1000_CTRL          0x0000
#define E1000_CTRL_RST      (1u << 26)

#define READY_MS            1000u   /* PCIe r6.0 6.6.1: ready within 1 s */

static uint32_t rd(const struct pci_reset_io *io, uint16_t bdf, unsigned off, unsigned size)
{
    return io->cfg_read(io->ctx, bdf, off, size);
}

static void wr(const struct pci_reset_io *io, uint16_t bdf, unsigned off, unsigned size, uint32_t v)
{
    io->cfg_write(io->ctx, bdf, off, size, v);
}

static unsigned find_cap(const struct pci_reset_io *io, uint16_t bdf, uint8_t id)
{
    if (!(rd(io, bdf, 0x06, 2) & CFG_STATUS_CAPS))
        return 0;
    unsigned at = rd(io, bdf, CFG_CAPS, 1) & 0xFC;
    for (unsigned hops = 0; at >= 0x40 && hops < 48; hops++) {
        if ((rd(io, bdf, at, 1) & 0xFF) == id)
            return at;
        at = rd(io, bdf, at + 1, 1) & 0xFC;
    }
    return 0;
}

const char *pci_reset_method_name(enum pci_reset_method m)
{
    switch (m) {
    case PCI_RESET_FLR: return "FLR";
    case PCI_RESET_AF_FLR: return "AF FLR";
    case PCI_RESET_PM: return "PM reset (D3hot->D0)";
    case PCI_RESET_BUS: return "secondary bus reset";
    case PCI_RESET_DEVICE: return "device-specific reset";
    default: return "none";
    }
}

struct id { uint16_t vendor, device; };

static bool listed(const struct id *t, unsigned n, uint16_t vendor, uint16_t device)
{
    for (unsigned i = 0; i < n; i++)
        if (t[i].vendor == vendor && t[i].device == device)
            return true;
    return false;
}

/* quirks.c quirk_no_flr: FLR advertised but broken */
static const struct id no_flr[] = {
    { 0x1022, 0x1487 }, { 0x1022, 0x148c }, { 0x1022, 0x149c }, { 0x1022, 0x7901 },
    { 0x8086, 0x1502 }, { 0x8086, 0x1503 }, { 0x14c3, 0x0616 },
};
/* quirks.c quirk_no_bus_reset: devices that do not come back from one */
static const struct id no_bus_reset[] = {
    { 0x168c, 0x0030 }, { 0x168c, 0x0032 }, { 0x168c, 0x0033 }, { 0x168c, 0x0034 },
    { 0x168c, 0x003c }, { 0x168c, 0x003e }, { 0x177d, 0xa100 }, { 0x104c, 0xb005 },
    { 0x1b21, 0x1164 },
};
/* Intel PRO/1000 parts whose CTRL.RST (BAR0 + 0) resets the function:
 * 82540EM, 82545EM, 82541, 82547, 82574L, 82579LM/V, I217 */
static const struct id e1000_ctrl_rst[] = {
    { 0x8086, 0x100e }, { 0x8086, 0x100f }, { 0x8086, 0x1011 }, { 0x8086, 0x1026 },
    { 0x8086, 0x1076 }, { 0x8086, 0x1019 }, { 0x8086, 0x10d3 }, { 0x8086, 0x1502 },
    { 0x8086, 0x1503 }, { 0x8086, 0x153a }, { 0x8086, 0x153b },
};

static int upstream_bridge(const struct pci_reset_io *io, uint16_t bdf)
{
    unsigned bus = bdf >> 8;
    if (bus == 0)
        return -1;
    for (unsigned b = 0; b < bus; b++)
        for (unsigned d = 0; d < 32; d++)
            for (unsigned f = 0; f < 8; f++) {
                uint16_t x = (uint16_t)(b << 8 | d << 3 | f);
                uint32_t id = rd(io, x, 0, 4);
                if (id == 0xFFFFFFFFu || id == 0) {
                    if (f == 0)
                        break;
                    continue;
                }
                uint8_t type = (uint8_t)rd(io, x, CFG_HEADER_TYPE, 1);
                if ((type & 0x7F) == 1 && rd(io, x, CFG_SECONDARY_BUS, 1) == bus)
                    return x;
                if (f == 0 && !(type & 0x80))
                    break;
            }
    return -1;
}

/* no other function answers on bdf's bus (pci_parent_bus_reset) */
static bool alone_on_bus(const struct pci_reset_io *io, uint16_t bdf)
{
    unsigned bus = bdf >> 8;
    for (unsigned d = 0; d < 32; d++)
        for (unsigned f = 0; f < 8; f++) {
            uint16_t x = (uint16_t)(bus << 8 | d << 3 | f);
            if (x == bdf)
                continue;
            uint32_t id = rd(io, x, 0, 4);
            if (id != 0xFFFFFFFFu && id != 0)
                return false;
        }
    return true;
}

static uint64_t bar0_memory(const struct pci_reset_io *io, uint16_t bdf)
{
    uint32_t lo = rd(io, bdf, CFG_BAR0, 4);
    if (lo & 1)
        return 0;                       /* an I/O BAR */
    uint64_t addr = lo & ~0xFull;
    if ((lo & 6) == 4)
        addr |= (uint64_t)rd(io, bdf, CFG_BAR0 + 4, 4) << 32;
    return addr;
}

enum pci_reset_method pci_reset_choose(const struct pci_reset_io *io, uint16_t bdf, char *why,
                                       size_t why_cap, int *bridge_out)
{
    char spare[8];
    struct text_out t = { why ? why : spare, why ? why_cap : sizeof spare, 0, 0 };
    t.buf[0] = 0;
    uint32_t id = rd(io, bdf, 0, 4);
    uint16_t vendor = (uint16_t)id, device = (uint16_t)(id >> 16);
    uint32_t class_code = rd(io, bdf, CFG_CLASS, 4) >> 8;
    unsigned exp = find_cap(io, bdf, CAP_EXP);
    if (bridge_out)
        *bridge_out = -1;
    if (exp && (rd(io, bdf, exp + EXP_DEVCAP, 4) & EXP_DEVCAP_FLR)) {
        if (!listed(no_flr, sizeof no_flr / sizeof no_flr[0], vendor, device))
            return PCI_RESET_FLR;
        text_out_str(&t, "FLR broken on this device (quirk); ");
    } else {
        text_out_str(&t, "no FLR capability; ");
    }
    unsigned af = find_cap(io, bdf, CAP_AF);
    uint8_t af_cap = af ? (uint8_t)rd(io, bdf, af + AF_CAP, 1) : 0;
    if ((af_cap & (AF_CAP_TP | AF_CAP_FLR)) == (AF_CAP_TP | AF_CAP_FLR) &&
        !listed(no_flr, sizeof no_flr / sizeof no_flr[0], vendor, device))
        return PCI_RESET_AF_FLR;
    unsigned pm = find_cap(io, bdf, CAP_PM);
    if (!pm) {
        text_out_str(&t, "no PM capability; ");
    } else if (rd(io, bdf, pm + PM_CTRL, 2) & PM_CTRL_NO_SOFT_RESET) {
        text_out_str(&t, "PM: NoSoftRst set (D3hot keeps its state); ");
    } else if (vendor == 0x1002 && (class_code >> 8) == 0x0300 && (bdf >> 8) != 0) {
        text_out_str(&t, "PM: no effect on ATI/AMD VGA (quirk); ");
    } else if ((rd(io, bdf, pm + PM_CTRL, 2) & PM_CTRL_STATE_MASK) != 0) {
        text_out_str(&t, "PM: not in D0; ");
    } else {
        return PCI_RESET_PM;
    }
    int bridge = upstream_bridge(io, bdf);
    if (bridge < 0) {
        text_out_str(&t, "no bus reset on the root bus; ");
    } else if (!alone_on_bus(io, bdf)) {
        text_out_str(&t, "bus reset: other functions share its bus; ");
    } else if (listed(no_bus_reset, sizeof no_bus_reset / sizeof no_bus_reset[0], vendor, device)) {
        text_out_str(&t, "bus reset: this device does not come back from one (quirk); ");
    } else {
        if (bridge_out)
            *bridge_out = bridge;
        return PCI_RESET_BUS;
    }
    if (listed(e1000_ctrl_rst, sizeof e1000_ctrl_rst / sizeof e1000_ctrl_rst[0], vendor, device) &&
        bar0_memory(io, bdf))
        return PCI_RESET_DEVICE;
    text_out_str(&t, "no device-specific reset");
    return PCI_RESET_NONE;
}

/* the registers a reset clears that onestone (or the firmware) set up */
struct saved {
    uint32_t dword[16];             /* 0x00-0x3C */
    unsigned exp, msi, msix;
    uint16_t devctl, lnkctl, devctl2, msi_ctl, msix_ctl;
    uint32_t msi_addr_lo, msi_addr_hi;
    uint16_t msi_data;
    bool exp_v2, msi_64;
};

static void save(const struct pci_reset_io *io, uint16_t bdf, struct saved *s)
{
    s->devctl = s->lnkctl = s->devctl2 = s->msi_ctl = s->msix_ctl = s->msi_data = 0;
    s->msi_addr_lo = s->msi_addr_hi = 0;
    s->exp_v2 = s->msi_64 = false;
    for (unsigned i = 0; i < 16; i++)
        s->dword[i] = rd(io, bdf, i * 4, 4);
    s->exp = find_cap(io, bdf, CAP_EXP);
    if (s->exp) {
        s->devctl = (uint16_t)rd(io, bdf, s->exp + EXP_DEVCTL, 2);
        s->lnkctl = (uint16_t)rd(io, bdf, s->exp + EXP_LNKCTL, 2);
        s->exp_v2 = (rd(io, bdf, s->exp + EXP_FLAGS, 2) & 0xF) >= 2;
        if (s->exp_v2)
            s->devctl2 = (uint16_t)rd(io, bdf, s->exp + EXP_DEVCTL2, 2);
    }
    s->msi = find_cap(io, bdf, CAP_MSI);
    if (s->msi) {
        s->msi_ctl = (uint16_t)rd(io, bdf, s->msi + 2, 2);
        s->msi_64 = (s->msi_ctl & 0x80) != 0;
        s->msi_addr_lo = rd(io, bdf, s->msi + 4, 4);
        if (s->msi_64)
            s->msi_addr_hi = rd(io, bdf, s->msi + 8, 4);
        s->msi_data = (uint16_t)rd(io, bdf, s->msi + (s->msi_64 ? 12 : 8), 2);
    }
    s->msix = find_cap(io, bdf, CAP_MSIX);
    if (s->msix)
        s->msix_ctl = (uint16_t)rd(io, bdf, s->msix + 2, 2);
}

static void restore(const struct pci_reset_io *io, uint16_t bdf, const struct saved *s)
{
    for (unsigned i = CFG_BAR0 / 4; i <= 0x24 / 4; i++)
        wr(io, bdf, i * 4, 4, s->dword[i]);
    wr(io, bdf, CFG_ROM, 4, s->dword[CFG_ROM / 4]);
    wr(io, bdf, 0x0C, 1, s->dword[3] & 0xFF);                 /* cache line size */
    wr(io, bdf, 0x0D, 1, (s->dword[3] >> 8) & 0xFF);          /* latency timer */
    wr(io, bdf, CFG_INTERRUPT_LINE, 1, s->dword[15] & 0xFF);
    if (s->exp) {
        wr(io, bdf, s->exp + EXP_DEVCTL, 2, s->devctl & ~EXP_DEVCTL_BCR_FLR);
        wr(io, bdf, s->exp + EXP_LNKCTL, 2, s->lnkctl);
        if (s->exp_v2)
            wr(io, bdf, s->exp + EXP_DEVCTL2, 2, s->devctl2);
    }
    if (s->msi) {
        wr(io, bdf, s->msi + 4, 4, s->msi_addr_lo);
        if (s->msi_64)
            wr(io, bdf, s->msi + 8, 4, s->msi_addr_hi);
        wr(io, bdf, s->msi + (s->msi_64 ? 12 : 8), 2, s->msi_data);
        wr(io, bdf, s->msi + 2, 2, s->msi_ctl);
    }
    if (s->msix)
        wr(io, bdf, s->msix + 2, 2, s->msix_ctl);
    wr(io, bdf, CFG_COMMAND, 2, s->dword[1] & 0xFFFF);
}

static void wait(const struct pci_reset_io *io, struct pci_reset_result *r, unsigned ms)
{
    io->delay_ms(io->ctx, ms);
    r->waited_ms += ms;
}

/* pci_dev_wait: until the Command dword is no longer all-ones (a
 * function still in reset answers with all-ones or retries) */
static bool wait_ready(const struct pci_reset_io *io, uint16_t bdf, struct pci_reset_result *r)
{
    for (unsigned delay = 1, total = 0;; delay *= 2) {
        if (rd(io, bdf, CFG_COMMAND, 4) != 0xFFFFFFFFu)
            return true;
        if (total >= READY_MS)
            return false;
        wait(io, r, delay);
        total += delay;
    }
}

/* a transaction-pending bit (DevSta.TRPND, AF status TP) clears: 3 polls
 * of 100, 200, 400 ms (pci_wait_for_pending) */
static bool wait_pending(const struct pci_reset_io *io, uint16_t bdf, unsigned reg, unsigned bit,
                         struct pci_reset_result *r)
{
    for (unsigned i = 0, ms = 100; i < 4; i++, ms *= 2) {
        if (!(rd(io, bdf, reg, 2) & bit))
            return true;
        if (i < 3)
            wait(io, r, ms);
    }
    return false;
}

int pci_reset_function(const struct pci_reset_io *io, uint16_t bdf, struct pci_reset_result *r)
{
    r->method = PCI_RESET_NONE;
    r->ready = r->config_cleared = false;
    r->waited_ms = 0;
    char skipped[PCI_RESET_TEXT];
    int bridge;
    enum pci_reset_method m = pci_reset_choose(io, bdf, skipped, sizeof skipped, &bridge);
    struct saved s;
    save(io, bdf, &s);
    /* disabled around the reset: no decoding, no DMA, no MSI */
    wr(io, bdf, CFG_COMMAND, 2, CFG_COMMAND_INTX_DISABLE);
    struct text_out t = { r->text, sizeof r->text, 0, 0 };
    r->text[0] = 0;
    bool drained = true;
    switch (m) {
    case PCI_RESET_FLR:
        drained = wait_pending(io, bdf, s.exp + EXP_DEVSTA, EXP_DEVSTA_TRPND, r);
        wr(io, bdf, s.exp + EXP_DEVCTL, 2, (s.devctl | EXP_DEVCTL_BCR_FLR));
        wait(io, r, 100);
        break;
    case PCI_RESET_AF_FLR: {
        unsigned af = find_cap(io, bdf, CAP_AF);
        drained = wait_pending(io, bdf, af + AF_STATUS, AF_STATUS_TP, r);
        wr(io, bdf, af + AF_CTRL, 1, AF_CTRL_FLR);
        wait(io, r, 100);
        break;
    }
    case PCI_RESET_PM: {
        unsigned pm = find_cap(io, bdf, CAP_PM);
        uint16_t ctl = (uint16_t)rd(io, bdf, pm + PM_CTRL, 2) & ~PM_CTRL_STATE_MASK;
        wr(io, bdf, pm + PM_CTRL, 2, ctl | PM_D3HOT);
        wait(io, r, 10);
        wr(io, bdf, pm + PM_CTRL, 2, ctl);
        wait(io, r, 10);
        break;
    }
    case PCI_RESET_BUS: {
        uint16_t b = (uint16_t)bridge;
        uint16_t ctl = (uint16_t)rd(io, b, CFG_BRIDGE_CONTROL, 2);
        wr(io, b, CFG_BRIDGE_CONTROL, 2, ctl | BRIDGE_CTL_BUS_RESET);
        wait(io, r, 2);                         /* Trst at least 1 ms; doubled */
        wr(io, b, CFG_BRIDGE_CONTROL, 2, ctl & ~BRIDGE_CTL_BUS_RESET);
        /* a PCIe port: 100 ms before the first request; conventional
         * PCI: 2^25 clocks (1 s) */
        wait(io, r, find_cap(io, b, CAP_EXP) ? 100 : 1000);
        break;
    }
    case PCI_RESET_DEVICE: {
        uint64_t bar = bar0_memory(io, bdf);
        wr(io, bdf, CFG_COMMAND, 2, CFG_COMMAND_MEMORY | CFG_COMMAND_INTX_DISABLE);
        io->mmio_write32(io->ctx, bar + E1000_CTRL, io->mmio_read32(io->ctx, bar + E1000_CTRL) | E1000_CTRL_RST);
        wait(io, r, 10);
        for (unsigned i = 0; i < 10 && (io->mmio_read32(io->ctx, bar + E1000_CTRL) & E1000_CTRL_RST); i++)
            wait(io, r, 10);
        wr(io, bdf, CFG_COMMAND, 2, CFG_COMMAND_INTX_DISABLE);
        break;
    }
    default:
        text_out_str(&t, "no reset method: ");
        text_out_str(&t, skipped);
        return -1;
    }
    r->method = m;
    r->ready = wait_ready(io, bdf, r);
    r->config_cleared = r->ready && !(rd(io, bdf, CFG_COMMAND, 2) & CFG_COMMAND_INTX_DISABLE);
    restore(io, bdf, &s);
    text_out_str(&t, pci_reset_method_name(m));
    if (m == PCI_RESET_DEVICE)
        text_out_str(&t, " (e1000 CTRL.RST)");
    if (!drained)
        text_out_str(&t, ", transactions still pending after 700 ms");
    if (!r->ready)
        text_out_str(&t, ", the function did not answer within 1 s");
    if (skipped[0]) {
        text_out_str(&t, " (");
        text_out_str(&t, skipped);
        if (t.len >= 2 && r->text[t.len - 2] == ';') {
            t.len -= 2;
            r->text[t.len] = 0;
        }
        text_out_str(&t, ")");
    }
    return 0;
}
