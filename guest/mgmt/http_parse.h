/* Runs in the management partition and on the host (unit tests): parsing
 * of HTTP/1.x requests as they arrive, bounded in size, and formatting of
 * responses. No allocation; the request points into the caller's buffer. */
#ifndef MGMT_HTTP_PARSE_H
#define MGMT_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "guest/mgmt/json.h"

#define HTTP_MAX_HEADER  8192    /* request line + headers */
#define HTTP_MAX_BODY    16384
#define HTTP_MAX_PATH    256

struct http_request {
    char method[8];
    char path[HTTP_MAX_PATH];
    int minor;                   /* HTTP/1.minor */
    bool keep_alive;
    bool has_auth;
    char auth[160];              /* the Authorization header's value */
    const char *body;
    size_t body_len;
    size_t total_len;            /* bytes of the buffer this request used */
};

enum http_parse_result { HTTP_NEED_MORE = 0, HTTP_COMPLETE = 1, HTTP_BAD = -1 };

/* On HTTP_BAD, *status is the status to answer with (400, 413, 501, 505)
 * and msg says what is wrong; the connection is closed after answering. */
enum http_parse_result http_parse(const char *buf, size_t len, struct http_request *req,
                                  int *status, char *msg, size_t msglen);

/* Whether the request carries "Authorization: Bearer <token>" with exactly
 * this token. The comparison takes the same time wherever the first
 * difference is (it depends only on the presented length). */
bool http_bearer_ok(const struct http_request *req, const char *token);

const char *http_reason(int status);
/* Status line, headers (extra: "" or lines ending in \r\n), JSON body. */
void http_format_response(struct jbuf *out, int status, const char *extra_headers,
                          const char *body, size_t body_len, bool keep_alive);

#endif
