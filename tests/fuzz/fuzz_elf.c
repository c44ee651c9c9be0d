/* libFuzzer target: the management partition kernel's ELF check
 * (boot/elf_check.c). */
#include "tests/fuzz/fuzz.h"
#include "boot/elf_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *image = fuzz_exact(data, size);
    struct elf_image out;
    const char *why;
    elf_check(image, size, 62ull << 20, &out, &why);
    free(image);
    return 0;
}
