/* Runs in VMX root and during its setup: a bump allocator; onestone never
 * frees, it sizes everything at boot. Locked because EPT violations on
 * several CPUs may add tables at once. */
#include "hv/core/pool.h"
#include "hv/core/spinlock.h"
#include <stddef.h>

static uint64_t pool_start, pool_next, pool_limit;
static spinlock_t pool_lock;

void pool_init(uint64_t base, uint64_t end)
{
    pool_start = pool_next = (base + 0xFFF) & ~0xFFFull;
    pool_limit = end & ~0xFFFull;
}

void *pool_alloc_pages(uint64_t pages)
{
    spin_lock(&pool_lock);
    void *p = NULL;
    if (pages && pool_limit - pool_next >= pages * 0x1000) {
        p = (void *)(uintptr_t)pool_next;
        pool_next += pages * 0x1000;
    }
    spin_unlock(&pool_lock);
    if (p) {
        volatile uint64_t *q = p;
        for (uint64_t i = 0; i < pages * 512; i++)
            q[i] = 0;
    }
    return p;
}

uint64_t pool_used_bytes(void)
{
    return pool_next - pool_start;
}

uint64_t pool_free_bytes(void)
{
    return pool_limit - pool_next;
}

static void *pool_pt_alloc(void *ctx, uint64_t *pa)
{
    (void)ctx;
    void *p = pool_alloc_pages(1);
    *pa = (uint64_t)(uintptr_t)p;
    return p;
}

static void *pool_pt_virt(void *ctx, uint64_t pa)
{
    (void)ctx;
    return (void *)(uintptr_t)pa;
}

const struct pgtable_allocator pool_pgtable_allocator = {
    pool_pt_alloc, pool_pt_virt, NULL,
};
