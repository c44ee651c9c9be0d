/* hv/core/pci_reset.c over a configuration-space model: each method, the
 * order they are tried in, each quirk, the waits, and the configuration
 * written back. A wrong method leaves a device as the last partition left
 * it (the 2012 Radeon that "did not survive reboots"); a missing wait
 * talks to a function still in reset. */
#include <string.h>
#include "hv/core/pci_reset.h"
#include "unit.h"

#define FNS 8

struct fn {
    bool present;
    uint16_t bdf;
    uint8_t cfg[256];
    unsigned resets;            /* times the model reset it */
    unsigned not_ready_ms;      /* after a reset, all-ones for this long */
    uint64_t ready_at;
    bool never_ready;
    unsigned pending_polls;     /* DevSta.TRPND reads before it clears */
    unsigned pm_exp_state;
    uint64_t d3_at;             /* when it entered D3hot */
    uint32_t e1000_ctrl;
    unsigned e1000_resets;
};

struct model {
    struct fn f[FNS];
    uint64_t now_ms;
    uint64_t early_access;      /* config reads of a function still in its post-reset wait */
    uint64_t bus_reset_at;
    unsigned bus_reset_held_ms;
};

static struct fn *find(struct model *m, uint16_t bdf)
{
    for (int i = 0; i < FNS; i++)
        if (m->f[i].present && m->f[i].bdf == bdf)
            return &m->f[i];
    return NULL;
}

static void hw_reset(struct model *m, struct fn *f)
{
    memset(f->cfg + 0x10, 0, 0x18);     /* BARs */
    memset(f->cfg + 0x30, 0, 4);
    f->cfg[4] = f->cfg[5] = 0;
    f->cfg[0x3C] = 0;
    f->resets++;
    f->ready_at = m->now_ms + f->not_ready_ms;
}

static uint32_t cfg_read(void *ctx, uint16_t bdf, unsigned off, unsigned size)
{
    struct model *m = ctx;
    struct fn *f = find(m, bdf);
    if (!f)
        return size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFF : 0xFF;
    if (f->never_ready || m->now_ms < f->ready_at) {
        m->early_access++;
        return size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFF : 0xFF;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)f->cfg[(off + i) & 0xFF] << (8 * i);
    /* DevSta at the PCIe capability (0x60) + 0x0A: TRPND until polled enough */
    if (off == 0x6A && (f->cfg[0x6A] & 0x20)) {
        if (f->pending_polls && --f->pending_polls == 0)
            f->cfg[0x6A] &= (uint8_t)~0x20;
    }
    return v;
}

static void cfg_write(void *ctx, uint16_t bdf, unsigned off, unsigned size, uint32_t v)
{
    struct model *m = ctx;
    struct fn *f = find(m, bdf);
    if (!f)
        return;
    uint8_t old_bctl = f->cfg[0x3E];
    for (unsigned i = 0; i < size; i++)
        f->cfg[(off + i) & 0xFF] = (uint8_t)(v >> (8 * i));
    if (off == 0x68 && (v & 0x8000)) {             /* DevCtl.BCR_FLR */
        hw_reset(m, f);
        f->cfg[0x69] &= 0x7F;
    }
    if (off == 0x4C) {                              /* AF control: FLR */
        if (v & 1)
            hw_reset(m, f);
        f->cfg[0x4C] = 0;
    }
    if (off == 0x44) {                              /* PMCSR */
        unsigned state = v & 3;
        if (f->pm_exp_state == 3 && state == 0 && !(f->cfg[0x44] & 0x08) &&
            m->now_ms >= f->d3_at + 10)
            hw_reset(m, f);
        if (state == 3)
            f->d3_at = m->now_ms;
        f->pm_exp_state = state;
    }
    if (off == 0x3E && (v & 0x40) && !(old_bctl & 0x40))
        m->bus_reset_at = m->now_ms;
    if (off == 0x3E && !(v & 0x40) && (old_bctl & 0x40)) {
        m->bus_reset_held_ms = (unsigned)(m->now_ms - m->bus_reset_at);
        for (int i = 0; i < FNS; i++)
            if (m->f[i].present && (m->f[i].bdf >> 8) == f->cfg[0x19])
                hw_reset(m, &m->f[i]);
    }
}

