/* Runs in the management partition: see api.h. Every route needs the
 * bearer token of the boot parameters; errors are JSON {"error": ...}. */
#include "guest/mgmt/api.h"
#include "guest/mgmt/http_server.h"
#include "guest/mgmt/jobs.h"
#include "guest/mgmt/smp.h"
#include "guest/mgmt/mgmt.h"
#include "guest/mgmt/net.h"
#include "drivers/pci.h"
#include "onestone/text_number.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEVICES 64
#define DEFAULT_MOVES 2000000ull

struct pci_dev_info {
    uint16_t bdf, vendor, device;
    uint32_t class_rev;
};
static struct pci_dev_info devices[MAX_DEVICES];
static unsigned device_count;

static void note_device(void *ctx, uint16_t bdf, uint32_t id)
{
    (void)ctx;
    if (device_count < MAX_DEVICES)
        devices[device_count++] = (struct pci_dev_info){
            bdf, (uint16_t)id, (uint16_t)(id >> 16), pci_read32(bdf, 8)};
}

void api_scan_devices(void)
{
    pci_for_each_function(note_device, 0);
}

static int error(struct jbuf *b, int status, const char *msg)
{
    jb_printf(b, "{\"error\":");
    jb_str(b, msg);
    jb_printf(b, ",\"status\":%d}\n", status);
    return status;
}

static const char *state_name(enum job_state s)
{
    return s == JOB_QUEUED ? "queued" : s == JOB_RUNNING ? "running" : "done";
}

/* a queued job while compute is paused waits for "resume", not a CPU */
static const char *job_state_name(const struct job_info *j)
{
    struct jobs_compute c;
    jobs_compute(&c);
    return c.paused && j->state == JOB_QUEUED ? "paused" : state_name(j->state);
}

static void job_json(struct jbuf *b, const struct job_info *j, bool full)
{
    jb_printf(b, "{\"id\":%u,\"state\":\"%s\",\"origin\":\"%s\"", j->id, job_state_name(j),
              j->origin == JOB_FROM_API ? "api" : "project");
    if (j->cpu >= 0)
        jb_printf(b, ",\"cpu\":%d", j->cpu);
    else
        jb_printf(b, ",\"cpu\":null");
    if (j->origin == JOB_FROM_PROJECT) {
        jb_printf(b, ",\"workunit\":");
        jb_str(b, j->wu_id);
        jb_printf(b, ",\"reported\":%s", j->reported ? "true" : "false");
    }
    jb_printf(b, ",\"moves_done\":%llu,\"moves_total\":%llu,\"progress\":%.4f,\"best_energy\":%d",
              (unsigned long long)j->moves_done, (unsigned long long)j->total_moves,
              j->total_moves ? (double)j->moves_done / (double)j->total_moves : 0.0,
              j->best_energy);
    if (full) {
        jb_printf(b, ",\"sequence\":");
        jb_str(b, j->seq);
        jb_printf(b, ",\"seed\":%llu,\"conformation\":", (unsigned long long)j->seed);
        jb_str(b, j->best_dirs);
        jb_printf(b,
                  ",\"elapsed_ms\":%llu,\"moves_per_second\":%llu,\"restarts\":%u,"
                  "\"resumed_at_moves\":%llu",
                  (unsigned long long)j->elapsed_ms,
                  (unsigned long long)(j->elapsed_ms ? j->moves_done * 1000 / j->elapsed_ms : 0),
                  j->restarts, (unsigned long long)j->resumed_at);
    }
    jb_printf(b, "}");
}

