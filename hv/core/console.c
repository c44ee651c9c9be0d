/* Runs in VMX root: see console.h. */
#include "hv/core/console.h"
#include "hv/core/arch.h"
#include "hv/core/console_cmd.h"
#include "hv/core/console_cmds.h"
#include "hv/core/line_edit.h"
#include "hv/core/line_limit.h"
#include "hv/core/log.h"
#include "hv/core/out_ring.h"
#include "hv/core/pool.h"
#include "hv/core/spinlock.h"
#include "hv/core/uart_sink.h"
#include "arch/io.h"
#include "arch/uart16550.h"

#define UART_LSR_OVERRUN 0x02
#define UART_FIFO_BYTES 16u
#define RX_PER_TICK 512u                /* bytes taken from the FIFO per tick, at most */
#define BUSY_AFTER_INPUT_MS 3000u       /* fast ticks this long after a key */
#define SINK_PARTIAL_MS 200u            /* a primary line without LF shows after this */
#define SINK_BURST_LINES 400u           /* the primary's lines at once (a boot's worth) */
#define SINK_LINES_PER_S 100u           /* and a second after that */

static struct {
    uint16_t port;
    bool set_up, started, awake;
    spinlock_t out_lock, tick_lock, sink_lock;
    struct out_ring out;
    struct line_edit edit;
    bool prompt_shown;              /* under out_lock: the prompt line is on screen */
    bool prompt_lost;               /* under out_lock: log lines overwrote it */
    char *answer;
    uint64_t last_input_tsc;
    struct uart_sink sink;
    uint64_t sink_line_tsc;
} con;

struct console_counters console_counters;

static const char *const prompt = "onestone> ";

int console_setup(uint16_t port)
{
    if (!port || pool_free_bytes() < CONSOLE_POOL_BYTES(hv_plan->cpu_count))
        return -1;
    void *out = pool_alloc_pages(CONSOLE_OUT_BYTES / 0x1000);
    con.answer = pool_alloc_pages(CONSOLE_ANSWER_BYTES / 0x1000);
    if (!out || !con.answer || console_cmds_setup())
        return -1;
    con.port = port;
    out_ring_init(&con.out, out, CONSOLE_OUT_BYTES);
    line_edit_init(&con.edit, prompt, console_words);
    con.set_up = true;
    return 0;
}

bool console_owns(uint16_t port)
{
    return con.set_up && port >= con.port && port < con.port + 8;
}

static void out_put(const char *s, size_t n)
{
    spin_lock(&con.out_lock);
    console_counters.out_dropped += n - out_ring_put(&con.out, s, n);
    spin_unlock(&con.out_lock);
}

/* the log's writer: called under the log lock, from any CPU */
static void queue_line(const char *line, size_t n)
{
    spin_lock(&con.out_lock);
    size_t want = 0, took = 0;
    if (con.prompt_shown) {
        /* the prompt (and what is typed) gives way; the tick redraws it */
        want += 4;
        took += out_ring_put(&con.out, "\r\x1b[K", 4);
        con.prompt_shown = false;
        con.prompt_lost = true;
    }
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '\n') {
            want++;
            took += out_ring_put(&con.out, "\r", 1);
        }
        want++;
        took += out_ring_put(&con.out, &line[i], 1);
    }
    want += 2;
    took += out_ring_put(&con.out, "\r\n", 2);
    console_counters.out_dropped += want - took;
    spin_unlock(&con.out_lock);
}

void console_start(void)
{
    if (!con.set_up || con.started)
        return;
    con.started = true;
    log_set_writer(queue_line);
    LOG_INF("console: served on the port at 0x%x from the management partition's CPU; "
            "press Enter for a prompt ('help' lists the commands)", con.port);
}

static void show_prompt(void)
{
    char buf[LINE_EDIT_MAX + 64];
    struct text_out t = { .buf = buf, .cap = sizeof buf };
    line_edit_redraw(&con.edit, &t);
    spin_lock(&con.out_lock);
    console_counters.out_dropped += t.len - out_ring_put(&con.out, buf, t.len);
    con.prompt_shown = true;
    con.prompt_lost = false;
    spin_unlock(&con.out_lock);
}

static void run_line(char *line)
{
    struct text_out t = { .buf = con.answer, .cap = CONSOLE_ANSWER_BYTES };
    console_counters.commands++;
    if (console_run_line(console_commands, line, &t))
        console_counters.command_errors++;
    if (t.dropped) {
        char note[80];
        size_t n = fmt_snprintf(note, sizeof note, "[answer cut: %lu more characters]\r\n",
                                (unsigned long)t.dropped);
        out_put(con.answer, t.len);
        out_put(note, n);
        return;
    }
    out_put(con.answer, t.len);
}

