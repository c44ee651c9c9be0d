/* Runs in the management partition: see workunit.h. One work unit at a
 * time; a unit found in checkpoint memory after a restart is continued
 * first, otherwise the server's checkpoint is used when it has one. */
#include "guest/mgmt/workunit.h"
#include "guest/mgmt/httpc.h"
#include "guest/mgmt/jobs.h"
#include "guest/mgmt/json.h"
#include "guest/mgmt/mgmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum wu_phase { WU_IDLE, WU_WAIT, WU_RUNNING };

static struct http_url url;
static enum wu_phase phase = WU_IDLE;
static uint64_t next_ms;            /* earliest time for the next request */
static uint64_t last_upload_ms;
static uint32_t job;                /* the job computing the current unit */
static char wu_id[JOBS_WU_ID_MAX];
static struct fold_params pending;  /* unit fetched, waiting for its checkpoint */
static int last_error_logged;

static void retry_later(const char *what, int status, const char *err)
{
    if (!last_error_logged) {
        if (status > 0)
            mlog("work units: %s failed: HTTP status %d (retrying every %u s)", what, status,
                 WU_ERROR_RETRY_MS / 1000);
        else
            mlog("work units: %s failed: %s (retrying every %u s)", what, err ? err : "no answer",
                 WU_ERROR_RETRY_MS / 1000);
    }
    last_error_logged = 1;
    next_ms = time_ms() + WU_ERROR_RETRY_MS;
}

static bool adopt_local(void)
{
    uint32_t ids[JOBS_MAX];
    unsigned n = jobs_list(ids, JOBS_MAX);
    for (unsigned i = 0; i < n; i++) {
        struct job_info j;
        if (jobs_get(ids[i], &j) == 0 && j.origin == JOB_FROM_PROJECT && !j.reported) {
            job = j.id;
            strcpy(wu_id, j.wu_id);
            phase = WU_RUNNING;
            mlog("work unit %s: continuing from checkpoint memory at %llu of %llu moves", wu_id,
                 (unsigned long long)j.moves_done, (unsigned long long)j.total_moves);
            return true;
        }
    }
    return false;
}

int workunit_init(const char *project_url, char *err, size_t errlen)
{
    if (http_url_parse(project_url, &url, err, errlen))
        return -1;
    mlog("work units: project %s", project_url);
    adopt_local();
    return 0;
}

static void start_job(const struct fold_state *resume)
{
    char err[160];
    if (jobs_submit(&pending, JOB_FROM_PROJECT, wu_id, resume, &job, err, sizeof err)) {
        mlog("work unit %s: cannot start: %s", wu_id, err);
        phase = WU_IDLE;
        next_ms = time_ms() + WU_ERROR_RETRY_MS;
        return;
    }
    struct job_info j;
    jobs_get(job, &j);
    mlog("work unit %s: job %u started%s at %llu of %llu moves", wu_id, job,
         j.moves_done ? ", resumed from the server's checkpoint," : "",
         (unsigned long long)j.moves_done, (unsigned long long)j.total_moves);
    phase = WU_RUNNING;
    last_upload_ms = time_ms();
}

static void got_checkpoint(void *arg, int status, const char *body, size_t len, const char *err)
{
    (void)arg;
    if (status == 200 && len == sizeof(struct fold_state)) {
        struct fold_state *s = malloc(sizeof *s);
        if (s) {
            memcpy(s, body, sizeof *s);
            start_job(s);
            free(s);
            return;
        }
    }
    mlog("work unit %s: the server's checkpoint is unusable (%s%d, %zu bytes): starting over",
         wu_id, err ? err : "status ", status, len);
    start_job(NULL);
}

