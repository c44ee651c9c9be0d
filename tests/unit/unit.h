/* Host unit tests: a tiny assertion framework. Each test_*.c is its own
 * binary; checks keep going after a failure so one run shows every broken
 * expectation, and main() ends with `return unit_finish(argv[0]);`. */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned unit_checks __attribute__((unused));
static unsigned unit_failed __attribute__((unused));

static inline bool unit_check(bool ok, const char *file, int line, const char *expr)
{
    unit_checks++;
    if (!ok) {
        unit_failed++;
        printf("FAIL: %s:%d: %s\n", file, line, expr);
    }
    return ok;
}

static inline bool unit_check_eq_u64(uint64_t got, uint64_t want, const char *file,
                                     int line, const char *expr)
{
    unit_checks++;
    if (got != want) {
        unit_failed++;
        printf("FAIL: %s:%d: %s (got 0x%llx, want 0x%llx)\n", file, line, expr,
               (unsigned long long)got, (unsigned long long)want);
    }
    return got == want;
}

static inline bool unit_check_str(bool contains, const char *got, const char *want,
                                  const char *file, int line, const char *expr)
{
    bool ok = got && (contains ? strstr(got, want) != NULL : strcmp(got, want) == 0);
    unit_checks++;
    if (!ok) {
        unit_failed++;
        printf("FAIL: %s:%d: %s (got \"%s\", want %s\"%s\")\n", file, line, expr,
               got ? got : "(null)", contains ? "substring " : "", want);
    }
    return ok;
}

/* Both return whether the check passed, so a test can skip follow-up
 * checks that would only repeat the failure (or dereference garbage). */
#define CHECK(cond) unit_check((cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ_U64(a, b) \
    unit_check_eq_u64((uint64_t)(a), (uint64_t)(b), __FILE__, __LINE__, #a " == " #b)
#define CHECK_STREQ(got, want) \
    unit_check_str(false, (got), (want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_CONTAINS(got, want) \
    unit_check_str(true, (got), (want), __FILE__, __LINE__, #got " contains " #want)

/* Prints the one summary line; the exit status is what run-unit.sh reads. */
static inline int unit_finish(const char *argv0)
{
    const char *name = strrchr(argv0, '/');
    name = name ? name + 1 : argv0;
    printf("%s: %u checks, %u failed\n", name, unit_checks, unit_failed);
    return unit_failed ? 1 : 0;
}

/* tests/unit/host_stubs.c: the serial port the log writes to on the host
 * is this buffer (always NUL-terminated). */
extern char host_uart_out[8192];
extern size_t host_uart_len;
extern uint16_t host_uart_last_port;
void host_uart_reset(void);

#endif