static int get_status(struct jbuf *b)
{
    bool hv = hv_present();
    const struct mgmt_boot_params *p = &mgmt_params;
    jb_printf(b, "{\"service\":\"onestone-mgmt\",\"mode\":\"%s\",",
              p->host == MGMT_HOST_ONESTONE ? "onestone" : "standalone");
    if (p->host == MGMT_HOST_STANDALONE)
        jb_printf(b, "\"hypervisor\":\"%s\",", hv ? "onestone (not launched by it)"
                                                    : "none: running without a hypervisor");
    else
        jb_printf(b, "\"hypervisor\":\"onestone\",");
    jb_printf(b, "\"uptime_ms\":%llu,\"tsc_khz\":%llu,", (unsigned long long)time_ms(),
              (unsigned long long)time_tsc_khz());
    jb_printf(b, "\"partitions\":[");
    struct mgmt_hc_status hs;
    bool have_hv = p->host == MGMT_HOST_ONESTONE &&
                   hv_call(MGMT_HC_STATUS, &hs, sizeof hs) == 0;
    if (have_hv) {
        static const char *const states[] = { "stopped", "running", "failed" };
        for (unsigned i = 0; i < hs.partition_count && i < MGMT_MAX_PARTITIONS; i++) {
            const struct mgmt_hc_partition *hp = &hs.partitions[i];
            char name[sizeof hp->name + 1];
            memcpy(name, hp->name, sizeof hp->name);
            name[sizeof hp->name] = 0;
            if (strcmp(name, "mgmt") == 0)
                continue;           /* ours, with CPU roles, below */
            jb_printf(b, "{\"name\":");
            jb_str(b, name);
            jb_printf(b, ",\"cpu_count\":%u,\"memory_bytes\":%llu,\"state\":\"%s\"},",
                      hp->cpu_count, (unsigned long long)hp->mem_bytes,
                      hp->state < 3 ? states[hp->state] : "unknown");
        }
    }
    jb_printf(b, "{\"name\":\"mgmt\",\"cpus\":[");
    bool aps = jobs_workers() > 0;
    for (unsigned i = 0; i < p->cpu_count && i < MGMT_MAX_CPUS; i++)
        jb_printf(b, "%s{\"index\":%u,\"apic_id\":%u,\"role\":\"%s\"}", i ? "," : "", i,
                  p->cpu_apic_ids[i],
                  !smp_cpu_online(i) ? "offline: did not start"
                  : i == 0           ? (aps ? "network, API, checkpoints" : "network, API, jobs")
                                     : "jobs");
    jb_printf(b, "],\"memory_bytes\":%llu,\"state\":\"running\",\"restarts\":%u}],",
              (unsigned long long)p->mem_size, p->restarts);
    struct mgmt_hc_counters hc;
    struct mgmt_hc_faults hf;
    if (p->host == MGMT_HOST_STANDALONE) {
        /* no hypervisor: there are no exits to count and no VT-d to fault */
        jb_printf(b, "\"exit_counters\":null,\"vtd_faults\":null,");
    } else if (have_hv && hv_call(MGMT_HC_COUNTERS, &hc, sizeof hc) == 0 &&
               hv_call(MGMT_HC_FAULTS, &hf, sizeof hf) == 0) {
        jb_printf(b, "\"uptime_onestone_ms\":%llu,\"exit_counters\":[",
                  (unsigned long long)(hs.tsc_khz ? hs.uptime_tsc / hs.tsc_khz : 0));
        for (unsigned i = 0; i < hc.cpu_count && i < MGMT_MAX_CPUS; i++)
            jb_printf(b, "%s{\"cpu\":%u,\"exits\":%llu,\"exit_ticks\":%llu}", i ? "," : "", i,
                      (unsigned long long)hc.exits[i], (unsigned long long)hc.exit_ticks[i]);
        jb_printf(b, "],\"vtd_faults\":{\"total\":%llu,\"overflows\":%llu},",
                  (unsigned long long)hf.total, (unsigned long long)hf.overflows);
    } else {
        jb_printf(b, "\"exit_counters\":\"onestone refused the hypercall\","
                     "\"vtd_faults\":\"onestone refused the hypercall\",");
    }
    struct e1000 *nic = net_nic();
    jb_printf(b,
              "\"network\":{\"address\":\"%s\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\","
              "\"rx_packets\":%llu,\"tx_packets\":%llu,\"connections\":%u,"
              "\"requests_served\":%llu},",
              net_address_text(), nic->mac[0], nic->mac[1], nic->mac[2], nic->mac[3],
              nic->mac[4], nic->mac[5], (unsigned long long)nic->rx_packets,
              (unsigned long long)nic->tx_packets, http_open_connections(),
              (unsigned long long)http_requests_served());
    jb_printf(b, "\"memory\":{\"heap_used\":%zu,\"heap_limit\":%zu,\"checkpoint_base\":%llu,"
                 "\"checkpoint_size\":%llu},",
              heap_used(), heap_limit_bytes(), (unsigned long long)p->ckpt_base,
              (unsigned long long)p->ckpt_size);
    jb_printf(b, "\"jobs\":{\"queued\":%u,\"running\":%u,\"done\":%u,\"capacity\":%u,"
                 "\"checkpoints_written\":%llu},",
              jobs_count(JOB_QUEUED), jobs_count(JOB_RUNNING), jobs_count(JOB_DONE),
              jobs_capacity(), (unsigned long long)jobs_checkpoints_written());
    jb_printf(b, "\"project\":");
    if (p->project_url[0])
        jb_str(b, p->project_url);
    else
        jb_printf(b, "null");
    jb_printf(b, "}\n");
    return 200;
}

