/* Runs in the management partition (64-bit CPL0 unikernel, newlib libc):
 * lwIP's compiler/platform port, included by lwip/arch.h. */
#ifndef MGMT_PORT_ARCH_CC_H
#define MGMT_PORT_ARCH_CC_H

#include <stdint.h>
#include <stdlib.h>
/* newlib's sys/types.h gives ssize_t and, through machine/endian.h,
 * BYTE_ORDER / LITTLE_ENDIAN / BIG_ENDIAN: do not define BYTE_ORDER here. */
#include <sys/types.h>

/* newlib's limits.h has no SSIZE_MAX; without it lwip/arch.h would
 * typedef ssize_t as int, clashing with newlib's (long on x86_64). ssize_t
 * is size_t made signed, i.e. as wide as ptrdiff_t. */
#ifndef SSIZE_MAX
#define SSIZE_MAX __PTRDIFF_MAX__
#endif

/* lwIP's errno values: newlib's <errno.h> (used by the socket API only,
 * which we do not build). */
#define LWIP_ERRNO_STDINCLUDE 1

/* Provided by the partition (guest/mgmt/syscalls.c). */
void mgmt_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mgmt_assert_fail(const char *msg, const char *file, int line) __attribute__((noreturn));
uint32_t mgmt_rand(void);

/* LWIP_PLATFORM_DIAG's argument is a parenthesised printf argument list. */
#define LWIP_PLATFORM_DIAG(x) do { mgmt_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { mgmt_assert_fail((x), __FILE__, __LINE__); } while (0)

/* DHCP transaction ids and the first local TCP/UDP ports (lwipopts.h:
 * LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS). */
#define LWIP_RAND() ((u32_t)mgmt_rand())

#endif
