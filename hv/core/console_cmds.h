/* Runs in VMX root: the serial console's command table (console_cmds.c)
 * and the handlers behind it: what onestone knows (console_info.c) and
 * what it can change (console_control.c). The console (console.c) feeds
 * them lines; they answer into a text_out, text or --json. */
#ifndef HV_CORE_CONSOLE_CMDS_H
#define HV_CORE_CONSOLE_CMDS_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/core/console_cmd.h"

extern const struct console_cmd console_commands[];
extern const char *const console_words[];     /* for Tab completion */

/* `log -f` is on: new log lines flow, a key ends it */
extern volatile bool console_following;

struct console_counters {
    uint64_t ticks, rx_bytes, rx_overruns, tx_bytes, out_dropped;
    uint64_t commands, command_errors;
};
extern struct console_counters console_counters;

/* From console_setup: room for the per-reason samples; 0 or -1. */
int console_cmds_setup(void);
/* once per console tick: samples the exit counters each second, so
 * `stats` can give rates over the last whole second */
void console_cmds_tick(void);

/* The partition's compute as it last reported it, for `status` and
 * `compute status` (one line of text, or one JSON object). */
struct partition;
void console_put_compute(struct text_out *o, const struct partition *p, bool json);

int cmd_version(const struct console_args *a, struct text_out *o);
int cmd_status(const struct console_args *a, struct text_out *o);
int cmd_partitions(const struct console_args *a, struct text_out *o);
int cmd_cpus(const struct console_args *a, struct text_out *o);
int cmd_memory(const struct console_args *a, struct text_out *o);
int cmd_devices(const struct console_args *a, struct text_out *o);
int cmd_iommu(const struct console_args *a, struct text_out *o);
int cmd_stats(const struct console_args *a, struct text_out *o);
int cmd_config(const struct console_args *a, struct text_out *o);
int cmd_log(const struct console_args *a, struct text_out *o);
int cmd_loglevel(const struct console_args *a, struct text_out *o);
int cmd_mgmt(const struct console_args *a, struct text_out *o);
int cmd_compute(const struct console_args *a, struct text_out *o);
int cmd_reboot(const struct console_args *a, struct text_out *o);
int cmd_poweroff(const struct console_args *a, struct text_out *o);


#endif
