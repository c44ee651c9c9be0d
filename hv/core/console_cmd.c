/* Shared (VMX root, host unit tests): see console_cmd.h. No libc. */
#include "hv/core/console_cmd.h"
#include "hv/core/log.h"

#include <stdarg.h>

/* the text of a JSON string: quotes and backslashes escaped, control
 * characters made spaces */
static void put_json_text(struct text_out *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            text_out_char(o, '\\');
        text_out_char(o, (unsigned char)*s < 0x20 ? ' ' : *s);
    }
}

void console_json_str(struct text_out *o, const char *s)
{
    text_out_str(o, "\"");
    put_json_text(o, s);
    text_out_str(o, "\"");
}

void console_error(const struct console_args *a, struct text_out *o, const char *what,
                   const char *detail)
{
    if (a && a->json) {
        text_out_str(o, "{\"error\":\"");
        put_json_text(o, what);
        if (detail) {
            text_out_str(o, ": ");
            put_json_text(o, detail);
        }
        text_out_str(o, "\"}\r\n");
        return;
    }
    text_out_str(o, "error: ");
    text_out_str(o, what);
    if (detail) {
        text_out_str(o, ": ");
        text_out_str(o, detail);
    }
    text_out_str(o, "\r\n");
}

static const struct console_cmd *find(const struct console_cmd *t, const char *name)
{
    for (; t->name; t++)
        if (text_same(t->name, name))
            return t;
    return 0;
}

/* {"name":...,"usage":...,"summary":...} */
static void put_cmd_json(struct text_out *o, const struct console_cmd *c)
{
    text_out_str(o, "{\"name\":");
    console_json_str(o, c->name);
    text_out_str(o, ",\"usage\":");
    console_json_str(o, c->usage);
    text_out_str(o, ",\"summary\":");
    console_json_str(o, c->summary);
    text_out_str(o, "}");
}

static void help(const struct console_cmd *t, const struct console_args *a, struct text_out *o)
{
    if (a->argc == 1) {
        const struct console_cmd *c = find(t, a->argv[0]);
        if (!c) {
            console_error(a, o, "no such command (try 'help')", a->argv[0]);
            return;
        }
        if (a->json) {
            put_cmd_json(o, c);
            text_out_str(o, "\r\n");
        } else {
            text_out_str(o, "usage: ");
            text_out_str(o, c->usage);
            text_out_str(o, "\r\n  ");
            text_out_str(o, c->summary);
            text_out_str(o, "\r\n");
        }
        return;
    }
    if (a->json) {
        text_out_str(o, "{\"commands\":[");
        for (const struct console_cmd *c = t; c->name; c++) {
            if (c != t)
                text_out_str(o, ",");
            put_cmd_json(o, c);
        }
        text_out_str(o, "]}\r\n");
        return;
    }
    for (const struct console_cmd *c = t; c->name; c++) {
        text_out_str(o, c->usage);
        for (size_t n = text_len(c->usage); n < 24; n++)
            text_out_str(o, " ");
        text_out_str(o, "  ");
        text_out_str(o, c->summary);
        text_out_str(o, "\r\n");
    }
    text_out_str(o, "help CMD tells more; every command answers as JSON with --json\r\n");
}

int console_run_line(const struct console_cmd *table, char *line, struct text_out *out)
{
    struct console_args a = { 0 };
    const char *name = 0;
    bool too_many = false;
    for (char *p = line; *p;) {
        while (*p == ' ' || *p == '\t')
            *p++ = 0;
        if (!*p)
            break;
        char *w = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = 0;
        if (text_same(w, "--json"))
            a.json = true;
        else if (!name)
            name = w;
        else if (a.argc < CONSOLE_ARGS_MAX)
            a.argv[a.argc++] = w;
        else
            too_many = true;
    }
    if (!name) {
        if (a.json) {
            console_error(&a, out, "no command given (try 'help')", 0);
            return 1;
        }
        return 0;                   /* an empty line: just a new prompt */
    }
    if (too_many) {
        console_error(&a, out, "too many words (at most 8 after the command)", name);
        return 1;
    }
    if (text_same(name, "help")) {
        if (a.argc > 1) {
            console_error(&a, out, "help takes at most one argument", "help [CMD]");
            return 1;
        }
        help(table, &a, out);
        return a.argc == 1 && !find(table, a.argv[0]);
    }
    const struct console_cmd *c = find(table, name);
    if (!c) {
        console_error(&a, out, "unknown command (try 'help')", name);
        return 1;
    }
    if (a.argc < c->min_args || a.argc > c->max_args) {
        console_error(&a, out, a.argc < c->min_args ? "too few arguments" : "too many arguments",
                      c->usage);
        return 1;
    }
    return c->run(&a, out) ? 1 : 0;
}

void console_say(struct text_out *o, const char *fmt, ...)
{
    char b[400];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    text_out_str(o, b);
}
