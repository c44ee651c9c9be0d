/* Runs in UEFI boot services, only with `selftest = vtd` in onestone.conf
 * (a test mode for QEMU, which models VT-d but not VMX): sets up DMA
 * remapping with vtd_setup_primary, exactly as onestone does before
 * launching with a management partition, then checks it with two of QEMU's
 * edu devices: the first stays in the primary partition's domain, the
 * second stands for the management partition's NIC in a domain of its own
 * that maps only the partition's memory (a stand-in reservation, at device
 * address 0). DMA inside each partition works; DMA from the primary's
 * device into onestone's or the partition's memory, and from the
 * partition's device into the primary's memory, is blocked and the fault
 * names the device and address. It then turns translation off, prints
 * PASS:/FAIL: lines and a summary on COM1 and powers the machine off. */
#include "boot/boot.h"
#include "boot/efi_pages.h"
#include "boot/test_report.h"
#include "drivers/edu.h"
#include "boot/device_reset.h"
#include "drivers/pci.h"
#include "hv/core/pci_reset.h"
#include "hv/core/log.h"
#include "vtd/primary_setup.h"


/* Tables come from EfiReservedMemoryType pages, as they do in onestone's
 * own reservation: the OS must never reuse them. DMA buffers lie below
 * 256 MiB, edu's default DMA mask. */
static uint8_t *low_pages(UINTN n, EFI_MEMORY_TYPE type)
{
    return efi_pages_below(n, type, 0x0FFFFFFF);
}

static struct vtd_primary primary;

/* DMA from `e` to device address `to` must be blocked: `watch` (the
 * machine address behind it, if any) unchanged and a fault naming the
 * device and the address */
static void expect_blocked(struct edu *e, uint64_t from, uint64_t to, uint8_t *watch,
                           const char *what)
{
    if (watch)
        SetMem(watch, 256, 0xAB);
    edu_dma(e, from, EDU_BUFFER, 256, 0);
    edu_dma(e, EDU_BUFFER, to, 256, EDU_CMD_TO_RAM);
    bool untouched = true;
    for (int i = 0; watch && i < 256; i++)
        untouched &= watch[i] == 0xAB;
    struct vtd_fault f;
    bool faulted = false;
    for (unsigned i = 0; i < primary.unit_count && !faulted; i++)
        faulted = vtd_fault_wait(&primary.units[i], &f);
    bool named = faulted && f.source_id == edu_sid(e) && f.address == to && !f.is_read;
    if (faulted && !named)
        LOG_ERR("VT-d self-test: fault from 0x%x at 0x%lx (%s), expected 0x%x at 0x%lx",
                f.source_id, (unsigned long)f.address, f.is_read ? "read" : "write", edu_sid(e),
                (unsigned long)to);
    test_report(untouched && named, what);
}

/* Device reset (hv/core/pci_reset.c) on what QEMU can show: an edu alone
 * behind a PCIe root port is reset by a secondary bus reset of the port,
 * an NVMe controller by its FLR, an e1000e by D3hot->D0; the reset clears
 * the configuration (QEMU's e1000e keeps it across D3hot),
 * onestone writes it back, and the device answers again. */
