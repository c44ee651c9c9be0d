/* Runs in the management partition and on the host (unit tests, tools):
 * see json.h. The reader is strict (RFC 8259 syntax, no duplicates, no
 * nesting) and bounded: it never reads past len. */
#include "guest/mgmt/json.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jb_init(struct jbuf *b)
{
    memset(b, 0, sizeof *b);
}

void jb_free(struct jbuf *b)
{
    free(b->p);
    jb_init(b);
}

static bool reserve(struct jbuf *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void jb_printf(struct jbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n))
        return;
    if ((size_t)n < sizeof small) {
        memcpy(b->p + b->len, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void jb_strn(struct jbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n * 6 + 2))
        return;
    char *o = b->p + b->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += sprintf(o, "\\u%04x", c);
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    *o = 0;
    b->len = (size_t)(o - b->p);
}

void jb_str(struct jbuf *b, const char *s)
{
    jb_strn(b, s, strlen(s));
}

struct reader {
    const char *s;
    size_t len, pos;
    char *err;
    size_t errlen;
};

static int bad(struct reader *r, const char *what)
{
    snprintf(r->err, r->errlen, "invalid JSON at byte %zu: %s", r->pos, what);
    return -1;
}

static void skip_ws(struct reader *r)
{
    while (r->pos < r->len && (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' ||
                               r->s[r->pos] == '\n' || r->s[r->pos] == '\r'))
        r->pos++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int read_string(struct reader *r, char *out, size_t cap)
{
    if (r->pos >= r->len || r->s[r->pos] != '"')
        return bad(r, "expected a string");
    r->pos++;
    size_t n = 0;
    while (r->pos < r->len) {
        unsigned char c = (unsigned char)r->s[r->pos++];
        if (c == '"') {
            out[n] = 0;
            return 0;
        }
        if (c < 0x20)
            return bad(r, "control character in string");
        if (c == '\\') {
            if (r->pos >= r->len)
                break;
            char e = r->s[r->pos++];
            switch (e) {
            case '"': case '\\': case '/': c = (unsigned char)e; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': {
                unsigned v = 0;
                for (int i = 0; i < 4; i++) {
                    int h = r->pos < r->len ? hexval(r->s[r->pos]) : -1;
                    if (h < 0)
                        return bad(r, "bad \\u escape");
                    v = v * 16 + (unsigned)h;
                    r->pos++;
                }
                if (v == 0 || v > 0x7f)
                    return bad(r, "only ASCII \\u escapes (1-7f) are accepted");
                c = (unsigned char)v;
                break;
            }
            default:
                return bad(r, "bad escape");
            }
        }
        if (n + 1 >= cap)
            return bad(r, "string too long");
        out[n++] = (char)c;
    }
    return bad(r, "unterminated string");
}

static int read_number(struct reader *r, struct json_field *f)
{
    size_t start = r->pos;
    bool integer = true;
    if (r->pos < r->len && r->s[r->pos] == '-')
        r->pos++;
    if (r->pos >= r->len || r->s[r->pos] < '0' || r->s[r->pos] > '9')
        return bad(r, "expected a digit");
    if (r->s[r->pos] == '0' && r->pos + 1 < r->len && r->s[r->pos + 1] >= '0' &&
        r->s[r->pos + 1] <= '9')
        return bad(r, "leading zero");
    while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
        r->pos++;
    if (r->pos < r->len && r->s[r->pos] == '.') {
        integer = false;
        r->pos++;
        if (r->pos >= r->len || r->s[r->pos] < '0' || r->s[r->pos] > '9')
            return bad(r, "expected a digit after '.'");
        while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
            r->pos++;
    }
    if (r->pos < r->len && (r->s[r->pos] == 'e' || r->s[r->pos] == 'E')) {
        integer = false;
        r->pos++;
        if (r->pos < r->len && (r->s[r->pos] == '+' || r->s[r->pos] == '-'))
            r->pos++;
        if (r->pos >= r->len || r->s[r->pos] < '0' || r->s[r->pos] > '9')
            return bad(r, "expected an exponent");
        while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
            r->pos++;
    }
    char tmp[40];
    size_t n = r->pos - start;
    if (n >= sizeof tmp)
        return bad(r, "number too long");
    memcpy(tmp, r->s + start, n);
    tmp[n] = 0;
    f->type = JSON_NUMBER;
    f->num = strtod(tmp, NULL);
    f->is_integer = false;
    if (integer && n <= 19) {
        long long v = strtoll(tmp, NULL, 10);
        f->is_integer = true;
        f->integer = v;
    }
    return 0;
}

static bool literal(struct reader *r, const char *word)
{
    size_t n = strlen(word);
    if (r->len - r->pos >= n && memcmp(r->s + r->pos, word, n) == 0) {
        r->pos += n;
        return true;
    }
    return false;
}

int json_parse_object(const char *text, size_t len, struct json_object *out, char *err,
                      size_t errlen)
{
    struct reader r = {text, len, 0, err, errlen};
    memset(out, 0, sizeof *out);
    skip_ws(&r);
    if (r.pos >= r.len || r.s[r.pos] != '{')
        return bad(&r, "expected '{'");
    r.pos++;
    skip_ws(&r);
    if (r.pos < r.len && r.s[r.pos] == '}') {
        r.pos++;
    } else {
        for (;;) {
            if (out->count >= JSON_MAX_FIELDS)
                return bad(&r, "too many fields");
            struct json_field *f = &out->fields[out->count];
            skip_ws(&r);
            if (read_string(&r, f->key, sizeof f->key))
                return -1;
            for (unsigned i = 0; i < out->count; i++)
                if (strcmp(out->fields[i].key, f->key) == 0)
                    return bad(&r, "duplicate key");
            skip_ws(&r);
            if (r.pos >= r.len || r.s[r.pos] != ':')
                return bad(&r, "expected ':'");
            r.pos++;
            skip_ws(&r);
            if (r.pos >= r.len)
                return bad(&r, "expected a value");
            char c = r.s[r.pos];
            if (c == '"') {
                f->type = JSON_STRING;
                if (read_string(&r, f->str, sizeof f->str))
                    return -1;
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                if (read_number(&r, f))
                    return -1;
            } else if (literal(&r, "true")) {
                f->type = JSON_BOOL;
                f->boolean = true;
            } else if (literal(&r, "false")) {
                f->type = JSON_BOOL;
            } else if (literal(&r, "null")) {
                f->type = JSON_NULL;
            } else if (c == '{' || c == '[') {
                return bad(&r, "nested objects and arrays are not accepted here");
            } else {
                return bad(&r, "expected a value");
            }
            out->count++;
            skip_ws(&r);
            if (r.pos < r.len && r.s[r.pos] == ',') {
                r.pos++;
                continue;
            }
            if (r.pos < r.len && r.s[r.pos] == '}') {
                r.pos++;
                break;
            }
            return bad(&r, "expected ',' or '}'");
        }
    }
    skip_ws(&r);
    if (r.pos != r.len)
        return bad(&r, "trailing characters after the object");
    return 0;
}

const struct json_field *json_get(const struct json_object *o, const char *key)
{
    for (unsigned i = 0; i < o->count; i++)
        if (strcmp(o->fields[i].key, key) == 0)
            return &o->fields[i];
    return NULL;
}
