/* Runs on the host: the shared parsers host tools link (vtd/dmar.c) format
 * text with onestone's log code (hv/core/log.c), which writes log lines
 * to a UART; a host tool has none, so the odd line goes to stderr. */
#include <stdio.h>
#include "drivers/uart16550.h"

void uart_putc(uint16_t port, char c)
{
    (void)port;
    fputc(c, stderr);
}
