/* Shared (boot services, VMX root): polled 16550 output on COM1/COM2. */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include <stdint.h>

void uart_init(uint16_t port, uint32_t baud);
void uart_putc(uint16_t port, char c);
/* Non-blocking read: -1 when no byte is waiting. */
int uart_getc(uint16_t port);

#endif
