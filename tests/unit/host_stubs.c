/* Host-side stand-ins for what the shared sources expect from the EFI
 * build. hv/core/log.c writes through drivers/uart16550.h, whose real driver does
 * port I/O (a SIGSEGV in user space), so the "UART" here is a buffer the
 * tests can read back. */
#include "drivers/uart16550.h"
#include "unit.h"

char host_uart_out[8192];
size_t host_uart_len;
uint16_t host_uart_last_port;

void host_uart_reset(void)
{
    host_uart_len = 0;
    host_uart_out[0] = 0;
    host_uart_last_port = 0;
}

void uart_init(uint16_t port, uint32_t baud)
{
    (void)baud;
    host_uart_last_port = port;
}

void uart_putc(uint16_t port, char c)
{
    host_uart_last_port = port;
    /* keep the buffer a C string; drop what does not fit */
    if (host_uart_len + 1 < sizeof host_uart_out) {
        host_uart_out[host_uart_len++] = c;
        host_uart_out[host_uart_len] = 0;
    }
}

int uart_getc(uint16_t port)
{
    (void)port;
    return -1;                  /* nothing ever arrives */
}
