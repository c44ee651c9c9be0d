/* Runs in VMX root: the console's read-only commands (version, status,
 * partitions, cpus, memory, devices, iommu, stats, config, log). Each
 * answers in text, or with --json as one JSON object per line. Nothing
 * here changes state but `log -f`, which only changes what the console
 * shows. */
#include "hv/core/console_cmds.h"
#include "hv/core/arch.h"
#include "hv/core/console.h"
#include "hv/core/log.h"
#include "hv/core/log_ring.h"
#include "hv/core/mgmt_hypercall.h"
#include "hv/core/partition.h"
#include "hv/core/device_report.h"
#include "hv/core/pci_cfg.h"
#include "hv/core/pool.h"
#include "onestone/hvabi.h"
#include "onestone/text_number.h"
#include "onestone/version.h"
#include "arch/io.h"

volatile bool console_following;

static uint64_t ms_since(uint64_t tsc)
{
    return (rdtsc() - tsc) / hv_tsc_per_ms();
}

int cmd_version(const struct console_args *a, struct text_out *o)
{
    if (a->json)
        console_say(
            o, "{\"version\":\"%s\",\"abi\":%u,\"virtualization\":\"%s\",\"iommu_units\":%u}\r\n",
            ONESTONE_VERSION, ONESTONE_ABI_VERSION, arch_name(), hv_plan->vtd_unit_count);
    else
        console_say(o, "onestone %s (hypercall ABI %u) on %s, %u VT-d unit%s\r\n", ONESTONE_VERSION,
                    ONESTONE_ABI_VERSION, arch_name(), hv_plan->vtd_unit_count,
                    hv_plan->vtd_unit_count == 1 ? "" : "s");
    return 0;
}

void console_put_compute(struct text_out *o, const struct partition *p, bool json)
{
    if (!p || !p->compute_known) {
        text_out_str(o, json ? "{\"known\":false}" : "the partition has not reported yet");
        return;
    }
    const struct mgmt_hc_heartbeat *c = &p->compute;
    uint64_t ago_ms = ms_since(p->compute_tsc);
    if (json) {
        console_say(o, "{\"known\":true,\"state\":\"%s\",\"cpus\":",
                    c->compute_paused ? "paused" : "running");
        if (c->compute_cpus)
            console_say(o, "%u", c->compute_cpus);
        else
            text_out_str(o, "null");
        console_say(o,
                    ",\"running\":%u,\"queued\":%u,\"done\":%u,\"reported_ms_ago\":%lu,"
                    "\"request_pending\":%s,\"partition\":\"%s\"}",
                    c->jobs_running, c->jobs_queued, c->jobs_done, (unsigned long)ago_ms,
                    p->compute_request ? "true" : "false", partition_state_name(p->state));
        return;
    }
    console_say(o, "%s, ", c->compute_paused ? "paused" : "running");
    if (c->compute_cpus)
        console_say(o, "at most %u CPU%s", c->compute_cpus, c->compute_cpus == 1 ? "" : "s");
    else
        text_out_str(o, "no CPU cap");
    console_say(o, "; %u computing, %u queued, %u done (reported %lu ms ago%s%s)", c->jobs_running,
                c->jobs_queued, c->jobs_done, (unsigned long)ago_ms,
                p->compute_request ? "; a request is on its way" : "",
                p->state == PARTITION_RUNNING ? "" : "; the partition is not running");
}

