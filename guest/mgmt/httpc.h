/* Runs in the management partition: a small HTTP/1.1 client on lwIP's raw
 * TCP API, for the work-unit client. One request at a time, answered with
 * Connection: close; the callback runs from the main loop. */
#ifndef MGMT_HTTPC_H
#define MGMT_HTTPC_H

#include <stddef.h>
#include <stdint.h>

#define HTTPC_MAX_RESPONSE (1u << 20)
#define HTTPC_TIMEOUT_MS   20000u

struct http_url {
    uint32_t ip;                    /* network byte order */
    uint16_t port;
    char host[32];                  /* "A.B.C.D:PORT" for the Host header */
    char base[96];                  /* path prefix without a trailing '/' */
};
/* "http://A.B.C.D[:PORT][/PATH]"; 0, or -1 with err. */
int http_url_parse(const char *url, struct http_url *out, char *err, size_t errlen);

/* status > 0: the response's status and body; status < 0: err says why. */
typedef void (*httpc_done_fn)(void *arg, int status, const char *body, size_t len,
                              const char *err);
/* Starts a request to url->base + path; 0, or -1 if one is in flight. */
int httpc_request(const struct http_url *url, const char *method, const char *path,
                  const char *content_type, const char *extra_headers, const void *body,
                  size_t body_len, httpc_done_fn done, void *arg);
/* Times out a stuck request; call from the main loop. */
void httpc_poll(void);
int httpc_busy(void);

#endif
