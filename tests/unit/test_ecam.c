/* boot/ecam.c: the ECAM page of a concealed function, from an MCFG table.
 * A wrong page leaves the partition's device visible through ECAM or hides
 * another function from the primary. */
#include "boot/ecam.h"
#include "arch/acpi.h"
#include "unit.h"

struct mcfg2 {
    struct acpi_mcfg t;
    struct mcfg_allocation a[2];
} __attribute__((packed));

static struct mcfg2 table(void)
{
    struct mcfg2 m;
    memset(&m, 0, sizeof m);
    memcpy(m.t.header.signature, "MCFG", 4);
    m.t.header.length = sizeof m;
    /* QEMU q35: segment 0, buses 0-255 at 0xB0000000 */
    m.a[0] = (struct mcfg_allocation){ .base = 0xB0000000, .segment = 0, .start_bus = 0,
                                       .end_bus = 255 };
    /* a second segment whose window starts at bus 0x80 (base is bus 0's) */
    m.a[1] = (struct mcfg_allocation){ .base = 0x400000000ull, .segment = 1,
                                       .start_bus = 0x80, .end_bus = 0x8F };
    return m;
}

int main(int argc, char **argv)
{
    (void)argc;
    struct mcfg2 m = table();
    CHECK_EQ_U64(ecam_function_page(&m, sizeof m, 0, 0, 2, 0), 0xB0010000);     /* 00:02.0 */
    CHECK_EQ_U64(ecam_function_page(&m, sizeof m, 0, 0, 0x19, 0), 0xB00C8000);  /* 00:19.0 */
    CHECK_EQ_U64(ecam_function_page(&m, sizeof m, 0, 3, 0, 1), 0xB0301000);     /* 03:00.1 */
    CHECK_EQ_U64(ecam_function_page(&m, sizeof m, 1, 0x81, 0, 0), 0x408100000ull);
    CHECK_EQ_U64(ecam_function_page(&m, sizeof m, 1, 0x7F, 0, 0), 0);     /* below its window */
    CHECK_EQ_U64(ecam_function_page(&m, sizeof m, 2, 0, 0, 0), 0);        /* no such segment */
    CHECK_EQ_U64(ecam_function_page(&m, sizeof m, 0, 0, 32, 0), 0);       /* no device 32 */
    CHECK_EQ_U64(ecam_function_page(&m, sizeof m, 0, 0, 0, 8), 0);        /* no function 8 */
    /* a length that disagrees with the header is not trusted */
    CHECK_EQ_U64(ecam_function_page(&m, sizeof m - 16, 0, 0, 2, 0), 0);
    CHECK_EQ_U64(ecam_function_page(NULL, 0, 0, 0, 2, 0), 0);
    m.t.header.length = 20;
    CHECK_EQ_U64(ecam_function_page(&m, 20, 0, 0, 2, 0), 0);               /* shorter than MCFG */
    return unit_finish(argv[0]);
}
