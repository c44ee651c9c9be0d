/* hv/core/line_edit.c: the console's line editor, judged by what a small
 * ANSI terminal model shows (CR, LF, ESC[K, ESC[nD, printable characters)
 * and by the lines it hands over. A wrong answer runs a command the user
 * did not type, shows something else than what will run, or echoes raw
 * control bytes to the terminal. */
#include "hv/core/line_edit.h"
#include "unit.h"

static const char *const words[] = { "help", "status", "stats", "stop", "version", NULL };

struct term {
    char line[512];                 /* the line the cursor is on */
    char prev[512];                 /* the line before it */
    unsigned col;
    bool raw_control;               /* a control byte other than CR, LF, ESC seen */
};

static void term_show(struct term *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') {
            t->col = 0;
        } else if (c == '\n') {
            strcpy(t->prev, t->line);
            memset(t->line, 0, sizeof t->line);
            t->col = 0;
        } else if (c == 0x1B && i + 1 < n && s[i + 1] == '[') {
            unsigned num = 0;
            size_t k = i + 2;
            while (k < n && s[k] >= '0' && s[k] <= '9')
                num = num * 10 + (unsigned)(s[k++] - '0');
            if (k < n && s[k] == 'K')
                memset(t->line + t->col, 0, sizeof t->line - t->col);
            else if (k < n && s[k] == 'D')
                t->col -= num <= t->col ? num : t->col;
            i = k;
        } else if (c < 0x20 || c >= 0x7F) {
            t->raw_control = true;
        } else if (t->col < sizeof t->line - 1) {
            t->line[t->col++] = (char)c;
        }
    }
}

struct rig {
    struct line_edit e;
    struct term t;
    char out[4096];
    char got[LINE_EDIT_MAX + 1];
    unsigned lines;
};

static void rig_init(struct rig *r)
{
    memset(r, 0, sizeof *r);
    line_edit_init(&r->e, "onestone> ", words);
    struct text_out o = { r->out, sizeof r->out, 0, 0 };
    line_edit_prompt(&r->e, &o);
    term_show(&r->t, r->out, o.len);
}

static void type(struct rig *r, const char *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct text_out o = { r->out, sizeof r->out, 0, 0 };
        char line[LINE_EDIT_MAX + 1];
        if (line_edit_feed(&r->e, (unsigned char)keys[i], &o, line)) {
            strcpy(r->got, line);
            r->lines++;
        }
        term_show(&r->t, r->out, o.len);
    }
}

#define TYPE(r, s) type(r, s, sizeof(s) - 1)

static void test_typing_and_editing(void)
{
    struct rig r;
    rig_init(&r);
    CHECK_STREQ(r.t.line, "onestone> ");
    TYPE(&r, "statsu");
    TYPE(&r, "\x7f\x08");                         /* both backspaces */
    TYPE(&r, "us");
    CHECK_STREQ(r.t.line, "onestone> status");
    TYPE(&r, "\x1b[D\x1b[D\x1b[DX");              /* left three, insert */
    CHECK_STREQ(r.t.line, "onestone> staXtus");
    CHECK_EQ_U64(r.t.col, 14);                    /* the cursor after the X */
    TYPE(&r, "\x1b[H>\x1bOF<");                   /* Home (CSI), End (SS3) */
    CHECK_STREQ(r.t.line, "onestone> >staXtus<");
    TYPE(&r, "\x01\x1b[3~\x05\x7f");              /* Ctrl-A, Delete, Ctrl-E, backspace */
    CHECK_STREQ(r.t.line, "onestone> staXtus");
    TYPE(&r, "\x1b[1~\x1b[C\x1b[C\x1b[C\x1b[3~\x1b[4~"); /* VT Home, right x3, Delete, VT End */
    CHECK_STREQ(r.t.line, "onestone> status");
    TYPE(&r, "\r\n");                             /* CR LF: one line */
    CHECK_EQ_U64(r.lines, 1);
    CHECK_STREQ(r.got, "status");
    CHECK_STREQ(r.t.prev, "onestone> status");
    CHECK(!r.t.raw_control);
}

