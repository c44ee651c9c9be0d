/* Runs in UEFI boot services: makes sure the primary partition can find
 * its CPUs. With firmware ACPI tables nothing is changed yet (concealing
 * other partitions' CPUs comes with the partition work). Without any (OVMF
 * in Bochs), onestone installs a minimal RSDP/XSDT/MADT describing the CPUs
 * it runs and the I/O APIC, in EfiACPIReclaimMemory. */
#include "boot/boot.h"
#include "boot/acpi_tables.h"
#include "arch/acpi.h"
#include "hv/log.h"

static uint8_t io_apic_id(void)
{
    volatile uint32_t *index = (volatile uint32_t *)(UINTN)IOAPIC_DEFAULT_BASE;
    volatile uint32_t *data = (volatile uint32_t *)(UINTN)(IOAPIC_DEFAULT_BASE + 0x10);
    *index = IOAPIC_REG_ID;
    return (uint8_t)((*data >> 24) & 0x0F);
}

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

EFI_STATUS acpi_ensure_madt(const struct hv_plan *plan)
{
    void *existing = NULL;
    if (!EFI_ERROR(LibGetSystemConfigurationTable(&acpi20_guid, &existing)) && existing) {
        LOG_INF("ACPI: firmware tables at %p are passed through", existing);
        return EFI_SUCCESS;
    }
    if (!EFI_ERROR(LibGetSystemConfigurationTable(&acpi10_guid, &existing)) && existing) {
        LOG_INF("ACPI: firmware ACPI 1.0 tables at %p are passed through", existing);
        return EFI_SUCCESS;
    }
    EFI_PHYSICAL_ADDRESS pa = 0;
    EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiACPIReclaimMemory,
                                      1, &pa);
    if (EFI_ERROR(st))
        return st;
    struct acpi_cpu cpus[PLAN_MAX_CPUS];
    for (uint32_t i = 0; i < plan->cpu_count; i++)
        cpus[i].apic_id = plan->cpus[i].apic_id;
    uint8_t id = io_apic_id();
    size_t n = acpi_build_minimal((uint8_t *)(UINTN)pa, 4096, pa, cpus, plan->cpu_count, id,
                                  IOAPIC_DEFAULT_BASE);
    if (!n) {
        uefi_call_wrapper(BS->FreePages, 2, pa, 1);
        return EFI_BUFFER_TOO_SMALL;
    }
    st = uefi_call_wrapper(BS->InstallConfigurationTable, 2, &acpi20_guid, (void *)(UINTN)pa);
    if (EFI_ERROR(st))
        return st;
    LOG_WARN_("ACPI: the firmware provides no ACPI tables; onestone installed a MADT at 0x%lx "
              "listing %u CPUs and I/O APIC %u (no FADT/DSDT: emulator platforms only)",
              (unsigned long)pa, plan->cpu_count, id);
    return EFI_SUCCESS;
}
