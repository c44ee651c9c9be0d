/* Runs in the management partition: see httpc.h. */
#include "guest/mgmt/httpc.h"
#include "guest/mgmt/bootargs.h"
#include "guest/mgmt/json.h"
#include "guest/mgmt/mgmt.h"
#include "lwip/tcp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    struct tcp_pcb *pcb;
    struct jbuf req;
    size_t req_off;
    char *resp;
    size_t resp_len;
    uint64_t started_ms;
    httpc_done_fn done;
    void *arg;
    int busy;
} c;

int httpc_busy(void)
{
    return c.busy;
}

int http_url_parse(const char *url, struct http_url *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (strncmp(url, "http://", 7) != 0) {
        snprintf(err, errlen, "URL '%s' does not start with http://", url);
        return -1;
    }
    const char *h = url + 7, *end = h + strcspn(h, ":/");
    if (mgmt_parse_ipv4(h, (size_t)(end - h), &out->ip)) {
        snprintf(err, errlen, "URL '%s': the host must be an IPv4 address (no DNS here)", url);
        return -1;
    }
    unsigned port = 80;
    if (*end == ':') {
        char *stop;
        unsigned long v = strtoul(end + 1, &stop, 10);
        if (stop == end + 1 || v < 1 || v > 65535 || (*stop && *stop != '/')) {
            snprintf(err, errlen, "URL '%s': bad port", url);
            return -1;
        }
        port = (unsigned)v;
        end = stop;
    }
    out->port = (uint16_t)port;
    snprintf(out->host, sizeof out->host, "%.*s:%u", (int)strcspn(h, ":/"), h, port);
    size_t blen = strlen(end);
    while (blen && end[blen - 1] == '/')
        blen--;
    if (blen >= sizeof out->base) {
        snprintf(err, errlen, "URL '%s': path too long", url);
        return -1;
    }
    memcpy(out->base, end, blen);
    return 0;
}

static void finish(int status, const char *body, size_t len, const char *err)
{
    httpc_done_fn done = c.done;
    void *arg = c.arg;
    char *resp = c.resp;
    if (c.pcb) {
        tcp_arg(c.pcb, NULL);
        tcp_recv(c.pcb, NULL);
        tcp_sent(c.pcb, NULL);
        tcp_err(c.pcb, NULL);
        if (tcp_close(c.pcb) != ERR_OK)
            tcp_abort(c.pcb);
    }
    jb_free(&c.req);
    memset(&c, 0, sizeof c);
    done(arg, status, body, len, err);
    free(resp);
}

static void parse_and_finish(void)
{
    const char *r = c.resp ? c.resp : "";
    size_t n = c.resp_len;
    int status = 0;
    if (n < 12 || memcmp(r, "HTTP/1.", 7) != 0 || sscanf(r + 9, "%3d", &status) != 1) {
        finish(-1, NULL, 0, "malformed response from the server");
        return;
    }
    const char *body = NULL;
    for (size_t i = 0; i + 3 < n; i++)
        if (!memcmp(r + i, "\r\n\r\n", 4)) {
            body = r + i + 4;
            break;
        }
    if (!body) {
        finish(-1, NULL, 0, "response without a header end");
        return;
    }
    finish(status, body, n - (size_t)(body - r), NULL);
}

static void send_more(void)
{
    while (c.req_off < c.req.len) {
        size_t room = tcp_sndbuf(c.pcb), n = c.req.len - c.req_off;
        if (!room)
            break;
        if (n > room)
            n = room;
        if (n > 0xFFFF)
            n = 0xFFFF;
        if (tcp_write(c.pcb, c.req.p + c.req_off, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
            break;
        c.req_off += n;
    }
    tcp_output(c.pcb);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg, (void)err;
    if (!p) {
        parse_and_finish();
        return ERR_OK;
    }
    if (c.resp_len + p->tot_len > HTTPC_MAX_RESPONSE) {
        pbuf_free(p);
        tcp_abort(pcb);
        c.pcb = NULL;
        finish(-1, NULL, 0, "response larger than 1 MiB");
        return ERR_ABRT;
    }
    char *grown = realloc(c.resp, c.resp_len + p->tot_len + 1);
    if (!grown) {
        pbuf_free(p);
        tcp_abort(pcb);
        c.pcb = NULL;
        finish(-1, NULL, 0, "out of memory for the response");
        return ERR_ABRT;
    }
    c.resp = grown;
    pbuf_copy_partial(p, c.resp + c.resp_len, p->tot_len, 0);
    c.resp_len += p->tot_len;
    c.resp[c.resp_len] = 0;
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)arg, (void)pcb, (void)len;
    send_more();
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    (void)arg;
    c.pcb = NULL;   /* already freed by lwIP */
    char msg[64];
    snprintf(msg, sizeof msg, "connection failed (lwIP error %d)", err);
    finish(-1, NULL, 0, msg);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg, (void)pcb, (void)err;
    send_more();
    return ERR_OK;
}

int httpc_request(const struct http_url *url, const char *method, const char *path,
                  const char *content_type, const char *extra_headers, const void *body,
                  size_t body_len, httpc_done_fn done, void *arg)
{
    if (c.busy)
        return -1;
    memset(&c, 0, sizeof c);
    jb_init(&c.req);
    jb_printf(&c.req,
              "%s %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: onestone-mgmt\r\n"
              "Connection: close\r\nContent-Length: %zu\r\n",
              method, url->base, path, url->host, body_len);
    if (content_type)
        jb_printf(&c.req, "Content-Type: %s\r\n", content_type);
    jb_printf(&c.req, "%s\r\n", extra_headers ? extra_headers : "");
    if (body_len) {
        size_t at = c.req.len;
        jb_printf(&c.req, "%*s", (int)body_len, "");
        if (!c.req.oom)
            memcpy(c.req.p + at, body, body_len);
    }
    c.done = done;
    c.arg = arg;
    c.busy = 1;
    c.started_ms = time_ms();
    if (c.req.oom) {
        finish(-1, NULL, 0, "out of memory for the request");
        return 0;
    }
    c.pcb = tcp_new();
    if (!c.pcb) {
        finish(-1, NULL, 0, "no TCP control block free");
        return 0;
    }
    tcp_recv(c.pcb, on_recv);
    tcp_sent(c.pcb, on_sent);
    tcp_err(c.pcb, on_err);
    ip_addr_t ip;
    ip_addr_set_ip4_u32(&ip, url->ip);
    if (tcp_connect(c.pcb, &ip, url->port, on_connected) != ERR_OK)
        finish(-1, NULL, 0, "tcp_connect failed");
    return 0;
}

void httpc_poll(void)
{
    if (c.busy && time_ms() - c.started_ms > HTTPC_TIMEOUT_MS) {
        if (c.pcb) {
            tcp_arg(c.pcb, NULL);
            tcp_recv(c.pcb, NULL);
            tcp_sent(c.pcb, NULL);
            tcp_err(c.pcb, NULL);
            tcp_abort(c.pcb);
            c.pcb = NULL;
        }
        finish(-1, NULL, 0, "no answer within 20 s");
    }
}
