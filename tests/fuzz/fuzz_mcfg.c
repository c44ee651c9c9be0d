/* libFuzzer target: the MCFG table's ECAM lookup (boot/ecam.c); the
 * first 4 bytes pick the function looked up. */
#include "tests/fuzz/fuzz.h"
#include "boot/ecam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint8_t *t = fuzz_exact(data + 4, size - 4);
    ecam_function_page(t, (uint32_t)(size - 4), (uint16_t)(data[0] & 1), data[1], data[2] & 31,
                       data[3] & 7);
    free(t);
    return 0;
}
