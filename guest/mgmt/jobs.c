/* Runs in the management partition: see jobs.h. Everything here runs on
 * the boot CPU except jobs_worker, which runs on the APs; the table is
 * shared under one spinlock, held only for copies, never while logging or
 * computing. */
#include "guest/mgmt/jobs.h"
#include "guest/mgmt/mgmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CKPT_MAGIC   0x74706b43746d674full   /* "OmgtCkpt" */
#define REC_MAGIC    0x626f4a746d674full     /* "OmgtJob" */
#define CKPT_VERSION 2u

struct ckpt_header {
    uint64_t magic;
    uint64_t checksum;
    uint32_t version, slots;
    uint32_t record_size, next_id;
    /* compute control (jobs_set_compute): kept here so a restart of the
     * partition keeps it */
    uint32_t paused, cpu_cap;       /* cpu_cap 0: no cap */
};

struct job_record {
    uint64_t magic;
    uint64_t checksum;              /* of everything after this field */
    uint64_t seq;                   /* the newer of the two images wins */
    uint32_t id;
    uint8_t state, origin, reported, pad;
    char wu_id[JOBS_WU_ID_MAX];
    uint64_t elapsed_ms;
    uint32_t restarts, pad2;
    struct fold_state fold;
};

#define RUNNER_NONE (-1)
#define RUNNER_BOOT 0
#define WORKER_PUBLISH_MS 50u       /* an AP hands its progress over this often */

struct job {
    bool used;
    struct job_record rec;          /* the live copy */
    uint64_t resumed_at;
    uint64_t last_ckpt_ms;
    int runner;                     /* the CPU computing it now, or RUNNER_NONE */
    bool finished_unlogged;         /* done; the boot CPU checkpoints and logs it */
};

static struct ckpt_header *header;
static struct job_record (*images)[2];
static unsigned slots;
static struct job *jobs;            /* [slots] */
static uint64_t checkpoints;
static uint64_t chunk = 1000;       /* moves per fold_run call, adapted to ~1 ms */
static unsigned workers;            /* APs running jobs_worker */
static int table_lock;
static struct fold_state worker_state[MGMT_MAX_CPUS];   /* an AP's private copy */

