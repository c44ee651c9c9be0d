/* Shared (VMX root, host unit tests): see line_edit.h. No libc: VMX root
 * has none. */
#include "hv/core/line_edit.h"

enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };

static void copy_str(char *dst, const char *src, size_t max)
{
    size_t i = 0;
    for (; src[i] && i < max; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

void line_edit_redraw(struct line_edit *e, struct text_out *o)
{
    text_out_str(o, "\r");
    text_out_str(o, e->prompt);
    for (unsigned i = 0; i < e->len; i++)
        text_out_char(o, e->text[i]);
    text_out_str(o, "\x1b[K");
    if (e->len > e->cursor) {
        text_out_str(o, "\x1b[");
        text_out_dec(o, e->len - e->cursor);
        text_out_str(o, "D");
    }
}

static void set_text(struct line_edit *e, const char *s)
{
    copy_str(e->text, s, LINE_EDIT_MAX);
    e->len = e->cursor = (unsigned)text_len(e->text);
}

void line_edit_init(struct line_edit *e, const char *prompt, const char *const *words)
{
    *e = (struct line_edit){ .prompt = prompt, .words = words, .browsing = -1 };
}

void line_edit_prompt(struct line_edit *e, struct text_out *out)
{
    text_out_str(out, e->prompt);
}

static void insert(struct line_edit *e, char c)
{
    if (e->len >= LINE_EDIT_MAX)
        return;
    for (unsigned i = e->len; i > e->cursor; i--)
        e->text[i] = e->text[i - 1];
    e->text[e->cursor++] = c;
    e->text[++e->len] = 0;
}

static void delete_at(struct line_edit *e, unsigned at)
{
    if (at >= e->len)
        return;
    for (unsigned i = at; i < e->len; i++)
        e->text[i] = e->text[i + 1];
    e->len--;
}

static const char *history_at(const struct line_edit *e, unsigned back)
{
    return e->history[(e->history_newest + LINE_EDIT_HISTORY - back) % LINE_EDIT_HISTORY];
}

static void browse(struct line_edit *e, int dir)
{
    int to = e->browsing + dir;
    if (to >= (int)e->history_count || to < -1)
        return;
    if (e->browsing == -1)
        copy_str(e->saved, e->text, LINE_EDIT_MAX);
    e->browsing = to;
    set_text(e, to == -1 ? e->saved : history_at(e, (unsigned)to));
}

/* Tab on the first word: complete it, extend it to what every candidate
 * shares, or list the candidates */
static void complete(struct line_edit *e, struct text_out *o)
{
    if (!e->words || e->cursor != e->len)
        return;
    for (unsigned i = 0; i < e->len; i++)
        if (e->text[i] == ' ')
            return;
    const char *first = 0;
    unsigned matches = 0, common = 0;
    for (const char *const *w = e->words; *w; w++) {
        unsigned i = 0;
        while (i < e->len && (*w)[i] == e->text[i])
            i++;
        if (i < e->len)
            continue;
        if (!first) {
            first = *w;
            common = (unsigned)text_len(*w);
        } else {
            unsigned k = 0;
            while (k < common && first[k] == (*w)[k])
                k++;
            common = k;
        }
        matches++;
    }
    if (!matches)
        return;
    if (common > e->len) {
        for (unsigned i = e->len; i < common; i++)
            insert(e, first[i]);
        if (matches == 1)
            insert(e, ' ');
        return;
    }
    if (matches > 1) {
        text_out_str(o, "\r\n");
        for (const char *const *w = e->words; *w; w++) {
            unsigned i = 0;
            while (i < e->len && (*w)[i] == e->text[i])
                i++;
            if (i == e->len) {
                text_out_str(o, *w);
                text_out_str(o, "  ");
            }
        }
        text_out_str(o, "\r\n");
    }
}

static void escape_final(struct line_edit *e, char final)
{
    unsigned param = 0;
    for (unsigned i = 0; i < e->esc_len; i++)
        if (e->esc[i] >= '0' && e->esc[i] <= '9')
            param = param * 10 + (unsigned)(e->esc[i] - '0');
    switch (final) {
    case 'A': browse(e, +1); break;
    case 'B': browse(e, -1); break;
    case 'C': if (e->cursor < e->len) e->cursor++; break;
    case 'D': if (e->cursor > 0) e->cursor--; break;
    case 'H': e->cursor = 0; break;
    case 'F': e->cursor = e->len; break;
    case '~':
        if (param == 1 || param == 7)
            e->cursor = 0;
        else if (param == 4 || param == 8)
            e->cursor = e->len;
        else if (param == 3)
            delete_at(e, e->cursor);
        break;
    default: break;                 /* an escape sequence we do not use */
    }
}

bool line_edit_feed(struct line_edit *e, unsigned char c, struct text_out *o, char *line)
{
    bool after_cr = e->last_was_cr;
    e->last_was_cr = c == '\r';
    if (e->esc_state != ESC_NONE) {
        if (e->esc_state == ESC_START) {
            e->esc_state = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
            e->esc_len = 0;
            return false;
        }
        if (c >= 0x40 && c <= 0x7E) {          /* the final byte */
            e->esc_state = ESC_NONE;
            escape_final(e, (char)c);
            line_edit_redraw(e, o);
        } else if (c < 0x20 || c > 0x3F || e->esc_len >= sizeof e->esc) {
            e->esc_state = ESC_NONE;           /* malformed: dropped */
        } else {
            e->esc[e->esc_len++] = (char)c;
        }
        return false;
    }
    switch (c) {
    case '\n':
        if (after_cr)
            return false;                       /* CR LF is one line end */
        /* fall through */
    case '\r': {
        copy_str(line, e->text, LINE_EDIT_MAX);
        if (e->len && (!e->history_count || !text_same(history_at(e, 0), e->text))) {
            e->history_newest = (e->history_newest + 1) % LINE_EDIT_HISTORY;
            copy_str(e->history[e->history_newest], e->text, LINE_EDIT_MAX);
            if (e->history_count < LINE_EDIT_HISTORY)
                e->history_count++;
        }
        set_text(e, "");
        e->browsing = -1;
        text_out_str(o, "\r\n");
        return true;
    }
    case 0x1B: e->esc_state = ESC_START; return false;
    case 0x03:                                  /* Ctrl-C: drop the line */
        set_text(e, "");
        e->browsing = -1;
        text_out_str(o, "^C\r\n");
        text_out_str(o, e->prompt);
        return false;
    case 0x15: set_text(e, ""); break;          /* Ctrl-U */
    case 0x01: e->cursor = 0; break;            /* Ctrl-A */
    case 0x05: e->cursor = e->len; break;       /* Ctrl-E */
    case 0x08: case 0x7F:                       /* backspace */
        if (e->cursor == 0)
            return false;
        delete_at(e, --e->cursor);
        break;
    case '\t': complete(e, o); break;
    default:
        if (c < 0x20 || c > 0x7E)
            return false;                       /* ignored, never echoed */
        insert(e, (char)c);
        break;
    }
    line_edit_redraw(e, o);
    return false;
}