static void put_partition(struct text_out *o, const struct partition *p, bool json)
{
    if (json) {
        console_say(
            o,
            "{\"name\":\"%s\",\"kind\":\"%s\",\"state\":\"%s\",\"cpus\":%u,\"memory_bytes\":%lu,"
            "\"restarts\":%u,\"violations\":%lu,\"dropped_events\":%lu,\"concealed_port_accesses\""
            ":%lu}",
            p->name, p->kind == PARTITION_MGMT ? "mgmt" : "primary", partition_state_name(p->state),
            p->cpu_count, (unsigned long)p->mem_bytes, p->restarts, (unsigned long)p->violations,
            (unsigned long)p->dropped_events, (unsigned long)p->concealed_port_accesses);
        return;
    }
    console_say(o, "%s: %s, %u CPU%s, ", p->name, partition_state_name(p->state), p->cpu_count,
                p->cpu_count == 1 ? "" : "s");
    if (p->kind == PARTITION_MGMT)
        console_say(o,
                    "%lu MiB of its own, %u restarts, %lu accesses stopped, %lu foreign events "
                    "dropped",
                    (unsigned long)(p->mem_bytes >> 20), p->restarts, (unsigned long)p->violations,
                    (unsigned long)p->dropped_events);
    else
        console_say(o,
                    "all memory onestone and other partitions do not own; %lu accesses to hidden "
                    "memory, %lu to concealed ports",
                    (unsigned long)p->violations, (unsigned long)p->concealed_port_accesses);
}

int cmd_partitions(const struct console_args *a, struct text_out *o)
{
    for (unsigned i = 0; i < hv_partition_count; i++) {
        put_partition(o, &hv_partitions[i], a->json);
        text_out_str(o, "\r\n");
    }
    return 0;
}

static uint64_t log_first, log_next;
static void read_log_bounds(void *ctx)
{
    (void)ctx;
    log_first = hv_log_ring.first_seq;
    log_next = hv_log_ring.next_seq;
}

int cmd_status(const struct console_args *a, struct text_out *o)
{
    uint64_t up_s = (rdtsc() - hv_start_tsc) / hv_tsc_per_ms() / 1000;
    const struct partition *m = partition_mgmt();
    log_locked(read_log_bounds, 0);
    const struct console_counters *c = &console_counters;
    if (a->json) {
        console_say(o, "{\"version\":\"%s\",\"uptime_s\":%lu,\"cpus\":%u,\"partitions\":[",
                    ONESTONE_VERSION, (unsigned long)up_s, hv_plan->cpu_count);
        for (unsigned i = 0; i < hv_partition_count; i++) {
            if (i)
                text_out_str(o, ",");
            put_partition(o, &hv_partitions[i], true);
        }
        text_out_str(o, "],\"compute\":");
        console_put_compute(o, m, true);
        console_say(
            o,
            ",\"console\":{\"rx_bytes\":%lu,\"tx_bytes\":%lu,\"dropped_bytes\":%lu,"
            "\"rx_overruns\":%lu,\"commands\":%lu,\"errors\":%lu},\"log\":{\"first_seq\":%lu,"
            "\"next_seq\":%lu,\"level\":\"%s\"}}\r\n",
            (unsigned long)c->rx_bytes, (unsigned long)c->tx_bytes, (unsigned long)c->out_dropped,
            (unsigned long)c->rx_overruns, (unsigned long)c->commands,
            (unsigned long)c->command_errors, (unsigned long)log_first, (unsigned long)log_next,
            config_log_level_name(log_current_level()));
        return 0;
    }
    console_say(o, "onestone %s, up %lu:%02lu:%02lu, %u CPUs, %s\r\n", ONESTONE_VERSION,
                (unsigned long)(up_s / 3600), (unsigned long)(up_s / 60 % 60),
                (unsigned long)(up_s % 60), hv_plan->cpu_count, arch_name());
    for (unsigned i = 0; i < hv_partition_count; i++) {
        text_out_str(o, "  ");
        put_partition(o, &hv_partitions[i], false);
        text_out_str(o, "\r\n");
    }
    text_out_str(o, "  compute: ");
    console_put_compute(o, m, false);
    console_say(o,
                "\r\n  console: %lu bytes in, %lu out, %lu dropped, %lu receive overruns; %lu "
                "commands, %lu refused\r\n",
                (unsigned long)c->rx_bytes, (unsigned long)c->tx_bytes,
                (unsigned long)c->out_dropped, (unsigned long)c->rx_overruns,
                (unsigned long)c->commands, (unsigned long)c->command_errors);
    console_say(o, "  log: lines %lu to %lu held, level %s\r\n", (unsigned long)log_first,
                (unsigned long)(log_next ? log_next - 1 : 0),
                config_log_level_name(log_current_level()));
    return 0;
}