static void test_control_and_garbage(void)
{
    struct rig r;
    rig_init(&r);
    TYPE(&r, "reboot --yes\x03");                 /* Ctrl-C drops it */
    CHECK_EQ_U64(r.lines, 0);
    CHECK_STREQ(r.t.prev, "onestone> reboot --yes^C");
    CHECK_STREQ(r.t.line, "onestone> ");
    TYPE(&r, "abc\x15");                          /* Ctrl-U clears */
    CHECK_STREQ(r.t.line, "onestone> ");
    /* control bytes, high bytes, unknown and broken escapes: ignored */
    const char junk[] = "\x00\x02\x04\x07\x0b\x0c\x0e\x1f\x80\xff\xc3\xa9"
                        "\x1b[99z\x1b[12;34R\x1b\x01\x1b[\x02v";
    type(&r, junk, sizeof junk - 1);
    CHECK_STREQ(r.t.line, "onestone> v");
    CHECK(!r.t.raw_control);
    CHECK_EQ_U64(r.lines, 0);
    TYPE(&r, "\n");                               /* a lone LF ends a line too */
    CHECK_EQ_U64(r.lines, 1);
    CHECK_STREQ(r.got, "v");
    /* a line longer than the limit keeps its first LINE_EDIT_MAX characters */
    static char longline[LINE_EDIT_MAX + 50];
    memset(longline, 'x', sizeof longline);
    type(&r, longline, sizeof longline);
    TYPE(&r, "\r");
    CHECK_EQ_U64(strlen(r.got), LINE_EDIT_MAX);
    /* an empty line is handed over (the caller shows a new prompt) */
    TYPE(&r, "\r");
    CHECK_EQ_U64(r.lines, 3);
    CHECK_STREQ(r.got, "");
}

static void test_history(void)
{
    struct rig r;
    rig_init(&r);
    TYPE(&r, "version\r");
    TYPE(&r, "status\r");
    TYPE(&r, "status\r");                         /* a repeat is stored once */
    TYPE(&r, "half");
    TYPE(&r, "\x1b[A");
    CHECK_STREQ(r.t.line, "onestone> status");
    TYPE(&r, "\x1b[A");
    CHECK_STREQ(r.t.line, "onestone> version");
    TYPE(&r, "\x1b[A");                           /* nothing older: stays */
    CHECK_STREQ(r.t.line, "onestone> version");
    TYPE(&r, "\x1b[B\x1b[B");                     /* back to the line being typed */
    CHECK_STREQ(r.t.line, "onestone> half");
    TYPE(&r, "\x1b[A\r");
    CHECK_STREQ(r.got, "status");
    /* 40 lines: the newest 32 are kept */
    char cmd[16];
    for (int i = 0; i < 40; i++) {
        snprintf(cmd, sizeof cmd, "cmd%d\r", i);
        type(&r, cmd, strlen(cmd));
    }
    for (int i = 0; i < 40; i++)
        TYPE(&r, "\x1b[A");
    CHECK_STREQ(r.t.line, "onestone> cmd8");
}

static void test_completion(void)
{
    struct rig r;
    rig_init(&r);
    TYPE(&r, "ver\t");                            /* unique: completed, with a space */
    CHECK_STREQ(r.t.line, "onestone> version ");
    TYPE(&r, "\x15st\t");                         /* "stats", "status", "stop": a list */
    CHECK(strstr(r.t.prev, "status") && strstr(r.t.prev, "stats") && strstr(r.t.prev, "stop"));
    CHECK_STREQ(r.t.line, "onestone> st");
    TYPE(&r, "at\t");                             /* "stat" shared by stats and status */
    CHECK_STREQ(r.t.line, "onestone> stat");
    TYPE(&r, "u\t");
    CHECK_STREQ(r.t.line, "onestone> status ");
    TYPE(&r, "\x15zz\t");                         /* no match: unchanged */
    CHECK_STREQ(r.t.line, "onestone> zz");
    TYPE(&r, "\x15help sta\t");                   /* only the first word completes */
    CHECK_STREQ(r.t.line, "onestone> help sta");
    CHECK(!r.t.raw_control);
}

/* a full output buffer drops bytes and counts them, never overflows */
static void test_small_output(void)
{
    struct line_edit e;
    line_edit_init(&e, "onestone> ", words);
    char small[8], line[LINE_EDIT_MAX + 1];
    struct text_out o = { small, sizeof small, 0, 0 };
    line_edit_feed(&e, 'a', &o, line);
    CHECK_EQ_U64(o.len, sizeof small - 1);       /* and its NUL */
    CHECK(o.dropped > 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    test_typing_and_editing();
    test_control_and_garbage();
    test_history();
    test_completion();
    test_small_output();
    return unit_finish(argv[0]);
}
