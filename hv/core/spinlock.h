/* Shared (boot services, VMX root, host unit tests): the one spinlock
 * onestone uses for its few shared structures (log line, page pool, EPT,
 * counter dumps, VT-d fault polling). */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include <stdbool.h>

typedef volatile int spinlock_t;

static inline bool spin_trylock(spinlock_t *l)
{
    return !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(spinlock_t *l)
{
    while (!spin_trylock(l))
        __asm__ volatile("pause");
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

#endif