static uint32_t mmio_read32(void *ctx, uint64_t addr)
{
    struct model *m = ctx;
    for (int i = 0; i < FNS; i++)
        if (m->f[i].present && addr == (m->f[i].cfg[0x10] & 0xF0u) + ((uint32_t)m->f[i].cfg[0x11] << 8) +
                                           ((uint32_t)m->f[i].cfg[0x12] << 16) + ((uint32_t)m->f[i].cfg[0x13] << 24)) {
            uint32_t v = m->f[i].e1000_ctrl;
            m->f[i].e1000_ctrl &= ~(1u << 26);  /* the reset completes */
            return v;
        }
    return 0xFFFFFFFFu;
}

static void mmio_write32(void *ctx, uint64_t addr, uint32_t v)
{
    struct model *m = ctx;
    for (int i = 0; i < FNS; i++)
        if (m->f[i].present && (m->f[i].cfg[4] & 2) &&
            addr == (uint32_t)(m->f[i].cfg[0x10] & 0xF0u) + ((uint32_t)m->f[i].cfg[0x11] << 8) +
                        ((uint32_t)m->f[i].cfg[0x12] << 16) + ((uint32_t)m->f[i].cfg[0x13] << 24)) {
            m->f[i].e1000_ctrl = v;
            if (v & (1u << 26))
                m->f[i].e1000_resets++;
        }
}

static void delay_ms(void *ctx, unsigned ms)
{
    ((struct model *)ctx)->now_ms += ms;
}

/* a function: IDs, class, BAR0, Command, and the capabilities asked for:
 * PCIe at 0x60 (FLR when flr), PM at 0x40 (NoSoftRst when nsr), AF at
 * 0x48 */
enum { CAP_PCIE = 1, CAP_FLR = 2, CAP_PMC = 4, CAP_NSR = 8, CAP_AFFLR = 16 };
static struct fn *add(struct model *m, uint16_t bdf, uint16_t vid, uint16_t did, uint32_t cls,
                      unsigned caps)
{
    struct fn *f = NULL;
    for (int i = 0; i < FNS && !f; i++)
        if (!m->f[i].present)
            f = &m->f[i];
    memset(f, 0, sizeof *f);
    f->present = true;
    f->bdf = bdf;
    f->cfg[0] = (uint8_t)vid, f->cfg[1] = (uint8_t)(vid >> 8);
    f->cfg[2] = (uint8_t)did, f->cfg[3] = (uint8_t)(did >> 8);
    f->cfg[9] = (uint8_t)cls, f->cfg[10] = (uint8_t)(cls >> 8), f->cfg[11] = (uint8_t)(cls >> 16);
    f->cfg[4] = 0x06;                               /* memory + bus master */
    f->cfg[0x10] = 0x00, f->cfg[0x12] = 0xfe, f->cfg[0x13] = 0xc0 + (uint8_t)(bdf & 0xF);
    f->cfg[0x3C] = 11;
    f->not_ready_ms = 50;
    uint8_t *next = &f->cfg[0x34];
    if (caps & CAP_PMC) {
        *next = 0x40;
        f->cfg[0x40] = 0x01;
        f->cfg[0x44] = (caps & CAP_NSR) ? 0x08 : 0;
        next = &f->cfg[0x41];
    }
    if (caps & CAP_AFFLR) {
        *next = 0x48;
        f->cfg[0x48] = 0x13;
        f->cfg[0x4B] = 0x03;                        /* TP and FLR capable */
        next = &f->cfg[0x49];
    }
    if (caps & CAP_PCIE) {
        *next = 0x60;
        f->cfg[0x60] = 0x10;
        f->cfg[0x62] = 0x02;                        /* version 2, endpoint */
        if (caps & CAP_FLR)
            f->cfg[0x67] = 0x10;                    /* DevCap bit 28 */
        f->cfg[0x68] = 0x10;                        /* DevCtl: relaxed ordering */
    }
    if (caps)
        f->cfg[6] = 0x10;                           /* a capability list */
    return f;
}

