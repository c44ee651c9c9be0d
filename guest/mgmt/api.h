/* Runs in the management partition: the management API's routes (see
 * README "Management API"), as the HTTP server's handler. */
#ifndef MGMT_API_H
#define MGMT_API_H

#include "guest/mgmt/http_parse.h"

int api_handle(const struct http_request *req, struct jbuf *body, char *extra_headers,
               size_t extra_cap);
/* the PCI devices the partition sees, scanned once at boot */
void api_scan_devices(void);

#endif
