/* hv/vmx/exits/exit_decode.c: the names in onestone's log when a guest does
 * something unexpected; the emulator tests grep for some of them. */
#include "hv/vmx/exits/exit_decode.h"
#include "arch/vmx.h"
#include "unit.h"

static void test_reason_names(void)
{
    CHECK_STREQ(exit_reason_name(10), "CPUID");
    CHECK_STREQ(exit_reason_name(48), "EPT violation");
    CHECK_STREQ(exit_reason_name(3), "INIT signal");
    CHECK_STREQ(exit_reason_name(EXIT_REASON_SIPI), "start-up IPI");
    CHECK_STREQ(exit_reason_name(EXIT_REASON_EXCEPTION_NMI), "exception or NMI");
    CHECK_STREQ(exit_reason_name(EXIT_REASON_XRSTORS), "XRSTORS");
    CHECK_CONTAINS(exit_reason_name(EXIT_REASON_INVALID_GUEST_STATE), "invalid guest state");
    /* unknown: past the table, a hole in it (35), the table's end */
    CHECK_STREQ(exit_reason_name(9999), "unknown exit reason");
    CHECK_STREQ(exit_reason_name(35), "unknown exit reason");
    CHECK_STREQ(exit_reason_name(EXIT_REASON_MAX), "unknown exit reason");
    CHECK_STREQ(exit_reason_name(0xFFFFFFFFu), "unknown exit reason");
    /* every reason has some name */
    for (uint32_t r = 0; r < 200; r++)
        CHECK(exit_reason_name(r) && exit_reason_name(r)[0]);
}

static void test_instruction_errors(void)
{
    CHECK_STREQ(vm_instruction_error_name(7), "VM entry with invalid control field(s)");
    CHECK_CONTAINS(vm_instruction_error_name(VMXERR_ENTRY_INVALID_HOST_STATE), "host-state");
    CHECK_CONTAINS(vm_instruction_error_name(0), "unlisted");
    CHECK_CONTAINS(vm_instruction_error_name(14), "unlisted");
}

static void test_qualifications(void)
{
    char buf[128];
    size_t n;

    /* CR access: MOV to CR4 from RAX (type 0, CR 4, GPR 0) */
    n = exit_qualification_decode(EXIT_REASON_CR_ACCESS, 0x4, buf, sizeof buf);
    CHECK_CONTAINS(buf, "MOV to CR");
    CHECK_CONTAINS(buf, "CR4");
    CHECK_CONTAINS(buf, "GPR 0");
    CHECK_EQ_U64(n, strlen(buf));
    /* MOV from CR3 to GPR 11 (type 1) */
    exit_qualification_decode(EXIT_REASON_CR_ACCESS, (11u << 8) | (1u << 4) | 3, buf, sizeof buf);
    CHECK_CONTAINS(buf, "MOV from CR");
    CHECK_CONTAINS(buf, "CR3");
    CHECK_CONTAINS(buf, "GPR 11");
    exit_qualification_decode(EXIT_REASON_CR_ACCESS, 3u << 4, buf, sizeof buf);
    CHECK_CONTAINS(buf, "LMSW");

    /* EPT violation: data read, linear address valid, nothing permitted */
    exit_qualification_decode(EXIT_REASON_EPT_VIOLATION, 0x181, buf, sizeof buf);
    CHECK_CONTAINS(buf, "read");
    CHECK(strstr(buf, "write") == NULL);
    CHECK_CONTAINS(buf, "---");
    CHECK_CONTAINS(buf, "linear address valid");
    /* write to a read-only page, no linear address */
    exit_qualification_decode(EXIT_REASON_EPT_VIOLATION, EPTQ_WRITE | EPTQ_READABLE | EPTQ_EXECUTABLE,
                              buf, sizeof buf);
    CHECK_CONTAINS(buf, "write");
    CHECK_CONTAINS(buf, "r-x");
    CHECK(strstr(buf, "linear") == NULL);

    /* SIPI: the vector and where the AP starts */
    exit_qualification_decode(EXIT_REASON_SIPI, 0x87, buf, sizeof buf);
    CHECK_CONTAINS(buf, "0x87");
    CHECK_CONTAINS(buf, "0x87000");

    /* I/O: IN from 0x3FD, 1 byte; REP OUTSD to 0x80 */
    exit_qualification_decode(EXIT_REASON_IO_INSTRUCTION, (0x3FDull << 16) | 8, buf, sizeof buf);
    CHECK_STREQ(buf, "in port 0x3fd, size 1");
    exit_qualification_decode(EXIT_REASON_IO_INSTRUCTION, (0x80ull << 16) | 32 | 16 | 3, buf, sizeof buf);
    CHECK_STREQ(buf, "out port 0x80, size 4, string, rep");

    exit_qualification_decode(EXIT_REASON_INIT, 0x1234, buf, sizeof buf);
    CHECK_STREQ(buf, "none");
    /* reasons without a decoding show the raw value */
    exit_qualification_decode(EXIT_REASON_HLT, 0xDEADBEEF, buf, sizeof buf);
    CHECK_STREQ(buf, "0xdeadbeef");

    /* a short buffer truncates, terminated; the length is the full one */
    char small[8];
    n = exit_qualification_decode(EXIT_REASON_CR_ACCESS, 0x4, small, sizeof small);
    CHECK_EQ_U64(n, strlen("MOV to CR CR4, GPR 0"));
    CHECK_STREQ(small, "MOV to ");
}

int main(int argc, char **argv)
{
    (void)argc;
    test_reason_names();
    test_instruction_errors();
    test_qualifications();
    return unit_finish(argv[0]);
}
