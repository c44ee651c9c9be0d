/* Runs in UEFI boot services and host unit tests: minimal ACPI (RSDP ->
 * XSDT -> MADT). Without a FADT or DSDT an OS still finds its CPUs and the
 * I/O APIC in the MADT; that is all the emulator platforms lack. */
#include "boot/acpi_tables.h"
#include "arch/acpi.h"

uint8_t acpi_checksum(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + b[i]);
    return (uint8_t)(0x100 - sum);
}

static void copy_chars(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
}

static void fill_header(struct acpi_sdt_header *h, const char sig[4], uint32_t length,
                        uint8_t revision)
{
    copy_chars(h->signature, sig, 4);
    h->length = length;
    h->revision = revision;
    h->checksum = 0;
    copy_chars(h->oem_id, "ONESTN", 6);
    copy_chars(h->oem_table_id, "ONESTONE", 8);
    h->oem_revision = 1;
    copy_chars((char *)&h->creator_id, "OSTN", 4);
    h->creator_revision = 1;
}

size_t acpi_build_minimal(uint8_t *buf, size_t cap, uint64_t buf_pa,
                          const struct acpi_cpu *cpus, unsigned count,
                          uint8_t io_apic_id, uint32_t io_apic_address)
{
    size_t rsdp_off = 0;
    size_t xsdt_off = 64;
    size_t xsdt_len = sizeof(struct acpi_sdt_header) + 8;
    size_t madt_off = xsdt_off + ((xsdt_len + 15) & ~(size_t)15);
    size_t madt_len = sizeof(struct acpi_madt) + count * sizeof(struct madt_local_apic) +
                      sizeof(struct madt_io_apic) + sizeof(struct madt_interrupt_override);
    size_t total = madt_off + madt_len;
    if (total > cap || count > 255)
        return 0;
    for (size_t i = 0; i < total; i++)
        buf[i] = 0;

    struct acpi_madt *madt = (struct acpi_madt *)(buf + madt_off);
    fill_header(&madt->header, "APIC", (uint32_t)madt_len, 3);
    madt->local_apic_address = 0xFEE00000u;
    madt->flags = MADT_PCAT_COMPAT;
    uint8_t *p = buf + madt_off + sizeof *madt;
    for (unsigned i = 0; i < count; i++) {
        struct madt_local_apic *l = (struct madt_local_apic *)p;
        l->type = MADT_TYPE_LOCAL_APIC;
        l->length = sizeof *l;
        l->processor_uid = (uint8_t)i;
        l->apic_id = (uint8_t)cpus[i].apic_id;
        l->flags = cpus[i].hidden ? 0 : MADT_LAPIC_ENABLED;
        p += sizeof *l;
    }
    struct madt_io_apic *io = (struct madt_io_apic *)p;
    io->type = MADT_TYPE_IO_APIC;
    io->length = sizeof *io;
    io->io_apic_id = io_apic_id;
    io->address = io_apic_address;
    io->gsi_base = 0;
    p += sizeof *io;
    /* the PC's timer: ISA IRQ 0 arrives on I/O APIC pin 2 */
    struct madt_interrupt_override *iso = (struct madt_interrupt_override *)p;
    iso->type = MADT_TYPE_INTERRUPT_OVERRIDE;
    iso->length = sizeof *iso;
    iso->bus = 0;
    iso->source = 0;
    iso->gsi = 2;
    iso->flags = 0;
    madt->header.checksum = acpi_checksum(madt, madt_len);

    struct acpi_sdt_header *xsdt = (struct acpi_sdt_header *)(buf + xsdt_off);
    fill_header(xsdt, "XSDT", (uint32_t)xsdt_len, 1);
    uint64_t madt_pa = buf_pa + madt_off;
    uint8_t *entry = buf + xsdt_off + sizeof *xsdt;
    for (int i = 0; i < 8; i++)
        entry[i] = (uint8_t)(madt_pa >> (8 * i));
    xsdt->checksum = acpi_checksum(xsdt, xsdt_len);

    struct acpi_rsdp *rsdp = (struct acpi_rsdp *)(buf + rsdp_off);
    copy_chars(rsdp->signature, "RSD PTR ", 8);
    copy_chars(rsdp->oem_id, "ONESTN", 6);
    rsdp->revision = 2;
    rsdp->rsdt_address = 0;
    rsdp->length = sizeof *rsdp;
    rsdp->xsdt_address = buf_pa + xsdt_off;
    rsdp->checksum = acpi_checksum(rsdp, 20);
    rsdp->extended_checksum = acpi_checksum(rsdp, sizeof *rsdp);
    return total;
}
