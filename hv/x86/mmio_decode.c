/* Runs in VMX root and host unit tests: a deliberately small x86
 * instruction decoder (SDM 2, chapter 2 instruction format). */
#include "hv/x86/mmio_decode.h"

int mmio_decode_store(const uint8_t *code, unsigned avail, unsigned code_bits,
                      struct mmio_store *out, const char **why)
{
    unsigned i = 0;
    bool opsize = false, addr16 = (code_bits == 16);
    uint8_t rex = 0;
    *why = "truncated instruction";
    /* legacy prefixes */
    for (; i < avail && i < 14; i++) {
        uint8_t b = code[i];
        if (b == 0x66)
            opsize = true;
        else if (b == 0x67)
            addr16 = (code_bits == 32);
        else if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65)
            continue;
        else if (b == 0xF0 || b == 0xF2 || b == 0xF3) {
            *why = "LOCK/REP prefix on an MMIO store";
            return -1;
        } else
            break;
    }
    if (code_bits == 64 && i < avail && (code[i] & 0xF0) == 0x40)
        rex = code[i++];
    if (i >= avail)
        return -1;
    uint8_t op = code[i++];
    if (op != 0x88 && op != 0x89 && op != 0xC6 && op != 0xC7) {
        *why = "not a MOV store (opcode 88/89/C6/C7)";
        return -1;
    }
    if (addr16) {
        *why = "16-bit addressing";
        return -1;
    }
    if (i >= avail)
        return -1;
    uint8_t modrm = code[i++];
    unsigned mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (mod == 3) {
        *why = "register destination (not a memory store)";
        return -1;
    }
    if ((op == 0xC6 || op == 0xC7) && reg != 0) {
        *why = "C6/C7 with a /reg other than 0";
        return -1;
    }
    if (rm == 4) {                       /* SIB follows */
        if (i >= avail)
            return -1;
        uint8_t sib = code[i++];
        if (mod == 0 && (sib & 7) == 5)
            i += 4;                      /* no base: disp32 */
    } else if (mod == 0 && rm == 5) {
        i += 4;                          /* disp32 (RIP-relative in 64-bit mode) */
    }
    if (mod == 1)
        i += 1;
    else if (mod == 2)
        i += 4;

    unsigned size;
    if (op == 0x88 || op == 0xC6)
        size = 1;
    else if (rex & 0x8)
        size = 8;
    else if (opsize)
        size = 2;
    else
        size = code_bits == 16 ? 2 : 4;

    out->size = size;
    out->from_register = (op == 0x88 || op == 0x89);
    out->reg = reg | ((rex & 0x4) ? 8 : 0);
    out->high_byte_reg = (size == 1 && !rex && reg >= 4);
    if (out->high_byte_reg)
        out->reg = reg - 4;
    out->immediate = 0;
    if (!out->from_register) {
        unsigned isz = size == 8 ? 4 : size;
        if (i + isz > avail)
            return -1;
        uint64_t v = 0;
        for (unsigned k = 0; k < isz; k++)
            v |= (uint64_t)code[i + k] << (8 * k);
        if (size == 8 && (v & 0x80000000ull))
            v |= 0xFFFFFFFF00000000ull;  /* imm32 sign-extended to 64 bits */
        out->immediate = v;
        i += isz;
    }
    if (i > avail)
        return -1;
    out->length = i;
    *why = 0;
    return 0;
}