static void bridge(struct model *m, uint16_t bdf, uint8_t secondary, bool pcie)
{
    struct fn *b = add(m, bdf, 0x8086, 0x0151, 0x060400, pcie ? CAP_PCIE : 0);
    b->cfg[0x0E] = 0x01;
    b->cfg[0x19] = b->cfg[0x1A] = secondary;
    if (pcie)
        b->cfg[0x62] = 0x42;                        /* a root port */
}

static const struct pci_reset_io *io_of(struct model *m)
{
    static struct pci_reset_io io;
    io = (struct pci_reset_io){ m, cfg_read, cfg_write, mmio_read32, mmio_write32, delay_ms };
    return &io;
}

int main(int argc, char **argv)
{
    (void)argc;
    static struct model m;
    struct pci_reset_result r;

    /* FLR: drained first, 100 ms, then until it answers; config restored */
    memset(&m, 0, sizeof m);
    struct fn *nic = add(&m, 0x0300, 0x8086, 0x10d3, 0x020000, CAP_PCIE | CAP_FLR | CAP_PMC);
    nic->cfg[0x6A] = 0x20;                          /* a transaction pending */
    nic->pending_polls = 2;
    nic->not_ready_ms = 150;                        /* longer than the 100 ms wait */
    CHECK_EQ_U64(pci_reset_function(io_of(&m), 0x0300, &r), 0);
    CHECK_EQ_U64(r.method, PCI_RESET_FLR);
    CHECK_EQ_U64(nic->resets, 1);
    CHECK(r.ready);
    CHECK_EQ_U64(m.early_access > 0, 1);            /* polled while it was not ready... */
    CHECK(r.waited_ms >= 100 + 100);                /* ...after the pending wait and 100 ms */
    CHECK_EQ_U64(nic->cfg[0x13], 0xc0);             /* BAR0 back */
    CHECK_EQ_U64(nic->cfg[0x3C], 11);
    CHECK_EQ_U64(nic->cfg[0x68], 0x10);             /* DevCtl back, FLR bit clear */
    CHECK_EQ_U64(nic->cfg[4], 0x06);                /* Command back last */
    CHECK_STREQ(r.text, "FLR");
    CHECK(r.config_cleared);

    /* FLR is advertised but broken on an 82579V (quirk): PM instead, with
     * 10 ms in D3hot */
    memset(&m, 0, sizeof m);
    struct fn *lan = add(&m, 0x00C8, 0x8086, 0x1503, 0x020000, CAP_PCIE | CAP_FLR | CAP_PMC);
    CHECK_EQ_U64(pci_reset_function(io_of(&m), 0x00C8, &r), 0);
    CHECK_EQ_U64(r.method, PCI_RESET_PM);
    CHECK_EQ_U64(lan->resets, 1);
    CHECK_EQ_U64(lan->pm_exp_state, 0);
    CHECK_CONTAINS(r.text, "PM reset (D3hot->D0) (FLR broken on this device (quirk))");

    /* AF FLR where there is no PCIe FLR */
    memset(&m, 0, sizeof m);
    struct fn *ehci = add(&m, 0x00E8, 0x8086, 0x1e26, 0x0c0320, CAP_PMC | CAP_NSR | CAP_AFFLR);
    CHECK_EQ_U64(pci_reset_function(io_of(&m), 0x00E8, &r), 0);
    CHECK_EQ_U64(r.method, PCI_RESET_AF_FLR);
    CHECK_EQ_U64(ehci->resets, 1);

    /* NoSoftRst set, alone behind a PCIe root port: secondary bus reset,
     * held 2 ms, 100 ms before the first request */
    memset(&m, 0, sizeof m);
    bridge(&m, 0x00E0, 2, true);
    struct fn *sata = add(&m, 0x0200, 0x1b4b, 0x9123, 0x010601, CAP_PCIE | CAP_PMC | CAP_NSR);
    CHECK_EQ_U64(pci_reset_function(io_of(&m), 0x0200, &r), 0);
    CHECK_EQ_U64(r.method, PCI_RESET_BUS);
    CHECK_EQ_U64(sata->resets, 1);
    CHECK(m.bus_reset_held_ms >= 2);
    CHECK(r.waited_ms >= 102);
    CHECK_EQ_U64(sata->cfg[0x13], 0xc0);
    CHECK_CONTAINS(r.text, "secondary bus reset (no FLR capability; PM: NoSoftRst set (D3hot keeps its state))");

    /* behind a conventional bridge: 1 s after the reset */
    memset(&m, 0, sizeof m);
    bridge(&m, 0x00F0, 5, false);
    add(&m, 0x0508, 0x10ec, 0x8139, 0x020000, 0);
    CHECK_EQ_U64(pci_reset_function(io_of(&m), 0x0508, &r), 0);
    CHECK_EQ_U64(r.method, PCI_RESET_BUS);
    CHECK(r.waited_ms >= 1002);

    /* the Radeon HD 6450 with its HDMI audio beside it: no FLR, PM ruled
     * out for ATI VGA, no bus reset for one function of two: no method */
    memset(&m, 0, sizeof m);
    bridge(&m, 0x0008, 1, true);
    struct fn *gpu = add(&m, 0x0100, 0x1002, 0x6779, 0x030000, CAP_PCIE | CAP_PMC);
    add(&m, 0x0101, 0x1002, 0xaa98, 0x040300, CAP_PCIE | CAP_PMC);
    CHECK_EQ_U64(pci_reset_function(io_of(&m), 0x0100, &r), (uint64_t)-1);
    CHECK_EQ_U64(r.method, PCI_RESET_NONE);
    CHECK_EQ_U64(gpu->resets, 0);
    CHECK_CONTAINS(r.text, "no FLR capability; PM: no effect on ATI/AMD VGA (quirk); bus reset: other functions share its bus; no device-specific reset");
    /* its audio function: PM is fine there */
    CHECK_EQ_U64(pci_reset_choose(io_of(&m), 0x0101, NULL, 0, NULL), PCI_RESET_PM);

    /* a SATA controller that does not come back from a bus reset (quirk) */
    memset(&m, 0, sizeof m);
    bridge(&m, 0x00E0, 3, true);
    add(&m, 0x0300, 0x1b21, 0x1164, 0x010601, CAP_PCIE);
    CHECK_EQ_U64(pci_reset_choose(io_of(&m), 0x0300, NULL, 0, NULL), PCI_RESET_NONE);

    /* Bochs's e1000 on the root bus, no capabilities: its CTRL.RST, with
     * memory decoding on only for that */
    memset(&m, 0, sizeof m);
    struct fn *e1000 = add(&m, 0x0008, 0x8086, 0x100e, 0x020000, 0);
    CHECK_EQ_U64(pci_reset_function(io_of(&m), 0x0008, &r), 0);
    CHECK_EQ_U64(r.method, PCI_RESET_DEVICE);
    CHECK_EQ_U64(e1000->e1000_resets, 1);
    CHECK(!r.config_cleared);                       /* CTRL.RST leaves configuration space */
    CHECK(r.waited_ms >= 10);
    CHECK_EQ_U64(e1000->cfg[4], 0x06);
    CHECK_CONTAINS(r.text, "device-specific reset (e1000 CTRL.RST) (no FLR capability; no PM capability; no bus reset on the root bus)");

    /* a function that never answers again: said so */
    memset(&m, 0, sizeof m);
    struct fn *dead = add(&m, 0x0300, 0x8086, 0x10d3, 0x020000, CAP_PCIE | CAP_FLR);
    dead->not_ready_ms = 5000;
    CHECK_EQ_U64(pci_reset_function(io_of(&m), 0x0300, &r), 0);
    CHECK(!r.ready);
    CHECK_CONTAINS(r.text, "the function did not answer within 1 s");
    CHECK(r.waited_ms >= 100 + 1000);
    CHECK(r.waited_ms < 100 + 3000);

    /* transactions that never drain: FLR anyway, said so */
    memset(&m, 0, sizeof m);
    struct fn *busy = add(&m, 0x0300, 0x8086, 0x10d3, 0x020000, CAP_PCIE | CAP_FLR);
    busy->cfg[0x6A] = 0x20;
    CHECK_EQ_U64(pci_reset_function(io_of(&m), 0x0300, &r), 0);
    CHECK_CONTAINS(r.text, "transactions still pending after 700 ms");
    CHECK_EQ_U64(busy->resets, 1);
    return unit_finish(argv[0]);
}