static void got_unit(void *arg, int status, const char *body, size_t len, const char *err)
{
    (void)arg;
    phase = WU_IDLE;
    if (status == 204) {
        next_ms = time_ms() + WU_IDLE_RETRY_MS;
        return;
    }
    if (status != 200) {
        retry_later("fetching work", status, err);
        return;
    }
    struct json_object o;
    char perr[160];
    if (json_parse_object(body, len, &o, perr, sizeof perr)) {
        mlog("work units: the server's work unit is not valid JSON: %s", perr);
        next_ms = time_ms() + WU_ERROR_RETRY_MS;
        return;
    }
    const struct json_field *id = json_get(&o, "id"), *seq = json_get(&o, "sequence"),
                            *seed = json_get(&o, "seed"), *moves = json_get(&o, "moves"),
                            *ck = json_get(&o, "checkpoint");
    if (!id || id->type != JSON_STRING || !id->str[0] || strlen(id->str) >= JOBS_WU_ID_MAX ||
        strspn(id->str, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
            strlen(id->str) ||
        !seq || seq->type != JSON_STRING || strlen(seq->str) >= FOLD_SEQ_SIZE || !seed ||
        !seed->is_integer || seed->integer < 0 || !moves || !moves->is_integer ||
        moves->integer < 1) {
        mlog("work units: the server's work unit lacks a valid id, sequence, seed or moves");
        next_ms = time_ms() + WU_ERROR_RETRY_MS;
        return;
    }
    last_error_logged = 0;
    strcpy(wu_id, id->str);
    memset(&pending, 0, sizeof pending);
    strcpy(pending.seq, seq->str);
    pending.seed = (uint64_t)seed->integer;
    pending.total_moves = (uint64_t)moves->integer;
    if (ck && ck->type == JSON_BOOL && ck->boolean) {
        char path[96];
        snprintf(path, sizeof path, "/workunits/%s/checkpoint", wu_id);
        phase = WU_WAIT;
        httpc_request(&url, "GET", path, NULL, NULL, NULL, 0, got_checkpoint, NULL);
        return;
    }
    start_job(NULL);
}

static void uploaded(void *arg, int status, const char *body, size_t len, const char *err)
{
    (void)arg, (void)body, (void)len;
    phase = WU_RUNNING;
    if (status != 204 && status != 200)
        retry_later("uploading a checkpoint", status, err);
    else
        last_error_logged = 0;
}

static void reported(void *arg, int status, const char *body, size_t len, const char *err)
{
    (void)arg, (void)body, (void)len;
    if (status == 200 || status == 409) {
        jobs_set_reported(job);
        mlog("work unit %s: result %s by the server", wu_id,
             status == 200 ? "accepted" : "already recorded");
        phase = WU_IDLE;
        next_ms = time_ms();
        last_error_logged = 0;
        return;
    }
    phase = WU_RUNNING;
    retry_later("reporting a result", status, err);
}

void workunit_poll(void)
{
    httpc_poll();
    if (httpc_busy() || phase == WU_WAIT || time_ms() < next_ms)
        return;
    if (phase == WU_IDLE) {
        if (adopt_local())
            return;
        phase = WU_WAIT;
        httpc_request(&url, "GET", "/workunits/next", NULL, NULL, NULL, 0, got_unit, NULL);
        return;
    }
    struct job_info j;
    if (jobs_get(job, &j)) {
        mlog("work unit %s: its job was deleted through the API; asking for work again", wu_id);
        phase = WU_IDLE;
        return;
    }
    char path[96];
    if (j.state == JOB_DONE) {
        char body[300];
        snprintf(body, sizeof body, "{\"best_energy\":%d,\"conformation\":\"%s\",\"moves\":%llu}",
                 j.best_energy, j.best_dirs, (unsigned long long)j.moves_done);
        snprintf(path, sizeof path, "/workunits/%s/result", wu_id);
        phase = WU_WAIT;
        httpc_request(&url, "POST", path, "application/json", NULL, body, strlen(body), reported,
                      NULL);
        return;
    }
    if (time_ms() - last_upload_ms >= WU_CHECKPOINT_INTERVAL_MS) {
        /* a copy: an AP may be computing the job (httpc copies it again) */
        static struct fold_state snapshot;
        if (jobs_copy_state(job, &snapshot))
            return;
        last_upload_ms = time_ms();
        char extra[64];
        snprintf(extra, sizeof extra, "X-Moves-Done: %llu\r\n",
                 (unsigned long long)snapshot.moves_done);
        snprintf(path, sizeof path, "/workunits/%s/checkpoint", wu_id);
        phase = WU_WAIT;
        httpc_request(&url, "POST", path, "application/octet-stream", extra, &snapshot,
                      sizeof snapshot, uploaded, NULL);
    }
}
