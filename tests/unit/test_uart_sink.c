/* hv/core/uart_sink.c: the primary's stand-in for onestone's console UART.
 * A wrong answer makes firmware or Linux think there is no UART (scratch
 * or loopback test fails), hangs a driver waiting for THRE, lets escape
 * sequences or control bytes reach onestone's console, or loses text. */
#include "hv/core/uart_sink.h"
#include "unit.h"

static unsigned lines;
static char last[UART_SINK_LINE_MAX + 1];

static void put(struct uart_sink *s, const char *text)
{
    for (; *text; text++)
        if (uart_sink_write(s, 0, (uint8_t)*text)) {
            memcpy(last, s->line, s->len + 1);
            lines++;
            uart_sink_line_taken(s);
        }
}

int main(int argc, char **argv)
{
    (void)argc;
    struct uart_sink s = { 0 };
    /* probes: scratch register, divisor latch, loopback (Linux's autoconfig) */
    uart_sink_write(&s, 7, 0xA5);
    CHECK_EQ_U64(uart_sink_read(&s, 7), 0xA5);
    uart_sink_write(&s, 3, 0x80);                   /* DLAB */
    uart_sink_write(&s, 0, 0x01);
    uart_sink_write(&s, 1, 0x00);
    CHECK_EQ_U64(uart_sink_read(&s, 0), 0x01);
    CHECK_EQ_U64(s.bytes, 0);                       /* the divisor is no byte sent */
    uart_sink_write(&s, 3, 0x03);
    uart_sink_write(&s, 4, 0x10 | 0x0A);            /* loopback, RTS, OUT2 */
    CHECK_EQ_U64(uart_sink_read(&s, 6) & 0xF0, 0x90);   /* CTS and DCD, as Linux expects */
    uart_sink_write(&s, 0, 'x');                    /* in loopback nothing leaves */
    CHECK_EQ_U64(s.len, 0);
    uart_sink_write(&s, 4, 0x03);
    /* always ready to send, nothing to receive, no interrupt pending */
    CHECK_EQ_U64(uart_sink_read(&s, 5), 0x60);
    CHECK_EQ_U64(uart_sink_read(&s, 2) & 0x01, 0x01);
    uart_sink_write(&s, 2, 0x07);
    CHECK_EQ_U64(uart_sink_read(&s, 2), 0xC1);      /* FIFOs on: a 16550A */
    /* lines: CR dropped, LF ends, escape sequences (the firmware's cursor
     * moves and colours) and other control bytes gone, high bytes '?' */
    put(&s, "\x1b[2J\x1b[01;01HPASS: one\r\n");
    CHECK_EQ_U64(lines, 1);
    CHECK_STREQ(last, "PASS: one");
    put(&s, "a\tb\x07\x08" "c\xc3\xa9\x1b" "7d\n");
    CHECK_STREQ(last, "a bc??d");                   /* ESC 7: a two-byte sequence */
    put(&s, "\x1b[1;31mred\x1b[0m\n");
    CHECK_STREQ(last, "red");
    /* a line without LF ends at UART_SINK_LINE_MAX */
    lines = 0;
    for (unsigned i = 0; i < UART_SINK_LINE_MAX + 5; i++)
        put(&s, "y");
    CHECK_EQ_U64(lines, 1);
    CHECK_EQ_U64(strlen(last), UART_SINK_LINE_MAX);
    CHECK_EQ_U64(s.len, 5);
    return unit_finish(argv[0]);
}
