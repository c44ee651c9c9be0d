/* Runs as a guest (the EFI test guest): see hostile.c. */
#ifndef GUEST_TESTGUEST_HOSTILE_H
#define GUEST_TESTGUEST_HOSTILE_H

#include <stdint.h>

void check_hostile(uint64_t protected_base, uint64_t protected_pages);

#endif
