/* Runs in VMX root: looks up the exception table (see extable.h). The
 * linker script gathers every entry between __extable_start and
 * __extable_end. */
#include "hv/x86/extable.h"

extern const struct extable_entry __extable_start[], __extable_end[];

uint64_t extable_fixup(uint64_t rip)
{
    for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
        uint64_t insn = (uint64_t)(uintptr_t)&e->insn + (int64_t)e->insn;
        if (insn == rip)
            return (uint64_t)(uintptr_t)&e->fixup + (int64_t)e->fixup;
    }
    return 0;
}