/* exit counters a second ago and now, per CPU and per reason (from the
 * page pool: CPUs x reasons), for rates over the last whole second */
static uint64_t sample_tsc, sample_prev_tsc;
static uint64_t sample[PLAN_MAX_CPUS], sample_prev[PLAN_MAX_CPUS];
static uint64_t *reason_sample, *reason_prev;

int console_cmds_setup(void)
{
    if (arch_exit_reason_count() > CONSOLE_EXIT_REASONS_MAX)
        return -1;
    uint64_t bytes = (uint64_t)hv_plan->cpu_count * arch_exit_reason_count() * 8;
    uint64_t pages = (bytes + 0xFFF) / 0x1000;
    reason_sample = pool_alloc_pages(pages);
    reason_prev = pool_alloc_pages(pages);
    return reason_sample && reason_prev ? 0 : -1;
}

void console_cmds_tick(void)
{
    uint64_t now = rdtsc();
    if (sample_tsc && now - sample_tsc < 1000 * hv_tsc_per_ms())
        return;
    unsigned reasons = arch_exit_reason_count();
    for (uint32_t i = 0; i < hv_plan->cpu_count && i < PLAN_MAX_CPUS; i++) {
        sample_prev[i] = sample[i];
        sample[i] = arch_cpu_exits(i);
        for (unsigned r = 0; r < reasons; r++) {
            reason_prev[i * reasons + r] = reason_sample[i * reasons + r];
            reason_sample[i * reasons + r] = arch_cpu_exits_by_reason(i, r);
        }
    }
    sample_prev_tsc = sample_tsc;
    sample_tsc = now;
}

/* per second, from two samples a second apart (0 before there are two) */
static uint64_t per_second(uint64_t now, uint64_t before)
{
    if (!sample_prev_tsc || sample_tsc == sample_prev_tsc)
        return 0;
    uint64_t ms = (sample_tsc - sample_prev_tsc) / hv_tsc_per_ms();
    return ms ? (now - before) * 1000 / ms : 0;
}

static uint64_t exit_rate(uint32_t i)
{
    return per_second(sample[i], sample_prev[i]);
}

static uint64_t reason_rate(uint32_t i, unsigned r)
{
    unsigned k = i * arch_exit_reason_count() + r;
    return per_second(reason_sample[k], reason_prev[k]);
}

/* the share of CPU i's time since start spent in exits, in tenths of a percent */
static uint64_t exit_permille(uint32_t i)
{
    uint64_t all = rdtsc() - hv_start_tsc;
    return all ? arch_cpu_exit_ticks(i) * 1000 / all : 0;
}

int cmd_cpus(const struct console_args *a, struct text_out *o)
{
    for (uint32_t i = 0; i < hv_plan->cpu_count; i++) {
        const struct plan_cpu *c = &hv_plan->cpus[i];
        const struct partition *p = arch_cpu_partition(i);
        uint64_t pm = exit_permille(i);
        if (a->json)
            console_say(o,
                        "{\"cpu\":%u,\"apic_id\":%u,\"bsp\":%s,\"partition\":\"%s\",\"exits\":%lu,"
                        "\"exit_time_permille\":%lu}\r\n",
                        i, c->apic_id, c->is_bsp ? "true" : "false", p ? p->name : "none",
                        (unsigned long)arch_cpu_exits(i), (unsigned long)pm);
        else
            console_say(o,
                        "cpu%u: APIC ID %u%s, %s partition, %lu exits, %lu.%lu%% of its time in "
                        "them\r\n",
                        i, c->apic_id, c->is_bsp ? " (boot CPU)" : "", p ? p->name : "no",
                        (unsigned long)arch_cpu_exits(i), (unsigned long)(pm / 10),
                        (unsigned long)(pm % 10));
    }
    return 0;
}

