/* libFuzzer target: the management API's JSON object parser
 * (guest/mgmt/json.c), and its string writer over the same bytes. */
#include "tests/fuzz/fuzz.h"
#include "guest/mgmt/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = (char *)fuzz_exact(data, size);
    static struct json_object o;
    char err[160];
    if (json_parse_object(text, size, &o, err, sizeof err) == 0)
        json_get(&o, "moves");
    struct jbuf b;
    jb_init(&b);
    jb_strn(&b, text, size);
    jb_free(&b);
    free(text);
    return 0;
}
