/* Shared (boot services, VMX root, host unit tests): sorted lists of
 * physical ranges, used to carve onestone's own memory out of what a
 * partition may see. */
#ifndef HV_MEMRANGE_H
#define HV_MEMRANGE_H

#include <stdbool.h>
#include <stdint.h>

struct memrange {
    uint64_t start, end;            /* [start, end), page aligned */
};

#define MEMRANGE_MAX 16

struct memrange_list {
    unsigned count;
    struct memrange r[MEMRANGE_MAX];
};

/* Adds a range (page-aligned outward), merging overlaps and keeping the
 * list sorted. Returns -1 when the list is full or the range is empty. */
int memrange_add(struct memrange_list *l, uint64_t start, uint64_t end);

bool memrange_contains(const struct memrange_list *l, uint64_t addr);

/* Calls fn for each piece of [start, end) not covered by the list, in
 * order: the carving that gives a partition everything except the holes. */
int memrange_for_each_gap(const struct memrange_list *l, uint64_t start,
                          uint64_t end,
                          int (*fn)(void *ctx, uint64_t start, uint64_t end),
                          void *ctx);

#endif
