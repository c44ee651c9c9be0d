/* Shared (VMX root, host unit tests): see out_ring.h. */
#include "hv/core/out_ring.h"
#include "onestone/text_out.h"

void out_ring_init(struct out_ring *r, void *buf, uint32_t size)
{
    *r = (struct out_ring){ .buf = buf, .size = size };
}

static size_t put_bytes(struct out_ring *r, const char *s, size_t n)
{
    size_t took = 0;
    for (; took < n && r->used < r->size; took++) {
        r->buf[(r->head + r->used) % r->size] = (uint8_t)s[took];
        r->used++;
    }
    return took;
}

/* "\r\n[N bytes dropped]\r\n" */
static size_t marker(uint64_t n, char *m, size_t cap)
{
    struct text_out t = { .buf = m, .cap = cap };
    text_out_str(&t, "\r\n[");
    text_out_dec(&t, n);
    text_out_str(&t, " bytes dropped]\r\n");
    return t.len;
}

size_t out_ring_put(struct out_ring *r, const char *s, size_t n)
{
    if (r->dropped) {
        /* the gap is marked before anything newer */
        char m[48];
        size_t len = marker(r->dropped, m, sizeof m);
        if (r->size - r->used < len + 1) {
            r->dropped += n;
            r->dropped_total += n;
            return 0;
        }
        put_bytes(r, m, len);
        r->dropped = 0;
    }
    size_t took = put_bytes(r, s, n);
    r->dropped += n - took;
    r->dropped_total += n - took;
    return took;
}

size_t out_ring_take(struct out_ring *r, char *dst, size_t max)
{
    size_t n = 0;
    for (; n < max && r->used; n++) {
        dst[n] = (char)r->buf[r->head];
        r->head = (r->head + 1) % r->size;
        r->used--;
    }
    if (n < max && !r->used && r->dropped) {
        /* everything before the gap is sent: the marker goes next */
        char m[48];
        size_t len = marker(r->dropped, m, sizeof m);
        put_bytes(r, m, len);
        r->dropped = 0;
        for (; n < max && r->used; n++) {
            dst[n] = (char)r->buf[r->head];
            r->head = (r->head + 1) % r->size;
            r->used--;
        }
    }
    return n;
}
