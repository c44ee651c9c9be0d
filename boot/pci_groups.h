/* Shared (boot services, host tools and tests): IOMMU groups computed from
 * PCI configuration space the way Linux computes them (drivers/iommu/
 * iommu.c pci_device_group, ACS rules of drivers/pci/pci.c, the DMA-alias
 * and ACS quirks of drivers/pci/quirks.c that matter for desktop boards;
 * ../shared/research/devices.md 1.1-1.5), and the ownership rules onestone
 * enforces on them: a group, a multi-function device and an RMRR each
 * belong to one partition. Pure functions of the configuration images, so
 * the same code judges a live machine at boot and an lspci dump offline. */
#ifndef BOOT_PCI_GROUPS_H
#define BOOT_PCI_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PCI configuration registers (PCI Local Bus 3.0 6.1, PCI-to-PCI Bridge
 * 1.2 3.2, PCIe Base 4.0 7.5 and 7.7.7) */
#define PCI_VENDOR_ID          0x00
#define PCI_DEVICE_ID          0x02
#define PCI_STATUS             0x06
#define PCI_STATUS_CAP_LIST    0x10
#define PCI_CLASS_PROG         0x09
#define PCI_HEADER_TYPE        0x0E
#define PCI_HEADER_MULTI       0x80
#define PCI_CAPABILITY_LIST    0x34
#define PCI_SECONDARY_BUS      0x19
#define PCI_SUBORDINATE_BUS    0x1A
#define PCI_INTERRUPT_LINE     0x3C
#define PCI_INTERRUPT_PIN      0x3D
#define PCI_CAP_ID_PM          0x01
#define PCI_CAP_ID_MSI         0x05
#define PCI_CAP_ID_EXP         0x10
#define PCI_CAP_ID_MSIX        0x11
#define PCI_CAP_ID_AF          0x13
#define PCI_EXT_CAP_START      0x100
#define PCI_EXT_CAP_ID_ACS     0x0D
#define PCI_ACS_CAP            0x04
#define PCI_ACS_CTRL           0x06
#define PCI_ACS_SV             0x01
#define PCI_ACS_RR             0x04
#define PCI_ACS_CR             0x08
#define PCI_ACS_UF             0x10
#define PCI_ACS_EC             0x20
#define PCI_ACS_REQUIRED       (PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)
/* PCIe capability: Device/Port Type (bits 7:4 of the capabilities register) */
#define PCI_EXP_FLAGS          0x02
#define PCI_EXP_TYPE_ENDPOINT  0x0
#define PCI_EXP_TYPE_LEG_END   0x1
#define PCI_EXP_TYPE_ROOT_PORT 0x4
#define PCI_EXP_TYPE_UPSTREAM  0x5
#define PCI_EXP_TYPE_DOWNSTREAM 0x6
#define PCI_EXP_TYPE_PCI_BRIDGE 0x7
#define PCI_EXP_TYPE_PCIE_BRIDGE 0x8
#define PCI_EXP_TYPE_RC_END    0x9
#define PCI_EXP_TYPE_RC_EC     0xA

#define PCI_GROUPS_MAX 512

/* One function's configuration space as read (64, 256 or 4096 bytes;
 * reads beyond cfg_len give all-ones, as an absent register does). */
struct pci_fn {
    uint16_t segment;
    uint8_t bus, dev, fn;
    const uint8_t *cfg;
    uint16_t cfg_len;
};

struct pci_groups_options {
    /* Linux's Intel PCH root-port ACS workaround was applied where the
     * configuration was read (the dump's dmesg says "Intel PCH root port
     * ACS workaround enabled"): those ports count as isolating. onestone
     * does not apply it, so at boot this is false. */
    bool pch_acs_workaround;
};

uint8_t pci_cfg8(const struct pci_fn *f, unsigned off);
uint16_t pci_cfg16(const struct pci_fn *f, unsigned off);
uint32_t pci_cfg32(const struct pci_fn *f, unsigned off);
/* offset of capability ID in the legacy list, or of extended capability
 * ID, or 0 */
unsigned pci_find_cap(const struct pci_fn *f, uint8_t id);
unsigned pci_find_ext_cap(const struct pci_fn *f, uint16_t id);
bool pci_is_bridge(const struct pci_fn *f);         /* a type 1 (or CardBus) header */
int pci_pcie_type(const struct pci_fn *f);          /* PCI_EXP_TYPE_*, or -1: not PCIe */
uint32_t pci_class(const struct pci_fn *f);         /* class, subclass, prog-if */

/* Whether fns[i] is one function of a multi-function device: its slot's
 * function 0 says so, or the slot has more than one function listed. */
bool pci_is_multifunction(const struct pci_fn *fns, unsigned n, unsigned i);
/* pci_acs_enabled of Linux, with its quirks (why: a short reason) */
bool pci_acs_isolates(const struct pci_fn *fns, unsigned n, unsigned i,
                      const struct pci_groups_options *o, const char **why);
/* the index of the bridge whose secondary bus fns[i] is on, or -1 (a root bus) */
int pci_upstream_bridge(const struct pci_fn *fns, unsigned n, unsigned i);

/* Fills group[i] (0 .. count-1, numbered in the order of their first
 * function) for fns[0..n-1] and returns the number of groups. */
unsigned pci_groups_compute(const struct pci_fn *fns, unsigned n,
                            const struct pci_groups_options *o, unsigned *group);

#endif
