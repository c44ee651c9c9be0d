/* Runs in VMX root: see line_limit.h. */
#include "hv/core/line_limit.h"
#include "hv/core/arch.h"
#include "hv/core/log.h"
#include "arch/io.h"

bool line_limit_take(struct line_limit *l, uint64_t *dropped_since)
{
    uint64_t full = l->burst * 1000ull, now = rdtsc();
    bool allowed;
    spin_lock(&l->lock);
    if (!l->started) {
        l->started = true;
        l->tokens_milli = full;
    } else {
        l->tokens_milli += (now - l->last_tsc) / hv_tsc_per_ms() * l->per_second;
        if (l->tokens_milli > full)
            l->tokens_milli = full;
    }
    l->last_tsc = now;
    allowed = l->tokens_milli >= 1000;
    if (allowed) {
        l->tokens_milli -= 1000;
        *dropped_since = l->dropped;
        l->dropped = 0;
    } else {
        l->dropped++;
    }
    spin_unlock(&l->lock);
    return allowed;
}

bool line_limit_admit(struct line_limit *l, const char *whose)
{
    uint64_t dropped = 0;
    if (!line_limit_take(l, &dropped))
        return false;               /* counted; said with the next line let through */
    if (dropped)
        LOG_WARN_("(%lu lines of %s dropped by the log rate limit)", (unsigned long)dropped,
                  whose);
    return true;
}
