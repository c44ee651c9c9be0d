/* Runs in the management partition: the few system calls newlib needs
 * (built with MISSING_SYSCALL_NAMES, so they have plain names) plus the
 * hooks lwIP's port asks for. There is no file system: stdout and stderr
 * go to the console, stdin is empty. */
#include "guest/mgmt/mgmt.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static uintptr_t heap_start, heap_brk, heap_limit;

void heap_init(uintptr_t start, uintptr_t limit)
{
    heap_start = heap_brk = (start + 15) & ~(uintptr_t)15;
    heap_limit = limit;
}

size_t heap_used(void)
{
    return heap_brk - heap_start;
}

size_t heap_limit_bytes(void)
{
    return heap_limit - heap_start;
}

void *sbrk(ptrdiff_t incr)
{
    if (incr < 0 ? heap_brk - heap_start < (uintptr_t)-incr
                 : heap_limit - heap_brk < (uintptr_t)incr) {
        errno = ENOMEM;
        return (void *)-1;
    }
    void *old = (void *)heap_brk;
    heap_brk += (uintptr_t)incr;
    return old;
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    console_write(buf, len);
    return (_READ_WRITE_RETURN_TYPE)len;
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
    (void)fd, (void)buf, (void)len;
    return 0;
}

int close(int fd)
{
    (void)fd;
    errno = EBADF;
    return -1;
}

int fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}

int isatty(int fd)
{
    return fd >= 0 && fd <= 2;
}

off_t lseek(int fd, off_t off, int whence)
{
    (void)fd, (void)off, (void)whence;
    errno = ESPIPE;
    return -1;
}

int kill(pid_t pid, int sig)
{
    (void)pid, (void)sig;
    errno = EINVAL;
    return -1;
}

pid_t getpid(void)
{
    return 1;
}

void _exit(int status)
{
    mgmt_halt("exit(%d) called: the partition stops", status);
}

/* lwIP port hooks (guest/mgmt/port/arch/cc.h) */
void mgmt_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

void mgmt_assert_fail(const char *msg, const char *file, int line)
{
    mgmt_halt("lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}

uint32_t mgmt_rand(void)
{
    static uint64_t x;
    if (!x)
        x = rdtsc() | 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return (uint32_t)(x >> 16);
}