static const char *const irq_modes[] = { "none", "INTx", "INTx (disabled)", "MSI", "MSI-X" };

/* under onestone: every function of the machine as onestone sees it
 * (MGMT_HC_DEVICES), the primary's with how they interrupt */
static int get_machine_devices(struct jbuf *b)
{
    static struct mgmt_hc_devices hd;
    if (hv_call(MGMT_HC_DEVICES, &hd, sizeof hd) != 0)
        return error(b, 503, "onestone did not answer MGMT_HC_DEVICES");
    jb_printf(b, "{\"devices\":[");
    for (unsigned i = 0; i < hd.count && i < MGMT_DEVICES_MAX; i++) {
        const struct mgmt_hc_device *d = &hd.d[i];
        jb_printf(b,
                  "%s{\"bdf\":\"%02x:%02x.%x\",\"vendor\":\"%04x\",\"device\":\"%04x\","
                  "\"class\":\"%06lx\",\"owner\":\"%s\",\"interrupts\":\"%s\"",
                  i ? "," : "", d->bus, d->dev, d->fn, d->vendor, d->device,
                  (unsigned long)d->class_code, d->owner == MGMT_OWNER_MGMT ? "mgmt" : "primary",
                  d->irq_mode < 5 ? irq_modes[d->irq_mode] : "?");
        if (d->intx_pin)
            jb_printf(b, ",\"intx_pin\":\"%c\",\"intx_line\":%u", d->intx_pin <= 4 ? "-ABCD"[d->intx_pin] : '?',
                      d->intx_line);
        if (d->irq_mode == MGMT_IRQ_INTX)
            jb_printf(b, ",\"intx_shared_with\":%u", d->intx_sharers);
        jb_printf(b, "}");
    }
    jb_printf(b, "],\"total\":%u}\n", (unsigned)hd.total);
    return 200;
}

static int get_devices(struct jbuf *b)
{
    if (mgmt_params.host == MGMT_HOST_ONESTONE)
        return get_machine_devices(b);
    uint16_t nic = net_nic()->bdf;
    jb_printf(b, "{\"devices\":[");
    for (unsigned i = 0; i < device_count; i++) {
        const struct pci_dev_info *d = &devices[i];
        bool mine = d->bdf == nic;
        jb_printf(b,
                  "%s{\"bdf\":\"%02x:%02x.%x\",\"vendor\":\"%04x\",\"device\":\"%04x\","
                  "\"class\":\"%06lx\",\"owner\":\"%s\"}",
                  i ? "," : "", d->bdf >> 8, (d->bdf >> 3) & 31, d->bdf & 7, d->vendor, d->device,
                  (unsigned long)(d->class_rev >> 8), mine ? "mgmt" : "none (standalone)");
    }
    jb_printf(b, "]}\n");
    return 200;
}

