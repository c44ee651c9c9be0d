/* Runs in VMX root: MOV to CR0/CR4 (and LMSW/CLTS) that touch bits VMX
 * owns (CR0.NE and friends, CR4.VMXE and unsupported bits). The guest
 * keeps its own view in the read shadow; the real register keeps what VMX
 * needs. When such a write also changes CR0.PG, the paging-mode side
 * effects (IA-32e activation, PAE PDPTEs) are done here, as the CPU would. */
#include "hv/exits.h"
#include "hv/vmx_ops.h"

static void flush_guest_tlb(struct percpu *cpu)
{
    invvpid(INVVPID_SINGLE_CONTEXT, cpu->vpid, 0);
}

/* PAE paging outside IA-32e mode: VM entry loads PDPTEs from the VMCS
 * (26.3.2.4), so they must be refreshed from guest memory (identity EPT:
 * guest-physical = host-physical). */
static void load_pdptes(uint64_t cr3)
{
    const uint64_t *pdpte = (const uint64_t *)(uintptr_t)(cr3 & 0xFFFFFFE0ull);
    vmwrite_checked(VMCS_GUEST_PDPTE0, pdpte[0]);
    vmwrite_checked(VMCS_GUEST_PDPTE1, pdpte[1]);
    vmwrite_checked(VMCS_GUEST_PDPTE2, pdpte[2]);
    vmwrite_checked(VMCS_GUEST_PDPTE3, pdpte[3]);
}

static void update_paging_mode(struct percpu *cpu, uint64_t cr0, uint64_t cr4, bool pg_changed)
{
    uint64_t efer = vmread(VMCS_GUEST_EFER);
    uint64_t entry = vmread(VMCS_ENTRY_CONTROLS);
    if (pg_changed) {
        if ((cr0 & CR0_PG) && (efer & EFER_LME)) {
            efer |= EFER_LMA;
            entry |= ENTRY_IA32E_MODE_GUEST;
        } else if (!(cr0 & CR0_PG)) {
            efer &= ~EFER_LMA;
            entry &= ~(uint64_t)ENTRY_IA32E_MODE_GUEST;
        }
        vmwrite_checked(VMCS_GUEST_EFER, efer);
        vmwrite_checked(VMCS_ENTRY_CONTROLS, entry);
    }
    if ((cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA))
        load_pdptes(vmread(VMCS_GUEST_CR3));
    flush_guest_tlb(cpu);
}

static bool guest_write_cr0(struct percpu *cpu, uint64_t value)
{
    uint64_t old = vmread(VMCS_GUEST_CR0);
    if (value >> 32)
        return false;                               /* reserved bits: #GP */
    if ((value & CR0_PG) && !(value & CR0_PE))
        return false;
    if ((value & CR0_NW) && !(value & CR0_CD))
        return false;
    uint64_t cr4 = vmread(VMCS_GUEST_CR4);
    uint64_t efer = vmread(VMCS_GUEST_EFER);
    if ((value & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME) && !(cr4 & CR4_PAE))
        return false;
    uint64_t actual = (value | cpu->cr0_must_be_one) & cpu->cr0_may_be_one;
    vmwrite_checked(VMCS_CR0_READ_SHADOW, value);
    vmwrite_checked(VMCS_GUEST_CR0, actual);
    bool pg_changed = ((old ^ actual) & CR0_PG) != 0;
    if (pg_changed || ((old ^ actual) & (CR0_PE | CR0_WP | CR0_CD)))
        update_paging_mode(cpu, actual, cr4, pg_changed);
    return true;
}

static bool guest_write_cr4(struct percpu *cpu, uint64_t value)
{
    /* VMXE cannot be set on the CPU the guest sees (no VMX); other bits
     * VMX cannot allow would fault on such a CPU too. */
    if (value & CR4_VMXE)
        return false;
    uint64_t actual = value | cpu->cr4_must_be_one;
    if (actual & ~cpu->cr4_may_be_one)
        return false;
    uint64_t old = vmread(VMCS_GUEST_CR4);
    vmwrite_checked(VMCS_CR4_READ_SHADOW, value);
    vmwrite_checked(VMCS_GUEST_CR4, actual);
    uint64_t cr0 = vmread(VMCS_GUEST_CR0);
    if ((old ^ actual) & (CR4_PAE | 0x10 /* PSE */ | CR4_PGE | CR4_PCIDE | (1ull << 20) /* SMEP */))
        update_paging_mode(cpu, cr0, actual, false);
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
