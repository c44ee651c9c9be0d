/* Runs on the management partition's boot CPU: misbehaviour on purpose,
 * for the containment tests only (onestone.conf [mgmt] `test =`, boot
 * parameter test_mode). Under MGMT_TEST_CRASH the partition triple-faults
 * once, on its first run, in the middle of a job that has a checkpoint,
 * and on the run after that hangs further on in the job (no heartbeat, no
 * exits: onestone's watchdog must notice);
 * under MGMT_TEST_ATTACK run k (k = restarts so far) makes attack k: each
 * must be stopped by onestone, which then restarts the partition. */
#include "guest/mgmt/jobs.h"
#include "guest/mgmt/mgmt.h"
#include "arch/io.h"

#define XAPIC_ICR_LOW  0xFEE00300u
#define XAPIC_ICR_HIGH 0xFEE00310u

void testfault_attack(const struct mgmt_boot_params *p)
{
    if (p->test_mode != MGMT_TEST_ATTACK)
        return;
    switch (p->restarts) {
    case 0: {
        uint64_t where = p->mem_base + p->mem_size + 0x100000;
        mlog("test: attack 1: reading memory outside the partition at 0x%llx",
             (unsigned long long)where);
        uint64_t v = *(volatile uint64_t *)(uintptr_t)where;
        mlog("test: attack 1 read 0x%llx: NOT STOPPED", (unsigned long long)v);
        break;
    }
    case 1:
        mlog("test: attack 2: INIT to the primary's boot CPU (APIC id 0) through the local APIC");
        *(volatile uint32_t *)(uintptr_t)XAPIC_ICR_HIGH = 0;
        *(volatile uint32_t *)(uintptr_t)XAPIC_ICR_LOW = 0x4500;     /* INIT, assert */
        mlog("test: attack 2 wrote the ICR: NOT STOPPED");
        break;
    case 2:
        mlog("test: attack 3: platform reset through port 0xCF9");
        outb(0xCF9, 0x06);
        mlog("test: attack 3 wrote port 0xCF9: NOT STOPPED");
        break;
    default:
        break;
    }
}

void testfault_poll(const struct mgmt_boot_params *p)
{
    if (p->test_mode != MGMT_TEST_CRASH || p->restarts > 1 || jobs_checkpoints_written() == 0)
        return;
    unsigned percent = p->restarts == 0 ? 40 : 60;
    uint32_t ids[8];
    unsigned n = jobs_list(ids, 8);
    for (unsigned i = 0; i < n; i++) {
        struct job_info j;
        if (jobs_get(ids[i], &j) || j.state != JOB_RUNNING || j.total_moves == 0 ||
            j.moves_done * 100 < j.total_moves * percent)
            continue;
        if (p->restarts == 1) {
            mlog("test: hanging on purpose mid-job (job %u at %llu of %llu moves): no more "
                 "heartbeats", ids[i], (unsigned long long)j.moves_done,
                 (unsigned long long)j.total_moves);
            for (;;)
                __asm__ volatile("pause");
        }
        mlog("test: crashing on purpose mid-job (job %u at %llu of %llu moves): triple fault",
             ids[i], (unsigned long long)j.moves_done, (unsigned long long)j.total_moves);
        struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };
        __asm__ volatile("cli; lidt %0; int3" : : "m"(none));
    }
}
