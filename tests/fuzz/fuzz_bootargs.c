/* libFuzzer target: the management partition's boot arguments
 * (guest/mgmt/bootargs.c). */
#include "tests/fuzz/fuzz.h"
#include "guest/mgmt/bootargs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *cmdline = fuzz_string(data, size);
    struct mgmt_boot_params p;
    memset(&p, 0, sizeof p);
    char err[160];
    mgmt_parse_args(cmdline, &p, err, sizeof err);
    uint32_t ip;
    mgmt_parse_ipv4(cmdline, size, &ip);
    free(cmdline);
    return 0;
}
