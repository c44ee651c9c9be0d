/* Runs in UEFI boot services (onestone.efi) and on the host (tools/,
 * tests/unit): the single parser of onestone.conf. Freestanding: no libc,
 * because the EFI build links only gnu-efi. */
#include "onestone/config.h"
#include "onestone/text_number.h"
#include "onestone/text_out.h"

#define DEFAULT_BOOT_PATH "\\EFI\\Microsoft\\Boot\\bootmgfw.efi"

struct text_span {
    const char *p;
    size_t n;
};

static bool span_is(struct text_span s, const char *word)
{
    size_t n = text_len(word);
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

static void text_out_span(struct text_out *o, struct text_span s)
{
    text_out_printable(o, s.p, s.n);
}

static int fail(struct config_error *err, unsigned line, const char *a,
                struct text_span quoted, const char *b)
{
    struct text_out m = { .buf = err->message, .cap = sizeof err->message };
    err->line = line;
    err->message[0] = 0;
    text_out_str(&m, a);
    if (quoted.p) {
        text_out_str(&m, "'");
        text_out_span(&m, quoted);
        text_out_str(&m, "'");
    }
    text_out_str(&m, b);
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

/* yes/true/1 or no/false/0 */
static bool parse_yes_no(struct text_span v, bool *out)
{
    if (span_is(v, "yes") || span_is(v, "true") || span_is(v, "1"))
        *out = true;
    else if (span_is(v, "no") || span_is(v, "false") || span_is(v, "0"))
        *out = false;
    else
        return false;
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
    KEY_HIDE_HYPERVISOR, KEY_LOG_LEVEL, KEY_IOMMU, KEY_SELFTEST,
    KEY_KERNEL, KEY_CPUS, KEY_MEMORY, KEY_CHECKPOINT, KEY_DEVICES, KEY_TOKEN,
    KEY_TOKEN_FILE, KEY_ADDRESS, KEY_GATEWAY, KEY_PORT, KEY_PROJECT, KEY_TEST, KEY_ALLOW_SPLIT,
    KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
    "console", "baud", "boot_volume", "boot_path", "boot_args",
    "hide_hypervisor", "log_level", "iommu", "selftest",
    "kernel", "cpus", "memory", "checkpoint", "devices", "token",
    "token_file", "address", "gateway", "port", "project", "test", "allow_split",
};

/* where each key may stand */
enum section { SECTION_GLOBAL, SECTION_PRIMARY, SECTION_MGMT, SECTION_COUNT };
static const char *const section_names[SECTION_COUNT] = { "", "primary", "mgmt" };
#define IN(sec) (1u << (sec))
static const uint8_t key_sections[KEY_COUNT] = {
    [KEY_CONSOLE] = IN(SECTION_GLOBAL),
    [KEY_BAUD] = IN(SECTION_GLOBAL),
    [KEY_BOOT_VOLUME] = IN(SECTION_GLOBAL) | IN(SECTION_PRIMARY),
    [KEY_BOOT_PATH] = IN(SECTION_GLOBAL) | IN(SECTION_PRIMARY),
    [KEY_BOOT_ARGS] = IN(SECTION_GLOBAL) | IN(SECTION_PRIMARY),
    [KEY_HIDE_HYPERVISOR] = IN(SECTION_GLOBAL) | IN(SECTION_PRIMARY),
    [KEY_LOG_LEVEL] = IN(SECTION_GLOBAL),
    [KEY_IOMMU] = IN(SECTION_GLOBAL),
    [KEY_SELFTEST] = IN(SECTION_GLOBAL),
    [KEY_KERNEL] = IN(SECTION_MGMT),
    [KEY_CPUS] = IN(SECTION_MGMT),
    [KEY_MEMORY] = IN(SECTION_MGMT),
    [KEY_CHECKPOINT] = IN(SECTION_MGMT),
    [KEY_DEVICES] = IN(SECTION_MGMT),
    [KEY_TOKEN] = IN(SECTION_MGMT),
    [KEY_TOKEN_FILE] = IN(SECTION_MGMT),
    [KEY_ADDRESS] = IN(SECTION_MGMT),
    [KEY_GATEWAY] = IN(SECTION_MGMT),
    [KEY_PORT] = IN(SECTION_MGMT),
    [KEY_PROJECT] = IN(SECTION_MGMT),
    [KEY_TEST] = IN(SECTION_MGMT),
    [KEY_ALLOW_SPLIT] = IN(SECTION_MGMT),
};
static const char *const known_keys[SECTION_COUNT] = {
    "console, baud, boot_volume, boot_path, boot_args, hide_hypervisor, log_level, iommu, "
    "selftest",
    "boot_volume, boot_path, boot_args, hide_hypervisor",
    "kernel, cpus, memory, checkpoint, devices, token, token_file, address, gateway, port, "
    "project, allow_split, test",
};

/* The smallest partition worth starting, and the granule that keeps its
 * memory in 2 MiB EPT pages (no 4 KiB walks in the compute loop). */
#define MGMT_MEMORY_MIN   (16ull << 20)
#define MGMT_MEMORY_MAX   (64ull << 30)
#define MGMT_MEMORY_ALIGN (2ull << 20)
#define MGMT_CHECKPOINT_DEFAULT (2ull << 20)
#define MGMT_CHECKPOINT_MAX (1ull << 30)

/* "64M", "2G", "512K": bytes; a suffix is required */
static bool parse_size(struct text_span v, uint64_t *out)
{
    if (v.n < 2)
        return false;
    unsigned shift;
    switch (v.p[v.n - 1]) {
    case 'K': case 'k': shift = 10; break;
    case 'M': case 'm': shift = 20; break;
    case 'G': case 'g': shift = 30; break;
    default: return false;
    }
    uint64_t n;
    if (!text_to_u64(v.p, v.n - 1, 10, (1ull << 40) >> shift, &n) || n == 0)
        return false;
    *out = n << shift;
    return true;
}

static bool hex_field(const char *s, size_t len, size_t digits, uint64_t max, uint64_t *out)
{
    return len >= 1 && len <= digits && text_to_u64(s, len, 16, max, out);
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

bool config_parse_guid(const char *s, size_t len, uint8_t out[16])
{
    /* the text's byte order: fields 1-3 are little-endian in memory */
    static const uint8_t byte_at[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    if (len != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return false;
    unsigned k = 0;
    for (size_t i = 0; i < len; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            continue;
        int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[byte_at[k++]] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    return true;
}

bool config_parse_device(const char *s, size_t len, struct device_ref *out)
{
    size_t colons[3], nc = 0, dot = len;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ':') {
            if (nc == 2)
                return false;
            colons[nc++] = i;
        } else if (s[i] == '.') {
            if (dot != len)
                return false;
            dot = i;
        }
    }
    struct device_ref d = { 0 };
    uint64_t a, b, c, e;
    if (nc == 1 && dot == len) {            /* VVVV:DDDD */
        if (colons[0] != 4 || len != 9 || !hex_field(s, 4, 4, 0xFFFF, &a) ||
            !hex_field(s + 5, 4, 4, 0xFFFF, &b) || a == 0xFFFF)
            return false;
        d.kind = DEVICE_BY_ID;
        d.vendor = (uint16_t)a;
        d.device = (uint16_t)b;
        *out = d;
        return true;
    }
    if (dot == len || (nc != 1 && nc != 2))
        return false;
    size_t bus_at = nc == 2 ? colons[0] + 1 : 0, dev_at = colons[nc - 1] + 1;
    if (nc == 2) {
        if (!hex_field(s, colons[0], 4, 0xFFFF, &e))
            return false;
        d.segment = (uint16_t)e;
    }
    if (dot < dev_at || !hex_field(s + bus_at, colons[nc - 1] - bus_at, 2, 0xFF, &a) ||
        !hex_field(s + dev_at, dot - dev_at, 2, 0x1F, &b) ||
        !hex_field(s + dot + 1, len - dot - 1, 1, 7, &c))
        return false;
    d.kind = DEVICE_BY_ADDRESS;
    d.bus = (uint8_t)a;
    d.dev = (uint8_t)b;
    d.fn = (uint8_t)c;
    *out = d;
    return true;
}

static bool same_device(const struct device_ref *x, const struct device_ref *y)
{
    if (x->kind != y->kind)
        return false;
    if (x->kind == DEVICE_BY_ID)
        return x->vendor == y->vendor && x->device == y->device;
    return x->segment == y->segment && x->bus == y->bus && x->dev == y->dev && x->fn == y->fn;
}

static int parse_devices(struct mgmt_config *m, struct text_span v, unsigned line,
                         struct config_error *err)
{
    size_t i = 0;
    while (i < v.n) {
        while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t' || v.p[i] == ','))
            i++;
        size_t start = i;
        while (i < v.n && v.p[i] != ' ' && v.p[i] != '\t' && v.p[i] != ',')
            i++;
        if (i == start)
            break;
        struct text_span w = { v.p + start, i - start };
        struct device_ref d;
        if (!config_parse_device(w.p, w.n, &d))
            return fail(err, line, "devices: ", w,
                        " is not [SEG:]BB:DD.F or VVVV:DDDD (hexadecimal, as lspci prints it)");
        for (unsigned k = 0; k < m->device_count; k++)
            if (same_device(&m->devices[k], &d))
                return fail(err, line, "devices: ", w, " is listed twice");
        if (m->device_count == CONFIG_DEVICES_MAX)
            return fail(err, line, "devices: more than 8 devices", NO_SPAN, "");
        m->devices[m->device_count++] = d;
    }
    if (!m->device_count)
        return fail(err, line, "devices: no device given", NO_SPAN, "");
    return 0;
}

static bool token_text(struct text_span v)
{
    if (v.n == 0 || v.n >= CONFIG_TOKEN_MAX)
        return false;
    for (size_t i = 0; i < v.n; i++)
        if ((unsigned char)v.p[i] <= 0x20 || (unsigned char)v.p[i] >= 0x7f)
            return false;
    return true;
}

bool config_token_file_ok(const char *text, size_t len)
{
    size_t n = 0;
    while (n < len && (unsigned char)text[n] > 0x20 && (unsigned char)text[n] < 0x7f)
        n++;
    size_t rest = n;
    while (rest < len && (text[rest] == '\n' || text[rest] == '\r'))
        rest++;
    return n > 0 && n < CONFIG_TOKEN_MAX && rest == len;
}

/* http://A.B.C.D[:PORT][/PATH], as the partition's work-unit client takes it */
static bool project_url(struct text_span v)
{
    if (v.n < 8 || v.n >= CONFIG_URL_MAX || !span_is((struct text_span){ v.p, 7 }, "http://"))
        return false;
    size_t i = 7, host = 7;
    while (i < v.n && v.p[i] != ':' && v.p[i] != '/')
        i++;
    uint8_t ip[4];
    if (!text_to_ipv4(v.p + host, i - host, ip))
        return false;
    if (i < v.n && v.p[i] == ':') {
        size_t ps = ++i;
        while (i < v.n && v.p[i] != '/')
            i++;
        uint64_t port;
        if (!text_to_u64(v.p + ps, i - ps, 10, 65535, &port) || port == 0)
            return false;
    }
    return printable(v);
}

/* PREFIX: "key: " */
static int apply_path(char *dst, const char *prefix, struct text_span v, unsigned line,
                      struct config_error *err)
{
    if (v.n == 0 || v.p[0] != '\\' || !printable(v) || !copy_span(dst, CONFIG_PATH_MAX, v))
        return fail(err, line, prefix, v, " must be an absolute path starting with '\\' "
                    "(at most 255 printable characters)");
    return 0;
}

static int apply_mgmt(struct mgmt_config *m, enum config_key key, struct text_span v,
                      unsigned line, struct config_error *err)
{
    uint64_t n;
    switch (key) {
    case KEY_KERNEL:
        m->kernel_line = line;
        return apply_path(m->kernel, "kernel: ", v, line, err);
    case KEY_CPUS:
        if (!parse_uint(v, 63, &n) || n == 0)
            return fail(err, line, "cpus: ", v, " is not a number of CPUs from 1 to 63");
        m->cpus = (uint32_t)n;
        m->cpus_line = line;
        return 0;
    case KEY_MEMORY:
        if (!parse_size(v, &n) || n < MGMT_MEMORY_MIN || n > MGMT_MEMORY_MAX ||
            n % MGMT_MEMORY_ALIGN)
            return fail(err, line, "memory: ", v,
                        " is not a size from 16M to 64G in whole 2M steps (K, M or G suffix)");
        m->memory = n;
        m->memory_line = line;
        return 0;
    case KEY_CHECKPOINT:
        if (!parse_size(v, &n) || n > MGMT_CHECKPOINT_MAX || n % 4096)
            return fail(err, line, "checkpoint: ", v,
                        " is not a size up to 1G in whole 4K steps (K, M or G suffix)");
        m->checkpoint = n;
        m->checkpoint_line = line;
        return 0;
    case KEY_DEVICES:
        m->devices_line = line;
        return parse_devices(m, v, line, err);
    case KEY_TOKEN:
        if (m->token_file[0])
            return fail(err, line, "token: token_file is given too; give one of them",
                        NO_SPAN, "");
        if (!token_text(v))
            return fail(err, line, "token: ", NO_SPAN,
                        "must be 1-63 printable characters without spaces");
        copy_span(m->token, sizeof m->token, v);
        m->token_line = line;
        return 0;
    case KEY_TOKEN_FILE:
        if (m->token[0])
            return fail(err, line, "token_file: token is given too; give one of them",
                        NO_SPAN, "");
        m->token_line = line;
        return apply_path(m->token_file, "token_file: ", v, line, err);
    case KEY_ADDRESS: {
        if (span_is(v, "dhcp")) {
            m->address = MGMT_ADDRESS_DHCP;
            return 0;
        }
        size_t slash = 0;
        while (slash < v.n && v.p[slash] != '/')
            slash++;
        if (slash == v.n || !text_to_ipv4(v.p, slash, m->ip) ||
            !text_to_u64(v.p + slash + 1, v.n - slash - 1, 10, 32, &n) || n == 0)
            return fail(err, line, "address: ", v, " is not dhcp or A.B.C.D/NN (NN 1-32)");
        m->address = MGMT_ADDRESS_STATIC;
        m->prefix = (uint8_t)n;
        return 0;
    }
    case KEY_GATEWAY:
        if (!text_to_ipv4(v.p, v.n, m->gateway))
            return fail(err, line, "gateway: ", v, " is not an address A.B.C.D");
        return 0;
    case KEY_PORT:
        if (!parse_uint(v, 65535, &n) || n == 0)
            return fail(err, line, "port: ", v, " is not a TCP port from 1 to 65535");
        m->port = (uint16_t)n;
        return 0;
    case KEY_PROJECT:
        if (!project_url(v) || !copy_span(m->project, sizeof m->project, v))
            return fail(err, line, "project: ", v,
                        " is not http://A.B.C.D[:PORT][/PATH] (under 128 characters)");
        return 0;
    case KEY_ALLOW_SPLIT:
        if (!parse_yes_no(v, &m->allow_split))
            return fail(err, line, "allow_split: ", v, " is not yes or no");
        m->allow_split_line = line;
        return 0;
    case KEY_TEST:
        if (span_is(v, "none"))
            m->test = MGMT_TEST_NONE;
        else if (span_is(v, "crash"))
            m->test = MGMT_TEST_CRASH;
        else if (span_is(v, "attack"))
            m->test = MGMT_TEST_ATTACK;
        else
            return fail(err, line, "test: ", v, " is not none, crash or attack");
        return 0;
    default:
        break;
    }
    return fail(err, line, "internal: unhandled key", NO_SPAN, "");
}

/* what a complete [mgmt] section needs, checked at the end of the file */
static int check_mgmt(const struct mgmt_config *m, const unsigned seen[KEY_COUNT],
                      struct config_error *err)
{
    static const struct { enum config_key key; const char *what; } required[] = {
        { KEY_KERNEL, "kernel (the partition's ELF64 file)" },
        { KEY_CPUS, "cpus (how many CPUs it gets)" },
        { KEY_MEMORY, "memory (how much memory it gets)" },
        { KEY_DEVICES, "devices (its NIC)" },
    };
    for (unsigned i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!seen[required[i].key])
            return fail(err, m->line, "[mgmt] needs ", NO_SPAN, required[i].what);
    if (!m->token[0] && !m->token_file[0])
        return fail(err, m->line, "[mgmt] needs token or token_file (the API's bearer token)",
                    NO_SPAN, "");
    if (seen[KEY_GATEWAY] && m->address == MGMT_ADDRESS_DHCP)
        return fail(err, seen[KEY_GATEWAY],
                    "gateway: only with a static address (address = A.B.C.D/NN)", NO_SPAN, "");
    if (m->checkpoint >= m->memory)
        return fail(err, m->checkpoint_line ? m->checkpoint_line : m->memory_line,
                    "checkpoint: must be smaller than the partition's memory", NO_SPAN, "");
    return 0;
}

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
        if (v.n > 9 && span_is((struct text_span){ v.p, 9 }, "partuuid:")) {
            struct text_span guid = { v.p + 9, v.n - 9 };
            if (!config_parse_guid(guid.p, guid.n, c->boot_volume_guid))
                return fail(err, line, "boot_volume: partuuid ", guid,
                            " is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, as lsblk -o PARTUUID prints it)");
            for (size_t i = 0; i < guid.n; i++) {
                char ch = guid.p[i];
                c->boot_volume_label[i] = ch >= 'A' && ch <= 'F' ? (char)(ch - 'A' + 'a') : ch;
            }
            c->boot_volume_label[guid.n] = 0;
            c->boot_volume_kind = BOOT_VOLUME_PARTUUID;
            return 0;
        }
        return fail(err, line, "boot_volume: ", v,
                    " is not 'self', 'label:NAME' or 'partuuid:GUID'");
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
        if (!parse_yes_no(v, &c->hide_hypervisor))
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
    default:
        return apply_mgmt(&c->mgmt, key, v, line, err);
    }
    return fail(err, line, "internal: unhandled key", NO_SPAN, "");
}

/* "A[name]B" and, when FIRST is not 0, "FIRST)" */
static int fail_section(struct config_error *err, unsigned line, const char *a,
                        struct text_span name, const char *b, unsigned first)
{
    struct text_out m = { .buf = err->message, .cap = sizeof err->message };
    err->line = line;
    err->message[0] = 0;
    text_out_str(&m, a);
    text_out_span(&m, name);
    text_out_str(&m, b);
    if (first) {
        text_out_dec(&m, first);
        text_out_str(&m, ")");
    }
    return -1;
}

/* "[name]" (a comment may follow): the section it opens */
static int parse_section(struct text_span s, unsigned line, const unsigned opened[SECTION_COUNT],
                         enum section *out, struct config_error *err)
{
    size_t close = 0;
    while (close < s.n && s.p[close] != ']')
        close++;
    struct text_span rest = trim((struct text_span){ s.p + close + 1, close < s.n ? s.n - close - 1 : 0 });
    if (close == s.n || (rest.n && rest.p[0] != '#'))
        return fail(err, line, "expected a section header '[name]', got ", s, "");
    struct text_span name = trim((struct text_span){ s.p + 1, close - 1 });
    for (int k = SECTION_PRIMARY; k < SECTION_COUNT; k++)
        if (span_is(name, section_names[k])) {
            if (opened[k])
                return fail_section(err, line, "section [", name, "] given twice (first on line ",
                                    opened[k]);
            *out = (enum section)k;
            return 0;
        }
    return fail_section(err, line, "unknown section [", name, "] (known: [primary], [mgmt])", 0);
}

int config_parse(const char *text, size_t len, struct onestone_config *out,
                 struct config_error *err)
{
    struct onestone_config c;
    unsigned seen[KEY_COUNT] = { 0 };          /* line of each key, 0 = not given */
    unsigned opened[SECTION_COUNT] = { 0 };    /* line of each section header */
    enum section section = SECTION_GLOBAL;
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
        if (s.p[0] == '[') {
            if (parse_section(s, line, opened, &section, err) != 0)
                return -1;
            opened[section] = line;
            if (section == SECTION_MGMT) {
                c.mgmt.present = true;
                c.mgmt.line = line;
                c.mgmt.checkpoint = MGMT_CHECKPOINT_DEFAULT;
                c.mgmt.port = 80;
            }
            continue;
        }

        size_t eq = 0;
        while (eq < s.n && s.p[eq] != '=')
            eq++;
        if (eq == s.n)
            return fail(err, line, "expected 'key = value', got ", s, "");
        struct text_span key = trim((struct text_span){ s.p, eq });
        struct text_span value = trim((struct text_span){ s.p + eq + 1, s.n - eq - 1 });

        int k;
        for (k = 0; k < KEY_COUNT; k++)
            if (span_is(key, key_names[k]) && (key_sections[k] & IN(section)))
                break;
        if (k == KEY_COUNT) {
            struct text_out m = { .buf = err->message, .cap = sizeof err->message };
            err->line = line;
            text_out_str(&m, "unknown key '");
            text_out_span(&m, key);
            text_out_str(&m, "'");
            if (section != SECTION_GLOBAL) {
                text_out_str(&m, " in [");
                text_out_str(&m, section_names[section]);
                text_out_str(&m, "]");
            }
            text_out_str(&m, " (known: ");
            text_out_str(&m, known_keys[section]);
            text_out_str(&m, ")");
            return -1;
        }
        if (seen[k]) {
            struct text_out m = { .buf = err->message, .cap = sizeof err->message };
            fail(err, line, "key ", key, " given twice (first on line ");
            m.len = text_len(err->message);
            text_out_dec(&m, seen[k]);
            text_out_str(&m, ")");
            return -1;
        }
        seen[k] = line;

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
    if (c.mgmt.present && check_mgmt(&c.mgmt, seen, err) != 0)
        return -1;
    *out = c;
    return 0;
}