static int post_jobs(const struct http_request *req, struct jbuf *b, char *extra, size_t cap)
{
    struct json_object o;
    char err[160];
    if (json_parse_object(req->body, req->body_len, &o, err, sizeof err))
        return error(b, 400, err);
    for (unsigned i = 0; i < o.count; i++)
        if (strcmp(o.fields[i].key, "sequence") && strcmp(o.fields[i].key, "benchmark") &&
            strcmp(o.fields[i].key, "seed") && strcmp(o.fields[i].key, "moves")) {
            snprintf(err, sizeof err, "unknown field \"%s\" (known: sequence, benchmark, seed, moves)",
                     o.fields[i].key);
            return error(b, 400, err);
        }
    const struct json_field *seq = json_get(&o, "sequence"), *bench = json_get(&o, "benchmark"),
                            *seed = json_get(&o, "seed"), *moves = json_get(&o, "moves");
    struct fold_params p;
    memset(&p, 0, sizeof p);
    if (!!seq == !!bench)
        return error(b, 400, "give exactly one of \"sequence\" (H/P string) or \"benchmark\" (a name)");
    if (bench) {
        const struct fold_bench *fb = bench->type == JSON_STRING ? fold_bench_find(bench->str) : NULL;
        if (!fb)
            return error(b, 400, "\"benchmark\" names no built-in sequence (yue1..yue10, ...)");
        snprintf(p.seq, sizeof p.seq, "%s", fb->seq);
    } else {
        if (seq->type != JSON_STRING)
            return error(b, 400, "\"sequence\" must be a string of H and P");
        if (strlen(seq->str) >= sizeof p.seq)
            return error(b, 400, "\"sequence\" is longer than 128 residues");
        strcpy(p.seq, seq->str);
    }
    p.seed = 1;
    if (seed) {
        if (seed->type != JSON_NUMBER || !seed->is_integer || seed->integer < 0)
            return error(b, 400, "\"seed\" must be a non-negative integer");
        p.seed = (uint64_t)seed->integer;
    }
    p.total_moves = DEFAULT_MOVES;
    if (moves) {
        if (moves->type != JSON_NUMBER || !moves->is_integer || moves->integer < 1)
            return error(b, 400, "\"moves\" must be a positive integer");
        p.total_moves = (uint64_t)moves->integer;
    }
    uint32_t id;
    if (jobs_submit(&p, JOB_FROM_API, NULL, NULL, &id, err, sizeof err))
        return error(b, strstr(err, "full") ? 503 : 400, err);
    struct job_info j;
    jobs_get(id, &j);
    job_json(b, &j, true);
    jb_printf(b, "\n");
    snprintf(extra, cap, "Location: /jobs/%u\r\n", id);
    return 201;
}

static int get_compute(struct jbuf *b)
{
    struct jobs_compute c;
    jobs_compute(&c);
    jb_printf(b, "{\"state\":\"%s\",\"cpus\":", c.paused ? "paused" : "running");
    if (c.cpu_cap)
        jb_printf(b, "%u", c.cpu_cap);
    else
        jb_printf(b, "null");
    jb_printf(b, ",\"computing\":%u,\"waiting\":%u,\"compute_cpus\":%u}\n", c.computing,
              c.queued, jobs_workers() ? jobs_workers() : 1);
    return 200;
}

/* {"state":"paused"|"running"} and/or {"cpus":N|null}; nothing changes
 * unless the whole request is valid */