int cmd_stats(const struct console_args *a, struct text_out *o)
{
    if (a->argc == 0) {
        for (uint32_t i = 0; i < hv_plan->cpu_count; i++) {
            const struct partition *p = arch_cpu_partition(i);
            if (a->json)
                console_say(
                    o, "{\"cpu\":%u,\"partition\":\"%s\",\"exits\":%lu,\"exits_per_s\":%lu}\r\n", i,
                    p ? p->name : "none", (unsigned long)arch_cpu_exits(i),
                    (unsigned long)exit_rate(i));
            else
                console_say(o, "cpu%u (%s): %lu exits, %lu/s over the last second\r\n", i,
                            p ? p->name : "no partition", (unsigned long)arch_cpu_exits(i),
                            (unsigned long)exit_rate(i));
        }
        return 0;
    }
    uint64_t cpu = 0;
    bool ok = text_to_u64(a->argv[0], text_len(a->argv[0]), 10, 0xFFFF, &cpu);
    if (!ok || cpu >= hv_plan->cpu_count) {
        char why[64];
        fmt_snprintf(why, sizeof why, "no such CPU (0 to %u)", hv_plan->cpu_count - 1);
        console_error(a, o, why, a->argv[0]);
        return 1;
    }
    uint32_t i = (uint32_t)cpu;
    if (a->json)
        console_say(o, "{\"cpu\":%u,\"exits\":%lu,\"exits_per_s\":%lu,\"by_reason\":{", i,
                    (unsigned long)arch_cpu_exits(i), (unsigned long)exit_rate(i));
    else
        console_say(o, "cpu%u: %lu exits, %lu/s over the last second\r\n", i,
                    (unsigned long)arch_cpu_exits(i), (unsigned long)exit_rate(i));
    bool first = true;
    for (unsigned r = 0; r < arch_exit_reason_count(); r++) {
        uint64_t n = arch_cpu_exits_by_reason(i, r);
        if (!n)
            continue;
        if (a->json) {
            console_say(o, "%s\"%u\":{\"name\":", first ? "" : ",", r);
            console_json_str(o, arch_exit_reason_name(r));
            console_say(o, ",\"exits\":%lu,\"per_s\":%lu}", (unsigned long)n,
                        (unsigned long)reason_rate(i, r));
        } else {
            console_say(o, "  reason %u (%s): %lu, %lu/s\r\n", r, arch_exit_reason_name(r),
                        (unsigned long)n, (unsigned long)reason_rate(i, r));
        }
        first = false;
    }
    if (a->json)
        text_out_str(o, "}}\r\n");
    else if (first)
        text_out_str(o, "  no exits yet\r\n");
    return 0;
}