static void feed(uint8_t byte)
{
    if (!con.awake) {
        con.awake = true;       /* the first key: from now on there is a prompt */
        out_put("\r\n", 2);
        show_prompt();
        if (byte == '\r' || byte == '\n')
            return;
    }
    if (console_following) {
        console_following = false;   /* any key ends `log -f` */
        out_put("\r\n", 2);
        show_prompt();
        return;
    }
    char echo[LINE_EDIT_MAX + 64];
    char line[LINE_EDIT_MAX + 1];
    struct text_out t = { .buf = echo, .cap = sizeof echo };
    bool done = line_edit_feed(&con.edit, byte, &t, line);
    spin_lock(&con.out_lock);
    console_counters.out_dropped += t.len - out_ring_put(&con.out, echo, t.len);
    if (done)
        con.prompt_shown = false;
    spin_unlock(&con.out_lock);
    if (!done)
        return;
    run_line(line);
    if (!console_following)
        show_prompt();
}

static void receive(void)
{
    for (unsigned n = 0; n < RX_PER_TICK; n++) {
        uint8_t lsr = inb(con.port + UART_LSR);
        if (lsr & UART_LSR_OVERRUN)
            console_counters.rx_overruns++;
        if (!(lsr & UART_LSR_DATA_READY))
            return;
        uint8_t byte = inb(con.port + UART_RBR);
        console_counters.rx_bytes++;
        con.last_input_tsc = rdtsc();
        feed(byte);
    }
}

/* sends from the output ring a FIFO's worth at a time while the UART says
 * its FIFO is empty; a tick never waits for it (wait: a flush before a
 * reset, which spins until the ring is empty or the UART never drains) */
static void transmit(bool wait)
{
    for (unsigned rounds = 0, spins = 0;;) {
        if (!(inb(con.port + UART_LSR) & UART_LSR_THRE)) {
            if (!wait || ++spins > 10000000)
                return;
            cpu_relax();
            continue;
        }
        if (!wait && ++rounds > CONSOLE_TX_FIFOS_PER_TICK)
            return;
        char chunk[UART_FIFO_BYTES];
        spin_lock(&con.out_lock);
        size_t n = out_ring_take(&con.out, chunk, sizeof chunk);
        spin_unlock(&con.out_lock);
        if (!n)
            return;
        for (size_t i = 0; i < n; i++)
            outb(con.port + UART_THR, (uint8_t)chunk[i]);
        console_counters.tx_bytes += n;
    }
}

/* the primary's lines on onestone's console, bounded so that a primary
 * writing without end cannot crowd out onestone's own lines and answers
 * (what it drops is counted and said) */
static struct line_limit sink_limit = LINE_LIMIT(SINK_BURST_LINES, SINK_LINES_PER_S);

static void show_sink_line(void)
{
    if (line_limit_admit(&sink_limit, "the primary partition's serial output"))
        log_write_foreign(con.sink.line, con.sink.len);
    uart_sink_line_taken(&con.sink);
}

uint8_t console_primary_io(unsigned reg, bool is_in, uint8_t value)
{
    spin_lock(&con.sink_lock);
    uint8_t r = 0;
    if (is_in)
        r = uart_sink_read(&con.sink, reg);
    else {
        unsigned before = con.sink.len;
        if (uart_sink_write(&con.sink, reg, value))
            show_sink_line();
        else if (!before && con.sink.len)
            con.sink_line_tsc = rdtsc();
    }
    spin_unlock(&con.sink_lock);
    return r;
}

static void flush_stale_sink_line(void)
{
    if (!con.sink.len || !spin_trylock(&con.sink_lock))
        return;
    if (con.sink.len && rdtsc() - con.sink_line_tsc > SINK_PARTIAL_MS * hv_tsc_per_ms())
        show_sink_line();
    spin_unlock(&con.sink_lock);
}

void console_tick(void)
{
    if (!con.started || !spin_trylock(&con.tick_lock))
        return;
    console_counters.ticks++;
    receive();
    flush_stale_sink_line();
    spin_lock(&con.out_lock);
    bool redraw = con.awake && con.prompt_lost && !console_following;
    spin_unlock(&con.out_lock);
    if (redraw)
        show_prompt();
    transmit(false);
    console_cmds_tick();
    spin_unlock(&con.tick_lock);
}

unsigned console_tick_ms(void)
{
    bool busy = con.out.used || con.sink.len ||
                (con.last_input_tsc &&
                 rdtsc() - con.last_input_tsc < BUSY_AFTER_INPUT_MS * hv_tsc_per_ms());
    return busy ? CONSOLE_TICK_BUSY_MS : CONSOLE_TICK_IDLE_MS;
}

void console_flush(void)
{
    if (con.started)
        transmit(true);
}

void console_flush_answer(struct text_out *o)
{
    out_put(o->buf, o->len);
    o->len = 0;
    o->buf[0] = 0;
    console_flush();
}
