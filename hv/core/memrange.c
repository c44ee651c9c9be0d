/* Runs in UEFI boot services, VMX root and host unit tests: range lists. */
#include "hv/core/memrange.h"

int memrange_add(struct memrange_list *l, uint64_t start, uint64_t end)
{
    start &= ~0xFFFull;
    end = (end + 0xFFF) & ~0xFFFull;
    if (end <= start)
        return -1;
    /* merge with every range it touches */
    unsigned i = 0;
    while (i < l->count) {
        struct memrange *r = &l->r[i];
        if (r->end < start || r->start > end) {
            i++;
            continue;
        }
        if (r->start < start)
            start = r->start;
        if (r->end > end)
            end = r->end;
        for (unsigned j = i; j + 1 < l->count; j++)
            l->r[j] = l->r[j + 1];
        l->count--;
    }
    if (l->count == MEMRANGE_MAX)
        return -1;
    unsigned pos = 0;
    while (pos < l->count && l->r[pos].start < start)
        pos++;
    for (unsigned j = l->count; j > pos; j--)
        l->r[j] = l->r[j - 1];
    l->r[pos].start = start;
    l->r[pos].end = end;
    l->count++;
    return 0;
}

bool memrange_contains(const struct memrange_list *l, uint64_t addr)
{
    for (unsigned i = 0; i < l->count; i++)
        if (addr >= l->r[i].start && addr < l->r[i].end)
            return true;
    return false;
}

int memrange_for_each_gap(const struct memrange_list *l, uint64_t start,
                          uint64_t end,
                          int (*fn)(void *ctx, uint64_t start, uint64_t end),
                          void *ctx)
{
    uint64_t cur = start;
    for (unsigned i = 0; i < l->count && cur < end; i++) {
        const struct memrange *r = &l->r[i];
        if (r->end <= cur)
            continue;
        if (r->start >= end)
            break;
        if (r->start > cur) {
            int rc = fn(ctx, cur, r->start);
            if (rc)
                return rc;
        }
        cur = r->end;
    }
    if (cur < end)
        return fn(ctx, cur, end);
    return 0;
}
