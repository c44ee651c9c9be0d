/* Runs in UEFI boot services (onestone.efi) and on the host (tools/,
 * tests/unit): the single parser of onestone.conf. Freestanding: no libc,
 * because the EFI build links only gnu-efi. */
#include "onestone/config.h"
#include "onestone/text_number.h"

#define DEFAULT_BOOT_PATH "\\EFI\\Microsoft\\Boot\\bootmgfw.efi"

struct text_span {
    const char *p;
    size_t n;
};

static size_t cstr_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static bool span_is(struct text_span s, const char *word)
{
    size_t n = cstr_len(word);
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s.p[i] != word[i])
            return false;
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static struct text_span trim(struct text_span s)
{
    while (s.n && is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n && is_space(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* Error text builder: fixed buffer, always NUL-terminated, truncates. */
struct msg {
    char *buf;
    size_t cap, len;
};

static void msg_add(struct msg *m, const char *s)
{
    while (*s && m->len + 1 < m->cap)
        m->buf[m->len++] = *s++;
    m->buf[m->len] = 0;
}

static void msg_add_span(struct msg *m, struct text_span s)
{
    for (size_t i = 0; i < s.n && m->len + 1 < m->cap; i++) {
        char c = s.p[i];
        m->buf[m->len++] = (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    m->buf[m->len] = 0;
}

static int fail(struct config_error *err, unsigned line, const char *a,
                struct text_span quoted, const char *b)
{
    struct msg m = { err->message, sizeof err->message, 0 };
    err->line = line;
    err->message[0] = 0;
    msg_add(&m, a);
    if (quoted.p) {
        msg_add(&m, "'");
        msg_add_span(&m, quoted);
        msg_add(&m, "'");
    }
    msg_add(&m, b);
    return -1;
}

static const struct text_span NO_SPAN = { 0, 0 };

static bool copy_span(char *dst, size_t cap, struct text_span s)
{
    if (s.n + 1 > cap)
        return false;
    for (size_t i = 0; i < s.n; i++)
        dst[i] = s.p[i];
    dst[s.n] = 0;
    return true;
}

static bool parse_uint(struct text_span s, uint64_t max, uint64_t *out)
{
    return text_to_u64(s.p, s.n, 0, max, out);
}

static bool printable(struct text_span s)
{
    for (size_t i = 0; i < s.n; i++)
        if ((unsigned char)s.p[i] < 0x20 || (unsigned char)s.p[i] >= 0x7f)
            return false;
    return true;
}

void config_defaults(struct onestone_config *c)
{
    char *raw = (char *)c;
    for (size_t i = 0; i < sizeof *c; i++)
        raw[i] = 0;
    c->console_port = 0x3F8;
    c->console_baud = 115200;
    c->boot_volume_kind = BOOT_VOLUME_SELF;
    copy_span(c->boot_path, sizeof c->boot_path,
              (struct text_span){ DEFAULT_BOOT_PATH, sizeof DEFAULT_BOOT_PATH - 1 });
    c->hide_hypervisor = false;
    c->log_level = LOG_INFO;
    c->iommu = IOMMU_REQUIRED;
}

const char *config_log_level_name(enum log_level level)
{
    switch (level) {
    case LOG_ERROR: return "error";
    case LOG_WARN:  return "warn";
    case LOG_INFO:  return "info";
    case LOG_DEBUG: return "debug";
    }
    return "?";
}

enum config_key {
    KEY_CONSOLE, KEY_BAUD, KEY_BOOT_VOLUME, KEY_BOOT_PATH, KEY_BOOT_ARGS,
    KEY_HIDE_HYPERVISOR, KEY_LOG_LEVEL, KEY_IOMMU, KEY_SELFTEST, KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
    "console", "baud", "boot_volume", "boot_path", "boot_args",
    "hide_hypervisor", "log_level", "iommu", "selftest",
};

static int apply(struct onestone_config *c, enum config_key key,
                 struct text_span v, unsigned line, struct config_error *err)
{
    uint64_t n;
    switch (key) {
    case KEY_CONSOLE:
        if (span_is(v, "com1")) c->console_port = 0x3F8;
        else if (span_is(v, "com2")) c->console_port = 0x2F8;
        else if (span_is(v, "none")) c->console_port = 0;
        else return fail(err, line, "console: ", v, " is not one of com1, com2, none");
        return 0;
    case KEY_BAUD:
        if (!parse_uint(v, 115200, &n) || n < 1200 || 115200 % n != 0)
            return fail(err, line, "baud: ", v,
                        " is not a divisor of 115200 between 1200 and 115200");
        c->console_baud = (uint32_t)n;
        return 0;
    case KEY_BOOT_VOLUME:
        if (span_is(v, "self")) {
            c->boot_volume_kind = BOOT_VOLUME_SELF;
            return 0;
        }
        if (v.n > 6 && span_is((struct text_span){ v.p, 6 }, "label:")) {
            struct text_span label = { v.p + 6, v.n - 6 };
            if (!printable(label) ||
                !copy_span(c->boot_volume_label, sizeof c->boot_volume_label, label))
                return fail(err, line, "boot_volume: label ", label,
                            " is too long or has control characters");
            c->boot_volume_kind = BOOT_VOLUME_LABEL;
            return 0;
        }
        return fail(err, line, "boot_volume: ", v, " is not 'self' or 'label:NAME'");
    case KEY_BOOT_PATH:
        if (v.n == 0 || v.p[0] != '\\')
            return fail(err, line, "boot_path: ", v,
                        " must be an absolute path starting with '\\'");
        if (!printable(v) || !copy_span(c->boot_path, sizeof c->boot_path, v))
            return fail(err, line, "boot_path: ", NO_SPAN,
                        "too long (max 255) or has control characters");
        return 0;
    case KEY_BOOT_ARGS:
        if (!printable(v) || !copy_span(c->boot_args, sizeof c->boot_args, v))
            return fail(err, line, "boot_args: ", NO_SPAN,
                        "too long (max 511) or has control characters");
        return 0;
    case KEY_HIDE_HYPERVISOR:
        if (span_is(v, "yes") || span_is(v, "true") || span_is(v, "1"))
            c->hide_hypervisor = true;
        else if (span_is(v, "no") || span_is(v, "false") || span_is(v, "0"))
            c->hide_hypervisor = false;
        else
            return fail(err, line, "hide_hypervisor: ", v, " is not yes or no");
        return 0;
    case KEY_LOG_LEVEL:
        for (int l = LOG_ERROR; l <= LOG_DEBUG; l++)
            if (span_is(v, config_log_level_name((enum log_level)l))) {
                c->log_level = (enum log_level)l;
                return 0;
            }
        return fail(err, line, "log_level: ", v, " is not error, warn, info or debug");
    case KEY_IOMMU:
        if (span_is(v, "required"))
            c->iommu = IOMMU_REQUIRED;
        else if (span_is(v, "off"))
            c->iommu = IOMMU_OFF;
        else
            return fail(err, line, "iommu: ", v, " is not required or off");
        return 0;
    case KEY_SELFTEST:
        if (span_is(v, "none"))
            c->selftest = SELFTEST_NONE;
        else if (span_is(v, "vtd"))
            c->selftest = SELFTEST_VTD;
        else
            return fail(err, line, "selftest: ", v, " is not none or vtd");
        return 0;
    case KEY_COUNT:
        break;
    }
    return fail(err, line, "internal: unhandled key", NO_SPAN, "");
}

int config_parse(const char *text, size_t len, struct onestone_config *out,
                 struct config_error *err)
{
    struct onestone_config c;
    bool seen[KEY_COUNT] = { false };
    unsigned line = 0;
    size_t pos = 0;

    config_defaults(&c);
    config_defaults(out);
    err->line = 0;
    err->message[0] = 0;

    while (pos < len) {
        size_t start = pos;
        while (pos < len && text[pos] != '\n')
            pos++;
        struct text_span raw = { text + start, pos - start };
        if (pos < len)
            pos++;
        line++;

        for (size_t i = 0; i < raw.n; i++)
            if (raw.p[i] == 0)
                return fail(err, line, "NUL byte in file", NO_SPAN, "");
        /* Comments run to the end of the line, except inside boot_args,
         * where '#' may be a legitimate argument: only a '#' that starts
         * the line (after blanks) is a comment there. */
        struct text_span s = trim(raw);
        if (s.n == 0 || s.p[0] == '#')
            continue;

        size_t eq = 0;
        while (eq < s.n && s.p[eq] != '=')
            eq++;
        if (eq == s.n)
            return fail(err, line, "expected 'key = value', got ", s, "");
        struct text_span key = trim((struct text_span){ s.p, eq });
        struct text_span value = trim((struct text_span){ s.p + eq + 1, s.n - eq - 1 });

        int k;
        for (k = 0; k < KEY_COUNT; k++)
            if (span_is(key, key_names[k]))
                break;
        if (k == KEY_COUNT)
            return fail(err, line, "unknown key ", key,
                        " (known: console, baud, boot_volume, boot_path, boot_args,"
                        " hide_hypervisor, log_level, iommu, selftest)");
        if (seen[k])
            return fail(err, line, "key ", key, " given twice");
        seen[k] = true;

        if (k != KEY_BOOT_ARGS) {
            /* trailing comment on ordinary keys */
            size_t h = 0;
            while (h < value.n && value.p[h] != '#')
                h++;
            value = trim((struct text_span){ value.p, h });
            if (value.n == 0)
                return fail(err, line, "key ", key, " has no value");
        }
        if (apply(&c, (enum config_key)k, value, line, err) != 0)
            return -1;
    }
    *out = c;
    return 0;
}
