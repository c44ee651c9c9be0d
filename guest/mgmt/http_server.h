/* Runs in the management partition: the management API's HTTP/1.1 server
 * on lwIP's raw TCP API (NO_SYS: everything runs from the main loop). */
#ifndef MGMT_HTTP_SERVER_H
#define MGMT_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include "guest/mgmt/http_parse.h"

/* The application: fills body (JSON) and extra headers, returns the status. */
typedef int (*http_handler_fn)(const struct http_request *req, struct jbuf *body,
                               char *extra_headers, size_t extra_cap);

int http_server_start(uint16_t port, http_handler_fn handler);
/* requests served and connections accepted since start */
uint64_t http_requests_served(void);
unsigned http_open_connections(void);

#endif
