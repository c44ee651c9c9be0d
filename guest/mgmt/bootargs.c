/* Runs in the management partition (multiboot shim, before anything else)
 * and on the host (unit tests): see bootargs.h. */
#include "guest/mgmt/bootargs.h"
#include "onestone/text_number.h"
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *word, size_t len, const char *why)
{
    snprintf(err, errlen, "boot parameter '%.*s': %s", (int)len, word, why);
    return -1;
}

/* decimal or 0x-hex; 0 on success */
static int parse_u64(const char *s, size_t len, uint64_t *out)
{
    return text_to_u64(s, len, 0, UINT64_MAX, out) ? 0 : -1;
}

/* plain hex, as PCI addresses are written (00:1f.2) */
static int parse_hex(const char *s, size_t len, uint64_t *out)
{
    return text_to_u64(s, len, 16, UINT64_MAX, out) ? 0 : -1;
}

int mgmt_parse_ipv4(const char *s, size_t len, uint32_t *out)
{
    uint8_t b[4];
    if (!text_to_ipv4(s, len, b))
        return -1;
    memcpy(out, b, 4);   /* bytes in address order: network byte order */
    return 0;
}

static int copy_text(char *dst, size_t cap, const char *v, size_t vlen)
{
    if (vlen == 0 || vlen >= cap)
        return -1;
    for (size_t i = 0; i < vlen; i++)
        if (v[i] < 0x21 || v[i] > 0x7e)
            return -1;
    memcpy(dst, v, vlen);
    dst[vlen] = 0;
    return 0;
}

static int apply(struct mgmt_boot_params *p, const char *w, size_t len, char *err,
                 size_t errlen)
{
    const char *eq = memchr(w, '=', len);
    size_t klen = eq ? (size_t)(eq - w) : len;
    const char *v = eq ? eq + 1 : w + len;
    size_t vlen = eq ? len - klen - 1 : 0;
#define KEY(name) (klen == sizeof(name) - 1 && memcmp(w, name, klen) == 0)
    if (KEY("dhcp") && !eq) {
        p->net_mode = MGMT_NET_DHCP;
        return 0;
    }
    if (!eq)
        return fail(err, errlen, w, len, "expected key=value");
    if (KEY("token")) {
        if (copy_text(p->api_token, sizeof p->api_token, v, vlen))
            return fail(err, errlen, w, len, "token must be 1-63 printable characters without spaces");
        return 0;
    }
    if (KEY("ip")) {
        const char *slash = memchr(v, '/', vlen);
        uint64_t bits;
        if (!slash || mgmt_parse_ipv4(v, (size_t)(slash - v), &p->ipv4_addr) ||
            parse_u64(slash + 1, vlen - (size_t)(slash - v) - 1, &bits) || bits < 1 || bits > 30)
            return fail(err, errlen, w, len, "expected ip=A.B.C.D/NN with NN 1-30");
        uint32_t mask = bits ? ~0u << (32 - bits) : 0;
        uint8_t m[4] = {(uint8_t)(mask >> 24), (uint8_t)(mask >> 16), (uint8_t)(mask >> 8), (uint8_t)mask};
        memcpy(&p->ipv4_netmask, m, 4);
        p->net_mode = MGMT_NET_STATIC;
        return 0;
    }
    if (KEY("gw")) {
        if (mgmt_parse_ipv4(v, vlen, &p->ipv4_gateway))
            return fail(err, errlen, w, len, "expected gw=A.B.C.D");
        return 0;
    }
    if (KEY("port")) {
        uint64_t port;
        if (parse_u64(v, vlen, &port) || port < 1 || port > 65535)
            return fail(err, errlen, w, len, "expected a TCP port 1-65535");
        p->api_port = (uint16_t)port;
        return 0;
    }
    if (KEY("project")) {
        if (vlen < 8 || memcmp(v, "http://", 7) != 0 ||
            copy_text(p->project_url, sizeof p->project_url, v, vlen))
            return fail(err, errlen, w, len, "expected project=http://A.B.C.D[:PORT][/PATH] (under 128 characters)");
        return 0;
    }
    if (KEY("ckpt")) {
        const char *colon = memchr(v, ':', vlen);
        uint64_t base, size;
        if (!colon || parse_u64(v, (size_t)(colon - v), &base) ||
            parse_u64(colon + 1, vlen - (size_t)(colon - v) - 1, &size) || (base & 0xFFF) ||
            size < 0x10000 || (size & 0xFFF) || base + size < base)
            return fail(err, errlen, w, len, "expected ckpt=ADDR:SIZE, 4 KiB aligned, size >= 64 KiB");
        p->ckpt_base = base;
        p->ckpt_size = size;
        return 0;
    }
    if (KEY("nic")) {
        uint64_t bus, dev, fn;
        const char *c = memchr(v, ':', vlen), *d = memchr(v, '.', vlen);
        if (!c || !d || d < c || parse_hex(v, (size_t)(c - v), &bus) ||
            parse_hex(c + 1, (size_t)(d - c - 1), &dev) ||
            parse_hex(d + 1, vlen - (size_t)(d - v) - 1, &fn) || bus > 254 || dev > 31 || fn > 7)
            return fail(err, errlen, w, len, "expected nic=BUS:DEV.FN in hex, as lspci prints it (00:02.0)");
        p->nic_bus = (uint8_t)bus;
        p->nic_dev = (uint8_t)dev;
        p->nic_fn = (uint8_t)fn;
        return 0;
    }
#undef KEY
    return fail(err, errlen, w, len, "unknown key (known: token ip gw dhcp port project ckpt nic)");
}

int mgmt_parse_args(const char *cmdline, struct mgmt_boot_params *p, char *err,
                    size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->magic = MGMT_BOOT_MAGIC;
    p->version = MGMT_BOOT_VERSION;
    p->host = MGMT_HOST_STANDALONE;
    p->ckpt_base = MGMT_DEFAULT_CKPT_BASE;
    p->ckpt_size = MGMT_DEFAULT_CKPT_SIZE;
    p->api_port = MGMT_DEFAULT_API_PORT;
    p->net_mode = MGMT_NET_DHCP;
    p->nic_bus = MGMT_NIC_ANY;

    const char *s = cmdline ? cmdline : "";
    int first = 1;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *w = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        size_t len = (size_t)(s - w);
        if (first && !memchr(w, '=', len) && !(len == 4 && memcmp(w, "dhcp", 4) == 0)) {
            first = 0;   /* the loader's file name */
            continue;
        }
        first = 0;
        if (apply(p, w, len, err, errlen))
            return -1;
    }
    if (!p->api_token[0]) {
        snprintf(err, errlen, "boot parameter 'token=' is missing: the API needs a bearer token");
        return -1;
    }
    return 0;
}
