/* Runs in VMX root: onestone's serial console. Once a management
 * partition runs, onestone owns the console UART (onestone.conf
 * `console =`, COM1 by default): the primary partition's accesses to it
 * trap and reach a transmit-only stand-in (hv/core/uart_sink.h), and
 * the console is served by console_tick on the management partition's
 * first CPU, from its VMX-preemption timer (every CONSOLE_TICK_IDLE_MS,
 * every CONSOLE_TICK_BUSY_MS while output waits or someone typed in the
 * last seconds), and from the loops that CPU runs while the partition
 * is stopped or restarting. The primary CPUs take no exit for it.
 *
 * A tick drains the receive FIFO into the line editor, runs a finished
 * line's command, and refills the UART's transmit FIFO from the output
 * ring if it is empty (never waiting for it). Log lines from any CPU are
 * queued in that ring, never written while an exit waits; what does not
 * fit is counted and shown.
 * The prompt appears once someone presses a key, so until then COM1
 * reads as the plain log it was. */
#ifndef HV_CORE_CONSOLE_H
#define HV_CORE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_TICK_IDLE_MS 10u
#define CONSOLE_TICK_BUSY_MS 1u
#define CONSOLE_TX_FIFOS_PER_TICK 4u   /* FIFO loads, each only if the UART is ready */
#define CONSOLE_OUT_BYTES (128u * 1024u)
#define CONSOLE_ANSWER_BYTES (96u * 1024u)
/* what console_setup takes from onestone's page pool for `cpus` CPUs (the
 * output ring, a command's answer, two samples of every CPU's exit
 * counters by reason, at most CONSOLE_EXIT_REASONS_MAX reasons) */
#define CONSOLE_EXIT_REASONS_MAX 128u
#define CONSOLE_POOL_BYTES(cpus) \
    (CONSOLE_OUT_BYTES + CONSOLE_ANSWER_BYTES + \
     2ull * (((uint64_t)(cpus) * CONSOLE_EXIT_REASONS_MAX * 8 + 0xFFF) & ~0xFFFull))

/* Allocates the console's buffers for UART `port` (from hv_prepare, when
 * a management partition will serve it); 0, or -1 when the page pool
 * has no room. */
int console_setup(uint16_t port);
/* Whether the console is set up, and whether port is one of its UART's
 * eight registers. */
bool console_owns(uint16_t port);
/* The first tick: log lines go through the output ring from now on. */
void console_start(void);
/* One tick; safe from any CPU (one runs it at a time, others return). */
void console_tick(void);
/* Milliseconds until the next tick should run. */
unsigned console_tick_ms(void);
/* The primary partition's access to the console UART (reg 0-7). */
uint8_t console_primary_io(unsigned reg, bool is_in, uint8_t value);
/* Sends what waits, with no time bound (before a reset or panic). */
void console_flush(void);
/* Queues a command's answer so far and sends everything (a command
 * that does not return: reboot, poweroff); o is empty afterwards. */
struct text_out;
void console_flush_answer(struct text_out *o);

#endif
