/* Runs in VMX root: the exception table. The few instructions onestone
 * executes with a value or an address the guest chose, and that may fault
 * even after validation (an MSR write the CPU refuses, a guest page-table
 * entry pointing at an address onestone's host tables do not map), are
 * listed here with a fixup address, as Linux's rdmsr_safe/wrmsr_safe are.
 * A fault at a listed instruction resumes at its fixup with the vector in
 * RAX; the caller turns it into the exception the guest would have seen
 * on bare hardware. A fault anywhere else in VMX root is a bug of
 * onestone's and still resets the platform with its log line
 * (hv/vmx/host_idt.c).
 *
 * Entries are self-relative (two 32-bit offsets), so the table needs no
 * relocation when onestone's image is copied to reserved memory. */
#ifndef HV_EXTABLE_H
#define HV_EXTABLE_H

#include <stdint.h>

struct extable_entry {
    int32_t insn;     /* faulting instruction, relative to this field */
    int32_t fixup;    /* where to resume, relative to this field */
};
_Static_assert(sizeof(struct extable_entry) == 8, "extable entry is two 32-bit offsets");

/* In inline assembly: the instruction at label FROM resumes at label TO. */
#define EXTABLE_ENTRY(from, to)                                        \
    ".pushsection .data.onestone_extable, \"aw\"\n\t"                   \
    ".balign 4\n\t"                                                    \
    ".long (" #from ") - .\n\t"                                        \
    ".long (" #to ") - .\n\t"                                          \
    ".popsection\n\t"

/* The fixup for a fault at RIP, or 0 when RIP is not in the table. */
uint64_t extable_fixup(uint64_t rip);

#endif
