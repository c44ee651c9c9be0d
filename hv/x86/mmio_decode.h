/* Shared (VMX root, host unit tests): decodes the store instruction that
 * caused a write fault on an emulated MMIO page (the local APIC page).
 * Only the forms compilers emit for 8/16/32/64-bit MMIO writes are
 * accepted: MOV r/m,reg (88/89) and MOV r/m,imm (C6/C7 /0), with operand
 * size, segment and REX prefixes. Anything else is refused by name. */
#ifndef HV_MMIO_DECODE_H
#define HV_MMIO_DECODE_H

#include <stdbool.h>
#include <stdint.h>

struct mmio_store {
    unsigned length;        /* bytes of the whole instruction */
    unsigned size;          /* bytes written: 1, 2, 4 or 8 */
    bool from_register;
    unsigned reg;           /* architectural GPR number when from_register */
    bool high_byte_reg;     /* AH/CH/DH/BH (8-bit form without REX) */
    uint64_t immediate;     /* when !from_register, already sign-extended */
};

/* code_bits: 16, 32 or 64 (the guest's code-segment mode). Returns 0, or
 * -1 with *why set to a static explanation. */
int mmio_decode_store(const uint8_t *code, unsigned avail, unsigned code_bits,
                      struct mmio_store *out, const char **why);

#endif
