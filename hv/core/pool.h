/* Runs in VMX root (and its setup): onestone's page pool inside its own
 * reserved memory. Identity-mapped, so physical = virtual. */
#ifndef HV_POOL_H
#define HV_POOL_H

#include <stdint.h>
#include "hv/core/pgtable.h"

void pool_init(uint64_t base, uint64_t end);
/* Zeroed, page aligned; NULL when the pool is exhausted. */
void *pool_alloc_pages(uint64_t pages);
uint64_t pool_used_bytes(void);
uint64_t pool_free_bytes(void);

extern const struct pgtable_allocator pool_pgtable_allocator;

#endif
