/* Shared (VMX root, host unit tests): see uart_sink.h. */
#include "hv/core/uart_sink.h"
#include "arch/uart16550.h"

#define UART_IIR 2
#define UART_MSR 6
#define UART_SCR 7
#define UART_MCR_LOOP 0x10
#define UART_LSR_TEMT 0x40
#define UART_IIR_NO_INT 0x01
#define UART_IIR_FIFOS 0xC0

enum { ESC_NONE, ESC_SEEN, ESC_CSI };

uint8_t uart_sink_read(const struct uart_sink *s, unsigned reg)
{
    bool dlab = (s->lcr & UART_LCR_DLAB) != 0;
    switch (reg) {
    case UART_RBR: return dlab ? s->dll : 0;
    case UART_IER: return dlab ? s->dlm : s->ier;
    case UART_IIR: return (uint8_t)(UART_IIR_NO_INT | ((s->fcr & 1) ? UART_IIR_FIFOS : 0));
    case UART_LCR: return s->lcr;
    case UART_MCR: return s->mcr;
    case UART_LSR: return UART_LSR_THRE | UART_LSR_TEMT;
    case UART_MSR:
        if (s->mcr & UART_MCR_LOOP)     /* loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD */
            return (uint8_t)(((s->mcr & 0x02) << 3) | ((s->mcr & 0x01) << 5) |
                             ((s->mcr & 0x04) << 4) | ((s->mcr & 0x08) << 4));
        return 0xB0;                    /* CTS, DSR, DCD: a cable is attached */
    case UART_SCR: return s->scr;
    }
    return 0xFF;
}

static bool put_char(struct uart_sink *s, uint8_t c)
{
    switch (s->esc) {
    case ESC_SEEN:
        s->esc = c == '[' ? ESC_CSI : ESC_NONE;
        return false;
    case ESC_CSI:
        if (c >= 0x40 && c <= 0x7E)
            s->esc = ESC_NONE;          /* the final byte */
        return false;
    }
    if (c == 0x1B) {
        s->esc = ESC_SEEN;
        return false;
    }
    if (c == '\n')
        return true;
    if (c == '\t')
        c = ' ';
    if (c < 0x20 || c == 0x7F)
        return false;                   /* CR, BEL, backspace ... */
    s->line[s->len++] = c < 0x80 ? (char)c : '?';
    s->line[s->len] = 0;
    return s->len == UART_SINK_LINE_MAX;
}

bool uart_sink_write(struct uart_sink *s, unsigned reg, uint8_t v)
{
    bool dlab = (s->lcr & UART_LCR_DLAB) != 0;
    switch (reg) {
    case UART_THR:
        if (dlab) {
            s->dll = v;
            return false;
        }
        s->bytes++;
        if (s->mcr & UART_MCR_LOOP)
            return false;               /* loopback: nothing leaves the chip */
        return put_char(s, v);
    case UART_IER:
        if (dlab)
            s->dlm = v;
        else
            s->ier = v & 0x0F;
        return false;
    case UART_FCR: s->fcr = v & 0xC9; return false;   /* the clear bits self-clear */
    case UART_LCR: s->lcr = v; return false;
    case UART_MCR: s->mcr = v & 0x1F; return false;
    case UART_SCR: s->scr = v; return false;
    }
    return false;                       /* LSR, MSR: read-only */
}

void uart_sink_line_taken(struct uart_sink *s)
{
    s->len = 0;
    s->line[0] = 0;
}
