/* Runs in VMX root: polls the VT-d units' fault records. onestone takes no
 * timer interrupts, so it looks on VM exits, at most once per 2^28 TSC
 * ticks, and on every counter dump; a record waits in the unit (and an
 * overflow is flagged there) until then, so nothing is lost silently. */
#include "hv/vtd/vtd_faults.h"
#include "hv/core/spinlock.h"
#include "hv/vmx/percpu.h"
#include "arch/io.h"

#define POLL_INTERVAL_TICKS (1ull << 28)

bool vtd_faults_enabled;
static uint64_t last_poll;
static spinlock_t poll_lock;

void vtd_faults_poll(bool force)
{
    if (!hv_plan || !hv_plan->vtd_unit_count)
        return;
    uint64_t now = rdtsc();
    if (!force && now - last_poll < POLL_INTERVAL_TICKS)
        return;
    if (!spin_trylock(&poll_lock))
        return;                         /* another CPU is polling */
    last_poll = now;
    for (uint32_t i = 0; i < hv_plan->vtd_unit_count; i++)
        vtd_fault_poll(&hv_plan->vtd_units[i], 0, 0);
    spin_unlock(&poll_lock);
}
