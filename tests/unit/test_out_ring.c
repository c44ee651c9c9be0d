/* hv/core/out_ring.c: the console's output ring. A wrong answer blocks a
 * writer, loses bytes silently, reorders them, or hides a gap. */
#include "hv/core/out_ring.h"
#include "unit.h"

static char got[4096];

static size_t drain(struct out_ring *r, size_t step)
{
    size_t n = 0, k;
    while ((k = out_ring_take(r, got + n, step)) > 0)
        n += k;
    got[n] = 0;
    return n;
}

int main(int argc, char **argv)
{
    (void)argc;
    static uint8_t buf[64];
    struct out_ring r;
    out_ring_init(&r, buf, sizeof buf);
    CHECK_EQ_U64(out_ring_put(&r, "hello ", 6), 6);
    CHECK_EQ_U64(out_ring_put(&r, "world\r\n", 7), 7);
    CHECK_EQ_U64(drain(&r, 3), 13);                  /* in pieces, in order */
    CHECK_STREQ(got, "hello world\r\n");
    /* wraps around the end */
    for (int i = 0; i < 10; i++) {
        CHECK_EQ_U64(out_ring_put(&r, "0123456789", 10), 10);
        CHECK_EQ_U64(drain(&r, 16), 10);
        CHECK_STREQ(got, "0123456789");
    }
    /* a writer never waits: 100 bytes into 64, the rest counted */
    static char many[100];
    memset(many, 'x', sizeof many);
    CHECK_EQ_U64(out_ring_put(&r, many, sizeof many), 64);
    CHECK_EQ_U64(r.dropped_total, 36);
    CHECK_EQ_U64(out_ring_put(&r, "late", 4), 0);   /* still full: counted too */
    CHECK_EQ_U64(r.dropped_total, 40);
    size_t n = drain(&r, 16);
    CHECK_EQ_U64(n, 64 + strlen("\r\n[40 bytes dropped]\r\n"));
    CHECK(strncmp(got, many, 64) == 0);
    CHECK_STREQ(got + 64, "\r\n[40 bytes dropped]\r\n");
    /* with room again, the marker goes before newer bytes */
    CHECK_EQ_U64(out_ring_put(&r, many, sizeof many), 64);
    n = drain(&r, 10);
    CHECK_EQ_U64(n, 64 + strlen("\r\n[36 bytes dropped]\r\n"));
    CHECK_EQ_U64(out_ring_put(&r, many, 40), 40);
    CHECK_EQ_U64(out_ring_put(&r, many, 40), 24);     /* 16 dropped */
    out_ring_take(&r, got, 60);                       /* room again */
    CHECK_EQ_U64(out_ring_put(&r, "next", 4), 4);
    n = drain(&r, 64);
    CHECK_STREQ(got + n - 4, "next");
    CHECK(strstr(got, "[16 bytes dropped]") != NULL);
    CHECK(strstr(got, "[16 bytes dropped]") < strstr(got, "next"));
    return unit_finish(argv[0]);
}
