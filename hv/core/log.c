/* Runs in UEFI boot services and in VMX root (each image copy has its own
 * state): a tiny formatter and line-buffered serial logger. Lines are built
 * whole, then written under a spinlock so CPUs do not interleave. */
#include "hv/core/log.h"
#include "hv/core/spinlock.h"
#include "drivers/uart16550.h"

static uint16_t log_port;
static enum log_level log_level_now = LOG_INFO;
static spinlock_t log_lock;
static void (*log_mirror)(const char *line);
static void (*log_sink)(const char *line, size_t len);
static void (*log_keeper)(const char *line, size_t len);
static int (*log_prefix)(char *buf, size_t cap);
static void (*log_writer)(const char *line, size_t len);

void log_setup(uint16_t port, enum log_level level)
{
    log_port = port;
    log_level_now = level;
}

enum log_level log_current_level(void)
{
    return log_level_now;
}

void log_set_mirror(void (*mirror)(const char *line))
{
    log_mirror = mirror;
}

void log_set_keeper(void (*keeper)(const char *line, size_t len))
{
    log_keeper = keeper;
}

void log_set_sink(void (*sink)(const char *line, size_t len))
{
    log_sink = sink;
}

void log_set_prefix(int (*prefix)(char *buf, size_t cap))
{
    log_prefix = prefix;
}

struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

static void put_number(struct out *o, uint64_t v, unsigned base, bool neg,
                       unsigned width, bool zero)
{
    char digits[24];
    unsigned n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    unsigned total = n + (neg ? 1 : 0);
    if (neg && zero)
        put(o, '-');
    for (; total < width; total++)
        put(o, zero ? '0' : ' ');
    if (neg && !zero)
        put(o, '-');
    while (n)
        put(o, digits[--n]);
}

size_t fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct out o = { buf, cap, 0 };
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        bool zero = false;
        unsigned width = 0, longs = 0;
        if (*p == '0') {
            zero = true;
            p++;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (unsigned)(*p++ - '0');
        while (*p == 'l') {
            longs++;
            p++;
        }
        if (*p == 'z') {
            longs = 1;
            p++;
        }
        switch (*p) {
        case 'd': {
            int64_t v = longs ? va_arg(ap, long) : va_arg(ap, int);
            put_number(&o, v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v, 10, v < 0, width, zero);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            put_number(&o, v, *p == 'u' ? 10 : 16, false, width, zero);
            break;
        }
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_number(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, false, width, zero);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t n = 0;
            while (s[n])
                n++;
            for (; n < width; n++)
                put(&o, ' ');
            while (*s)
                put(&o, *s++);
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case '%':
            put(&o, '%');
            break;
        default:
            put(&o, '?');
            if (!*p)
                p--;
            break;
        }
    }
    if (cap)
        buf[o.len < cap ? o.len : cap - 1] = 0;
    return o.len;
}

size_t fmt_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

static const char *const level_tag[] = { "ERROR: ", "warning: ", "", "debug: " };

void log_set_writer(void (*writer)(const char *line, size_t len))
{
    spin_lock(&log_lock);
    log_writer = writer;
    spin_unlock(&log_lock);
}

void log_set_level(enum log_level level)
{
    log_level_now = level;
}

static void write_out(const char *line, size_t n)
{
    if (log_writer) {
        log_writer(line, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '\n')
            uart_putc(log_port, '\r');
        uart_putc(log_port, line[i]);
    }
    uart_putc(log_port, '\r');
    uart_putc(log_port, '\n');
}

void log_write_line(const char *line, size_t n)
{
    spin_lock(&log_lock);
    write_out(line, n);
    if (log_keeper)
        log_keeper(line, n);        /* under the lock: the ring keeps the console's order */
    spin_unlock(&log_lock);
}

void log_locked(void (*fn)(void *ctx), void *ctx)
{
    spin_lock(&log_lock);
    fn(ctx);
    spin_unlock(&log_lock);
}

void log_write_foreign(const char *line, size_t n)
{
    spin_lock(&log_lock);
    write_out(line, n);
    spin_unlock(&log_lock);
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
    if (level > log_level_now)
        return;
    char line[512];
    size_t n = fmt_snprintf(line, sizeof line, "onestone: ");
    if (log_prefix)
        n += (size_t)log_prefix(line + n, sizeof line - n);
    if (n < sizeof line)
        n += fmt_snprintf(line + n, sizeof line - n, "%s", level_tag[level]);
    if (n < sizeof line)
        n += fmt_vsnprintf(line + n, sizeof line - n, fmt, ap);
    if (n >= sizeof line)
        n = sizeof line - 1;

    if (log_sink)
        log_sink(line, n);
    else
        log_write_line(line, n);
    if (log_mirror)
        log_mirror(line);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(level, fmt, ap);
    va_end(ap);
}
