/* libFuzzer target: the management API's HTTP request parser
 * (guest/mgmt/http_parse.c) and its bearer check. */
#include "tests/fuzz/fuzz.h"
#include "guest/mgmt/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = (char *)fuzz_exact(data, size);
    struct http_request req;
    int status;
    char msg[160];
    if (http_parse(buf, size, &req, &status, msg, sizeof msg) == HTTP_COMPLETE)
        http_bearer_ok(&req, "t0ken");
    free(buf);
    return 0;
}
