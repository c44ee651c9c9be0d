/* Runs on every CPU of the management partition: the boot CPU checks the
 * boot parameters, sets up memory, jobs, the other CPUs, the network and
 * the API, then runs the main loop (network, checkpoints, and a slice of
 * compute when it is the only CPU) forever; the other CPUs go to
 * smp_ap_main and compute. */
#include "guest/mgmt/api.h"
#include "guest/mgmt/http_server.h"
#include "guest/mgmt/jobs.h"
#include "guest/mgmt/mgmt.h"
#include "guest/mgmt/net.h"
#include "guest/mgmt/smp.h"
#include "guest/mgmt/workunit.h"
#include <string.h>

#define SLICE_MS 5u   /* compute between network polls */

struct mgmt_boot_params mgmt_params;
extern char _image_start[], _image_end[];

static void check_params(const struct mgmt_boot_params *p)
{
    uint64_t mem_end = p->mem_base + p->mem_size;
    uint64_t img_start = (uintptr_t)_image_start, img_end = (uintptr_t)_image_end;
    if (p->magic != MGMT_BOOT_MAGIC || p->version != MGMT_BOOT_VERSION)
        mgmt_halt("boot parameters: bad magic or version %u (expected %u)", p->version,
                  MGMT_BOOT_VERSION);
    if (!memchr(p->api_token, 0, sizeof p->api_token) || !p->api_token[0])
        mgmt_halt("boot parameters: the API token is empty or not NUL-terminated");
    if (!memchr(p->project_url, 0, sizeof p->project_url))
        mgmt_halt("boot parameters: the project URL is not NUL-terminated");
    if (img_start < p->mem_base || img_end > mem_end)
        mgmt_halt("boot parameters: the image [0x%llx, 0x%llx) is outside the partition's "
                  "memory [0x%llx, 0x%llx)",
                  (unsigned long long)img_start, (unsigned long long)img_end,
                  (unsigned long long)p->mem_base, (unsigned long long)mem_end);
    if (p->ckpt_size && (p->ckpt_base < img_end || p->ckpt_base + p->ckpt_size > mem_end))
        mgmt_halt("boot parameters: checkpoint memory [0x%llx, 0x%llx) must lie in the "
                  "partition's memory above the image (which ends at 0x%llx, memory at 0x%llx)",
                  (unsigned long long)p->ckpt_base,
                  (unsigned long long)(p->ckpt_base + p->ckpt_size),
                  (unsigned long long)img_end, (unsigned long long)mem_end);
    if (p->cpu_count < 1 || p->cpu_count > MGMT_MAX_CPUS)
        mgmt_halt("boot parameters: %u CPUs (1-%u supported)", p->cpu_count, MGMT_MAX_CPUS);
}

/* under onestone: tell it once a second that the partition is alive
 * (its watchdog restarts a partition silent for MGMT_WATCHDOG_MS) */
static void heartbeat_poll(const struct mgmt_boot_params *p)
{
    static uint64_t last_ms;
    uint64_t now = time_ms();
    if (p->host != MGMT_HOST_ONESTONE || (last_ms && now - last_ms < 1000))
        return;
    last_ms = now;
    struct jobs_compute c;
    jobs_compute(&c);
    struct mgmt_hc_heartbeat hb = {
        .compute_paused = c.paused,
        .compute_cpus = c.cpu_cap,
        .jobs_running = c.computing,
        .jobs_queued = c.queued,
        .jobs_done = jobs_count(JOB_DONE),
    };
    if (hv_call(MGMT_HC_HEARTBEAT, &hb, sizeof hb) != 0)
        return;
    /* onestone's console asked: the same change as POST /compute */
    if (hb.request == MGMT_REQ_COMPUTE_PAUSE || hb.request == MGMT_REQ_COMPUTE_RESUME) {
        mlog("compute: %s asked on onestone's console",
             hb.request == MGMT_REQ_COMPUTE_PAUSE ? "pause" : "resume");
        jobs_set_compute(hb.request == MGMT_REQ_COMPUTE_PAUSE, c.cpu_cap);
        last_ms = 0;                    /* report the new state at once */
    }
}

void mgmt_main(struct mgmt_boot_params *bp, uint64_t cpu_index)
{
    if (cpu_index != 0) {
        traps_load();   /* the boot CPU built the IDT before starting us */
        smp_ap_main((unsigned)cpu_index);
    }
    console_init(bp->magic == MGMT_BOOT_MAGIC && bp->host == MGMT_HOST_ONESTONE);
    traps_init();
    check_params(bp);
    mgmt_params = *bp;
    const struct mgmt_boot_params *p = &mgmt_params;
    time_init(p->tsc_khz);
    uint64_t mem_end = p->mem_base + p->mem_size;
    uint64_t heap_end = p->ckpt_size ? p->ckpt_base : mem_end;
    heap_init((uintptr_t)_image_end, (uintptr_t)heap_end);
    mlog("onestone management partition (%s): %llu MiB at 0x%llx, %u CPU(s), TSC %llu kHz, "
         "heap %llu MiB, checkpoints at 0x%llx (%llu KiB)",
         p->host == MGMT_HOST_ONESTONE ? "under onestone"
                                       : hv_present() ? "standalone, onestone detected"
                                                      : "standalone, no hypervisor",
         (unsigned long long)(p->mem_size >> 20), (unsigned long long)p->mem_base, p->cpu_count,
         (unsigned long long)time_tsc_khz(), (unsigned long long)(heap_limit_bytes() >> 20),
         (unsigned long long)p->ckpt_base, (unsigned long long)(p->ckpt_size >> 10));

    char err[200];
    if (jobs_init((void *)(uintptr_t)p->ckpt_base, p->ckpt_size, err, sizeof err))
        mgmt_halt("jobs: %s", err);
    if (p->host == MGMT_HOST_STANDALONE)
        smp_start_cpus(p);   /* under onestone, onestone starts them */
    smp_release_aps();
    if (net_init(p, err, sizeof err))
        mgmt_halt("network: %s", err);
    api_scan_devices();
    if (http_server_start(p->api_port, api_handle))
        mgmt_halt("network: cannot listen on TCP port %u", p->api_port);
    if (p->project_url[0] && workunit_init(p->project_url, err, sizeof err))
        mgmt_halt("work units: %s", err);

    bool ready = false;
    for (;;) {
        heartbeat_poll(p);
        net_poll();
        if (!ready && net_has_address()) {
            ready = true;
            mlog("ready: management API on http://%s:%u/ (bearer token required)%s",
                 net_address_text(), p->api_port,
                 p->restarts ? " after a restart by onestone" : "");
            testfault_attack(p);
        }
        testfault_poll(p);
        if (ready && p->project_url[0])
            workunit_poll();
        jobs_poll();
        if (!jobs_run_slice(SLICE_MS))
            __asm__ volatile("pause");
    }
}