static void lock(void)
{
    while (__atomic_exchange_n(&table_lock, 1, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}

static void unlock(void)
{
    __atomic_store_n(&table_lock, 0, __ATOMIC_RELEASE);
}

static uint64_t checksum(const void *p, size_t len)
{
    /* FNV-1a, 64-bit: catches torn and stale images, not an adversary */
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t header_sum(const struct ckpt_header *h)
{
    return checksum(&h->version, sizeof *h - offsetof(struct ckpt_header, version));
}

static uint64_t record_sum(const struct job_record *r)
{
    return checksum(&r->seq, sizeof *r - offsetof(struct job_record, seq));
}

static void write_header(void)
{
    header->checksum = header_sum(header);
}

static bool image_ok(const struct job_record *r)
{
    return r->magic == REC_MAGIC && r->checksum == record_sum(r) && r->state >= JOB_QUEUED &&
           r->state <= JOB_DONE && (r->origin == JOB_FROM_API || r->origin == JOB_FROM_PROJECT) &&
           memchr(r->wu_id, 0, sizeof r->wu_id) && fold_state_valid(&r->fold);
}

static void checkpoint(unsigned i)
{
    struct job *j = &jobs[i];
    j->rec.seq++;
    j->rec.magic = REC_MAGIC;
    j->rec.checksum = record_sum(&j->rec);
    struct job_record *img = &images[i][j->rec.seq & 1];
    /* invalidate first, so a restart mid-copy sees a bad image, never a mix */
    img->magic = 0;
    __asm__ volatile("" ::: "memory");
    memcpy((char *)img + sizeof img->magic, (char *)&j->rec + sizeof img->magic,
           sizeof *img - sizeof img->magic);
    __asm__ volatile("" ::: "memory");
    img->magic = REC_MAGIC;
    j->last_ckpt_ms = time_ms();
    checkpoints++;
}

int jobs_init(void *base, size_t size, char *err, size_t errlen)
{
    size_t need = 4096 + 2 * sizeof(struct job_record);
    if (size < need) {
        snprintf(err, errlen, "checkpoint memory of %zu bytes is too small: one job needs %zu",
                 size, need);
        return -1;
    }
    header = base;
    images = (void *)((char *)base + 4096);
    slots = (unsigned)((size - 4096) / (2 * sizeof(struct job_record)));
    if (slots > JOBS_MAX)
        slots = JOBS_MAX;
    jobs = calloc(slots, sizeof *jobs);
    if (!jobs) {
        snprintf(err, errlen, "out of memory for the job table");
        return -1;
    }
    for (unsigned i = 0; i < slots; i++)
        jobs[i].runner = RUNNER_NONE;
    if (header->magic != CKPT_MAGIC || header->checksum != header_sum(header) ||
        header->version != CKPT_VERSION || header->record_size != sizeof(struct job_record) ||
        header->slots != slots) {
        mlog("checkpoint memory at 0x%llx (%zu KiB) holds no checkpoints of this build: "
             "starting with no jobs",
             (unsigned long long)(uintptr_t)base, size / 1024);
        memset(header, 0, sizeof *header);
        for (unsigned i = 0; i < slots; i++)
            images[i][0].magic = images[i][1].magic = 0;
        header->magic = CKPT_MAGIC;
        header->version = CKPT_VERSION;
        header->slots = slots;
        header->record_size = sizeof(struct job_record);
        header->next_id = 1;
        write_header();
        return 0;
    }
    unsigned restored = 0, dropped = 0;
    for (unsigned i = 0; i < slots; i++) {
        struct job_record *a = &images[i][0], *b = &images[i][1], *best = NULL;
        bool oka = image_ok(a), okb = image_ok(b);
        if (oka && okb)
            best = a->seq > b->seq ? a : b;
        else if (oka || okb)
            best = oka ? a : b;
        if (!best) {
            if (a->magic == REC_MAGIC || b->magic == REC_MAGIC)
                dropped++;
            continue;
        }
        struct job *j = &jobs[i];
        j->used = true;
        j->rec = *best;
        j->runner = RUNNER_NONE;
        if (j->rec.state != JOB_DONE) {
            j->rec.restarts++;
            j->resumed_at = j->rec.fold.moves_done;
            if (j->rec.state == JOB_RUNNING)
                j->rec.state = JOB_QUEUED;
        }
        restored++;
        mlog("job %u restored from checkpoint: %s, %llu of %llu moves, best energy %d", j->rec.id,
             j->rec.state == JOB_DONE ? "done" : "resuming",
             (unsigned long long)j->rec.fold.moves_done,
             (unsigned long long)j->rec.fold.params.total_moves, fold_best_energy(&j->rec.fold));
    }
    mlog("checkpoint memory: %u jobs restored, %u unreadable images dropped", restored, dropped);
    return 0;
}

static struct job *find(uint32_t id)
{
    for (unsigned i = 0; i < slots; i++)
        if (jobs[i].used && jobs[i].rec.id == id)
            return &jobs[i];
    return NULL;
}

int jobs_submit(const struct fold_params *p, enum job_origin origin, const char *wu_id,
                const struct fold_state *resume, uint32_t *id, char *err, size_t errlen)
{
    if (wu_id && strlen(wu_id) >= JOBS_WU_ID_MAX) {
        snprintf(err, errlen, "work-unit id longer than %d characters", JOBS_WU_ID_MAX - 1);
        return -1;
    }
    /* built outside the lock: fold_init takes a while for long sequences */
    static struct job fresh;
    memset(&fresh, 0, sizeof fresh);
    if (fold_init(&fresh.rec.fold, p, err, errlen))
        return -1;
    bool resume_rejected = false;
    if (resume) {
        if (fold_state_valid(resume) &&
            memcmp(&resume->params, &fresh.rec.fold.params, sizeof resume->params) == 0) {
            fresh.rec.fold = *resume;
            fresh.resumed_at = resume->moves_done;
        } else {
            resume_rejected = true;
        }
    }
    fresh.used = true;
    fresh.runner = RUNNER_NONE;
    fresh.rec.state = JOB_QUEUED;
    fresh.rec.origin = (uint8_t)origin;
    if (wu_id)
        strcpy(fresh.rec.wu_id, wu_id);
    lock();
    unsigned i;
    for (i = 0; i < slots && jobs[i].used; i++)
        ;
    if (i == slots) {
        unlock();
        snprintf(err, errlen, "the job table is full (%u jobs): delete finished jobs first", slots);
        return -1;
    }
    fresh.rec.id = header->next_id++;
    write_header();
    jobs[i] = fresh;
    checkpoint(i);
    *id = fresh.rec.id;
    unlock();
    if (resume_rejected)
        mlog("job %u: the supplied checkpoint does not match the work or is damaged: starting over",
             *id);
    return 0;
}

static void fill_info(const struct job *j, struct job_info *o)
{
    memset(o, 0, sizeof *o);
    o->id = j->rec.id;
    o->state = (enum job_state)j->rec.state;
    o->origin = (enum job_origin)j->rec.origin;
    strcpy(o->wu_id, j->rec.wu_id);
    o->reported = j->rec.reported;
    strcpy(o->seq, j->rec.fold.params.seq);
    o->seed = j->rec.fold.params.seed;
    o->total_moves = j->rec.fold.params.total_moves;
    o->moves_done = j->rec.fold.moves_done;
    o->resumed_at = j->resumed_at;
    o->restarts = j->rec.restarts;
    o->best_energy = fold_best_energy(&j->rec.fold);
    fold_best_dirs(&j->rec.fold, o->best_dirs, sizeof o->best_dirs);
    o->elapsed_ms = j->rec.elapsed_ms;
    o->cpu = j->runner;
}

int jobs_get(uint32_t id, struct job_info *out)
{
    lock();
    struct job *j = find(id);
    if (j)
        fill_info(j, out);
    unlock();
    return j ? 0 : -1;
}

unsigned jobs_list(uint32_t *ids, unsigned max)
{
    unsigned n = 0;
    /* in id order */
    uint32_t last = 0;
    lock();
    while (n < max) {
        uint32_t next = UINT32_MAX;
        for (unsigned i = 0; i < slots; i++)
            if (jobs[i].used && jobs[i].rec.id > last && jobs[i].rec.id < next)
                next = jobs[i].rec.id;
        if (next == UINT32_MAX)
            break;
        ids[n++] = last = next;
    }
    unlock();
    return n;
}

int jobs_delete(uint32_t id)
{
    lock();
    struct job *j = find(id);
    if (j) {
        /* an AP computing it notices at its next hand-over and drops it */
        unsigned i = (unsigned)(j - jobs);
        images[i][0].magic = images[i][1].magic = 0;
        memset(j, 0, sizeof *j);
        j->runner = RUNNER_NONE;
    }
    unlock();
    return j ? 0 : -1;
}

void jobs_set_reported(uint32_t id)
{
    lock();
    struct job *j = find(id);
    if (j && !j->rec.reported) {
        j->rec.reported = 1;
        checkpoint((unsigned)(j - jobs));
    }
    unlock();
}

int jobs_copy_state(uint32_t id, struct fold_state *out)
{
    lock();
    struct job *j = find(id);
    if (j)
        *out = j->rec.fold;
    unlock();
    return j ? 0 : -1;
}

unsigned jobs_count(enum job_state state)
{
    unsigned n = 0;
    lock();
    for (unsigned i = 0; i < slots; i++)
        n += jobs[i].used && jobs[i].rec.state == state;
    unlock();
    return n;
}

unsigned jobs_capacity(void)
{
    return slots;
}

uint64_t jobs_checkpoints_written(void)
{
    return checkpoints;
}

unsigned jobs_workers(void)
{
    return __atomic_load_n(&workers, __ATOMIC_ACQUIRE);
}

/* under the lock: jobs being computed now */
static unsigned computing(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < slots; i++)
        n += jobs[i].used && jobs[i].runner != RUNNER_NONE;
    return n;
}

/* under the lock: whether a job being computed must stop at this hand-over
 * (paused, or more jobs computing than the cap allows) */
static bool must_park(void)
{
    return header->paused || (header->cpu_cap && computing() > header->cpu_cap);
}

/* under the lock: a job stops where it is; its state is checkpointed, so
 * it goes on exactly from there, after a restart too */
static void park(struct job *j)
{
    j->rec.state = JOB_QUEUED;
    j->runner = RUNNER_NONE;
    checkpoint((unsigned)(j - jobs));
}

void jobs_compute(struct jobs_compute *out)
{
    lock();
    out->paused = header->paused != 0;
    out->cpu_cap = header->cpu_cap;
    out->computing = computing();
    out->queued = 0;
    for (unsigned i = 0; i < slots; i++)
        out->queued += jobs[i].used && jobs[i].rec.state == JOB_QUEUED &&
                       jobs[i].runner == RUNNER_NONE;
    unlock();
}

void jobs_set_compute(bool paused, unsigned cpu_cap)
{
    lock();
    bool changed = header->paused != (uint32_t)paused || header->cpu_cap != cpu_cap;
    header->paused = paused;
    header->cpu_cap = cpu_cap;
    write_header();
    unlock();
    if (!changed)
        return;
    const char *state = paused ? "paused (running jobs stop at their next hand-over)" : "running";
    if (cpu_cap)
        mlog("compute %s; at most %u job(s) at once", state, cpu_cap);
    else
        mlog("compute %s; no CPU cap", state);
}

/* the queued job with the lowest id, if compute may take one now; under
 * the lock */
static struct job *next_queued(void)
{
    if (header->paused || (header->cpu_cap && computing() >= header->cpu_cap))
        return NULL;
    struct job *pick = NULL;
    for (unsigned i = 0; i < slots; i++) {
        struct job *j = &jobs[i];
        if (j->used && j->rec.state == JOB_QUEUED && (!pick || j->rec.id < pick->rec.id))
            pick = j;
    }
    return pick;
}

/* under the lock: the job's work is complete */
static void finish(struct job *j)
{
    j->rec.state = JOB_DONE;
    j->runner = RUNNER_NONE;
    j->finished_unlogged = true;
}

bool jobs_run_slice(uint64_t budget_ms)
{
    lock();
    struct job *j = NULL;
    for (unsigned i = 0; i < slots && !j; i++)
        if (jobs[i].used && jobs[i].runner == RUNNER_BOOT)
            j = &jobs[i];
    if (jobs_workers() || (j && must_park())) {
        /* APs compute, or compute is paused: the boot CPU hands back what
         * it had started */
        if (j)
            park(j);
        unlock();
        return false;
    }
    if (!j && (j = next_queued()) != NULL) {
        j->rec.state = JOB_RUNNING;
        j->runner = RUNNER_BOOT;
    }
    unlock();
    if (!j)
        return false;
    /* only this CPU touches a job whose runner is RUNNER_BOOT (the API runs
     * on this CPU too), so it computes on the job's own state */
    uint64_t khz = time_tsc_khz();
    uint64_t start = rdtsc(), end = start + budget_ms * khz;
    for (;;) {
        uint64_t t0 = rdtsc();
        uint64_t done = fold_run(&j->rec.fold, chunk);
        uint64_t t1 = rdtsc();
        /* aim for ~1 ms per call, so the network is never kept waiting long */
        uint64_t ticks = t1 - t0 ? t1 - t0 : 1;
        if (done == chunk) {
            uint64_t ideal = chunk * khz / ticks;
            chunk = ideal < 100 ? 100 : ideal > 1000000 ? 1000000 : ideal;
        }
        if (fold_finished(&j->rec.fold) || done == 0 || t1 >= end)
            break;
    }
    j->rec.elapsed_ms += (rdtsc() - start) / khz;
    if (fold_finished(&j->rec.fold)) {
        lock();
        finish(j);
        unlock();
    }
    return true;
}

void jobs_poll(void)
{
    struct { uint32_t id; uint64_t moves; int energy; char dirs[FOLD_MAX_LEN + 1]; } done[JOBS_MAX];
    unsigned ndone = 0;
    uint32_t broken = 0;
    lock();
    for (unsigned i = 0; i < slots; i++) {
        struct job *j = &jobs[i];
        bool due = j->finished_unlogged ||
                   (j->rec.state == JOB_RUNNING &&
                    time_ms() - j->last_ckpt_ms >= JOBS_CKPT_INTERVAL_MS);
        if (!j->used || !due)
            continue;
        /* never checkpoint a state that fails its own consistency check */
        if (!fold_state_valid(&j->rec.fold)) {
            broken = j->rec.id;
        } else if (j->finished_unlogged) {
            j->finished_unlogged = false;
            checkpoint(i);
            done[ndone].id = j->rec.id;
            done[ndone].moves = j->rec.fold.moves_done;
            done[ndone].energy = fold_best_energy(&j->rec.fold);
            fold_best_dirs(&j->rec.fold, done[ndone].dirs, sizeof done[ndone].dirs);
            ndone++;
        } else {
            checkpoint(i);
        }
    }
    unlock();
    if (broken)
        mgmt_halt("job %u: the folding state is inconsistent", broken);
    for (unsigned k = 0; k < ndone; k++)
        mlog("job %u done: %llu moves, best energy %d, conformation %s", done[k].id,
             (unsigned long long)done[k].moves, done[k].energy, done[k].dirs);
}

void jobs_worker(unsigned cpu)
{
    struct fold_state *w = &worker_state[cpu];
    uint64_t khz = time_tsc_khz();
    __atomic_add_fetch(&workers, 1, __ATOMIC_ACQ_REL);
    for (;;) {
        lock();
        struct job *j = next_queued();
        uint32_t id = 0;
        if (j) {
            j->rec.state = JOB_RUNNING;
            j->runner = (int)cpu;
            id = j->rec.id;
            *w = j->rec.fold;
        }
        unlock();
        if (!j) {
            time_delay_us(1000);                /* look again in 1 ms */
            continue;
        }
        uint64_t spare_ticks = 0;
        for (;;) {
            uint64_t t0 = rdtsc(), end = t0 + WORKER_PUBLISH_MS * khz;
            while (!fold_finished(w) && rdtsc() < end)
                fold_run(w, 10000);
            uint64_t ticks = rdtsc() - t0 + spare_ticks;
            spare_ticks = ticks % khz;
            lock();
            bool mine = j->used && j->rec.id == id;   /* not deleted meanwhile */
            bool fin = fold_finished(w), parked = false;
            if (mine) {
                j->rec.fold = *w;
                j->rec.elapsed_ms += ticks / khz;
                if (fin)
                    finish(j);
                else if ((parked = must_park()))
                    park(j);
            }
            unlock();
            if (!mine || fin || parked)
                break;
        }
    }
}
