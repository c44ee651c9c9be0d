/* guest/mgmt/http_parse.c, json.c and bootargs.c: what the management
 * partition makes of bytes from the network and of its boot command line.
 * Malformed input must give the right status and a message, never a crash
 * or an out-of-bounds read (run under ASan/UBSan; a fuzz loop at the end). */
#include <stdlib.h>
#include "guest/mgmt/bootargs.h"
#include "guest/mgmt/http_parse.h"
#include "guest/mgmt/json.h"
#include "unit.h"

static enum http_parse_result parse(const char *text, struct http_request *r, int *status,
                                    char *msg)
{
    /* copy to an exact-size heap block so ASan catches any over-read */
    size_t n = strlen(text);
    char *buf = malloc(n ? n : 1);
    memcpy(buf, text, n);
    *status = 0;
    msg[0] = 0;
    enum http_parse_result res = http_parse(buf, n, r, status, msg, 128);
    if (res == HTTP_COMPLETE && r->body) {
        /* re-point the body into the caller-visible text */
        r->body = text + (r->body - buf);
    }
    free(buf);
    return res;
}

static void expect_bad(const char *text, int status, const char *why, int line)
{
    struct http_request r;
    int st;
    char msg[128];
    enum http_parse_result res = parse(text, &r, &st, msg);
    if (!CHECK_EQ_U64(res, (uint64_t)HTTP_BAD) || !CHECK_EQ_U64(st, status) ||
        !CHECK_CONTAINS(msg, why))
        printf("  (case at line %d)\n", line);
}
#define EXPECT_BAD(t, s, w) expect_bad((t), (s), (w), __LINE__)

static void test_requests(void)
{
    struct http_request r;
    int st;
    char msg[128];
    CHECK_EQ_U64(parse("GET /status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\r\n\r\n",
                       &r, &st, msg),
                 HTTP_COMPLETE);
    CHECK_STREQ(r.method, "GET");
    CHECK_STREQ(r.path, "/status");
    CHECK(r.keep_alive);
    CHECK(r.has_auth);
    CHECK(http_bearer_ok(&r, "abc"));
    CHECK(!http_bearer_ok(&r, "abd"));
    CHECK(!http_bearer_ok(&r, "ab"));
    CHECK(!http_bearer_ok(&r, "abcd"));
    CHECK(!http_bearer_ok(&r, ""));

    const char *post = "POST /jobs HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n"
                       "Connection: close\r\n\r\nhello" "GET / HTTP/1.1\r\n";
    CHECK_EQ_U64(parse(post, &r, &st, msg), HTTP_COMPLETE);
    CHECK(!r.keep_alive);
    CHECK_EQ_U64(r.body_len, 5);
    CHECK(r.body && memcmp(r.body, "hello", 5) == 0);
    CHECK_EQ_U64(r.total_len, strlen(post) - strlen("GET / HTTP/1.1\r\n"));
    CHECK(!http_bearer_ok(&r, "abc"));

    CHECK_EQ_U64(parse("GET /status HTTP/1.0\r\n\r\n", &r, &st, msg), HTTP_COMPLETE);
    CHECK(!r.keep_alive);
    CHECK_EQ_U64(parse("GET /status HTTP/1.1\r\nHost: x\r\n", &r, &st, msg), HTTP_NEED_MORE);
    CHECK_EQ_U64(parse("POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", &r, &st,
                       msg),
                 HTTP_NEED_MORE);
    CHECK_EQ_U64(parse("", &r, &st, msg), HTTP_NEED_MORE);

    EXPECT_BAD("GARBAGE\r\n\r\n", 400, "request line");
    EXPECT_BAD("GET /\r\n\r\n", 400, "request line");
    EXPECT_BAD("get / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "method");
    EXPECT_BAD("GET status HTTP/1.1\r\nHost: x\r\n\r\n", 400, "'/'");
    EXPECT_BAD("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HTTP/1.0");
    EXPECT_BAD("GET / FTP/1.1\r\nHost: x\r\n\r\n", 400, "version");
    EXPECT_BAD("GET / HTTP/1.1\r\n\r\n", 400, "Host");
    EXPECT_BAD("GET / HTTP/1.1\r\nHost x\r\n\r\n", 400, "':'");
    EXPECT_BAD("GET / HTTP/1.1\r\nHo st: x\r\n\r\n", 400, "whitespace");
    EXPECT_BAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "number");
    EXPECT_BAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
               400, "conflicting");
    EXPECT_BAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 16385\r\n\r\n", 413, "16384");
    EXPECT_BAD("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", 413, "16384");
    EXPECT_BAD("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 501,
               "Content-Length");
    {
        char big[9000];
        memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
        memset(big + 19, 'a', sizeof big - 20);
        big[sizeof big - 1] = 0;
        EXPECT_BAD(big, 413, "8192");
        char path[400] = "GET /";
        memset(path + 5, 'a', 300);
        strcpy(path + 305, " HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_BAD(path, 400, "255");
    }
    {
        /* a NUL byte inside an unfinished header */
        char nul[] = "GET / HT\0TP/1.1";
        int s2 = 0;
        char m2[128];
        CHECK_EQ_U64(http_parse(nul, sizeof nul - 1, &r, &s2, m2, sizeof m2), HTTP_BAD);
        CHECK_EQ_U64(s2, 400);
    }
}

