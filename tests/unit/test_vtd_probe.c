/* Host unit test: vtd_unit_probe (vtd/unit.c) against fake CAP/ECAP
 * registers: the checks that refuse a unit name what is missing, and a
 * good unit's table depth and coherency are read correctly. */
#include "unit.h"
#include "vtd/vtd.h"

static uint64_t regs[512] __attribute__((aligned(4096)));

static int probe(uint64_t cap, uint64_t ecap, struct vtd_unit *u, char *err, size_t n)
{
    regs[VTD_CAP_REG / 8] = cap;
    regs[VTD_ECAP_REG / 8] = ecap;
    err[0] = 0;
    return vtd_unit_probe(u, (uint64_t)(uintptr_t)regs, NULL, err, n);
}

int main(int argc, char **argv)
{
    (void)argc;
    struct vtd_unit u;
    char err[160];
    /* the values QEMU 7.2 reports (../shared/TESTING.md) */
    const uint64_t qemu_cap = 0x00D2008C22260206ull, qemu_ecap = 0xF00F4Aull;
    CHECK_EQ_U64(probe(qemu_cap, qemu_ecap, &u, err, sizeof err), 0);
    CHECK_EQ_U64(u.levels, 3);                      /* SAGAW = 2: 39-bit, 3 levels */
    CHECK(!u.coherent);                             /* ECAP.C = 0: flush table writes */
    CHECK_EQ_U64(VTD_CAP_FRO(u.cap), 0x220);
    CHECK_EQ_U64(VTD_CAP_NFR(u.cap), 1);
    CHECK_EQ_U64(VTD_ECAP_IRO(u.ecap), 0xF0);

    /* aw-bits=48: SAGAW bit 2 -> 4 levels preferred */
    CHECK_EQ_U64(probe((qemu_cap & ~(0x1Full << 8)) | (0x6ull << 8), qemu_ecap | VTD_ECAP_C, &u,
                       err, sizeof err), 0);
    CHECK_EQ_U64(u.levels, 4);
    CHECK(u.coherent);

    /* refused by name */
    CHECK(probe(qemu_cap & ~(0x1Full << 8), qemu_ecap, &u, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "SAGAW");
    CHECK(probe(qemu_cap & ~7ull, qemu_ecap, &u, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "ND=0");
    CHECK(probe(~0ull, ~0ull, &u, err, sizeof err) != 0);   /* nothing answers */
    CHECK_CONTAINS(err, "no VT-d unit answers");
    return unit_finish(argv[0]);
}
