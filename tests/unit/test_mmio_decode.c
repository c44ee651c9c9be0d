/* Host unit test: hv/x86/mmio_decode.c, the store decoder behind onestone's
 * local-APIC write emulation. Byte sequences are what gcc emits for MMIO
 * writes in OVMF (MmioWrite32) and Linux (native_apic_mem_write). */
#include "unit.h"
#include "hv/x86/mmio_decode.h"

static int decode(const uint8_t *code, unsigned n, unsigned bits, struct mmio_store *st,
                  const char **why)
{
    return mmio_decode_store(code, n, bits, st, why);
}

int main(int argc, char **argv)
{
    (void)argc;
    struct mmio_store st;
    const char *why;

    /* mov %edx,(%rcx)  -- OVMF MmioWrite32 */
    const uint8_t ovmf[] = { 0x89, 0x11, 0xc3 };
    CHECK(decode(ovmf, sizeof ovmf, 64, &st, &why) == 0);
    CHECK_EQ_U64(st.length, 2);
    CHECK_EQ_U64(st.size, 4);
    CHECK(st.from_register);
    CHECK_EQ_U64(st.reg, 2);            /* EDX */

    /* mov %esi,0xb0(%rax)  -- disp8 */
    const uint8_t disp8[] = { 0x89, 0x70, 0xb0 };
    CHECK(decode(disp8, sizeof disp8, 64, &st, &why) == 0);
    CHECK_EQ_U64(st.length, 3);
    CHECK_EQ_U64(st.reg, 6);

    /* mov %edi,0xffffffffff5fb300  -- SIB, no base, disp32 (Linux fixmap) */
    const uint8_t absolute[] = { 0x89, 0x3c, 0x25, 0x00, 0xb3, 0x5f, 0xff };
    CHECK(decode(absolute, sizeof absolute, 64, &st, &why) == 0);
    CHECK_EQ_U64(st.length, 7);
    CHECK_EQ_U64(st.reg, 7);

    /* mov %r9d,(%r8) with REX.RB */
    const uint8_t rex[] = { 0x45, 0x89, 0x08 };
    CHECK(decode(rex, sizeof rex, 64, &st, &why) == 0);
    CHECK_EQ_U64(st.length, 3);
    CHECK_EQ_U64(st.reg, 9);

    /* movl $0x0,0xb0(%rdx)  -- C7 /0 imm32, disp32 */
    const uint8_t imm[] = { 0xc7, 0x82, 0xb0, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11 };
    CHECK(decode(imm, sizeof imm, 64, &st, &why) == 0);
    CHECK_EQ_U64(st.length, 10);
    CHECK(!st.from_register);
    CHECK_EQ_U64(st.immediate, 0x11223344);

    /* mov %rax,(%rbx) with REX.W: 8 bytes */
    const uint8_t wide[] = { 0x48, 0x89, 0x03 };
    CHECK(decode(wide, sizeof wide, 64, &st, &why) == 0);
    CHECK_EQ_U64(st.size, 8);

    /* movw %ax,(%rbx): operand-size prefix */
    const uint8_t word[] = { 0x66, 0x89, 0x03 };
    CHECK(decode(word, sizeof word, 64, &st, &why) == 0);
    CHECK_EQ_U64(st.size, 2);
    CHECK_EQ_U64(st.length, 3);

    /* mov %ah,(%rbx): high-byte register without REX */
    const uint8_t ah[] = { 0x88, 0x23 };
    CHECK(decode(ah, sizeof ah, 64, &st, &why) == 0);
    CHECK(st.high_byte_reg);
    CHECK_EQ_U64(st.reg, 0);

    /* RIP-relative: mov %eax,0x10(%rip) */
    const uint8_t riprel[] = { 0x89, 0x05, 0x10, 0x00, 0x00, 0x00 };
    CHECK(decode(riprel, sizeof riprel, 64, &st, &why) == 0);
    CHECK_EQ_U64(st.length, 6);

    /* refused: not a store, LOCK, register destination, truncated */
    const uint8_t load[] = { 0x8b, 0x01 };
    CHECK(decode(load, sizeof load, 64, &st, &why) != 0);
    CHECK_CONTAINS(why, "not a MOV store");
    const uint8_t locked[] = { 0xf0, 0x89, 0x01 };
    CHECK(decode(locked, sizeof locked, 64, &st, &why) != 0);
    CHECK_CONTAINS(why, "LOCK");
    const uint8_t regdst[] = { 0x89, 0xc1 };
    CHECK(decode(regdst, sizeof regdst, 64, &st, &why) != 0);
    CHECK_CONTAINS(why, "register destination");
    CHECK(decode(imm, 5, 64, &st, &why) != 0);
    const uint8_t c7reg[] = { 0xc7, 0x08, 0, 0, 0, 0 };
    CHECK(decode(c7reg, sizeof c7reg, 64, &st, &why) != 0);

    return unit_finish(argv[0]);
}
