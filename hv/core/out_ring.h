/* Shared (VMX root, host unit tests): the console's output ring. Writers
 * (command answers, log lines) never wait for the UART: what does not fit
 * is dropped and counted, and the reader, once there is room again, gets
 * a "[N bytes dropped]" line first so the gap shows. The console's tick
 * drains it into the UART's transmit FIFO a few bytes at a time. */
#ifndef HV_CORE_OUT_RING_H
#define HV_CORE_OUT_RING_H

#include <stddef.h>
#include <stdint.h>

struct out_ring {
    uint8_t *buf;
    uint32_t size, head, used;      /* head: next byte to send */
    uint64_t dropped;               /* since the last marker */
    uint64_t dropped_total;
};

void out_ring_init(struct out_ring *r, void *buf, uint32_t size);
/* Appends what fits; returns the bytes taken. */
size_t out_ring_put(struct out_ring *r, const char *s, size_t n);
/* Takes up to max bytes to send, oldest first (the drop marker first if
 * bytes were dropped and it now fits); returns how many were copied. */
size_t out_ring_take(struct out_ring *r, char *dst, size_t max);

#endif
