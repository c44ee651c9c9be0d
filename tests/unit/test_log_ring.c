/* hv/core/log_ring.c: the log lines kept in onestone's memory. A wrong
 * answer loses lines a reader asked for, repeats them, or returns
 * another line's text. */
#include "hv/core/log_ring.h"
#include "unit.h"

struct seen {
    unsigned n;
    uint64_t seq[64];
    char text[64][32];
    uint16_t cpu[64];
    unsigned stop_after;
};

static int collect(void *ctx, const struct log_line *l)
{
    struct seen *s = ctx;
    if (s->n < 64) {
        s->seq[s->n] = l->seq;
        s->cpu[s->n] = l->cpu;
        unsigned k = l->len < 31 ? l->len : 31;
        memcpy(s->text[s->n], l->text, k);
        s->text[s->n][k] = 0;
    }
    s->n++;
    return s->stop_after && s->n >= s->stop_after;
}

static void test_basic(void)
{
    static uint8_t buf[4096];
    struct log_ring r;
    log_ring_init(&r, buf, sizeof buf);
    CHECK_EQ_U64(log_ring_append(&r, 100, 0, "first", 5), 1);
    CHECK_EQ_U64(log_ring_append(&r, 200, 2, "second line", 11), 2);
    struct seen s = { 0 };
    CHECK_EQ_U64(log_ring_read(&r, 0, collect, &s), 2);
    CHECK(s.seq[0] == 1 && strcmp(s.text[0], "first") == 0 && s.cpu[0] == 0);
    CHECK(s.seq[1] == 2 && strcmp(s.text[1], "second line") == 0 && s.cpu[1] == 2);
    struct seen t = { 0 };
    CHECK_EQ_U64(log_ring_read(&r, 2, collect, &t), 1);        /* since 2 */
    CHECK(t.seq[0] == 2);
    struct seen u = { 0 };
    CHECK_EQ_U64(log_ring_read(&r, 3, collect, &u), 0);        /* nothing new */
    struct seen v = { .stop_after = 1 };
    CHECK_EQ_U64(log_ring_read(&r, 0, collect, &v), 1);        /* the reader stops */
}

/* 100-byte buffer: each 10-byte line takes 30; the oldest give way, the
 * records wrap around the end of the buffer and read back whole */
static void test_wrap(void)
{
    static uint8_t buf[100];
    struct log_ring r;
    log_ring_init(&r, buf, sizeof buf);
    char line[11];
    for (unsigned i = 1; i <= 10; i++) {
        snprintf(line, sizeof line, "line %05u", i);
        CHECK_EQ_U64(log_ring_append(&r, i, (uint16_t)i, line, 10), i);
    }
    CHECK_EQ_U64(r.first_seq, 8);                  /* 3 lines of 30 bytes fit in 100 */
    struct seen s = { 0 };
    CHECK_EQ_U64(log_ring_read(&r, 0, collect, &s), 3);
    CHECK(s.seq[0] == 8 && strcmp(s.text[0], "line 00008") == 0);
    CHECK(s.seq[2] == 10 && strcmp(s.text[2], "line 00010") == 0 && s.cpu[2] == 10);
    struct seen t = { 0 };
    CHECK_EQ_U64(log_ring_read(&r, 9, collect, &t), 2);
}

/* a line longer than the limit is cut; one larger than the buffer is
 * counted but not kept, and does not disturb what is held */
static void test_limits(void)
{
    static uint8_t buf[8192], small[64];
    static char big[2000];
    memset(big, 'x', sizeof big);
    struct log_ring r;
    log_ring_init(&r, buf, sizeof buf);
    log_ring_append(&r, 1, 0, big, sizeof big);
    struct seen s = { 0 };
    log_ring_read(&r, 0, collect, &s);
    CHECK_EQ_U64(r.used, 20 + LOG_RING_LINE_MAX);
    struct log_ring q;
    log_ring_init(&q, small, sizeof small);
    log_ring_append(&q, 1, 0, "kept", 4);
    CHECK_EQ_U64(log_ring_append(&q, 2, 0, big, 100), 2);    /* 120 bytes > 64 */
    struct seen t = { 0 };
    CHECK_EQ_U64(log_ring_read(&q, 0, collect, &t), 1);
    CHECK(strcmp(t.text[0], "kept") == 0);
    CHECK_EQ_U64(q.next_seq, 3);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_basic();
    test_wrap();
    test_limits();
    return unit_finish(argv[0]);
}
