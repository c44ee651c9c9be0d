/* Shared (VMX root, host unit tests): human-readable decoding of exit
 * reasons, qualifications and VM-instruction errors for the log. */
#ifndef HV_EXIT_DECODE_H
#define HV_EXIT_DECODE_H

#include <stddef.h>
#include <stdint.h>

const char *exit_reason_name(uint32_t basic_reason);
const char *vm_instruction_error_name(uint32_t error);
/* Writes a decoding of the qualification for reasons that define one
 * (CR access, EPT violation, INIT/SIPI, I/O, ...) into buf. */
size_t exit_qualification_decode(uint32_t basic_reason, uint64_t qual,
                                 char *buf, size_t cap);

#endif