int cmd_memory(const struct console_args *a, struct text_out *o)
{
    const struct hv_plan *pl = hv_plan;
    const struct plan_mgmt *m = &pl->mgmt;
    uint64_t hidden = 0;
    for (unsigned i = 0; i < pl->protected_ranges.count; i++)
        hidden += pl->protected_ranges.r[i].end - pl->protected_ranges.r[i].start;
    if (a->json) {
        console_say(
            o,
            "{\"onestone\":{\"base\":\"0x%lx\",\"bytes\":%lu,\"pool_used\":%lu,\"pool_free\":%lu,"
            "\"log_ring_bytes\":%u},",
            (unsigned long)pl->reserved_base, (unsigned long)pl->reserved_size,
            (unsigned long)pool_used_bytes(), (unsigned long)pool_free_bytes(), hv_log_ring.size);
        if (m->present)
            console_say(o, "\"mgmt\":{\"base\":\"0x%lx\",\"bytes\":%lu,\"checkpoint_bytes\":%lu},",
                        (unsigned long)m->mem_hpa, (unsigned long)m->mem_size,
                        (unsigned long)m->ckpt_size);
        console_say(
            o,
            "\"primary\":{\"hidden_ranges\":%u,\"hidden_bytes\":%lu,\"mapped_below\":\"0x%lx\"}}"
            "\r\n",
            pl->protected_ranges.count, (unsigned long)hidden, (unsigned long)pl->map_top);
        return 0;
    }
    console_say(
        o, "onestone: %lu KiB at 0x%lx; page pool %lu KiB used, %lu KiB free; log ring %u KiB\r\n",
        (unsigned long)(pl->reserved_size >> 10), (unsigned long)pl->reserved_base,
        (unsigned long)(pool_used_bytes() >> 10), (unsigned long)(pool_free_bytes() >> 10),
        hv_log_ring.size >> 10);
    if (m->present)
        console_say(o,
                    "mgmt: %lu MiB at 0x%lx (its address 0), of which %lu KiB checkpoints that "
                    "survive its restarts\r\n",
                    (unsigned long)(m->mem_size >> 20), (unsigned long)m->mem_hpa,
                    (unsigned long)(m->ckpt_size >> 10));
    console_say(o,
                "primary: everything below 0x%lx but %u hidden ranges (%lu KiB: onestone, other "
                "partitions, their devices' BARs):\r\n",
                (unsigned long)pl->map_top, pl->protected_ranges.count,
                (unsigned long)(hidden >> 10));
    for (unsigned i = 0; i < pl->protected_ranges.count; i++)
        console_say(o, "  hidden [0x%lx, 0x%lx)\r\n",
                    (unsigned long)pl->protected_ranges.r[i].start,
                    (unsigned long)pl->protected_ranges.r[i].end);
    return 0;
}

static const char pin_names[] = "-ABCD";

int cmd_devices(const struct console_args *a, struct text_out *o)
{
    static struct mgmt_hc_device d[256];
    unsigned total = device_report_collect(d, 256);
    unsigned n = total < 256 ? total : 256;
    for (unsigned i = 0; i < n; i++) {
        const struct mgmt_hc_device *x = &d[i];
        const char *owner = x->owner == MGMT_OWNER_MGMT ? "mgmt" : "primary";
        const char *mode = device_irq_mode_name(x->irq_mode);
        if (a->json) {
            console_say(o,
                        "{\"bdf\":\"%02x:%02x.%x\",\"owner\":\"%s\",\"vendor\":\"%04x\","
                        "\"device\":\"%04x\",\"class\":\"%06x\",\"interrupts\":\"%s\"",
                        x->bus, x->dev, x->fn, owner, x->vendor, x->device, x->class_code, mode);
            if (x->intx_pin)
                console_say(o, ",\"intx_pin\":\"%c\",\"intx_line\":%u", pin_names[x->intx_pin],
                            x->intx_line);
            if (x->irq_mode == MGMT_IRQ_INTX)
                console_say(o, ",\"intx_shared_with\":%u", x->intx_sharers);
            console_say(o, "}\r\n");
            continue;
        }
        char pin[40] = "";
        if (x->irq_mode == MGMT_IRQ_INTX || x->irq_mode == MGMT_IRQ_INTX_DISABLED) {
            struct text_out p = { pin, sizeof pin, 0, 0 };
            text_out_str(&p, " pin ");
            text_out_char(&p, pin_names[x->intx_pin]);
            text_out_str(&p, " line ");
            text_out_dec(&p, x->intx_line);
            if (x->intx_sharers) {
                text_out_str(&p, " (shared)");
            }
        }
        console_say(o, "%02x:%02x.%x  %04x:%04x  class %06x  %s%s  owner %s\r\n", x->bus, x->dev,
                    x->fn, x->vendor, x->device, x->class_code, mode, pin, owner);
    }
    /* each shared INTx line once, with the functions on it */
    for (unsigned i = 0; !a->json && i < n; i++) {
        if (!d[i].intx_sharers)
            continue;
        bool first = true;
        for (unsigned k = 0; k < i; k++)
            if (d[k].intx_sharers && d[k].intx_line == d[i].intx_line)
                first = false;
        if (!first)
            continue;
        console_say(o, "warning: INTx line %u is shared by", d[i].intx_line);
        for (unsigned k = i; k < n; k++)
            if (d[k].intx_sharers && d[k].intx_line == d[i].intx_line)
                console_say(o, " %02x:%02x.%x (%s)", d[k].bus, d[k].dev, d[k].fn,
                            d[k].owner == MGMT_OWNER_MGMT ? "mgmt" : "primary");
        console_say(o, ": one driver that leaves it asserted stalls the others; let them use MSI "
                       "(README: Interrupts)\r\n");
    }
    if (!total)
        console_error(a, o, "no PCI function answered", 0);
    return total ? 0 : 1;
}

