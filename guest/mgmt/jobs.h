/* Runs in the management partition: compute jobs (HP folding, fold.h).
 * The job table lives in the checkpoint memory of the boot parameters: each
 * job has two checkpoint images written alternately with a sequence number
 * and a checksum, so a restart of the partition at any moment finds at
 * least one whole image and resumes the job from it instead of starting
 * over. With APs, each AP computes one job at a time (jobs_worker) and hands
 * its progress to the table every 50 ms; with the boot CPU alone, jobs run
 * on it in slices between network polls (jobs_run_slice). */
#ifndef MGMT_JOBS_H
#define MGMT_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "guest/mgmt/fold.h"

#define JOBS_MAX            16
#define JOBS_WU_ID_MAX      48
#define JOBS_CKPT_INTERVAL_MS 1000u

enum job_state { JOB_QUEUED = 1, JOB_RUNNING = 2, JOB_DONE = 3 };
enum job_origin { JOB_FROM_API = 1, JOB_FROM_PROJECT = 2 };

struct job_info {
    uint32_t id;
    enum job_state state;
    enum job_origin origin;
    char wu_id[JOBS_WU_ID_MAX];
    bool reported;                  /* project jobs: result accepted by the server */
    char seq[FOLD_SEQ_SIZE];
    uint64_t seed, total_moves, moves_done;
    uint64_t resumed_at;            /* moves_done when this boot resumed it, 0 if new */
    uint32_t restarts;              /* partition restarts survived */
    int best_energy;
    char best_dirs[FOLD_MAX_LEN + 1];
    uint64_t elapsed_ms;            /* computing time, across restarts */
    int cpu;                        /* partition CPU computing it now, -1 if none */
};

/* Formats or restores the table in [base, base + size); logs what it found. */
int jobs_init(void *base, size_t size, char *err, size_t errlen);
/* New job; resume (may be NULL) is a state to continue, e.g. from a project
 * server, used only if valid and for the same params. */
int jobs_submit(const struct fold_params *p, enum job_origin origin, const char *wu_id,
                const struct fold_state *resume, uint32_t *id, char *err, size_t errlen);
int jobs_get(uint32_t id, struct job_info *out);
unsigned jobs_list(uint32_t *ids, unsigned max);
int jobs_delete(uint32_t id);
void jobs_set_reported(uint32_t id);
/* A copy of a job's state (for uploading a checkpoint); -1 if no such job. */
int jobs_copy_state(uint32_t id, struct fold_state *out);
unsigned jobs_count(enum job_state state);
unsigned jobs_capacity(void);
/* Boot CPU, when no AP computes: runs a job for about budget_ms; returns
 * whether work was done. */
bool jobs_run_slice(uint64_t budget_ms);
/* Boot CPU, every main-loop turn: checkpoints running jobs once per
 * JOBS_CKPT_INTERVAL_MS, and finished ones at once, and logs those. */
void jobs_poll(void);
/* Compute control: paused, jobs stop where they are at their next
 * hand-over (an AP's every 50 ms, the boot CPU's slice) with their state
 * checkpointed, and none starts; running again, they go on from exactly
 * there. cpu_cap (0: none) bounds how many jobs compute at once. Kept in
 * checkpoint memory: a restart of the partition keeps it. */
struct jobs_compute {
    bool paused;
    unsigned cpu_cap, computing, queued;
};
void jobs_compute(struct jobs_compute *out);
void jobs_set_compute(bool paused, unsigned cpu_cap);
/* An AP, forever: takes queued jobs and computes them. */
void jobs_worker(unsigned cpu) __attribute__((noreturn));
/* APs running jobs_worker */
unsigned jobs_workers(void);
uint64_t jobs_checkpoints_written(void);

#endif
