/* Runs in VMX root: see hv/core/mgmt_hypercall.h. */
#include "hv/core/mgmt_hypercall.h"
#include "hv/core/arch.h"
#include "hv/core/log.h"
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

int64_t mgmt_hypercall(struct partition *caller, uint64_t fn, uint64_t buf_gpa, uint64_t size)
{
    if (caller->kind != PARTITION_MGMT)
        return MGMT_HC_EPERM;
    uint64_t need;
    switch (fn) {
    case MGMT_HC_HEARTBEAT:
        caller->heartbeat_tsc = rdtsc();
        return 0;
    case MGMT_HC_STATUS:   need = sizeof(struct mgmt_hc_status); break;
    case MGMT_HC_COUNTERS: need = sizeof(struct mgmt_hc_counters); break;
    case MGMT_HC_FAULTS:   need = sizeof(struct mgmt_hc_faults); break;
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
    }
    return 0;
}