int cmd_iommu(const struct console_args *a, struct text_out *o)
{
    arch_iommu_report(o, a->json);
    return 0;
}

static void put_conf_str(struct text_out *o, bool json, const char *key, const char *v, bool *first)
{
    if (json) {
        console_say(o, "%s\"%s\":", *first ? "{" : ",", key);
        console_json_str(o, v);
    } else {
        console_say(o, "%s = %s\r\n", key, v);
    }
    *first = false;
}

static void put_conf_num(struct text_out *o, bool json, const char *key, uint64_t v, bool *first)
{
    if (json)
        console_say(o, "%s\"%s\":%lu", *first ? "{" : ",", key, (unsigned long)v);
    else
        console_say(o, "%s = %lu\r\n", key, (unsigned long)v);
    *first = false;
}

int cmd_config(const struct console_args *a, struct text_out *o)
{
    const struct onestone_config *c = &hv_plan->config;
    bool j = a->json, first = true;
    char b[80];
    const char *console = c->console_port == 0x3F8   ? "com1"
                          : c->console_port == 0x2F8 ? "com2"
                                                     : "none";
    put_conf_str(o, j, "console", console, &first);
    put_conf_num(o, j, "baud", c->console_baud, &first);
    put_conf_str(o, j, "log_level", config_log_level_name(c->log_level), &first);
    put_conf_str(o, j, "iommu", c->iommu == IOMMU_OFF ? "off" : "required", &first);
    put_conf_str(o, j, "hide_hypervisor", c->hide_hypervisor ? "yes" : "no", &first);
    put_conf_str(o, j, "boot_volume",
                 c->boot_volume_kind == BOOT_VOLUME_SELF ? "self" : c->boot_volume_label, &first);
    put_conf_str(o, j, "boot_path", c->boot_path, &first);
    put_conf_str(o, j, "boot_args", c->boot_args, &first);
    const struct mgmt_config *m = &c->mgmt;
    if (m->present) {
        if (!j)
            text_out_str(o, "[mgmt]\r\n");
        put_conf_str(o, j, j ? "mgmt.kernel" : "kernel", m->kernel, &first);
        put_conf_num(o, j, j ? "mgmt.cpus" : "cpus", m->cpus, &first);
        put_conf_num(o, j, j ? "mgmt.memory_bytes" : "memory_bytes", m->memory, &first);
        put_conf_num(o, j, j ? "mgmt.checkpoint_bytes" : "checkpoint_bytes", m->checkpoint, &first);
        for (unsigned d = 0; d < m->device_count; d++) {
            const struct device_ref *r = &m->devices[d];
            if (r->kind == DEVICE_BY_ID)
                fmt_snprintf(b, sizeof b, "%04x:%04x", r->vendor, r->device);
            else
                fmt_snprintf(b, sizeof b, "%04x:%02x:%02x.%x", r->segment, r->bus, r->dev, r->fn);
            put_conf_str(o, j, j ? "mgmt.device" : "device", b, &first);
        }
        if (m->address == MGMT_ADDRESS_DHCP)
            put_conf_str(o, j, j ? "mgmt.address" : "address", "dhcp", &first);
        else {
            fmt_snprintf(b, sizeof b, "%u.%u.%u.%u/%u", m->ip[0], m->ip[1], m->ip[2], m->ip[3],
                         m->prefix);
            put_conf_str(o, j, j ? "mgmt.address" : "address", b, &first);
        }
        put_conf_num(o, j, j ? "mgmt.port" : "port", m->port, &first);
        put_conf_str(o, j, j ? "mgmt.project" : "project", m->project[0] ? m->project : "(none)",
                     &first);
        put_conf_str(o, j, j ? "mgmt.token" : "token",
                     m->token_file[0] ? "(read from token_file, not shown)" : "(set, not shown)",
                     &first);
    }
    if (j)
        text_out_str(o, "}\r\n");
    return 0;
}

