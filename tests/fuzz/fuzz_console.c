/* libFuzzer target: the serial console's line editor (hv/core/line_edit.c)
 * fed every byte, and each finished line run through the command parser
 * (hv/core/console_cmd.c) against a table shaped like the console's. */
#include "tests/fuzz/fuzz.h"
#include "hv/core/console_cmd.h"
#include "hv/core/line_edit.h"

static int answer(const struct console_args *a, struct text_out *out)
{
    for (unsigned i = 0; i < a->argc; i++)
        console_json_str(out, a->argv[i]);
    return a->argc & 1;
}

static const struct console_cmd table[] = {
    { "status", "status", "the partitions", 0, 0, answer },
    { "stats", "stats [CPU]", "exit counters", 0, 1, answer },
    { "log", "log [N|all] [-f]", "the log", 0, 2, answer },
    { "mgmt", "mgmt status|restart|stop|start", "the partition", 1, 1, answer },
    { "reboot", "reboot --yes", "reset", 1, 1, answer },
    { NULL, NULL, NULL, 0, 0, NULL },
};
static const char *const words[] = { "status", "stats", "log", "mgmt", "reboot", "restart", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct line_edit e;
    static char out_buf[8192];
    line_edit_init(&e, "onestone> ", words);
    for (size_t i = 0; i < size; i++) {
        struct text_out o = { out_buf, sizeof out_buf, 0, 0 };
        char line[LINE_EDIT_MAX + 1];
        if (line_edit_feed(&e, data[i], &o, line)) {
            o.len = 0;
            console_run_line(table, line, &o);
        }
    }
    return 0;
}
