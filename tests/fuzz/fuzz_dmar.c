/* libFuzzer target: the DMAR table (vtd/dmar.c), and every scope it
 * yields resolved over a fake topology. */
#include "tests/fuzz/fuzz.h"
#include "vtd/dmar.h"

static int fake_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn)
{
    (void)ctx;
    return (bus + dev + fn) & 0xFF;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *t = fuzz_exact(data, size);
    static struct dmar_info info;
    char err[160];
    if (dmar_parse(t, size, &info, err, sizeof err) == 0) {
        for (unsigned u = 0; u < info.unit_count; u++)
            for (unsigned s = 0; s < info.units[u].scope_count; s++) {
                uint16_t bdf;
                dmar_scope_bdf(&info.units[u].scopes[s], fake_bus, NULL, &bdf);
            }
        dmar_unit_for(&info, 0, 0x0100, fake_bus, fake_bus, NULL);
    }
    free(t);
    return 0;
}
