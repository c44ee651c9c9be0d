/* Shared (boot services, VMX root): onestone's log on the serial console.
 * Every line starts with "onestone: " and, from VMX root, the CPU index, so
 * test runners and people can tell onestone's words from the guest's. */
#ifndef HV_LOG_H
#define HV_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "onestone/config.h"

void log_setup(uint16_t port, enum log_level level);
enum log_level log_current_level(void);

/* printf subset: %s %c %d %u %x %p with l/ll, width and 0-padding. */
void log_printf(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_vprintf(enum log_level level, const char *fmt, va_list ap);

/* Formats into buf (always terminated); returns the length. */
size_t fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
size_t fmt_snprintf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Optional sink for the boot side, which mirrors lines to the firmware
 * console (ConOut) before the hypervisor starts. */
void log_set_mirror(void (*mirror)(const char *line));

/* Writes one finished line (CR LF added) under the log lock. */
void log_write_line(const char *line, size_t n);

/* The same for a line that is not onestone's (the primary partition's
 * own serial output, hv/core/uart_sink.h): written in turn with
 * onestone's lines, not kept in the ring. */
void log_write_foreign(const char *line, size_t n);

/* Optional replacement for the UART writes, called under the log lock
 * (VMX root's serial console, hv/core/console.h, queues lines for its
 * tick so no CPU waits for the UART); NULL writes directly again. */
void log_set_writer(void (*writer)(const char *line, size_t len));

/* Runs fn under the log lock (readers of the ring keep writers out). */
void log_locked(void (*fn)(void *ctx), void *ctx);

/* The console's `loglevel`: what is logged from now on. */
void log_set_level(enum log_level level);

/* Optional second home for every line written, called under the log lock
 * (VMX root keeps them in its ring, hv/core/log_ring.h). */
void log_set_keeper(void (*keeper)(const char *line, size_t len));

/* Optional replacement for the serial port: onestone's boot code, once it
 * runs as a guest, hands its lines to the hypervisor (ONESTONE_HC_LOG),
 * whose lock then keeps them whole beside the hypervisor's own lines. */
void log_set_sink(void (*sink)(const char *line, size_t len));

/* Optional prefix provider (VMX root sets one that names the CPU). */
void log_set_prefix(int (*prefix)(char *buf, size_t cap));

#define LOG_ERR(...)   log_printf(LOG_ERROR, __VA_ARGS__)
#define LOG_WARN_(...) log_printf(LOG_WARN, __VA_ARGS__)
#define LOG_INF(...)   log_printf(LOG_INFO, __VA_ARGS__)
#define LOG_DBG(...)   log_printf(LOG_DEBUG, __VA_ARGS__)

#endif
