/* Runs in VMX root: EPT violations and misconfigurations.
 * - Access to protected memory (onestone's own): logged and contained; it
 *   behaves like unclaimed memory on a PC, always. The page is backed by a
 *   sink page mapped read+execute only, which is all-ones and never
 *   written: reads give all-ones (executing it is FF FF, #UD), and a write
 *   faults here again, where the store is decoded (hv/vmx/guest_insn.h) and
 *   skipped, so it is dropped. A write by an instruction onestone does not
 *   decode (read-modify-write, string, vector stores) raises #GP in the
 *   guest: the guest faults, onestone's memory stays untouched.
 * - Access above the identity map's top (64-bit MMIO the firmware placed
 *   high): mapped identity on first touch, with the MTRR memory type.
 * - Writes to the xAPIC page: emulated (hv/vmx/lapic_emul.h).
 * Anything else means the EPT is broken: log and reset. */
#include "hv/vmx/exits/exits.h"
#include "hv/core/spinlock.h"
#include "hv/vmx/ept_build.h"
#include "hv/vmx/entry.h"
#include "hv/vmx/exits/exit_decode.h"
#include "hv/vmx/guest_insn.h"
#include "hv/vmx/lapic_emul.h"
#include "hv/core/log.h"
#include "hv/vmx/vmcs_setup.h"
#include "hv/vmx/vmx_ops.h"
#include "arch/ept.h"

#define PROTECTED_LOG_LIMIT 8

static spinlock_t ept_lock;

/* A store to protected memory: skipped, as the bus drops a write to
 * unclaimed memory. */
static void drop_protected_write(struct percpu *cpu, uint64_t gpa)
{
    struct guest_store g;
    const char *why;
    if (guest_decode_store(&g, &why) == 0) {
        vmwrite_checked(VMCS_GUEST_RIP, g.rip + g.st.length);
        return;
    }
    if (cpu->protected_accesses <= PROTECTED_LOG_LIMIT)
        LOG_WARN_("write to protected memory at gpa 0x%lx by an instruction onestone does not "
                  "decode (%s; bytes %02x %02x %02x %02x): #GP to the guest", gpa, why,
                  g.bytes[0], g.bytes[1], g.bytes[2], g.bytes[3]);
    exit_inject_exception(cpu, VECTOR_GP, true, 0);
}

void handle_ept_violation(struct percpu *cpu, struct guest_regs *regs)
{
    uint64_t gpa = vmread(VMCS_GUEST_PHYSICAL_ADDR);
    uint64_t q = vmread(VMCS_EXIT_QUALIFICATION);
    int rc;

    if ((gpa & ~0xFFFull) == lapic_emul_page() && (q & EPTQ_WRITE)) {
        if (lapic_routing_active())
            lapic_handle_mmio_write(cpu, regs, gpa);
        else
            invept(INVEPT_SINGLE_CONTEXT, hv_eptp);   /* stale read-only translation */
        return;
    }
    if (memrange_contains(&hv_plan->protected_ranges, gpa)) {
        cpu->protected_accesses++;
        if (cpu->protected_accesses <= PROTECTED_LOG_LIMIT) {
            char what[96];
            exit_qualification_decode(EXIT_REASON_EPT_VIOLATION, q, what, sizeof what);
            LOG_WARN_("EPT violation on protected memory: gpa 0x%lx (%s) at rip 0x%lx; "
                      "contained: reads give all-ones, writes are dropped%s",
                      gpa, what, vmread(VMCS_GUEST_RIP),
                      cpu->protected_accesses == PROTECTED_LOG_LIMIT ?
                      " (further accesses on this CPU are counted, not logged)" : "");
        }
        spin_lock(&ept_lock);
        uint64_t page = gpa & ~0xFFFull;
        if (pgtable_lookup(&hv_ept, page, 0, 0, 0))
            rc = 0;                                 /* mapped before (or by another CPU) */
        else
            rc = pgtable_map(&hv_ept, page, (uint64_t)(uintptr_t)hv_sink_page, 0x1000,
                             EPT_READ | EPT_EXECUTE | (MTRR_TYPE_WB << EPT_MEMTYPE_SHIFT), 1);
        spin_unlock(&ept_lock);
        if (rc)
            exit_fatal(cpu, regs, "EPT violation could not be contained (pool exhausted?)");
        invept(INVEPT_SINGLE_CONTEXT, hv_eptp);
        if (q & EPTQ_WRITE)
            drop_protected_write(cpu, gpa);
        return;
    } else if (gpa >= hv_plan->map_top) {
        spin_lock(&ept_lock);
        if (pgtable_lookup(&hv_ept, gpa, 0, 0, 0))
            rc = 0;
        else
            rc = ept_map_identity_block(&hv_ept, &hv_plan->protected_ranges, gpa,
                                        &hv_plan->mtrr);
        spin_unlock(&ept_lock);
        LOG_DBG("EPT: mapped high address 0x%lx on first use", gpa);
    } else {
        exit_fatal(cpu, regs, "EPT violation inside the identity map");
    }
    if (rc)
        exit_fatal(cpu, regs, "EPT violation could not be contained (pool exhausted?)");
    invept(INVEPT_SINGLE_CONTEXT, hv_eptp);
}

void handle_ept_misconfig(struct percpu *cpu, struct guest_regs *regs)
{
    exit_fatal(cpu, regs, "EPT misconfiguration (onestone built an invalid entry)");
}
