/* Shared (VMX root, boot services, host unit tests): resetting one PCI
 * function before it changes hands or its partition starts again, the
 * way Linux's pci_reset_function does (drivers/pci/pci.c; ../shared/
 * research/devices.md 3): the first method the function supports, in
 * this order,
 *   FLR              (PCIe Device Capabilities: Function Level Reset),
 *   AF FLR           (the Advanced Features capability's FLR),
 *   PM               (D3hot and back to D0, where PMCSR.NoSoftRst is 0),
 *   secondary bus    (the bridge above, where the function is alone on
 *                     its bus),
 *   device-specific  (the device's own reset register: Intel e1000s'
 *                     CTRL.RST),
 * skipping those a quirk rules out (Linux's quirk_no_flr, quirk_no_pm_reset
 * for ATI/AMD VGA, quirk_no_bus_reset), with the waits PCIe r6.0 6.6
 * asks for: transactions drained before FLR, 100 ms after FLR and bus
 * reset, 10 ms around D3hot, Trst 2 ms, then until the function answers
 * (its Command dword no longer all-ones), at most 1 s. Around the reset
 * the function is disabled (Command = INTx Disable: no DMA, no MSI) and
 * its configuration is saved and written back (header, PCIe control
 * registers, MSI and MSI-X control). Everything the hardware is asked
 * goes through struct pci_reset_io, so a configuration-space model tests
 * every path. */
#ifndef HV_CORE_PCI_RESET_H
#define HV_CORE_PCI_RESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pci_reset_io {
    void *ctx;
    uint32_t (*cfg_read)(void *ctx, uint16_t bdf, unsigned off, unsigned size);
    void (*cfg_write)(void *ctx, uint16_t bdf, unsigned off, unsigned size, uint32_t value);
    uint32_t (*mmio_read32)(void *ctx, uint64_t addr);
    void (*mmio_write32)(void *ctx, uint64_t addr, uint32_t value);
    void (*delay_ms)(void *ctx, unsigned ms);
};

enum pci_reset_method {
    PCI_RESET_NONE = 0,
    PCI_RESET_FLR,
    PCI_RESET_AF_FLR,
    PCI_RESET_PM,
    PCI_RESET_BUS,
    PCI_RESET_DEVICE,
};

#define PCI_RESET_TEXT 200

struct pci_reset_result {
    enum pci_reset_method method;   /* what was used; NONE: no method */
    bool ready;                     /* the function answered afterwards */
    /* the reset cleared its Command register (INTx Disable, set before
     * it, read back clear): the hardware did reset its configuration */
    bool config_cleared;
    unsigned waited_ms;             /* the waits, summed */
    /* "FLR" / "PM reset (D3hot->D0)" ... and, for each method skipped
     * before it, why: "no FLR capability; PM: NoSoftRst set; ..." */
    char text[PCI_RESET_TEXT];
};

/* The name of a method: "FLR", "AF FLR", "PM reset (D3hot->D0)",
 * "secondary bus reset", "device-specific reset", "none" */
const char *pci_reset_method_name(enum pci_reset_method m);

/* Which method pci_reset_function would use on bdf (segment 0), with the
 * reasons for the ones skipped in why (may be NULL). */
enum pci_reset_method pci_reset_choose(const struct pci_reset_io *io, uint16_t bdf, char *why,
                                       size_t why_cap, int *bridge);

/* Resets bdf: 0 with *r filled, or -1 when no method applies (r->text
 * says why each was skipped; the function is left disabled). */
int pci_reset_function(const struct pci_reset_io *io, uint16_t bdf, struct pci_reset_result *r);

#endif
