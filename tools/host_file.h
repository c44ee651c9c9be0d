/* Runs on the host (onestone-conf): see host_file.c. */
#ifndef TOOLS_HOST_FILE_H
#define TOOLS_HOST_FILE_H

#include <stddef.h>

/* FILE's contents (at most MAX bytes, NUL-terminated) in a fresh buffer
 * (free it), or NULL with *why: "cannot be opened", "is too large", "out
 * of memory" */
char *host_file_read(const char *path, size_t max, size_t *len, const char **why);

#endif
