/* hv/core/console_cmd.c: how a console line becomes a command. A wrong
 * answer runs a command the user did not name, with other arguments, or
 * gives an error nobody can act on. */
#include "hv/core/console_cmd.h"
#include "unit.h"

static unsigned ran;
static struct console_args last;

static int record(const struct console_args *a, struct text_out *out)
{
    ran++;
    last = *a;
    text_out_str(out, a->json ? "{\"ok\":true}\r\n" : "ok\r\n");
    return 0;
}

static int refuse(const struct console_args *a, struct text_out *out)
{
    console_error(a, out, "not now", "the partition is restarting");
    return 1;
}

static const struct console_cmd table[] = {
    { "version", "version", "onestone's version", 0, 0, record },
    { "stats", "stats [CPU]", "exits by reason per CPU", 0, 1, record },
    { "reboot", "reboot --yes", "resets the machine", 1, 1, record },
    { "mgmt", "mgmt status|restart|stop|start", "the management partition", 1, 1, refuse },
    { NULL, NULL, NULL, 0, 0, NULL },
};

static char outbuf[4096];

static int run(const char *text, const char **out)
{
    static char line[256];
    strcpy(line, text);
    struct text_out o = { outbuf, sizeof outbuf - 1, 0, 0 };
    int rc = console_run_line(table, line, &o);
    outbuf[o.len] = 0;
    *out = outbuf;
    return rc;
}

int main(int argc, char **argv)
{
    (void)argc;
    const char *o;
    CHECK_EQ_U64(run("version", &o), 0);
    CHECK_STREQ(o, "ok\r\n");
    CHECK(ran == 1 && last.argc == 0 && !last.json);
    CHECK_EQ_U64(run("  stats \t 2  --json ", &o), 0);      /* spaces, tabs, --json anywhere */
    CHECK(ran == 2 && last.argc == 1 && strcmp(last.argv[0], "2") == 0 && last.json);
    CHECK_STREQ(o, "{\"ok\":true}\r\n");
    CHECK_EQ_U64(run("--json stats", &o), 0);
    CHECK(ran == 3 && last.json && last.argc == 0);
    /* an empty line: nothing, success */
    CHECK_EQ_U64(run("   ", &o), 0);
    CHECK_STREQ(o, "");
    /* errors: one line each, naming what is wrong; nothing runs */
    CHECK_EQ_U64(run("versoin", &o), 1);
    CHECK_STREQ(o, "error: unknown command (try 'help'): versoin\r\n");
    CHECK_EQ_U64(run("vers", &o), 1);                        /* no prefixes: reboot is a word */
    CHECK_EQ_U64(run("stats 1 2", &o), 1);
    CHECK_STREQ(o, "error: too many arguments: stats [CPU]\r\n");
    CHECK_EQ_U64(run("reboot", &o), 1);
    CHECK_STREQ(o, "error: too few arguments: reboot --yes\r\n");
    CHECK_EQ_U64(run("stats 1 2 --json", &o), 1);
    CHECK_STREQ(o, "{\"error\":\"too many arguments: stats [CPU]\"}\r\n");
    CHECK_EQ_U64(run("stats a b c d e f g h i", &o), 1);
    CHECK_CONTAINS(o, "too many words");
    CHECK_EQ_U64(ran, 3);
    /* a handler's own refusal */
    CHECK_EQ_U64(run("mgmt restart", &o), 1);
    CHECK_STREQ(o, "error: not now: the partition is restarting\r\n");
    CHECK_EQ_U64(run("mgmt restart --json", &o), 1);
    CHECK_STREQ(o, "{\"error\":\"not now: the partition is restarting\"}\r\n");
    /* JSON strings are escaped */
    CHECK_EQ_U64(run("a\"b\\c --json", &o), 1);
    CHECK_STREQ(o, "{\"error\":\"unknown command (try 'help'): a\\\"b\\\\c\"}\r\n");
    /* help: every command, one per line; help CMD; both as JSON */
    CHECK_EQ_U64(run("help", &o), 0);
    CHECK_CONTAINS(o, "stats [CPU]");
    CHECK_CONTAINS(o, "exits by reason per CPU\r\n");
    CHECK_CONTAINS(o, "mgmt status|restart|stop|start");
    CHECK_CONTAINS(o, "--json");
    CHECK_EQ_U64(run("help stats", &o), 0);
    CHECK_STREQ(o, "usage: stats [CPU]\r\n  exits by reason per CPU\r\n");
    CHECK_EQ_U64(run("help stats --json", &o), 0);
    CHECK_STREQ(o, "{\"name\":\"stats\",\"usage\":\"stats [CPU]\",\"summary\":\"exits by reason per CPU\"}\r\n");
    CHECK_EQ_U64(run("help --json", &o), 0);
    CHECK_CONTAINS(o, "{\"commands\":[{\"name\":\"version\"");
    CHECK_CONTAINS(o, "\"name\":\"mgmt\"");
    CHECK_EQ_U64(run("help nothing", &o), 1);
    CHECK_STREQ(o, "error: no such command (try 'help'): nothing\r\n");
    CHECK_EQ_U64(run("help a b", &o), 1);
    CHECK_EQ_U64(run("--json", &o), 1);
    CHECK_CONTAINS(o, "no command given");
    /* a small output buffer never overflows */
    char small[10];
    char line[] = "help";
    struct text_out so = { small, sizeof small, 0, 0 };
    console_run_line(table, line, &so);
    CHECK(so.len == sizeof small - 1 && so.dropped > 0);
    return unit_finish(argv[0]);
}
