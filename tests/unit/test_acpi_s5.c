/* boot/acpi_s5.c: finding \_S5 in AML. A wrong answer powers the machine
 * into the wrong sleep state, or reads past the table. */
#include "boot/acpi_s5.h"
#include "unit.h"

int main(int argc, char **argv)
{
    (void)argc;
    uint8_t a = 9, b = 9;
    /* Name (_S5, Package (0x04) { 0x05, 0x05, Zero, Zero }) as iasl writes it */
    static const uint8_t qemu[] = { 0x10, 0x41, 0x08, 0x08, '_', 'S', '5', '_', 0x12, 0x0A, 0x04,
                                    0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00 };
    CHECK(acpi_s5_parse(qemu, sizeof qemu, &a, &b));
    CHECK_EQ_U64(a, 5);
    CHECK_EQ_U64(b, 5);
    /* Package () { Zero, Zero } (PIIX4 in Bochs's tables) */
    static const uint8_t zero[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x00, 0x00 };
    CHECK(acpi_s5_parse(zero, sizeof zero, &a, &b));
    CHECK_EQ_U64(a, 0);
    CHECK_EQ_U64(b, 0);
    /* a two-byte PkgLength, One as the value */
    static const uint8_t two[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x01, 0x02, 0x01, 0x0A,
                                   0x07 };
    CHECK(acpi_s5_parse(two, sizeof two, &a, &b));
    CHECK_EQ_U64(a, 1);
    CHECK_EQ_U64(b, 7);
    /* "_S5_" as a reference, not a Name with a package, then none */
    static const uint8_t ref[] = { 0x70, '_', 'S', '5', '_', 0x60 };
    CHECK(!acpi_s5_parse(ref, sizeof ref, &a, &b));
    /* cut short: no read past the end */
    CHECK(!acpi_s5_parse(qemu, 10, &a, &b));
    CHECK(!acpi_s5_parse(qemu, 0, &a, &b));
    return unit_finish(argv[0]);
}
