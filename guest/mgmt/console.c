/* Runs in the management partition: its console. Standalone that is
 * COM1, polled. Under onestone COM1 is onestone's: each line goes to
 * onestone's log through the MGMT_HC_LOG hypercall, which tags it "mgmt: "
 * itself, so the partition's own prefix is left off there. */
#include "guest/mgmt/mgmt.h"
#include "drivers/uart16550.h"
#include "onestone/mgmt_abi.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool via_hypercall;
static char pending[MGMT_LOG_MAX];
static size_t pending_len;

void console_init(bool under_onestone)
{
    via_hypercall = under_onestone;
    if (!via_hypercall)
        uart_init(MGMT_COM1, 115200);
}

static void flush_line(void)
{
    uint64_t rax = MGMT_HC_LOG;
    __asm__ volatile("vmcall"
                     : "+a"(rax)
                     : "D"((uint64_t)(uintptr_t)pending), "S"((uint64_t)pending_len)
                     : "memory");
    pending_len = 0;
}

void console_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (via_hypercall) {
            if (s[i] == '\n' || pending_len == sizeof pending)
                flush_line();
            if (s[i] != '\n' && s[i] != '\r')
                pending[pending_len++] = (s[i] >= 0x20 && s[i] < 0x7F) ? s[i] : '?';
            continue;
        }
        if (s[i] == '\n')
            uart_putc(MGMT_COM1, '\r');
        uart_putc(MGMT_COM1, s[i]);
    }
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
    char line[512];
    /* onestone tags the lines it logs for the partition */
    if (via_hypercall && strncmp(prefix, "mgmt: ", 6) == 0)
        prefix += 6;
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
