/* Runs in VMX root: the guest-state helpers every exit handler (and the
 * local APIC emulation) uses, on the current VMCS. They depend on nothing
 * above them, so the dispatch (exits/exits.c) and the handlers can use
 * them without a dependency circle. */
#include "hv/vmx/guest_state.h"
#include "hv/vmx/exits/exit_decode.h"
#include "hv/core/log.h"
#include "hv/core/panic.h"
#include "hv/vmx/vmx_ops.h"

void exit_advance_rip(void)
{
    uint64_t rip = vmread(VMCS_GUEST_RIP);
    uint64_t len = vmread(VMCS_EXIT_INSTR_LEN);
    vmwrite_checked(VMCS_GUEST_RIP, rip + len);
    /* the instruction completed: STI/MOV-SS blocking ends with it */
    uint64_t intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
    if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
        vmwrite_checked(VMCS_GUEST_INTERRUPTIBILITY,
                        intr & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

void exit_inject_exception(struct percpu *cpu, uint8_t vector, bool has_error, uint32_t error)
{
    uint32_t info = INTR_INFO_VALID | ((uint32_t)INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) | vector;
    if (has_error) {
        info |= INTR_INFO_DELIVER_ERRCODE;
        vmwrite_checked(VMCS_ENTRY_EXCEPTION_ERRCODE, error);
    }
    vmwrite_checked(VMCS_ENTRY_INTR_INFO, info);
    cpu->event_injected = true;
}

uint64_t exit_gpr_read(const struct guest_regs *regs, unsigned n)
{
    if (n == GPR_RSP)
        return vmread(VMCS_GUEST_RSP);
    return regs->gpr[n & 15];
}

void exit_gpr_write(struct guest_regs *regs, unsigned n, uint64_t v)
{
    if (n == GPR_RSP)
        vmwrite_checked(VMCS_GUEST_RSP, v);
    else
        regs->gpr[n & 15] = v;
}

unsigned exit_guest_cpl(void)
{
    return (unsigned)((vmread(VMCS_GUEST_SS_AR) >> 5) & 3);
}

void exit_fatal(struct percpu *cpu, struct guest_regs *regs, const char *why)
{
    uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
    uint32_t basic = reason & EXIT_REASON_BASIC_MASK;
    uint64_t qual = vmread(VMCS_EXIT_QUALIFICATION);
    char decoded[160];
    exit_qualification_decode(basic, qual, decoded, sizeof decoded);
    LOG_ERR("%s: exit reason %u (%s)%s, qualification 0x%lx: %s", why, basic,
            exit_reason_name(basic),
            (reason & EXIT_REASON_ENTRY_FAILURE) ? " [VM-entry failure]" : "", qual, decoded);
    LOG_ERR("guest: rip=0x%lx cs=0x%lx rsp=0x%lx rflags=0x%lx cpl=%u instr-len=%lu",
            vmread(VMCS_GUEST_RIP), vmread(VMCS_GUEST_CS_SEL), vmread(VMCS_GUEST_RSP),
            vmread(VMCS_GUEST_RFLAGS), exit_guest_cpl(), vmread(VMCS_EXIT_INSTR_LEN));
    LOG_ERR("guest: cr0=0x%lx (shadow 0x%lx) cr3=0x%lx cr4=0x%lx (shadow 0x%lx) efer=0x%lx",
            vmread(VMCS_GUEST_CR0), vmread(VMCS_CR0_READ_SHADOW), vmread(VMCS_GUEST_CR3),
            vmread(VMCS_GUEST_CR4), vmread(VMCS_CR4_READ_SHADOW), vmread(VMCS_GUEST_EFER));
    LOG_ERR("guest: gpa=0x%lx gla=0x%lx intr-info=0x%lx idt-vectoring=0x%lx activity=%lu",
            vmread(VMCS_GUEST_PHYSICAL_ADDR), vmread(VMCS_GUEST_LINEAR_ADDR),
            vmread(VMCS_EXIT_INTR_INFO), vmread(VMCS_IDT_VECTORING_INFO),
            vmread(VMCS_GUEST_ACTIVITY_STATE));
    LOG_ERR("guest: rax=0x%lx rbx=0x%lx rcx=0x%lx rdx=0x%lx rsi=0x%lx rdi=0x%lx",
            regs->gpr[0], regs->gpr[3], regs->gpr[1], regs->gpr[2], regs->gpr[6], regs->gpr[7]);
    (void)cpu;
    platform_reset(why);
}
