/* Host unit tests: the management partition's job table and its checkpoint
 * memory (guest/mgmt/jobs.c, compiled in here with host stand-ins for the
 * partition's console and clock). A "restart" is jobs_init again over the
 * same memory, as a partition restarted with its checkpoint memory sees it:
 * jobs come back where their last checkpoint was; a torn or damaged image
 * falls back to the other one; damage to both drops the job with a log
 * line; memory from another build starts empty, saying so. */
#include "unit.h"
#include <stdarg.h>
#include <stdlib.h>

static char logbuf[16384];
static size_t loglen;
static uint64_t fake_ms;

void mlog(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
    va_end(ap);
    if (n > 0 && loglen + (size_t)n + 1 < sizeof logbuf) {
        loglen += (size_t)n;
        logbuf[loglen++] = '\n';
        logbuf[loglen] = 0;
    }
}

void mgmt_halt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL: mgmt_halt: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    exit(1);
}

uint64_t time_ms(void)
{
    return fake_ms;
}

uint64_t time_tsc_khz(void)
{
    return 1000000;   /* a nominal 1 GHz: slices are only a budget here */
}

void time_delay_us(uint64_t us)
{
    (void)us;         /* only jobs_worker waits, and it does not run here */
}

#include "guest/mgmt/jobs.c"

#define MEM_SIZE (1u << 20)
static unsigned char *mem;

static void clear_log(void)
{
    loglen = 0;
    logbuf[0] = 0;
}

static void restart(void)
{
    char err[160];
    clear_log();
    free(jobs);   /* a restarted partition starts with nothing in its heap */
    jobs = NULL;
    CHECK_EQ_U64(jobs_init(mem, MEM_SIZE, err, sizeof err), 0);
}

static uint32_t submit(const char *seq, uint64_t seed, uint64_t moves)
{
    struct fold_params p;
    memset(&p, 0, sizeof p);
    snprintf(p.seq, sizeof p.seq, "%s", seq);
    p.seed = seed;
    p.total_moves = moves;
    uint32_t id = 0;
    char err[160];
    CHECK_EQ_U64(jobs_submit(&p, JOB_FROM_API, NULL, NULL, &id, err, sizeof err), 0);
    return id;
}

/* runs slices (and the boot CPU's poll) until job id is done */
static void run_until_done(uint32_t id)
{
    struct job_info j;
    for (int i = 0; i < 100000; i++) {
        jobs_run_slice(5);
        fake_ms += 5;
        jobs_poll();
        if (jobs_get(id, &j) == 0 && j.state == JOB_DONE)
            return;
    }
    CHECK(!"job finished");
}

static unsigned slot_of(uint32_t id)
{
    struct job *j = find(id);
    return j ? (unsigned)(j - jobs) : ~0u;
}