static int post_compute(const struct http_request *req, struct jbuf *b)
{
    struct json_object o;
    char err[160];
    if (json_parse_object(req->body, req->body_len, &o, err, sizeof err))
        return error(b, 400, err);
    for (unsigned i = 0; i < o.count; i++)
        if (strcmp(o.fields[i].key, "state") && strcmp(o.fields[i].key, "cpus")) {
            snprintf(err, sizeof err, "unknown field \"%s\" (known: state, cpus)",
                     o.fields[i].key);
            return error(b, 400, err);
        }
    const struct json_field *state = json_get(&o, "state"), *cpus = json_get(&o, "cpus");
    if (!state && !cpus)
        return error(b, 400, "give \"state\" (\"paused\" or \"running\") and/or \"cpus\"");
    struct jobs_compute c;
    jobs_compute(&c);
    bool paused = c.paused;
    unsigned cap = c.cpu_cap;
    if (state) {
        if (state->type != JSON_STRING ||
            (strcmp(state->str, "paused") && strcmp(state->str, "running")))
            return error(b, 400, "\"state\" must be \"paused\" or \"running\"");
        paused = strcmp(state->str, "paused") == 0;
    }
    if (cpus) {
        if (cpus->type == JSON_NULL) {
            cap = 0;
        } else if (cpus->type != JSON_NUMBER || !cpus->is_integer || cpus->integer < 1 ||
                   cpus->integer > MGMT_MAX_CPUS) {
            snprintf(err, sizeof err, "\"cpus\" must be an integer from 1 to %u, or null for "
                     "no cap", MGMT_MAX_CPUS);
            return error(b, 400, err);
        } else {
            cap = (unsigned)cpus->integer;
        }
    }
    jobs_set_compute(paused, cap);
    return get_compute(b);
}

static int get_jobs(struct jbuf *b)
{
    uint32_t ids[JOBS_MAX];
    unsigned n = jobs_list(ids, JOBS_MAX);
    jb_printf(b, "{\"jobs\":[");
    for (unsigned i = 0; i < n; i++) {
        struct job_info j;
        if (jobs_get(ids[i], &j) == 0) {
            if (i)
                jb_printf(b, ",");
            job_json(b, &j, false);
        }
    }
    jb_printf(b, "]}\n");
    return 200;
}

/* "/jobs/123" -> 123; -1 if the rest is not a plain decimal id */
static long job_id(const char *rest)
{
    if (!*rest || strlen(rest) > 9)
        return -1;
    long v = 0;
    for (const char *c = rest; *c; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        v = v * 10 + (*c - '0');
    }
    return v;
}

/* GET /log?since=SEQ: onestone's log ring from line SEQ on (all it holds
 * without since), as many lines as one hypercall returns; "resume" is
 * the since of the next call, and first_seq > since says lines were lost
 * to the ring's wrap */
static int get_log(const char *query, struct jbuf *b)
{
    uint64_t since = 0;
    if (*query) {
        if (strncmp(query, "since=", 6) != 0)
            return error(b, 400, "the only query is since=SEQ (a line number)");
        const char *d = query + 6;
        if (!*d)
            return error(b, 400, "since= needs a line number");
        if (!text_to_u64(d, strlen(d), 10, UINT64_MAX, &since))
            return error(b, 400, "since must be a decimal line number");
    }
    if (mgmt_params.host != MGMT_HOST_ONESTONE)
        return error(b, 503, "no onestone here: the log ring is onestone's (standalone run)");
    size_t size = MGMT_LOG_READ_MAX;
    struct mgmt_hc_log_read *r = calloc(1, size);
    if (!r)
        return error(b, 503, "out of memory for the log");
    r->since = since;
    if (hv_call(MGMT_HC_LOG_READ, r, size) != 0) {
        free(r);
        return error(b, 502, "onestone refused the log read");
    }
    jb_printf(b, "{\"since\":%llu,\"first_seq\":%llu,\"next_seq\":%llu,\"resume\":%llu,"
              "\"lost\":%llu,\"lines\":[", (unsigned long long)since,
              (unsigned long long)r->first_seq, (unsigned long long)r->next_seq,
              (unsigned long long)r->resume_seq,
              (unsigned long long)(r->first_seq > since ? r->first_seq - since : 0));
    const char *t = r->text, *end = r->text + (r->bytes < size - sizeof *r ? r->bytes : 0);
    for (unsigned i = 0; i < r->lines && t < end; i++) {
        const char *nl = memchr(t, '\n', (size_t)(end - t));
        if (!nl)
            break;
        unsigned long long seq = 0, tsc = 0;
        unsigned cpu = 0;
        int used = 0;
        if (sscanf(t, "%llu %llu %u %n", &seq, &tsc, &cpu, &used) < 3 || used <= 0 ||
            t + used > nl)
            break;
        jb_printf(b, "%s{\"seq\":%llu,\"tsc\":%llu,\"cpu\":", i ? "," : "", seq, tsc);
        if (cpu == 0xFFFF)
            jb_printf(b, "null");
        else
            jb_printf(b, "%u", cpu);
        jb_printf(b, ",\"text\":");
        jb_strn(b, t + used, (size_t)(nl - t - used));
        jb_printf(b, "}");
        t = nl + 1;
    }
    jb_printf(b, "]}\n");
    free(r);
    return 200;
}

