/* Shared header (boot services, VMX root, host tools and tests): a bounded
 * text builder for freestanding code (no libc): always NUL-terminated,
 * truncated at its capacity, with what did not fit counted (the console
 * says so; error messages just end). */
#ifndef ONESTONE_TEXT_OUT_H
#define ONESTONE_TEXT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* strlen and strcmp() == 0, for code without libc */
static inline size_t text_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static inline bool text_same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

struct text_out {
    char *buf;
    size_t cap, len;
    size_t dropped;                 /* characters that did not fit */
};

static inline void text_out_char(struct text_out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len++] = c;
    else
        o->dropped++;
    o->buf[o->len] = 0;
}

static inline void text_out_str(struct text_out *o, const char *s)
{
    while (*s)
        text_out_char(o, *s++);
}

/* N bytes of S, with anything unprintable shown as '?' */
static inline void text_out_printable(struct text_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        text_out_char(o, (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?');
}

static inline void text_out_dec(struct text_out *o, uint64_t v)
{
    char num[20];
    unsigned n = 0;
    do {
        num[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        text_out_char(o, num[--n]);
}

/* V as exactly DIGITS lower-case hexadecimal digits */
static inline void text_out_hex(struct text_out *o, uint64_t v, unsigned digits)
{
    while (digits--)
        text_out_char(o, "0123456789abcdef"[(v >> (4 * digits)) & 0xF]);
}

#endif
