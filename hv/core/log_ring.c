/* Shared (VMX root, host unit tests): see log_ring.h. A record is a
 * 20-byte header (seq, tsc, cpu, len) and the text, written byte by byte
 * around the end of the buffer, so no space is lost to padding. */
#include "hv/core/log_ring.h"

#define HEADER 20u

static void put(struct log_ring *r, uint32_t at, const void *src, uint32_t n)
{
    const uint8_t *s = src;
    for (uint32_t i = 0; i < n; i++)
        r->buf[(at + i) % r->size] = s[i];
}

static void get(const struct log_ring *r, uint32_t at, void *dst, uint32_t n)
{
    uint8_t *d = dst;
    for (uint32_t i = 0; i < n; i++)
        d[i] = r->buf[(at + i) % r->size];
}

static uint32_t record_len(const struct log_ring *r, uint32_t at)
{
    uint16_t len;
    get(r, at + 18, &len, 2);
    return HEADER + len;
}

void log_ring_init(struct log_ring *r, void *buf, uint32_t size)
{
    *r = (struct log_ring){ .buf = buf, .size = size, .first_seq = 1, .next_seq = 1 };
}

uint64_t log_ring_append(struct log_ring *r, uint64_t tsc, uint16_t cpu, const char *text,
                         size_t len)
{
    if (len > LOG_RING_LINE_MAX)
        len = LOG_RING_LINE_MAX;
    uint32_t need = HEADER + (uint32_t)len;
    uint64_t seq = r->next_seq++;
    if (!r->buf || need > r->size)
        return seq;                 /* counted, not kept */
    while (r->size - r->used < need) {  /* drop the oldest lines */
        uint32_t old = record_len(r, r->head);
        r->head = (r->head + old) % r->size;
        r->used -= old;
        r->first_seq++;
    }
    if (r->used == 0)
        r->first_seq = seq;
    uint16_t len16 = (uint16_t)len;
    put(r, r->tail, &seq, 8);
    put(r, r->tail + 8, &tsc, 8);
    put(r, r->tail + 16, &cpu, 2);
    put(r, r->tail + 18, &len16, 2);
    put(r, r->tail + HEADER, text, (uint32_t)len);
    r->tail = (r->tail + need) % r->size;
    r->used += need;
    return seq;
}

unsigned log_ring_read(const struct log_ring *r, uint64_t since,
                       int (*fn)(void *ctx, const struct log_line *line), void *ctx)
{
    char text[LOG_RING_LINE_MAX];
    unsigned given = 0;
    for (uint32_t at = r->head, left = r->used; left > 0;) {
        struct log_line l;
        get(r, at, &l.seq, 8);
        get(r, at + 8, &l.tsc, 8);
        get(r, at + 16, &l.cpu, 2);
        get(r, at + 18, &l.len, 2);
        uint32_t n = HEADER + l.len;
        if (l.seq >= since) {
            get(r, at + HEADER, text, l.len);
            l.text = text;
            given++;
            if (fn(ctx, &l))
                break;
        }
        at = (at + n) % r->size;
        left -= n;
    }
    return given;
}