int api_handle(const struct http_request *req, struct jbuf *b, char *extra, size_t cap)
{
    if (!http_bearer_ok(req, mgmt_params.api_token)) {
        snprintf(extra, cap, "WWW-Authenticate: Bearer realm=\"onestone\"\r\n");
        return error(b, 401, req->has_auth ? "wrong bearer token"
                                           : "missing Authorization: Bearer <token>");
    }
    bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0,
         del = strcmp(req->method, "DELETE") == 0;
    const char *path = req->path;
    if (strcmp(path, "/status") == 0) {
        if (get)
            return get_status(b);
        snprintf(extra, cap, "Allow: GET\r\n");
        return error(b, 405, "use GET on /status");
    }
    if (strcmp(path, "/devices") == 0) {
        if (get)
            return get_devices(b);
        snprintf(extra, cap, "Allow: GET\r\n");
        return error(b, 405, "use GET on /devices");
    }
    if (strcmp(path, "/log") == 0 || strncmp(path, "/log?", 5) == 0) {
        if (get)
            return get_log(path[4] ? path + 5 : "", b);
        snprintf(extra, cap, "Allow: GET\r\n");
        return error(b, 405, "use GET on /log");
    }
    if (strcmp(path, "/compute") == 0) {
        if (get)
            return get_compute(b);
        if (post)
            return post_compute(req, b);
        snprintf(extra, cap, "Allow: GET, POST\r\n");
        return error(b, 405, "use GET or POST on /compute");
    }
    if (strcmp(path, "/jobs") == 0) {
        if (get)
            return get_jobs(b);
        if (post)
            return post_jobs(req, b, extra, cap);
        snprintf(extra, cap, "Allow: GET, POST\r\n");
        return error(b, 405, "use GET or POST on /jobs");
    }
    if (strncmp(path, "/jobs/", 6) == 0) {
        long id = job_id(path + 6);
        struct job_info j;
        if (id < 0)
            return error(b, 404, "job ids are decimal numbers: /jobs/ID");
        if (jobs_get((uint32_t)id, &j))
            return error(b, 404, "no such job");
        if (get) {
            job_json(b, &j, true);
            jb_printf(b, "\n");
            return 200;
        }
        if (del) {
            jobs_delete((uint32_t)id);
            jb_printf(b, "{\"deleted\":%ld,\"was\":\"%s\"}\n", id, state_name(j.state));
            return 200;
        }
        snprintf(extra, cap, "Allow: GET, DELETE\r\n");
        return error(b, 405, "use GET or DELETE on /jobs/ID");
    }
    return error(b, 404, "no such resource (try /status, /devices, /jobs, /compute, /log)");
}
