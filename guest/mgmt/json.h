/* Runs in the management partition and on the host (unit tests, tools):
 * a JSON writer into a growing buffer, and a reader for the flat request
 * objects of the management API ({"key": string|number|true|false|null}). */
#ifndef MGMT_JSON_H
#define MGMT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jbuf {
    char *p;
    size_t len, cap;
    bool oom;        /* an allocation failed: the text is incomplete */
};
void jb_init(struct jbuf *b);
void jb_free(struct jbuf *b);
void jb_printf(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* a JSON string literal with escapes */
void jb_str(struct jbuf *b, const char *s);
void jb_strn(struct jbuf *b, const char *s, size_t n);

#define JSON_MAX_FIELDS 16
#define JSON_MAX_STR    512

enum json_type { JSON_STRING, JSON_NUMBER, JSON_BOOL, JSON_NULL };
struct json_field {
    char key[32];
    enum json_type type;
    char str[JSON_MAX_STR];   /* JSON_STRING, unescaped */
    double num;               /* JSON_NUMBER */
    bool is_integer;          /* JSON_NUMBER written without . or exponent */
    int64_t integer;          /* when is_integer and in range */
    bool boolean;
};
struct json_object {
    unsigned count;
    struct json_field fields[JSON_MAX_FIELDS];
};

/* Parses one flat object; 0, or -1 with err saying what and at which byte. */
int json_parse_object(const char *text, size_t len, struct json_object *out, char *err,
                      size_t errlen);
const struct json_field *json_get(const struct json_object *o, const char *key);

#endif
