/* Runs in VMX root: the console's commands that change something:
 * loglevel, mgmt, compute, reboot, poweroff. A change the architecture
 * backend makes (stopping or starting the management partition's CPUs)
 * is asked for through the partition's `request` and acted on at the
 * end of the same tick; compute requests reach the partition with its
 * next heartbeat (once a second), and its answer shows in `compute
 * status` and in the log. */
#include "hv/core/console_cmds.h"
#include "hv/core/arch.h"
#include "hv/core/console.h"
#include "hv/core/log.h"
#include "hv/core/panic.h"
#include "hv/core/partition.h"
#include "arch/io.h"

static void ok(const struct console_args *a, struct text_out *o, const char *what, const char *text)
{
    if (a->json) {
        text_out_str(o, "{\"ok\":true,\"did\":");
        console_json_str(o, what);
        text_out_str(o, "}\r\n");
    } else {
        text_out_str(o, text);
        text_out_str(o, "\r\n");
    }
}

int cmd_loglevel(const struct console_args *a, struct text_out *o)
{
    if (a->argc == 1) {
        for (int l = LOG_ERROR; l <= LOG_DEBUG; l++)
            if (text_same(a->argv[0], config_log_level_name((enum log_level)l))) {
                log_set_level((enum log_level)l);
                LOG_INF("console: log level set to %s", a->argv[0]);
                break;
            }
        if (!text_same(a->argv[0], config_log_level_name(log_current_level()))) {
            console_error(a, o, "not a log level (error, warning, info, debug)", a->argv[0]);
            return 1;
        }
    }
    if (a->json)
        console_say(o, "{\"level\":\"%s\"}\r\n", config_log_level_name(log_current_level()));
    else
        console_say(o, "log level: %s\r\n", config_log_level_name(log_current_level()));
    return 0;
}

int cmd_mgmt(const struct console_args *a, struct text_out *o)
{
    struct partition *p = partition_mgmt();
    const char *verb = a->argv[0];
    bool status = text_same(verb, "status"), restart = text_same(verb, "restart"),
         stop = text_same(verb, "stop"), start = text_same(verb, "start");
    if (!status && !restart && !stop && !start) {
        console_error(a, o, "mgmt takes status, restart, stop or start", verb);
        return 1;
    }
    if (!p) {
        console_error(a, o, "no management partition is configured ([mgmt] in onestone.conf)", 0);
        return 1;
    }
    if (status) {
        uint64_t hb_ms = (rdtsc() - p->heartbeat_tsc) / hv_tsc_per_ms();
        if (a->json)
            console_say(o,
                        "{\"state\":\"%s\",\"cpus\":%u,\"memory_bytes\":%lu,\"restarts\":%u,"
                        "\"violations\":%lu,\"heartbeat_ms_ago\":%lu,\"request\":%u}\r\n",
                        partition_state_name(p->state), p->cpu_count, (unsigned long)p->mem_bytes,
                        p->restarts, (unsigned long)p->violations, (unsigned long)hb_ms,
                        (unsigned)p->request);
        else
            console_say(o,
                        "mgmt: %s, %u CPU%s, %lu MiB, %u restarts, %lu accesses stopped, last "
                        "heartbeat %lu ms ago\r\n",
                        partition_state_name(p->state), p->cpu_count, p->cpu_count == 1 ? "" : "s",
                        (unsigned long)(p->mem_bytes >> 20), p->restarts,
                        (unsigned long)p->violations, (unsigned long)hb_ms);
        return 0;
    }
    if (p->request != PARTITION_REQ_NONE) {
        console_error(a, o, "the last mgmt request is still being carried out", verb);
        return 1;
    }
    if (stop && p->state != PARTITION_RUNNING) {
        console_error(a, o, "the management partition is not running",
                      partition_state_name(p->state));
        return 1;
    }
    if (start && p->state == PARTITION_RUNNING) {
        console_error(a, o,
                      "the management partition is already running ('mgmt restart' "
                      "starts it again)",
                      0);
        return 1;
    }
    p->request = restart ? PARTITION_REQ_RESTART : stop ? PARTITION_REQ_STOP : PARTITION_REQ_START;
    ok(a, o, verb,
       restart ? "mgmt: restarting from the pristine kernel (checkpoints kept)"
       : stop  ? "mgmt: stopping; 'mgmt start' starts it again"
               : "mgmt: starting from the pristine kernel (checkpoints kept)");
    return 0;
}

int cmd_compute(const struct console_args *a, struct text_out *o)
{
    struct partition *p = partition_mgmt();
    const char *verb = a->argv[0];
    bool status = text_same(verb, "status"), pause = text_same(verb, "pause"),
         resume = text_same(verb, "resume");
    if (!status && !pause && !resume) {
        console_error(a, o, "compute takes status, pause or resume", verb);
        return 1;
    }
    if (!p) {
        console_error(a, o, "no management partition is configured, so there is no compute", 0);
        return 1;
    }
    if (status) {
        if (!a->json)
            text_out_str(o, "compute: ");
        console_put_compute(o, p, a->json);
        text_out_str(o, "\r\n");
        return 0;
    }
    if (p->state != PARTITION_RUNNING) {
        console_error(a, o, "the management partition is not running ('mgmt start' first)",
                      partition_state_name(p->state));
        return 1;
    }
    p->compute_request = pause ? MGMT_REQ_COMPUTE_PAUSE : MGMT_REQ_COMPUTE_RESUME;
    ok(a, o, verb,
       pause ? "compute: pausing (running jobs stop at their next checkpoint; "
               "'compute status' shows when)"
             : "compute: resuming (jobs go on where they stopped)");
    return 0;
}

static bool confirmed(const struct console_args *a, struct text_out *o, const char *cmd)
{
    if (a->argc == 1 && text_same(a->argv[0], "--yes"))
        return true;
    console_error(a, o,
                  a->argc ? "unknown argument (only --yes)"
                          : "this stops every partition at once: add --yes",
                  a->argc ? a->argv[0] : cmd);
    return false;
}

int cmd_reboot(const struct console_args *a, struct text_out *o)
{
    if (!confirmed(a, o, "reboot --yes"))
        return 1;
    ok(a, o, "reboot", "rebooting");
    console_flush_answer(o);
    platform_reboot("reboot asked on the console");
    return 0;
}

int cmd_poweroff(const struct console_args *a, struct text_out *o)
{
    if (!confirmed(a, o, "poweroff --yes"))
        return 1;
    const struct plan_poweroff *po = &hv_plan->poweroff;
    if (!po->known) {
        console_error(a, o,
                      "the firmware's ACPI tables give no S5 (soft-off) sleep type, so "
                      "onestone cannot switch the machine off",
                      po->why);
        return 1;
    }
    ok(a, o, "poweroff", "powering off");
    console_flush_answer(o);
    LOG_INF("console: powering off (ACPI S5)");
    console_flush();
    outw(po->pm1a_cnt, (uint16_t)(po->slp_typa << 10 | 1u << 13));
    if (po->pm1b_cnt)
        outw(po->pm1b_cnt, (uint16_t)(po->slp_typb << 10 | 1u << 13));
    for (unsigned i = 0; i < 1000000; i++)
        cpu_relax();
    LOG_ERR("poweroff: the machine is still on after the S5 write to port 0x%x", po->pm1a_cnt);
    return 1;
}
