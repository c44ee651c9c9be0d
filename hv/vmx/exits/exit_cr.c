/* Runs in VMX root: MOV to CR0/CR4 (and LMSW/CLTS) that touch bits VMX
 * owns (CR0.NE and friends, CR4.VMXE and unsupported bits). The guest
 * keeps its own view in the read shadow; the real register keeps what VMX
 * needs. When such a write also changes CR0.PG, the paging-mode side
 * effects (IA-32e activation, PAE PDPTEs) are done here, as the CPU would.
 * A value the CPU would refuse (hv/x86/cr_checks.h) raises #GP in the guest
 * and never reaches the VMCS, where it would fail the next VM entry. */
#include "hv/vmx/exits/exits.h"
#include "hv/x86/cr_checks.h"
#include "hv/core/memrange.h"
#include "hv/x86/safe_ops.h"
#include "hv/vmx/vmx_ops.h"
#include "arch/io.h"

static void flush_guest_tlb(struct percpu *cpu)
{
    invvpid(INVVPID_SINGLE_CONTEXT, cpu->vpid, 0);
}

/* PAE paging outside IA-32e mode: VM entry loads PDPTEs from the VMCS
 * (26.3.2.4), so they must be refreshed from guest memory (identity EPT:
 * guest-physical = host-physical), and checked as the CPU checks them
 * when the write enables PAE paging (a reserved bit means #GP; in the
 * VMCS it would fail VM entry). CR3 is the guest's: the table may lie in
 * protected memory, which reads as all-ones (so #GP), or above what
 * onestone's host tables map (a fixed-up read fault, #GP too). */
static bool read_pdptes(uint64_t cr3, uint64_t pdpte[4])
{
    uint64_t table = cr3 & 0xFFFFFFE0ull;
    unsigned maxphy = cpuid(0x80000008u, 0).eax & 0xFF;
    for (unsigned i = 0; i < 4; i++) {
        uint64_t pa = table + i * 8;
        if (memrange_contains(&hv_plan->protected_ranges, pa) ||
            read_phys64_safe(pa, &pdpte[i]) || !pae_pdpte_valid(pdpte[i], maxphy))
            return false;
    }
    return true;
}

static bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA);
}

/* EFER.LMA once CR0 holds CR0_NEW (the CPU sets it when paging comes on
 * with EFER.LME, clears it when paging goes off) */
static uint64_t efer_after(uint64_t efer, uint64_t cr0_old, uint64_t cr0_new)
{
    if (!((cr0_old ^ cr0_new) & CR0_PG))
        return efer;
    if ((cr0_new & CR0_PG) && (efer & EFER_LME))
        return efer | EFER_LMA;
    return (cr0_new & CR0_PG) ? efer : efer & ~EFER_LMA;
}

static void update_paging_mode(struct percpu *cpu, uint64_t efer, const uint64_t *pdpte)
{
    uint64_t entry = vmread(VMCS_ENTRY_CONTROLS);
    if (efer & EFER_LMA)
        entry |= ENTRY_IA32E_MODE_GUEST;
    else
        entry &= ~(uint64_t)ENTRY_IA32E_MODE_GUEST;
    vmwrite_checked(VMCS_GUEST_EFER, efer);
    vmwrite_checked(VMCS_ENTRY_CONTROLS, entry);
    if (pdpte) {
        vmwrite_checked(VMCS_GUEST_PDPTE0, pdpte[0]);
        vmwrite_checked(VMCS_GUEST_PDPTE1, pdpte[1]);
        vmwrite_checked(VMCS_GUEST_PDPTE2, pdpte[2]);
        vmwrite_checked(VMCS_GUEST_PDPTE3, pdpte[3]);
    }
    flush_guest_tlb(cpu);
}

static struct cr_state current_cr_state(void)
{
    struct cr_state s = {
        .cr0 = vmread(VMCS_GUEST_CR0),
        .cr3 = vmread(VMCS_GUEST_CR3),
        .cr4 = vmread(VMCS_GUEST_CR4),
        .efer = vmread(VMCS_GUEST_EFER),
        .cs_long = (vmread(VMCS_GUEST_CS_AR) & (1u << 13)) != 0,
    };
    return s;
}

