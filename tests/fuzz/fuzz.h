/* Runs on the host (libFuzzer, tests/fuzz/): what every target shares. A
 * target gets arbitrary bytes; ASan, UBSan and libFuzzer's leak check
 * judge it. Parsers that want a C string get a NUL-terminated copy, so
 * an overread shows as one. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* DATA as a fresh NUL-terminated string of SIZE bytes (free it) */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

/* DATA in a buffer of exactly SIZE bytes (free it): a read past its end
 * is caught */
static inline uint8_t *fuzz_exact(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        abort();
    memcpy(p, data, size);
    return p;
}

#endif
