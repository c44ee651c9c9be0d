/* Runs in UEFI boot services: see test_report.h. */
#include "boot/test_report.h"
#include "drivers/uart16550.h"
#include "hv/core/log.h"

#define TEST_CONSOLE 0x3F8

static unsigned passed, failed;

static void put(const char *s)
{
    for (; *s; s++)
        uart_putc(TEST_CONSOLE, *s);
}

void test_say(const char *text)
{
    put(text);
    put("\r\n");
}

void test_report(bool ok, const char *what)
{
    char line[256];
    fmt_snprintf(line, sizeof line, "%s: %s", ok ? "PASS" : "FAIL", what);
    test_say(line);
    if (ok)
        passed++;
    else
        failed++;
}

void test_summary(const char *name, const char *end_marker)
{
    char line[96];
    fmt_snprintf(line, sizeof line, "%s: %u passed, %u failed", name, passed, failed);
    test_say(line);
    test_say(end_marker);
}
