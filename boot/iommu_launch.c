/* Runs in UEFI boot services: VT-d for the launch (iommu = required).
 * Before the hypervisor is prepared, onestone reserves the memory for the
 * VT-d tables and adds it, and every unit's register pages, to the ranges
 * the primary partition may not touch (its EPT leaves them out: reads give
 * all-ones). Just before the CPUs are launched it builds the primary
 * partition's domain, and the management partition's (its devices, its
 * memory only), and turns translation on (vtd_setup_primary), then
 * renames the DMAR table so the OS does not try to drive the units itself. */
#include "boot/boot.h"
#include "boot/acpi_find.h"
#include "boot/acpi_tables.h"
#include "hv/core/log.h"
#include "vtd/primary_setup.h"

static EFI_PHYSICAL_ADDRESS chunk;
static UINT64 chunk_pages, chunk_used;
static struct vtd_primary primary;

static void *chunk_page(void *ctx, uint64_t *pa)
{
    (void)ctx;
    if (chunk_used >= chunk_pages)
        return NULL;
    *pa = chunk + chunk_used * 4096;
    chunk_used++;
    SetMem((void *)(UINTN)*pa, 4096, 0);
    return (void *)(UINTN)*pa;
}

static void *identity(void *ctx, uint64_t pa)
{
    (void)ctx;
    return (void *)(UINTN)pa;
}

static const struct pgtable_allocator chunk_pages_alloc = { chunk_page, identity, NULL };

#define MGMT_DOMAIN_ID 2

/* the management partition's DMA view, as mgmt_launch.c laid it out */
static unsigned partitions_dma(const struct hv_plan *plan, struct vtd_partition_dma *out)
{
    const struct plan_mgmt *m = &plan->mgmt;
    if (!m->present)
        return 0;
    *out = (struct vtd_partition_dma){ .domain_id = MGMT_DOMAIN_ID, .base = m->mem_hpa,
                                       .size = m->mem_size };
    for (uint32_t d = 0; d < m->device_count && d < VTD_PARTITION_DEVICES_MAX; d++)
        out->bdf[out->device_count++] = plan_device_bdf(&m->devices[d]);
    return 1;
}

EFI_STATUS iommu_reserve(const struct onestone_config *c, const struct hv_plan *plan,
                         uint64_t map_top, struct memrange_list *protected_ranges)
{
    if (c->iommu == IOMMU_OFF)
        return EFI_SUCCESS;
    const struct dmar_info *dmar = iommu_dmar();
    struct vtd_partition_dma others[1];
    unsigned n = partitions_dma(plan, others);
    chunk_pages = vtd_primary_pages(dmar, map_top, others, n);
    EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
                                      EfiReservedMemoryType, chunk_pages, &chunk);
    if (EFI_ERROR(st)) {
        LOG_ERR("VT-d: cannot reserve %lu KiB for its tables (status 0x%lx)",
                (unsigned long)(chunk_pages * 4), (unsigned long)st);
        return st;
    }
    chunk_used = 0;
    if (memrange_add(protected_ranges, chunk, chunk + chunk_pages * 4096))
        return EFI_OUT_OF_RESOURCES;
    for (unsigned i = 0; i < dmar->unit_count; i++) {
        uint64_t base = dmar->units[i].base;
        if (memrange_add(protected_ranges, base,
                         base + (4096ull << dmar->units[i].size_pages_log2)))
            return EFI_OUT_OF_RESOURCES;
    }
    LOG_INF("VT-d: reserved %lu KiB for tables; %u unit(s) hidden from the primary partition",
            (unsigned long)(chunk_pages * 4), dmar->unit_count);
    return EFI_SUCCESS;
}

EFI_STATUS iommu_enable_primary(const struct onestone_config *c, struct hv_plan *plan,
                                const struct memrange_list *protected_ranges, uint64_t map_top)
{
    if (c->iommu == IOMMU_OFF)
        return EFI_SUCCESS;
    char err[200] = "";
    struct vtd_partition_dma others[1];
    unsigned n = partitions_dma(plan, others);
    if (vtd_setup_primary(&primary, iommu_dmar(), protected_ranges, map_top, others, n,
                          &chunk_pages_alloc, err, sizeof err)) {
        LOG_ERR("VT-d: %s", err);
        vtd_teardown_primary(&primary);
        return EFI_DEVICE_ERROR;
    }
    /* the OS must not find and reprogram the units: rename the table */
    struct acpi_sdt_header *dmar = (struct acpi_sdt_header *)acpi_find_table("DMAR");
    if (dmar) {
        CopyMem(dmar->signature, "OSVT", 4);
        dmar->checksum = 0;
        dmar->checksum = acpi_checksum(dmar, dmar->length);
    }
    /* VMX root polls the fault records from here on (hv/vtd/vtd_faults.c) */
    plan->vtd_unit_count = primary.unit_count;
    for (unsigned i = 0; i < primary.unit_count && i < 8; i++) {
        plan->vtd_units[i] = primary.units[i];
        plan->vtd_units[i].alloc = NULL;
    }
    LOG_INF("VT-d: translation on before any partition runs (%lu of %lu table pages used); "
            "DMAR hidden from the OS", (unsigned long)chunk_used, (unsigned long)chunk_pages);
    return EFI_SUCCESS;
}

void iommu_undo(void)
{
    vtd_teardown_primary(&primary);
    if (chunk)
        uefi_call_wrapper(BS->FreePages, 2, chunk, chunk_pages);
    chunk = 0;
}
