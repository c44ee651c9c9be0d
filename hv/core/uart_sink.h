/* Shared (VMX root, host unit tests): the console's UART as the primary
 * partition sees it once onestone owns it (hv/core/console.h). A 16550
 * that transmits and never receives: each byte written goes into a line,
 * and finished lines are shown on onestone's console between onestone's
 * own. The registers keep what is written (divisor, LCR, IER, FCR, MCR,
 * scratch), so the firmware's and an OS's probes (scratch and loopback
 * tests) find a UART; LSR always says the transmitter is empty and no
 * byte waits; IIR never shows an interrupt, and none is raised, so a
 * driver polls (firmware, printk) or finds nothing to do. Escape
 * sequences (the firmware terminal's cursor moves) and other control
 * bytes are dropped; a line ends at LF or after UART_SINK_LINE_MAX
 * characters. Guests that want a serial port of their own use COM2. */
#ifndef HV_CORE_UART_SINK_H
#define HV_CORE_UART_SINK_H

#include <stdbool.h>
#include <stdint.h>

#define UART_SINK_LINE_MAX 200u

struct uart_sink {
    uint8_t ier, lcr, fcr, mcr, scr, dll, dlm;
    uint8_t esc;                    /* escape-sequence state */
    char line[UART_SINK_LINE_MAX + 1];
    unsigned len;                   /* characters in line */
    uint64_t bytes;                 /* transmitted, all told */
};

/* A read of register reg (0-7). */
uint8_t uart_sink_read(const struct uart_sink *s, unsigned reg);
/* A write of register reg; true when s->line now holds a finished line
 * (NUL-terminated, s->len characters): the caller shows it, then calls
 * uart_sink_line_taken. */
bool uart_sink_write(struct uart_sink *s, unsigned reg, uint8_t value);
void uart_sink_line_taken(struct uart_sink *s);

#endif