static void reset_one(uint32_t id, enum pci_reset_method want, bool clears, const char *what)
{
    uint16_t bdf = 0;
    bool found = false;
    for (unsigned bus = 1; bus < 256 && !found; bus++)
        for (unsigned dev = 0; dev < 32 && !found; dev++)
            if (pci_read32(PCI_BDF(bus, dev, 0), 0) == id) {
                bdf = PCI_BDF(bus, dev, 0);
                found = true;
            }
    test_report(found, what);
    if (!found)
        return;
    pci_write32(bdf, 0x04, pci_read32(bdf, 0x04) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    uint32_t bar0 = pci_read32(bdf, 0x10), cmd = pci_read32(bdf, 0x04) & 0xFFFF;
    pci_write(bdf, 0x3C, 1, 0x0b);
    struct pci_reset_result r;
    bool ok = boot_reset_function_result(bdf, &r);
    test_report(ok && r.method == want, pci_reset_method_name(want));
    if (clears)
        test_report(r.config_cleared, "the reset cleared the function's configuration (its Command register)");
    test_report(pci_read32(bdf, 0x10) == bar0 && (pci_read32(bdf, 0x04) & 0xFFFF) == cmd &&
                    pci_read(bdf, 0x3C, 1) == 0x0b,
                "onestone wrote its BAR, Command and interrupt line back");
    if (id == 0x11e81234u) {
        volatile uint32_t *regs = (volatile uint32_t *)(UINTN)(bar0 & ~0xFu);
        regs[1] = 0x12345678;                   /* edu's liveness register answers ~x */
        test_report(regs[1] == (uint32_t)~0x12345678u, "the device answers through its BAR after the reset");
    }
}

static void reset_selftest(void)
{
    reset_one(0x11e81234u, PCI_RESET_BUS, true,
              "an edu alone behind a root port (reset: secondary bus reset expected)");
    reset_one(0x00101b36u, PCI_RESET_FLR, true, "an NVMe controller (reset: FLR expected)");
    /* QEMU's e1000e has no FLR and NoSoftRst clear, but keeps its
     * configuration across D3hot: the path and its waits, not a reset */
    reset_one(0x10d38086u, PCI_RESET_PM, false,
              "an e1000e with PM and no FLR (reset: D3hot->D0 expected)");
}

void vtd_selftest(void)
{
    test_say("onestone VT-d self-test (selftest = vtd)");
    const struct dmar_info *dmar = iommu_dmar();
    /* stand-ins for onestone's reservation and the management partition's
     * memory: protected like the real ones */
    uint8_t *hidden = low_pages(16, EfiReservedMemoryType);
    uint8_t *part = low_pages(16, EfiReservedMemoryType);
    uint8_t *a = low_pages(1, EfiBootServicesData), *b = low_pages(1, EfiBootServicesData);
    struct memrange_list protected_ranges = { 0 };
    char err[160] = "";
    struct edu edu, nic;
    if (!hidden || !part || !a || !b || !edu_find_nth(&edu, 0) || !edu_find_nth(&nic, 1)) {
        test_report(false, "test memory and two edu devices are available");
        goto out;
    }
    memrange_add(&protected_ranges, (uint64_t)(UINTN)hidden, (uint64_t)(UINTN)hidden + 16 * 4096);
    memrange_add(&protected_ranges, (uint64_t)(UINTN)part, (uint64_t)(UINTN)part + 16 * 4096);
    struct vtd_partition_dma mgmt = { .domain_id = 2, .base = (uint64_t)(UINTN)part,
                                      .size = 16 * 4096, .device_count = 1,
                                      .bdf = { edu_sid(&nic) } };
    int rc = vtd_setup_primary(&primary, dmar, &protected_ranges, 4ull << 30, &mgmt, 1,
                               &efi_reserved_pages, err, sizeof err);
    if (rc)
        LOG_ERR("VT-d setup: %s", err);
    test_report(rc == 0 && primary.devices_assigned > 0 && primary.other_assigned == 1,
           "VT-d on: every PCI function in the primary partition's domain but the partition's "
           "device, which is in its own");
    if (rc)
        goto out;

    for (int i = 0; i < 256; i++)
        a[i] = (uint8_t)(i + 7);
    test_report(edu_copy(&edu, (uint64_t)(UINTN)a, (uint64_t)(UINTN)b) && CompareMem(a, b, 256) == 0,
           "a device of the primary partition can DMA into the partition's memory");
    expect_blocked(&edu, (uint64_t)(UINTN)a, (uint64_t)(UINTN)hidden, hidden,
                   "DMA into onestone's memory is blocked; the fault names the device and the address");
    expect_blocked(&edu, (uint64_t)(UINTN)a, (uint64_t)(UINTN)part, part,
                   "DMA from the primary into the management partition's memory is blocked");

    /* the partition's device: its address 0x1000 is part + 0x1000 */
    for (int i = 0; i < 256; i++)
        part[i] = (uint8_t)(i ^ 0x5A);
    SetMem(part + 0x1000, 256, 0);
    test_report(edu_copy(&nic, 0, 0x1000) && CompareMem(part, part + 0x1000, 256) == 0,
           "the partition's device DMAs within its memory, seen from device address 0");
    expect_blocked(&nic, 0, (uint64_t)(UINTN)b, (uint64_t)(UINTN)b >= 16 * 4096 ? b : NULL,
                   "DMA from the partition's device into the primary's memory is blocked");
    expect_blocked(&nic, 0, 16 * 4096, NULL,
                   "DMA from the partition's device past its memory is blocked");
    vtd_teardown_primary(&primary);
    test_report(!(vtd_global_status(&primary.units[0]) & VTD_GCMD_TE), "translation is off again after the test");
    reset_selftest();
out:
    test_summary("vtd-selftest", "VTD-SELFTEST-END");
    uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
}
