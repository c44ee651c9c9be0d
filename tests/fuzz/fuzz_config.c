/* libFuzzer target: onestone.conf (boot/config.c), then the GUID and
 * device readers it uses. */
#include "tests/fuzz/fuzz.h"
#include "onestone/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = (char *)fuzz_exact(data, size);
    struct onestone_config c;
    struct config_error err;
    config_parse(text, size, &c, &err);
    uint8_t guid[16];
    config_parse_guid(text, size, guid);
    struct device_ref d;
    config_parse_device(text, size, &d);
    config_token_file_ok(text, size);
    free(text);
    return 0;
}
