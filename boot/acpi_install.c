/* Runs in UEFI boot services: makes sure the primary partition finds its
 * own CPUs and no others. With firmware ACPI tables, the MADT entries of
 * other partitions' CPUs are marked disabled in place (checksum fixed), so
 * an OS does not start them. Without any (OVMF in Bochs), onestone
 * installs a minimal RSDP/XSDT/MADT describing every CPU (other
 * partitions' disabled) and the I/O APIC, in EfiACPIReclaimMemory. */
#include "boot/boot.h"
#include "boot/acpi_tables.h"
#include "boot/acpi_find.h"
#include "arch/acpi.h"
#include "hv/core/log.h"

static uint8_t io_apic_id(void)
{
    volatile uint32_t *index = (volatile uint32_t *)(UINTN)IOAPIC_DEFAULT_BASE;
    volatile uint32_t *data = (volatile uint32_t *)(UINTN)(IOAPIC_DEFAULT_BASE + 0x10);
    *index = IOAPIC_REG_ID;
    return (uint8_t)((*data >> 24) & 0x0F);
}

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

static bool hidden_cpu(const struct hv_plan *plan, uint32_t apic_id)
{
    for (uint32_t i = 0; i < plan->cpu_count; i++)
        if (plan->cpus[i].apic_id == apic_id)
            return plan->cpus[i].partition != PLAN_PARTITION_PRIMARY;
    return false;
}

static void hide_in_firmware_madt(const struct hv_plan *plan)
{
    struct acpi_sdt_header *h = (struct acpi_sdt_header *)acpi_find_table("APIC");
    if (!h)
        return;
    uint8_t *e = (uint8_t *)h + sizeof(struct acpi_madt), *end = (uint8_t *)h + h->length;
    unsigned n = 0;
    for (; e + 2 <= end && e[1] >= 2 && e + e[1] <= end; e += e[1]) {
        struct madt_local_apic *l = (void *)e;
        if (l->type == MADT_TYPE_LOCAL_APIC && (l->flags & MADT_LAPIC_ENABLED) &&
            hidden_cpu(plan, l->apic_id)) {
            l->flags &= ~MADT_LAPIC_ENABLED;
            n++;
        }
    }
    h->checksum = 0;
    h->checksum = (uint8_t)(0x100 - acpi_checksum(h, h->length));
    if (n)
        LOG_INF("ACPI: %u CPU(s) of other partitions marked disabled in the firmware's MADT", n);
}

EFI_STATUS acpi_ensure_madt(const struct hv_plan *plan)
{
    void *existing = NULL;
    if (plan->mgmt.present)
        hide_in_firmware_madt(plan);
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
    for (uint32_t i = 0; i < plan->cpu_count; i++) {
        cpus[i].apic_id = plan->cpus[i].apic_id;
        cpus[i].hidden = plan->cpus[i].partition != PLAN_PARTITION_PRIMARY;
    }
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
