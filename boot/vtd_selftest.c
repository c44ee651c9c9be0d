/* Runs in UEFI boot services, only with `selftest = vtd` in onestone.conf
 * (a test mode for QEMU, which models VT-d but not VMX): sets up the
 * primary partition's DMA remapping with vtd_setup_primary, exactly as
 * onestone will before launching, then checks it with QEMU's edu device:
 * DMA inside the partition works, DMA into onestone's memory is blocked and
 * the fault names the device and address. It then turns translation off,
 * prints PASS:/FAIL: lines and a summary on COM1 and powers the machine off. */
#include "boot/boot.h"
#include "boot/efi_pages.h"
#include "boot/test_report.h"
#include "drivers/edu.h"
#include "hv/log.h"
#include "vtd/primary_setup.h"


/* Tables come from EfiReservedMemoryType pages, as they do in onestone's
 * own reservation: the OS must never reuse them. DMA buffers lie below
 * 256 MiB, edu's default DMA mask. */
static uint8_t *low_pages(UINTN n, EFI_MEMORY_TYPE type)
{
    return efi_pages_below(n, type, 0x0FFFFFFF);
}

static struct vtd_primary primary;

void vtd_selftest(void)
{
    test_say("onestone VT-d self-test (selftest = vtd)");
    const struct dmar_info *dmar = iommu_dmar();
    /* stand-in for onestone's reservation: protected like the real one */
    uint8_t *hidden = low_pages(16, EfiReservedMemoryType);
    uint8_t *a = low_pages(1, EfiBootServicesData), *b = low_pages(1, EfiBootServicesData);
    struct memrange_list protected_ranges = { 0 };
    char err[160] = "";
    struct edu edu;
    if (!hidden || !a || !b || !edu_find(&edu)) {
        test_report(false, "test memory and the edu device are available");
        goto out;
    }
    memrange_add(&protected_ranges, (uint64_t)(UINTN)hidden, (uint64_t)(UINTN)hidden + 16 * 4096);
    int rc = vtd_setup_primary(&primary, dmar, &protected_ranges, 4ull << 30, &efi_reserved_pages,
                               err, sizeof err);
    if (rc)
        LOG_ERR("VT-d setup: %s", err);
    test_report(rc == 0 && primary.devices_assigned > 0,
           "VT-d on: every PCI function in the primary partition's domain, onestone's memory left out");
    if (rc)
        goto out;

    for (int i = 0; i < 256; i++)
        a[i] = (uint8_t)(i + 7);
    test_report(edu_copy(&edu, (uint64_t)(UINTN)a, (uint64_t)(UINTN)b) && CompareMem(a, b, 256) == 0,
           "a device of the primary partition can DMA into the partition's memory");

    SetMem(hidden, 4096, 0xAB);
    edu_dma(&edu, (uint64_t)(UINTN)a, EDU_BUFFER, 256, 0);
    edu_dma(&edu, EDU_BUFFER, (uint64_t)(UINTN)hidden, 256, EDU_CMD_TO_RAM);
    bool untouched = true;
    for (int i = 0; i < 256; i++)
        untouched &= hidden[i] == 0xAB;
    struct vtd_fault f;
    unsigned u = 0;
    bool faulted = false;
    for (unsigned i = 0; i < primary.unit_count && !faulted; i++)
        if (vtd_fault_wait(&primary.units[i], &f)) {
            faulted = true;
            u = i;
        }
    (void)u;
    test_report(untouched && faulted && f.source_id == edu_sid(&edu) &&
           f.address == (uint64_t)(UINTN)hidden && !f.is_read,
           "DMA into onestone's memory is blocked; the fault names the device and the address");
    vtd_teardown_primary(&primary);
    test_report(!(vtd_global_status(&primary.units[0]) & VTD_GCMD_TE), "translation is off again after the test");
out:
    test_summary("vtd-selftest", "VTD-SELFTEST-END");
    uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
}
