/* Runs in VMX root: a token bucket for log lines a partition asks onestone
 * to print (the management partition's LOG hypercall, the primary's
 * ONESTONE_HC_LOG), so that no guest can flood the serial console. */
#ifndef HV_CORE_LINE_LIMIT_H
#define HV_CORE_LINE_LIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/core/spinlock.h"

struct line_limit {
    unsigned burst, per_second;     /* lines at once; lines a second after that */
    spinlock_t lock;
    bool started;
    uint64_t tokens_milli, last_tsc, dropped;
};

#define LINE_LIMIT(burst_, per_second_) { .burst = (burst_), .per_second = (per_second_) }
/* what a guest may log through onestone: a burst of 50, then 20 a second */
#define GUEST_LOG_LIMIT() LINE_LIMIT(50, 20)

/* True when one more line may be printed now; *dropped_since is how many
 * were refused since the last line allowed (say so with this one). */
bool line_limit_take(struct line_limit *l, uint64_t *dropped_since);
/* line_limit_take, and a warning line for what was dropped before this
 * line ("(N lines of WHOSE dropped by the log rate limit)"). */
bool line_limit_admit(struct line_limit *l, const char *whose);

#endif