static void test_response(void)
{
    struct jbuf b;
    jb_init(&b);
    http_format_response(&b, 404, "Allow: GET\r\n", "{}", 2, true);
    CHECK_CONTAINS(b.p, "HTTP/1.1 404 Not Found\r\n");
    CHECK_CONTAINS(b.p, "Content-Length: 2\r\n");
    CHECK_CONTAINS(b.p, "Allow: GET\r\n\r\n{}");
    CHECK_CONTAINS(b.p, "Connection: keep-alive");
    jb_free(&b);
    jb_str(&b, "a\"b\\c\n\x01");
    CHECK_STREQ(b.p, "\"a\\\"b\\\\c\\u000a\\u0001\"");
    jb_free(&b);
}

static void expect_json_bad(const char *text, const char *why, int line)
{
    struct json_object o;
    char err[160];
    size_t n = strlen(text);
    char *buf = malloc(n ? n : 1);
    memcpy(buf, text, n);
    int rc = json_parse_object(buf, n, &o, err, sizeof err);
    free(buf);
    if (!CHECK_EQ_U64(rc, (uint64_t)-1) || !CHECK_CONTAINS(err, why))
        printf("  (case at line %d)\n", line);
}
#define EXPECT_JSON_BAD(t, w) expect_json_bad((t), (w), __LINE__)

static void test_json(void)
{
    struct json_object o;
    char err[160];
    const char *t = " {\"sequence\": \"HPPH\", \"seed\": 42, \"moves\": 1e3, \"x\": true, "
                    "\"y\": null, \"z\": \"a\\u0041\\n\"} ";
    CHECK_EQ_U64(json_parse_object(t, strlen(t), &o, err, sizeof err), 0);
    CHECK_EQ_U64(o.count, 6);
    const struct json_field *f = json_get(&o, "sequence");
    CHECK(f && f->type == JSON_STRING && strcmp(f->str, "HPPH") == 0);
    f = json_get(&o, "seed");
    CHECK(f && f->type == JSON_NUMBER && f->is_integer && f->integer == 42);
    f = json_get(&o, "moves");
    CHECK(f && f->type == JSON_NUMBER && !f->is_integer && f->num == 1000.0);
    f = json_get(&o, "z");
    CHECK(f && strcmp(f->str, "aA\n") == 0);
    CHECK(json_get(&o, "nope") == NULL);
    CHECK_EQ_U64(json_parse_object("{}", 2, &o, err, sizeof err), 0);

    EXPECT_JSON_BAD("", "expected '{'");
    EXPECT_JSON_BAD("[1]", "expected '{'");
    EXPECT_JSON_BAD("{", "expected a string");
    EXPECT_JSON_BAD("{\"a\"", "':'");
    EXPECT_JSON_BAD("{\"a\":", "value");
    EXPECT_JSON_BAD("{\"a\":1", "','");
    EXPECT_JSON_BAD("{\"a\":1,}", "string");
    EXPECT_JSON_BAD("{\"a\":1}x", "trailing");
    EXPECT_JSON_BAD("{\"a\":01}", "leading zero");
    EXPECT_JSON_BAD("{\"a\":-}", "digit");
    EXPECT_JSON_BAD("{\"a\":1.}", "digit");
    EXPECT_JSON_BAD("{\"a\":1e}", "exponent");
    EXPECT_JSON_BAD("{\"a\":tru}", "value");
    EXPECT_JSON_BAD("{\"a\":{}}", "nested");
    EXPECT_JSON_BAD("{\"a\":[1]}", "nested");
    EXPECT_JSON_BAD("{\"a\":1,\"a\":2}", "duplicate");
    EXPECT_JSON_BAD("{\"a\":\"x", "unterminated");
    EXPECT_JSON_BAD("{\"a\":\"\\q\"}", "escape");
    EXPECT_JSON_BAD("{\"a\":\"\\u00\"}", "\\u");
    EXPECT_JSON_BAD("{\"a\":\"\\u00e9\"}", "ASCII");
    EXPECT_JSON_BAD("{\"a\":\"\x01\"}", "control");
    EXPECT_JSON_BAD("{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}", "too long");
    {
        char many[400] = "{";
        for (int i = 0; i < 17; i++)
            sprintf(many + strlen(many), "%s\"k%d\":1", i ? "," : "", i);
        strcat(many, "}");
        EXPECT_JSON_BAD(many, "too many");
        char longstr[700] = "{\"a\":\"";
        memset(longstr + 6, 'x', 600);
        strcpy(longstr + 606, "\"}");
        EXPECT_JSON_BAD(longstr, "too long");
    }
}