/* log [N] [-f] */
struct log_show {
    struct text_out *o;
    bool json;
    uint64_t skip; /* lines to pass over before showing */
};

static int show_line(void *ctx, const struct log_line *l)
{
    struct log_show *s = ctx;
    if (s->skip) {
        s->skip--;
        return 0;
    }
    uint64_t ms = l->tsc > hv_start_tsc ? (l->tsc - hv_start_tsc) / hv_tsc_per_ms() : 0;
    char cpu[12];
    if (l->cpu == 0xFFFF)
        fmt_snprintf(cpu, sizeof cpu, "-");
    else
        fmt_snprintf(cpu, sizeof cpu, "%u", l->cpu);
    char text[LOG_RING_LINE_MAX + 1];
    for (unsigned i = 0; i < l->len; i++)
        text[i] = l->text[i];
    text[l->len] = 0;
    if (s->json) {
        console_say(s->o, "{\"seq\":%lu,\"ms\":%lu,\"cpu\":%s,\"text\":", (unsigned long)l->seq,
                    (unsigned long)ms, l->cpu == 0xFFFF ? "null" : cpu);
        console_json_str(s->o, text);
        text_out_str(s->o, "}\r\n");
    } else {
        console_say(s->o, "#%lu %lu.%03lu cpu%s ", (unsigned long)l->seq,
                    (unsigned long)(ms / 1000), (unsigned long)(ms % 1000), cpu);
        text_out_str(s->o, text);
        text_out_str(s->o, "\r\n");
    }
    return 0;
}

struct log_dump {
    struct log_show show;
    uint64_t want;
};

static void dump_log(void *ctx)
{
    struct log_dump *d = ctx;
    uint64_t held = hv_log_ring.next_seq - hv_log_ring.first_seq;
    d->show.skip = held > d->want ? held - d->want : 0;
    log_ring_read(&hv_log_ring, 0, show_line, &d->show);
}

int cmd_log(const struct console_args *a, struct text_out *o)
{
    uint64_t want = 20;
    bool follow = false, have_n = false;
    for (unsigned i = 0; i < a->argc; i++) {
        const char *s = a->argv[i];
        if (text_same(s, "-f")) {
            follow = true;
            continue;
        }
        if (have_n) {
            console_error(a, o, "log takes one count", s);
            return 1;
        }
        have_n = true;
        if (text_same(s, "all")) {
            want = ~0ull;
            continue;
        }
        uint64_t n = 0;
        if (!text_to_u64(s, text_len(s), 10, 1000000000, &n) || n == 0) {
            console_error(a, o, "not a line count (a number from 1, or 'all')", s);
            return 1;
        }
        want = n;
    }
    struct log_dump d = {.show = {.o = o, .json = a->json}, .want = want};
    log_locked(dump_log, &d);
    if (follow) {
        console_following = true;
        if (!a->json)
            text_out_str(o, "[following the log: press any key to stop]\r\n");
    }
    return 0;
}
