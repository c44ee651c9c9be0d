/* Shared (VMX root, host unit tests): the serial console's commands: a
 * line split into words, `--json` taken out wherever it stands, the
 * command found by its name (or its unique prefix), its argument count
 * checked, `help` and `help CMD` answered from the same table. Every
 * refusal is one line naming what is wrong, in text or, with --json, as
 * {"error": "..."}; the handlers (the console's wiring) answer the rest. */
#ifndef HV_CORE_CONSOLE_CMD_H
#define HV_CORE_CONSOLE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include "hv/core/line_edit.h"

#define CONSOLE_ARGS_MAX 8

struct console_args {
    unsigned argc;                  /* words after the command name */
    const char *argv[CONSOLE_ARGS_MAX];
    bool json;
};

struct console_cmd {
    const char *name;
    const char *usage;              /* "stats [CPU]" */
    const char *summary;            /* one line for `help` */
    unsigned min_args, max_args;
    /* answers into out; returns 0, or nonzero after writing its own
     * one-line error */
    int (*run)(const struct console_args *a, struct text_out *out);
};

/* Runs one line against the table (terminated by an entry with name
 * NULL); returns 0 on success (an empty line included), 1 on an error. */
int console_run_line(const struct console_cmd *table, char *line, struct text_out *out);

/* S as a JSON string, quotes included (control characters become
 * spaces). */
void console_json_str(struct text_out *o, const char *s);

/* Formatted text (hv/core/log.h's formats, up to 400 characters a call)
 * appended to o. */
void console_say(struct text_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One error line in the right form, for handlers too. */
void console_error(const struct console_args *a, struct text_out *out, const char *what,
                   const char *detail);

#endif
