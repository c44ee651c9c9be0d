/* Runs in VMX root: see hv/core/mgmt_hypercall.h. */
#include "hv/core/mgmt_hypercall.h"
#include "hv/core/device_report.h"
#include "hv/core/arch.h"
#include "hv/core/log.h"
#include "hv/core/log_ring.h"
#include "onestone/hvabi.h"
#include "onestone/mgmt_abi.h"
#include "hv/core/line_limit.h"
#include "onestone/text_out.h"
#include "arch/io.h"

uint64_t hv_start_tsc;


static void zero(void *p, uint64_t n)
{
    uint8_t *b = p;
    for (uint64_t i = 0; i < n; i++)
        b[i] = 0;
}

static void fill_status(struct mgmt_hc_status *s)
{
    s->abi_version = ONESTONE_ABI_VERSION;
    s->uptime_tsc = rdtsc() - hv_start_tsc;
    s->tsc_khz = hv_plan->tsc_khz;
    s->partition_count = hv_partition_count < MGMT_MAX_PARTITIONS ? hv_partition_count
                                                                  : MGMT_MAX_PARTITIONS;
    for (unsigned i = 0; i < s->partition_count; i++) {
        const struct partition *p = &hv_partitions[i];
        struct mgmt_hc_partition *o = &s->partitions[i];
        unsigned n = 0;
        for (; p->name[n] && n + 1 < sizeof o->name; n++)
            o->name[n] = p->name[n];
        o->cpu_count = p->cpu_count;
        o->state = p->state;
        o->mem_bytes = p->mem_bytes;
    }
}

static void fill_counters(struct mgmt_hc_counters *c)
{
    c->cpu_count = hv_plan->cpu_count < MGMT_MAX_CPUS ? hv_plan->cpu_count : MGMT_MAX_CPUS;
    for (unsigned i = 0; i < c->cpu_count; i++) {
        c->exits[i] = arch_cpu_exits(i);
        c->exit_ticks[i] = arch_cpu_exit_ticks(i);
    }
}

static void fill_faults(struct mgmt_hc_faults *f)
{
    for (uint32_t u = 0; u < hv_plan->vtd_unit_count; u++) {
        f->total += hv_plan->vtd_units[u].faults_total;
        f->overflows += hv_plan->vtd_units[u].faults_overflow;
    }
}

static int64_t log_line(const char *text, uint64_t size)
{
    static struct line_limit limit = GUEST_LOG_LIMIT();
    char line[MGMT_LOG_MAX + 1];
    if (size > MGMT_LOG_MAX)
        return MGMT_HC_EINVAL;
    struct text_out t = { .buf = line, .cap = sizeof line };
    text_out_printable(&t, text, (size_t)size);
    if (line_limit_admit(&limit, "the management partition"))
        LOG_INF("mgmt: %s", line);
    return 0;
}

/* the partition's compute report in; the console's request out, once */
static int64_t heartbeat(struct partition *p, struct mgmt_hc_heartbeat *hb)
{
    struct mgmt_hc_heartbeat in = *hb;     /* one read of guest memory */
    in.request = 0;
    p->compute = in;
    p->compute_tsc = rdtsc();
    p->compute_known = true;
    hb->request = __atomic_exchange_n(&p->compute_request, MGMT_REQ_NONE, __ATOMIC_ACQ_REL);
    return 0;
}

struct log_read_ctx {
    struct mgmt_hc_log_read *r;
    uint64_t cap;                   /* bytes for text */
    uint32_t lines, bytes;
    uint64_t resume;
};

static int put_read_line(void *vctx, const struct log_line *l)
{
    struct log_read_ctx *c = vctx;
    char head[64];
    size_t h = fmt_snprintf(head, sizeof head, "%lu %lu %u ", (unsigned long)l->seq,
                            (unsigned long)l->tsc, l->cpu);
    if (c->bytes + h + l->len + 1 > c->cap)
        return 1;                   /* the rest next time */
    char *t = c->r->text + c->bytes;
    for (size_t i = 0; i < h; i++)
        *t++ = head[i];
    for (size_t i = 0; i < l->len; i++)
        *t++ = l->text[i];
    *t = '\n';
    c->bytes += (uint32_t)(h + l->len + 1);
    c->lines++;
    c->resume = l->seq + 1;
    return 0;
}

static void read_ring(void *vctx)
{
    struct log_read_ctx *c = vctx;
    c->r->first_seq = hv_log_ring.first_seq;
    c->r->next_seq = hv_log_ring.next_seq;
    c->resume = c->r->since > hv_log_ring.first_seq ? c->r->since : hv_log_ring.first_seq;
    log_ring_read(&hv_log_ring, c->r->since, put_read_line, c);
}

static int64_t log_read(struct mgmt_hc_log_read *r, uint64_t size)
{
    struct log_read_ctx c = { .r = r, .cap = size - sizeof *r };
    log_locked(read_ring, &c);
    r->resume_seq = c.resume;
    r->lines = c.lines;
    r->bytes = c.bytes;
    return 0;
}

int64_t mgmt_hypercall(struct partition *caller, uint64_t fn, uint64_t buf_gpa, uint64_t size)
{
    if (caller->kind != PARTITION_MGMT)
        return MGMT_HC_EPERM;
    uint64_t need;
    switch (fn) {
    case MGMT_HC_HEARTBEAT:
        caller->heartbeat_tsc = rdtsc();
        if (size == 0)
            return 0;
        need = sizeof(struct mgmt_hc_heartbeat);
        break;
    case MGMT_HC_LOG_READ:
        need = sizeof(struct mgmt_hc_log_read);
        if (size < need || size > MGMT_LOG_READ_MAX)
            return MGMT_HC_EINVAL;
        need = size;
        break;
    case MGMT_HC_STATUS:   need = sizeof(struct mgmt_hc_status); break;
    case MGMT_HC_COUNTERS: need = sizeof(struct mgmt_hc_counters); break;
    case MGMT_HC_FAULTS:   need = sizeof(struct mgmt_hc_faults); break;
    case MGMT_HC_DEVICES:  need = sizeof(struct mgmt_hc_devices); break;
    case MGMT_HC_LOG:
        if (size == 0)
            return 0;
        need = size;
        break;
    default:
        return MGMT_HC_EINVAL;          /* CONTROL included: restarts are onestone's */
    }
    if (size < need)
        return MGMT_HC_EINVAL;
    uint64_t hpa = partition_ram_to_machine(caller, buf_gpa, need);
    if (!hpa)
        return MGMT_HC_EINVAL;
    void *buf = (void *)(uintptr_t)hpa;
    switch (fn) {
    case MGMT_HC_LOG:
        return log_line(buf, size);
    case MGMT_HC_HEARTBEAT:
        return heartbeat(caller, buf);
    case MGMT_HC_LOG_READ:
        return log_read(buf, need);
    case MGMT_HC_STATUS:
        zero(buf, need);
        fill_status(buf);
        break;
    case MGMT_HC_COUNTERS:
        zero(buf, need);
        fill_counters(buf);
        break;
    case MGMT_HC_FAULTS:
        zero(buf, need);
        fill_faults(buf);
        break;
    case MGMT_HC_DEVICES: {
        struct mgmt_hc_devices *d = buf;
        zero(buf, need);
        d->total = device_report_collect(d->d, MGMT_DEVICES_MAX);
        d->count = d->total < MGMT_DEVICES_MAX ? d->total : MGMT_DEVICES_MAX;
        break;
    }
    }
    return 0;
}
