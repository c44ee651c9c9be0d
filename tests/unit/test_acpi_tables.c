/* Host unit test: boot/acpi_tables.c, the minimal RSDP/XSDT/MADT onestone
 * installs on firmware without ACPI. Checks what an OS's ACPI parser
 * checks: signatures, lengths, checksums, pointers, MADT entries. */
#include "unit.h"
#include "boot/acpi_tables.h"
#include "arch/acpi.h"

static uint8_t sum(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + b[i]);
    return s;
}

int main(int argc, char **argv)
{
    (void)argc;
    static uint8_t buf[4096];
    const uint64_t pa = 0x7F000000;
    struct acpi_cpu cpus[2] = { { 0, false }, { 1, true } };
    size_t n = acpi_build_minimal(buf, sizeof buf, pa, cpus, 2, 2, IOAPIC_DEFAULT_BASE);
    CHECK(n > 0);

    struct acpi_rsdp *rsdp = (struct acpi_rsdp *)buf;
    CHECK(memcmp(rsdp->signature, "RSD PTR ", 8) == 0);
    CHECK_EQ_U64(rsdp->revision, 2);
    CHECK_EQ_U64(sum(rsdp, 20), 0);
    CHECK_EQ_U64(sum(rsdp, sizeof *rsdp), 0);

    struct acpi_sdt_header *xsdt = (struct acpi_sdt_header *)(buf + (rsdp->xsdt_address - pa));
    CHECK(memcmp(xsdt->signature, "XSDT", 4) == 0);
    CHECK_EQ_U64(sum(xsdt, xsdt->length), 0);
    CHECK_EQ_U64(xsdt->length, sizeof *xsdt + 8);
    uint64_t madt_pa;
    memcpy(&madt_pa, (uint8_t *)xsdt + sizeof *xsdt, 8);

    struct acpi_madt *madt = (struct acpi_madt *)(buf + (madt_pa - pa));
    CHECK(memcmp(madt->header.signature, "APIC", 4) == 0);
    CHECK_EQ_U64(sum(madt, madt->header.length), 0);
    CHECK_EQ_U64(madt->local_apic_address, 0xFEE00000u);
    CHECK(madt_pa - pa + madt->header.length <= n);

    unsigned lapics = 0, ioapics = 0, overrides = 0;
    for (uint8_t *p = (uint8_t *)(madt + 1); p < (uint8_t *)madt + madt->header.length; p += p[1]) {
        CHECK(p[1] >= 2);
        if (p[0] == MADT_TYPE_LOCAL_APIC) {
            struct madt_local_apic *l = (struct madt_local_apic *)p;
            CHECK_EQ_U64(l->apic_id, lapics);
            /* the second CPU belongs to another partition: listed, disabled */
            CHECK_EQ_U64(l->flags & MADT_LAPIC_ENABLED, lapics == 0 ? MADT_LAPIC_ENABLED : 0);
            lapics++;
        } else if (p[0] == MADT_TYPE_IO_APIC) {
            struct madt_io_apic *io = (struct madt_io_apic *)p;
            CHECK_EQ_U64(io->io_apic_id, 2);
            CHECK_EQ_U64(io->address, IOAPIC_DEFAULT_BASE);
            ioapics++;
        } else if (p[0] == MADT_TYPE_INTERRUPT_OVERRIDE) {
            struct madt_interrupt_override *o = (struct madt_interrupt_override *)p;
            CHECK_EQ_U64(o->source, 0);
            CHECK_EQ_U64(o->gsi, 2);
            overrides++;
        }
        if (p[1] < 2)
            break;
    }
    CHECK_EQ_U64(lapics, 2);
    CHECK_EQ_U64(ioapics, 1);
    CHECK_EQ_U64(overrides, 1);

    /* too small a buffer is refused, not overrun */
    CHECK_EQ_U64(acpi_build_minimal(buf, 100, pa, cpus, 2, 2, IOAPIC_DEFAULT_BASE), 0);
    return unit_finish(argv[0]);
}
