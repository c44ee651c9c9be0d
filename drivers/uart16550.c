/* Runs in UEFI boot services (programming the UART) and VMX root (polled
 * output; no interrupts, so the guest keeps owning the IRQ line). */
#include "drivers/uart16550.h"
#include "arch/io.h"
#include "arch/uart16550.h"

void uart_init(uint16_t port, uint32_t baud)
{
    if (!port || !baud)
        return;
    uint16_t divisor = (uint16_t)(UART_CLOCK_DIVISOR_BASE / baud);
    outb(port + UART_IER, 0);
    outb(port + UART_LCR, UART_LCR_DLAB);
    outb(port + UART_DLL, (uint8_t)divisor);
    outb(port + UART_DLM, (uint8_t)(divisor >> 8));
    outb(port + UART_LCR, UART_LCR_8N1);
    outb(port + UART_FCR, UART_FCR_ENABLE_CLEAR);
    outb(port + UART_MCR, UART_MCR_DTR_RTS);
}

void uart_putc(uint16_t port, char c)
{
    if (!port)
        return;
    /* bounded wait: a missing UART must not hang the hypervisor */
    for (unsigned spin = 0; spin < 100000; spin++)
        if (inb(port + UART_LSR) & UART_LSR_THRE)
            break;
    outb(port + UART_THR, (uint8_t)c);
}

int uart_getc(uint16_t port)
{
    if (!port || !(inb(port + UART_LSR) & UART_LSR_DATA_READY))
        return -1;
    return inb(port + UART_RBR);
}