static void test_bootargs(void)
{
    struct mgmt_boot_params p;
    char err[200];
    CHECK_EQ_U64(mgmt_parse_args("build/mgmt.elf token=s3cret", &p, err, sizeof err), 0);
    CHECK_STREQ(p.api_token, "s3cret");
    CHECK_EQ_U64(p.net_mode, MGMT_NET_DHCP);
    CHECK_EQ_U64(p.api_port, 80);
    CHECK_EQ_U64(p.ckpt_base, 32u << 20);
    CHECK_EQ_U64(p.nic_bus, MGMT_NIC_ANY);
    CHECK_EQ_U64(p.magic, MGMT_BOOT_MAGIC);
    CHECK_EQ_U64(mgmt_parse_args("token=t ip=10.0.2.15/24 gw=10.0.2.2 port=8080 "
                                 "project=http://10.0.2.2:9000/p ckpt=0x4000000:0x100000 nic=0:3.0",
                                 &p, err, sizeof err),
                 0);
    CHECK_EQ_U64(p.net_mode, MGMT_NET_STATIC);
    const uint8_t *ip = (const uint8_t *)&p.ipv4_addr, *nm = (const uint8_t *)&p.ipv4_netmask;
    CHECK(ip[0] == 10 && ip[1] == 0 && ip[2] == 2 && ip[3] == 15);
    CHECK(nm[0] == 255 && nm[1] == 255 && nm[2] == 255 && nm[3] == 0);
    CHECK_EQ_U64(p.api_port, 8080);
    CHECK_STREQ(p.project_url, "http://10.0.2.2:9000/p");
    CHECK_EQ_U64(p.ckpt_base, 0x4000000);
    CHECK_EQ_U64(p.ckpt_size, 0x100000);
    CHECK(p.nic_bus == 0 && p.nic_dev == 3 && p.nic_fn == 0);
    /* bus:dev.fn is hex, as lspci prints it */
    CHECK_EQ_U64(mgmt_parse_args("token=t nic=0a:1f.2", &p, err, sizeof err), 0);
    CHECK(p.nic_bus == 10 && p.nic_dev == 31 && p.nic_fn == 2);

    static const struct { const char *line, *why; } bad[] = {
        {"", "'token=' is missing"},
        {"mgmt.elf dhcp", "'token=' is missing"},
        {"token=", "1-63 printable"},
        {"token=a colour=red", "'colour=red': unknown key"},
        {"token=a ip=10.0.2.300/24", "'ip=10.0.2.300/24'"},
        {"token=a ip=10.0.2.3", "ip=A.B.C.D/NN"},
        {"token=a ip=10.0.2.3/31", "NN 1-30"},
        {"token=a gw=1.2.3", "gw=A.B.C.D"},
        {"token=a port=0", "1-65535"},
        {"token=a port=70000", "1-65535"},
        {"token=a project=ftp://x", "http://"},
        {"token=a ckpt=0x1000", "ckpt=ADDR:SIZE"},
        {"token=a ckpt=0x1001:0x10000", "aligned"},
        {"token=a ckpt=0x1000:0x1000", "64 KiB"},
        {"token=a nic=0:32.0", "nic=BUS:DEV.FN"},
        {"token=a nic=0:1g.0", "in hex"},
        {"token=a nic=0:1f.8", "nic=BUS:DEV.FN"},
        {"token=a stray", "'stray': expected key=value"},
        {"token=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1-63"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        if (!CHECK_EQ_U64(mgmt_parse_args(bad[i].line, &p, err, sizeof err), (uint64_t)-1) ||
            !CHECK_CONTAINS(err, bad[i].why))
            printf("  (command line \"%s\")\n", bad[i].line);
    }
}

static void fuzz(void)
{
    static const char *seeds[] = {
        "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nAuthorization: Bearer t\r\n\r\n"
        "{\"seed\": 1}",
        "{\"sequence\":\"HPHP\",\"seed\":-1,\"moves\":1.5e9,\"b\":false}",
        "token=x ip=1.2.3.4/8 gw=1.2.3.1 ckpt=0x2000000:0x200000 nic=1:2.3 project=http://1.2.3.4/",
    };
    srand(1);
    for (int iter = 0; iter < 30000; iter++) {
        const char *s = seeds[iter % 3];
        size_t n = strlen(s);
        char *buf = malloc(n + 1);
        memcpy(buf, s, n + 1);
        int edits = 1 + rand() % 4;
        for (int e = 0; e < edits; e++)
            buf[rand() % n] = (char)(rand() % 256);
        size_t len = (size_t)rand() % (n + 1);
        char *exact = malloc(len ? len : 1);
        memcpy(exact, buf, len);
        struct http_request r;
        struct json_object o;
        struct mgmt_boot_params p;
        int st;
        char msg[160];
        (void)http_parse(exact, len, &r, &st, msg, sizeof msg);
        (void)json_parse_object(exact, len, &o, msg, sizeof msg);
        buf[len] = 0;
        (void)mgmt_parse_args(buf, &p, msg, sizeof msg);
        free(exact);
        free(buf);
    }
    CHECK(1);   /* reaching here under ASan/UBSan is the check */
}

int main(int argc, char **argv)
{
    (void)argc;
    test_requests();
    test_response();
    test_json();
    test_bootargs();
    fuzz();
    return unit_finish(argv[0]);
}
