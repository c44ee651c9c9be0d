/* Runs on the host (onestone-conf): reading a whole file, bounded. */
#include <stdio.h>
#include <stdlib.h>
#include "tools/host_file.h"

/* FILE's contents (at most MAX bytes) in a fresh buffer, or NULL with *why */
char *host_file_read(const char *path, size_t max, size_t *len, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = "cannot be opened";
        return NULL;
    }
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        free(buf);
        *why = buf ? "is too large" : "out of memory";
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

