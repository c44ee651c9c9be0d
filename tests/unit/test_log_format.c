/* hv/core/log.c: onestone's printf subset (no libc in the EFI build) and the
 * line format on the serial console that test runners parse. */
#include <limits.h>
#include "hv/core/log.h"
#include "unit.h"

static char buf[256];

#define CHECK_FMT(want, ...) do { \
        size_t n_ = fmt_snprintf(buf, sizeof buf, __VA_ARGS__); \
        CHECK_STREQ(buf, want); \
        CHECK_EQ_U64(n_, strlen(want)); \
    } while (0)

/* Same, without the printf format attribute, for conversions gcc would
 * reject at compile time. */
static size_t fmt_unchecked(char *b, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vsnprintf(b, cap, fmt, ap);
    va_end(ap);
    return n;
}

static void test_conversions(void)
{
    CHECK_FMT("plain text", "plain text");
    CHECK_FMT("[hello]", "[%s]", "hello");
    CHECK_FMT("42 -42 0", "%d %d %d", 42, -42, 0);
    CHECK_FMT("-2147483648", "%d", INT_MIN);
    CHECK_FMT("-9223372036854775808", "%ld", (long)INT64_MIN);
    CHECK_FMT("9223372036854775807", "%lld", (long long)INT64_MAX);
    CHECK_FMT("4294967295", "%u", UINT_MAX);
    CHECK_FMT("18446744073709551615", "%lu", ULONG_MAX);
    CHECK_FMT("123", "%zu", (size_t)123);
    CHECK_FMT("deadbeef", "%x", 0xDEADBEEFu);
    CHECK_FMT("123456789abcdef0", "%lx", 0x123456789ABCDEF0ul);
    CHECK_FMT("0", "%x", 0u);
    CHECK_FMT("00000000000003f8", "%016lx", 0x3F8ul);
    CHECK_FMT("00ff", "%04x", 0xFFu);
    CHECK_FMT("123456", "%04x", 0x123456u);   /* width is a minimum */
    CHECK_FMT("   42", "%5d", 42);
    CHECK_FMT("  -42", "%5d", -42);
    CHECK_FMT("-0042", "%05d", -42);
    CHECK_FMT("   ab|", "%5s|", "ab");
    CHECK_FMT("abcdef", "%2s", "abcdef");
    CHECK_FMT("x=A!", "x=%c%c", 'A', '!');
    CHECK_FMT("100%", "%d%%", 100);
    CHECK_FMT("0x1000", "%p", (void *)0x1000);
    CHECK_FMT("0x0", "%p", (void *)0);
    CHECK_FMT("a 1 b 2", "%s %u %s %x", "a", 1u, "b", 2u);

    /* a NULL string prints as (null) rather than faulting */
    size_t n = fmt_unchecked(buf, sizeof buf, "%s", (const char *)NULL);
    CHECK_STREQ(buf, "(null)");
    CHECK_EQ_U64(n, 6);

    /* unsupported conversions are shown, not skipped silently */
    n = fmt_unchecked(buf, sizeof buf, "%q|");
    CHECK_STREQ(buf, "?|");
    CHECK_EQ_U64(n, 2);
    n = fmt_unchecked(buf, sizeof buf, "end%");
    CHECK_STREQ(buf, "end?");
    CHECK_EQ_U64(n, 4);
}

static void test_truncation(void)
{
    char small[6];
    memset(small, 'X', sizeof small);
    size_t n = fmt_snprintf(small, sizeof small, "hello %s", "world");
    CHECK_EQ_U64(n, 11);                      /* the untruncated length */
    CHECK_STREQ(small, "hello");              /* cap - 1 characters, terminated */

    memset(small, 'X', sizeof small);
    n = fmt_snprintf(small, sizeof small, "%016lx", 1ul);
    CHECK_EQ_U64(n, 16);
    CHECK_STREQ(small, "00000");

    memset(small, 'X', sizeof small);
    n = fmt_snprintf(small, 1, "abc");
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_U64(small[0], 0);
    CHECK_EQ_U64(small[1], 'X');

    /* cap 0: nothing written at all */
    memset(small, 'X', sizeof small);
    n = fmt_snprintf(small, 0, "abc");
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_U64(small[0], 'X');

    /* exactly fitting */
    n = fmt_snprintf(small, sizeof small, "%d", 12345);
    CHECK_EQ_U64(n, 5);
    CHECK_STREQ(small, "12345");
}

static const char *mirrored;
static void mirror(const char *line) { mirrored = line; }
static int cpu_prefix(char *b, size_t cap) { return (int)fmt_snprintf(b, cap, "cpu1: "); }

/* The log line as it reaches the serial port (host_stubs.c's buffer). */
static void test_log_lines(void)
{
    log_setup(0x2F8, LOG_INFO);
    CHECK_EQ_U64(log_current_level(), LOG_INFO);

    host_uart_reset();
    log_printf(LOG_INFO, "booting %d CPUs", 2);
    CHECK_STREQ(host_uart_out, "onestone: booting 2 CPUs\r\n");
    CHECK_EQ_U64(host_uart_last_port, 0x2F8);

    host_uart_reset();
    LOG_ERR("bad %s", "thing");
    LOG_WARN_("careful");
    CHECK_STREQ(host_uart_out, "onestone: ERROR: bad thing\r\nonestone: warning: careful\r\n");

    /* below the level: nothing at all */
    host_uart_reset();
    LOG_DBG("hidden");
    CHECK_EQ_U64(host_uart_len, 0);
    log_setup(0x2F8, LOG_DEBUG);
    LOG_DBG("shown");
    CHECK_STREQ(host_uart_out, "onestone: debug: shown\r\n");

    /* embedded newlines become CRLF for terminals */
    host_uart_reset();
    LOG_INF("a\nb");
    CHECK_STREQ(host_uart_out, "onestone: a\r\nb\r\n");

    /* the mirror sees the line without the CRLF; the prefix follows "onestone: " */
    host_uart_reset();
    log_set_mirror(mirror);
    log_set_prefix(cpu_prefix);
    LOG_INF("x=%x", 255u);
    CHECK_STREQ(host_uart_out, "onestone: cpu1: x=ff\r\n");
    CHECK_STREQ(mirrored, "onestone: cpu1: x=ff");
    log_set_mirror(NULL);
    log_set_prefix(NULL);

    /* an overlong line is cut, still one line */
    static char longs[1000];
    memset(longs, 'z', sizeof longs - 1);
    host_uart_reset();
    LOG_INF("%s", longs);
    CHECK(host_uart_len < 600);
    CHECK_EQ_U64(strlen(host_uart_out), host_uart_len);
    CHECK(host_uart_len >= 2 && strcmp(host_uart_out + host_uart_len - 2, "\r\n") == 0);
    CHECK(strchr(host_uart_out, '\n') == host_uart_out + host_uart_len - 1);

    log_setup(0x3F8, LOG_INFO);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_conversions();
    test_truncation();
    test_log_lines();
    return unit_finish(argv[0]);
}
