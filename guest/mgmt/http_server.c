/* Runs in the management partition: see http_server.h. Each connection
 * has a bounded input buffer; a request is answered when complete, errors
 * close the connection after the answer, and idle or half-sent requests
 * are timed out from lwIP's poll callback, so no client can hold the
 * server. Several connections are served at once, interleaved. */
#include "guest/mgmt/http_server.h"
#include "guest/mgmt/mgmt.h"
#include "lwip/tcp.h"
#include <stdlib.h>
#include <string.h>

#define MAX_CONNS        12
#define IN_CAP           (HTTP_MAX_HEADER + 4 + HTTP_MAX_BODY)
#define PARTIAL_TIMEOUT_MS 10000u   /* a started request must complete in 10 s */
#define IDLE_TIMEOUT_MS  60000u     /* keep-alive connections idle for 60 s */
#define POLL_INTERVAL    2          /* lwIP poll units of 500 ms */

struct conn {
    struct tcp_pcb *pcb;
    char *in;
    size_t in_len;
    struct jbuf out;
    size_t out_off;
    bool close_after;
    uint64_t last_ms;
};

static struct conn conns[MAX_CONNS];
static http_handler_fn handler;
static uint64_t served;

uint64_t http_requests_served(void)
{
    return served;
}

unsigned http_open_connections(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_CONNS; i++)
        n += conns[i].pcb != NULL;
    return n;
}

static void conn_free(struct conn *c)
{
    free(c->in);
    jb_free(&c->out);
    memset(c, 0, sizeof *c);
}

/* Closes gracefully; aborts when lwIP has no memory for the FIN.
 * Returns ERR_ABRT when the pcb was aborted (callbacks must pass it on). */
static err_t conn_close(struct conn *c)
{
    struct tcp_pcb *pcb = c->pcb;
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
    conn_free(c);
    if (tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    return ERR_OK;
}

static err_t send_some(struct conn *c)
{
    while (c->out_off < c->out.len) {
        size_t room = tcp_sndbuf(c->pcb);
        if (room == 0)
            break;
        size_t n = c->out.len - c->out_off;
        if (n > room)
            n = room;
        if (n > 0xFFFF)
            n = 0xFFFF;
        err_t e = tcp_write(c->pcb, c->out.p + c->out_off, (u16_t)n, TCP_WRITE_FLAG_COPY);
        if (e == ERR_MEM)
            break;
        if (e != ERR_OK)
            return conn_close(c);
        c->out_off += n;
    }
    tcp_output(c->pcb);
    if (c->out_off == c->out.len) {
        jb_free(&c->out);
        c->out_off = 0;
        if (c->close_after)
            return conn_close(c);
    }
    return ERR_OK;
}

static void respond(struct conn *c, int status, const char *extra, struct jbuf *body,
                    bool keep_alive)
{
    http_format_response(&c->out, status, extra, body->p ? body->p : "", body->len, keep_alive);
    if (c->out.oom) {
        /* nothing sensible can be sent: drop the connection */
        c->close_after = true;
        jb_free(&c->out);
    }
    if (!keep_alive)
        c->close_after = true;
    served++;
}

static void respond_error(struct conn *c, int status, const char *message)
{
    struct jbuf body;
    jb_init(&body);
    jb_printf(&body, "{\"error\":");
    jb_str(&body, message);
    jb_printf(&body, ",\"status\":%d}\n", status);
    respond(c, status, "", &body, false);
    jb_free(&body);
}

static err_t process(struct conn *c)
{
    while (c->in_len && !c->close_after) {
        struct http_request req;
        int status = 0;
        char msg[128];
        enum http_parse_result r = http_parse(c->in, c->in_len, &req, &status, msg, sizeof msg);
        if (r == HTTP_NEED_MORE)
            break;
        if (r == HTTP_BAD) {
            respond_error(c, status, msg);
            c->in_len = 0;
            break;
        }
        struct jbuf body;
        char extra[256] = "";
        jb_init(&body);
        int code = handler(&req, &body, extra, sizeof extra);
        if (body.oom) {
            jb_free(&body);
            respond_error(c, 500, "out of memory building the response");
        } else {
            respond(c, code, extra, &body, req.keep_alive);
            jb_free(&body);
        }
        memmove(c->in, c->in + req.total_len, c->in_len - req.total_len);
        c->in_len -= req.total_len;
    }
    return send_some(c);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct conn *c = arg;
    if (!c) {
        if (p)
            pbuf_free(p);
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    if (!p || err != ERR_OK) {
        if (p)
            pbuf_free(p);
        if (c->out_off < c->out.len) {
            c->close_after = true;   /* finish the answer, then close */
            return ERR_OK;
        }
        return conn_close(c);
    }
    c->last_ms = time_ms();
    size_t take = p->tot_len;
    tcp_recved(pcb, p->tot_len);
    if (c->close_after) {
        pbuf_free(p);   /* an error was answered: ignore what follows */
        return ERR_OK;
    }
    if (take > IN_CAP - c->in_len) {
        pbuf_free(p);
        c->in_len = 0;
        respond_error(c, 413, "request larger than 24580 bytes in total");
        return send_some(c);
    }
    pbuf_copy_partial(p, c->in + c->in_len, (u16_t)take, 0);
    c->in_len += take;
    pbuf_free(p);
    return process(c);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb, (void)len;
    struct conn *c = arg;
    if (!c)
        return ERR_OK;
    c->last_ms = time_ms();
    return send_some(c);
}

static void on_err(void *arg, err_t err)
{
    (void)err;
    struct conn *c = arg;
    if (c)
        conn_free(c);   /* lwIP has already freed the pcb */
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
    struct conn *c = arg;
    if (!c) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    uint64_t idle = time_ms() - c->last_ms;
    if (c->out_off < c->out.len)
        return send_some(c);
    if (c->in_len && idle > PARTIAL_TIMEOUT_MS) {
        c->in_len = 0;
        respond_error(c, 408, "request not completed within 10 s");
        return send_some(c);
    }
    if (idle > IDLE_TIMEOUT_MS)
        return conn_close(c);
    return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    struct conn *c = NULL;
    for (unsigned i = 0; i < MAX_CONNS && !c; i++)
        if (!conns[i].pcb)
            c = &conns[i];
    char *in = c ? malloc(IN_CAP) : NULL;
    if (!c || !in) {
        free(in);
        tcp_abort(pcb);   /* full: the client sees a reset and may retry */
        return ERR_ABRT;
    }
    memset(c, 0, sizeof *c);
    c->pcb = pcb;
    c->in = in;
    c->last_ms = time_ms();
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
    tcp_poll(pcb, on_poll, POLL_INTERVAL);
    tcp_setprio(pcb, TCP_PRIO_NORMAL);
    return ERR_OK;
}

int http_server_start(uint16_t port, http_handler_fn fn)
{
    handler = fn;
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb)
        return -1;
    if (tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) {
        tcp_close(pcb);
        return -1;
    }
    struct tcp_pcb *listen = tcp_listen_with_backlog(pcb, 8);
    if (!listen) {
        tcp_close(pcb);
        return -1;
    }
    tcp_accept(listen, on_accept);
    return 0;
}