static bool guest_write_cr0(struct percpu *cpu, uint64_t value)
{
    struct cr_state s = current_cr_state();
    if (cr0_write_fault(&s, value))
        return false;                               /* #GP, as the CPU raises */
    uint64_t actual = (value | cpu->cr0_must_be_one) & cpu->cr0_may_be_one;
    uint64_t efer = efer_after(s.efer, s.cr0, actual);
    uint64_t pdpte[4];
    bool mode_change = ((s.cr0 ^ actual) & (CR0_PG | CR0_PE | CR0_WP | CR0_CD | CR0_NW)) != 0;
    bool load = mode_change && pae_paging(actual, s.cr4, efer);
    if (load && !read_pdptes(s.cr3, pdpte))
        return false;
    vmwrite_checked(VMCS_CR0_READ_SHADOW, value);
    vmwrite_checked(VMCS_GUEST_CR0, actual);
    if (mode_change)
        update_paging_mode(cpu, efer, load ? pdpte : 0);
    return true;
}

static bool guest_write_cr4(struct percpu *cpu, uint64_t value)
{
    /* VMXE cannot be set on the CPU the guest sees (no VMX); bits VMX does
     * not allow (CR4_FIXED1) do not exist on such a CPU: #GP for both,
     * and for every other value the CPU itself refuses */
    struct cr_state s = current_cr_state();
    if (cr4_write_fault(&s, value, cpu->cr4_may_be_one & ~CR4_VMXE))
        return false;
    uint64_t actual = value | cpu->cr4_must_be_one;
    uint64_t pdpte[4];
    bool mode_change = ((s.cr4 ^ actual) &
                        (CR4_PAE | CR4_PSE | CR4_PGE | CR4_PCIDE | CR4_SMEP)) != 0;
    bool load = mode_change && pae_paging(s.cr0, actual, s.efer);
    if (load && !read_pdptes(s.cr3, pdpte))
        return false;
    vmwrite_checked(VMCS_CR4_READ_SHADOW, value);
    vmwrite_checked(VMCS_GUEST_CR4, actual);
    if (mode_change)
        update_paging_mode(cpu, s.efer, load ? pdpte : 0);
    return true;
}

void handle_cr_access(struct percpu *cpu, struct guest_regs *regs)
{
    uint64_t q = vmread(VMCS_EXIT_QUALIFICATION);
    unsigned cr = CRQ_CR_NUMBER(q);
    bool ok = true;
    switch (CRQ_ACCESS_TYPE(q)) {
    case CRQ_ACCESS_MOV_TO_CR: {
        uint64_t v = exit_gpr_read(regs, CRQ_GPR(q));
        if (cr == 0)
            ok = guest_write_cr0(cpu, v);
        else if (cr == 4)
            ok = guest_write_cr4(cpu, v);
        else
            exit_fatal(cpu, regs, "MOV to a control register onestone does not intercept");
        break;
    }
    case CRQ_ACCESS_LMSW: {
        /* LMSW loads CR0[3:0] but cannot clear PE */
        uint64_t shadow = vmread(VMCS_CR0_READ_SHADOW);
        uint64_t src = CRQ_LMSW_SOURCE(q) & 0xF;
        uint64_t v = (shadow & ~0xEull) | (src & 0xF) | (shadow & CR0_PE);
        ok = guest_write_cr0(cpu, v);
        break;
    }
    case CRQ_ACCESS_CLTS:
        ok = guest_write_cr0(cpu, vmread(VMCS_CR0_READ_SHADOW) & ~CR0_TS);
        break;
    default:
        exit_fatal(cpu, regs, "MOV from a control register onestone does not intercept");
    }
    if (!ok) {
        exit_inject_exception(cpu, VECTOR_GP, true, 0);
        return;
    }
    exit_advance_rip();
}
