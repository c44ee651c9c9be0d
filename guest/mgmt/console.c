/* Runs in the management partition: its console, COM1 polled. Under
 * onestone the partition shares COM1 with onestone's own log, so every
 * line is prefixed "mgmt: " and written whole. */
#include "guest/mgmt/mgmt.h"
#include "drivers/uart16550.h"
#include <stdarg.h>
#include <stdio.h>

void console_init(void)
{
    uart_init(MGMT_COM1, 115200);
}

void console_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            uart_putc(MGMT_COM1, '\r');
        uart_putc(MGMT_COM1, s[i]);
    }
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
    char line[512];
    int n = snprintf(line, sizeof line, "%s", prefix);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    if (len == 0 || line[len - 1] != '\n')
        line[len++] = '\n';
    console_write(line, len);
}

void mlog(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("mgmt: ", fmt, ap);
    va_end(ap);
}

void mgmt_halt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("mgmt: FATAL: ", fmt, ap);
    va_end(ap);
    for (;;)
        __asm__ volatile("cli; hlt");
}
