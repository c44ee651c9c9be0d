/* Runs as a guest (UEFI boot services, primary partition): what the
 * primary must see of a management partition beside it (partition.c). */
#ifndef GUEST_TESTGUEST_PARTITION_H
#define GUEST_TESTGUEST_PARTITION_H

#include <efi.h>

/* `cpus` processors in MP services, `enabled` of them enabled */
void check_partition_view(UINTN cpus, UINTN enabled);
/* Prints "testguest: progress N" about every second, forever. */
void partition_hold(void) __attribute__((noreturn));

#endif
