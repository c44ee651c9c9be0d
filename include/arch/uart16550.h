/* Shared header (boot services, VMX root): 16550 UART registers, offsets
 * from the I/O base (PC16550D datasheet). */
#ifndef ARCH_UART16550_H
#define ARCH_UART16550_H

#define UART_THR 0      /* transmit holding (write, DLAB=0) */
#define UART_RBR 0      /* receive buffer (read, DLAB=0) */
#define UART_DLL 0      /* divisor latch low (DLAB=1) */
#define UART_IER 1      /* interrupt enable (DLAB=0) */
#define UART_DLM 1      /* divisor latch high (DLAB=1) */
#define UART_FCR 2      /* FIFO control (write) */
#define UART_LCR 3      /* line control */
#define UART_MCR 4      /* modem control */
#define UART_LSR 5      /* line status */

#define UART_LCR_8N1    0x03
#define UART_LCR_DLAB   0x80
#define UART_FCR_ENABLE_CLEAR 0x07
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR_DATA_READY 0x01
#define UART_LSR_THRE   0x20
#define UART_CLOCK_DIVISOR_BASE 115200u

#endif