int main(int argc, char **argv)
{
    (void)argc;
    char err[160];
    mem = aligned_alloc(4096, MEM_SIZE);
    memset(mem, 0xA5, MEM_SIZE);   /* whatever was there before */

    /* too small for one job: refused, naming the sizes */
    CHECK_EQ_U64(jobs_init(mem, 4096, err, sizeof err), (uint64_t)-1);
    CHECK_CONTAINS(err, "too small");

    /* memory of no build of ours: formatted, and said so */
    restart();
    CHECK_CONTAINS(logbuf, "holds no checkpoints of this build");
    CHECK_EQ_U64(jobs_capacity(), JOBS_MAX);
    CHECK_EQ_U64(jobs_count(JOB_QUEUED), 0);

    const char *seq = "HPHPPHHPHPPHPHHPPHPH";   /* Unger-Moult 20-mer */
    uint32_t a = submit(seq, 7, 200000), b = submit(seq, 8, 400000);
    CHECK(a == 1 && b == 2);
    run_until_done(a);
    CHECK_CONTAINS(logbuf, "job 1 done: 200000 moves");
    struct job_info ja, jb;
    CHECK_EQ_U64(jobs_get(a, &ja), 0);
    /* b has started: run a few slices and checkpoint it */
    for (int i = 0; i < 3; i++)
        jobs_run_slice(5);
    fake_ms += JOBS_CKPT_INTERVAL_MS;
    jobs_poll();
    CHECK_EQ_U64(jobs_get(b, &jb), 0);
    CHECK(jb.state == JOB_RUNNING && jb.moves_done > 0 && jb.moves_done < 400000);

    /* restart: a is done as it was, b resumes at its checkpoint */
    restart();
    CHECK_CONTAINS(logbuf, "job 1 restored from checkpoint: done");
    CHECK_CONTAINS(logbuf, "job 2 restored from checkpoint: resuming");
    CHECK_CONTAINS(logbuf, "2 jobs restored, 0 unreadable images dropped");
    struct job_info ra, rb;
    CHECK_EQ_U64(jobs_get(a, &ra), 0);
    CHECK_EQ_U64(jobs_get(b, &rb), 0);
    CHECK(ra.state == JOB_DONE && ra.best_energy == ja.best_energy &&
          strcmp(ra.best_dirs, ja.best_dirs) == 0 && ra.restarts == 0);
    CHECK(rb.state == JOB_QUEUED && rb.restarts == 1 && rb.moves_done == jb.moves_done &&
          rb.resumed_at == jb.moves_done);

    /* the newer image of b torn mid-write (bad checksum): the older one is used */
    unsigned sb = slot_of(b);
    struct job_record *imgs = images[sb];
    unsigned newer = imgs[0].seq > imgs[1].seq ? 0 : 1;
    uint64_t older_moves = imgs[1 - newer].fold.moves_done;
    ((unsigned char *)&imgs[newer].fold)[100] ^= 0x40;
    restart();
    CHECK_EQ_U64(jobs_get(b, &rb), 0);
    CHECK_EQ_U64(rb.moves_done, older_moves);
    CHECK_CONTAINS(logbuf, "2 jobs restored, 0 unreadable images dropped");

    /* both images of b damaged: b is dropped, with a log line; a stays */
    imgs = images[slot_of(b)];
    ((unsigned char *)&imgs[0].fold)[200] ^= 1;
    ((unsigned char *)&imgs[1].fold)[200] ^= 1;
    restart();
    CHECK_EQ_U64(jobs_get(b, &rb), (uint64_t)-1);
    CHECK_EQ_U64(jobs_get(a, &ra), 0);
    CHECK_CONTAINS(logbuf, "1 jobs restored, 1 unreadable images dropped");

    /* the deleted job's images are gone for good; ids are never reused */
    CHECK_EQ_U64(jobs_delete(a), 0);
    CHECK_EQ_U64(jobs_delete(a), (uint64_t)-1);
    restart();
    CHECK_EQ_U64(jobs_get(a, &ra), (uint64_t)-1);
    CHECK_CONTAINS(logbuf, "checkpoint memory: 0 jobs restored");
    uint32_t c = submit(seq, 9, 1000);
    CHECK(c > b);

    /* a full table says so and changes nothing */
    for (unsigned i = 1; i < JOBS_MAX; i++)
        submit(seq, i, 1000);
    CHECK_EQ_U64(jobs_count(JOB_QUEUED), JOBS_MAX);
    struct fold_params p;
    memset(&p, 0, sizeof p);
    strcpy(p.seq, seq);
    p.seed = 1;
    p.total_moves = 1000;
    uint32_t id = 0;
    CHECK_EQ_U64(jobs_submit(&p, JOB_FROM_API, NULL, NULL, &id, err, sizeof err), (uint64_t)-1);
    CHECK_CONTAINS(err, "job table is full");
    CHECK_EQ_U64(jobs_count(JOB_QUEUED), JOBS_MAX);

    /* a bad sequence is refused by name, nothing queued */
    strcpy(p.seq, "HPXH");
    CHECK_EQ_U64(jobs_delete(c), 0);
    CHECK_EQ_U64(jobs_submit(&p, JOB_FROM_API, NULL, NULL, &id, err, sizeof err), (uint64_t)-1);
    CHECK_EQ_U64(jobs_count(JOB_QUEUED), JOBS_MAX - 1);

    /* a resume state for other work is not used: the job starts over */
    struct fold_state other;
    strcpy(p.seq, seq);
    CHECK_EQ_U64(fold_init(&other, &p, err, sizeof err), 0);
    fold_run(&other, 500);
    p.seed = 2;
    clear_log();
    CHECK_EQ_U64(jobs_submit(&p, JOB_FROM_PROJECT, "wu-1", &other, &id, err, sizeof err), 0);
    CHECK_CONTAINS(logbuf, "does not match the work");
    struct job_info r;
    CHECK_EQ_U64(jobs_get(id, &r), 0);
    CHECK(r.moves_done == 0 && r.origin == JOB_FROM_PROJECT && strcmp(r.wu_id, "wu-1") == 0);

    /* compute control: paused, the running job stops at the next slice with
     * its state checkpointed, no job starts, and the state survives a
     * restart; running again, it ends exactly as an uninterrupted run */
    uint32_t all[JOBS_MAX];
    unsigned nall = jobs_list(all, JOBS_MAX);
    for (unsigned k = 0; k < nall; k++)
        jobs_delete(all[k]);
    uint32_t ref = submit(seq, 11, 300000);
    run_until_done(ref);
    struct job_info jref;
    CHECK_EQ_U64(jobs_get(ref, &jref), 0);
    uint32_t pj = submit(seq, 11, 300000);
    for (int i = 0; i < 5; i++)
        jobs_run_slice(5);
    struct job_info jp;
    CHECK_EQ_U64(jobs_get(pj, &jp), 0);
    CHECK(jp.state == JOB_RUNNING && jp.moves_done > 0 && jp.moves_done < 300000);
    clear_log();
    jobs_set_compute(true, 0);
    CHECK_CONTAINS(logbuf, "compute paused");
    CHECK(!jobs_run_slice(5));                      /* parks it, computes nothing */
    struct job_info parked;
    CHECK_EQ_U64(jobs_get(pj, &parked), 0);
    CHECK(parked.state == JOB_QUEUED && parked.cpu == -1);
    for (int i = 0; i < 5; i++)
        CHECK(!jobs_run_slice(5));
    struct job_info still;
    CHECK_EQ_U64(jobs_get(pj, &still), 0);
    CHECK_EQ_U64(still.moves_done, parked.moves_done);
    struct jobs_compute cs;
    jobs_compute(&cs);
    CHECK(cs.paused && cs.computing == 0 && cs.queued == 1);
    restart();                                      /* pause is kept */
    jobs_compute(&cs);
    CHECK(cs.paused);
    CHECK(!jobs_run_slice(5));
    CHECK_EQ_U64(jobs_get(pj, &still), 0);
    CHECK_EQ_U64(still.moves_done, parked.moves_done);  /* parked state was checkpointed */
    jobs_set_compute(false, 2);
    jobs_compute(&cs);
    CHECK(!cs.paused && cs.cpu_cap == 2);
    run_until_done(pj);
    CHECK_EQ_U64(jobs_get(pj, &jp), 0);
    CHECK(jp.best_energy == jref.best_energy && strcmp(jp.best_dirs, jref.best_dirs) == 0);
    jobs_set_compute(false, 0);

    /* header from another layout (an older build): starts empty, says so */
    header->version++;
    header->checksum = header_sum(header);
    restart();
    CHECK_CONTAINS(logbuf, "holds no checkpoints of this build");
    CHECK_EQ_U64(jobs_count(JOB_QUEUED), 0);

    free(jobs);
    free(mem);
    return unit_finish(argv[0]);
}
