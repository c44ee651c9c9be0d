/* Shared (VMX root, host unit tests): the last lines of onestone's log in
 * memory onestone owns, each with a sequence number, the TSC and the CPU
 * that logged it, so that they outlive a crash of any partition and can be
 * read again (the console's `log`, the API's GET /log?since=SEQ). Oldest
 * lines give way to new ones; sequence numbers never repeat, so a reader
 * that asks "since N" sees what it missed and how many it lost. */
#ifndef HV_CORE_LOG_RING_H
#define HV_CORE_LOG_RING_H

#include <stddef.h>
#include <stdint.h>

struct log_ring {
    uint8_t *buf;
    uint32_t size;                  /* bytes in buf */
    uint32_t head, tail;            /* byte offsets: oldest record, next free */
    uint32_t used;                  /* bytes held */
    uint64_t first_seq, next_seq;   /* of the oldest line held, of the next one */
};

struct log_line {
    uint64_t seq, tsc;
    uint16_t cpu;
    uint16_t len;
    const char *text;               /* not NUL-terminated; valid during the callback */
};

#define LOG_RING_LINE_MAX 512u

/* VMX root's ring: every line onestone logs there (written and read under
 * the log lock, hv/core/log.h) */
extern struct log_ring hv_log_ring;

void log_ring_init(struct log_ring *r, void *buf, uint32_t size);
/* Appends one line (cut at LOG_RING_LINE_MAX bytes); returns its number. */
uint64_t log_ring_append(struct log_ring *r, uint64_t tsc, uint16_t cpu, const char *text,
                         size_t len);
/* Calls fn for every line held with seq >= since, oldest first, until fn
 * returns nonzero; returns how many lines it was given. */
unsigned log_ring_read(const struct log_ring *r, uint64_t since,
                       int (*fn)(void *ctx, const struct log_line *line), void *ctx);

#endif
