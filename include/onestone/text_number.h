/* Shared header (onestone.efi's config parser, the management partition's
 * boot arguments, host tools and tests): the number and IPv4 address
 * parsers for text that is not NUL-terminated. */
#ifndef ONESTONE_TEXT_NUMBER_H
#define ONESTONE_TEXT_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The len characters at s as an unsigned number no larger than max.
 * base 0: decimal, or hexadecimal after "0x"/"0X"; base 16: plain
 * hexadecimal (PCI bus:dev.fn). False for an empty number, any other
 * character or a value above max; *out is then unchanged. */
static inline bool text_to_u64(const char *s, size_t len, unsigned base, uint64_t max,
                               uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    if (base == 0) {
        base = 10;
        if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            base = 16;
            i = 2;
        }
    }
    if (i == len)
        return false;
    for (; i < len; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (d > max || v > (max - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* "A.B.C.D" (each part 0-255, at most 3 digits) as its four bytes in
 * address order (network byte order). False for anything else; *out is
 * then unchanged. */
static inline bool text_to_ipv4(const char *s, size_t len, uint8_t out[4])
{
    uint8_t b[4];
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        size_t start = i;
        unsigned v = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255)
            return false;
        b[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                return false;
            i++;
        }
    }
    if (i != len)
        return false;
    for (int k = 0; k < 4; k++)
        out[k] = b[k];
    return true;
}

#endif
