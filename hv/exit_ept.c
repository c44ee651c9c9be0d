/* Runs in VMX root: EPT violations and misconfigurations.
 * - Access to protected memory (onestone's own): logged and contained. The
 *   page is backed by a per-machine sink page that reads as all-ones, as
 *   unclaimed memory does on a PC; onestone's contents are never exposed.
 * - Access above the identity map's top (64-bit MMIO the firmware placed
 *   high): mapped identity on first touch, with the MTRR memory type.
 * - Writes to the xAPIC page: emulated (hv/lapic_emul.h).
 * Anything else means the EPT is broken: log and reset. */
#include "hv/exits.h"
#include "hv/spinlock.h"
#include "hv/ept_build.h"
#include "hv/entry.h"
#include "hv/exit_decode.h"
#include "hv/lapic_emul.h"
#include "hv/log.h"
#include "hv/vmcs_setup.h"
#include "hv/vmx_ops.h"
#include "arch/ept.h"

#define PROTECTED_LOG_LIMIT 8

static spinlock_t ept_lock;

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
                      "contained: page reads as all-ones%s",
                      gpa, what, vmread(VMCS_GUEST_RIP),
                      cpu->protected_accesses == PROTECTED_LOG_LIMIT ?
                      " (further accesses on this CPU are counted, not logged)" : "");
        }
        spin_lock(&ept_lock);
        uint64_t page = gpa & ~0xFFFull;
        if (pgtable_lookup(&hv_ept, page, 0, 0, 0))
            rc = 0;                                 /* another CPU mapped it */
        else
            rc = pgtable_map(&hv_ept, page, (uint64_t)(uintptr_t)hv_sink_page, 0x1000,
                             EPT_READ | EPT_WRITE | (MTRR_TYPE_WB << EPT_MEMTYPE_SHIFT), 1);
        spin_unlock(&ept_lock);
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
