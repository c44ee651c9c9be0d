/* Shared (VMX root, host unit tests): see console_cmd.h. No libc. */
#include "hv/core/console_cmd.h"

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

void console_put(struct line_out *o, const char *s)
{
    for (; *s; s++) {
        if (o->len < o->cap)
            o->buf[o->len++] = *s;
        else
            o->dropped++;
    }
}

/* the text of a JSON string: quotes and backslashes escaped, control
 * characters made spaces */
static void put_json_text(struct line_out *o, const char *s)
{
    for (; *s; s++) {
        char c[3] = { *s, 0, 0 };
        if (*s == '"' || *s == '\\') {
            c[0] = '\\';
            c[1] = *s;
        } else if ((unsigned char)*s < 0x20) {
            c[0] = ' ';
        }
        console_put(o, c);
    }
}

static void put_json_str(struct line_out *o, const char *s)
{
    console_put(o, "\"");
    put_json_text(o, s);
    console_put(o, "\"");
}

void console_error(const struct console_args *a, struct line_out *o, const char *what,
                   const char *detail)
{
    if (a && a->json) {
        console_put(o, "{\"error\":\"");
        put_json_text(o, what);
        if (detail) {
            console_put(o, ": ");
            put_json_text(o, detail);
        }
        console_put(o, "\"}\r\n");
        return;
    }
    console_put(o, "error: ");
    console_put(o, what);
    if (detail) {
        console_put(o, ": ");
        console_put(o, detail);
    }
    console_put(o, "\r\n");
}

static const struct console_cmd *find(const struct console_cmd *t, const char *name)
{
    for (; t->name; t++)
        if (same(t->name, name))
            return t;
    return 0;
}

static void help(const struct console_cmd *t, const struct console_args *a, struct line_out *o)
{
    if (a->argc == 1) {
        const struct console_cmd *c = find(t, a->argv[0]);
        if (!c) {
            console_error(a, o, "no such command (try 'help')", a->argv[0]);
            return;
        }
        if (a->json) {
            console_put(o, "{\"name\":");
            put_json_str(o, c->name);
            console_put(o, ",\"usage\":");
            put_json_str(o, c->usage);
            console_put(o, ",\"summary\":");
            put_json_str(o, c->summary);
            console_put(o, "}\r\n");
        } else {
            console_put(o, "usage: ");
            console_put(o, c->usage);
            console_put(o, "\r\n  ");
            console_put(o, c->summary);
            console_put(o, "\r\n");
        }
        return;
    }
    if (a->json) {
        console_put(o, "{\"commands\":[");
        for (const struct console_cmd *c = t; c->name; c++) {
            console_put(o, c == t ? "{\"name\":" : ",{\"name\":");
            put_json_str(o, c->name);
            console_put(o, ",\"usage\":");
            put_json_str(o, c->usage);
            console_put(o, ",\"summary\":");
            put_json_str(o, c->summary);
            console_put(o, "}");
        }
        console_put(o, "]}\r\n");
        return;
    }
    for (const struct console_cmd *c = t; c->name; c++) {
        console_put(o, c->usage);
        unsigned n = 0;
        while (c->usage[n])
            n++;
        for (; n < 24; n++)
            console_put(o, " ");
        console_put(o, "  ");
        console_put(o, c->summary);
        console_put(o, "\r\n");
    }
    console_put(o, "help CMD tells more; every command answers as JSON with --json\r\n");
}

int console_run_line(const struct console_cmd *table, char *line, struct line_out *out)
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
        if (same(w, "--json"))
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
    if (same(name, "help")) {
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
