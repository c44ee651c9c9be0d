/* Runs in VMX root: the VMCS of a management partition CPU. Unlike the
 * primary's, whose guest state is the firmware's own at launch, this one
 * starts from nothing: 64-bit mode at the partition's entry with the GDT,
 * page tables and stack boot/mgmt_launch.c wrote into its memory
 * (include/onestone/mgmt_abi.h, entry contract). Its controls make every
 * event that is not the partition's own exit: external interrupts
 * (acknowledged on exit, so onestone sees and drops them), NMIs, HLT,
 * every I/O port and every MSR. */
#include "hv/vmx/vmcs_setup.h"
#include "hv/core/console.h"
#include "hv/vmx/vmx_ops.h"
#include "arch/io.h"

#define MGMT_CR0 (CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG)
#define MGMT_CR4 CR4_PAE
#define MGMT_EFER (EFER_LME | EFER_LMA)
#define MGMT_PAT 0x0007040600070406ull          /* the reset value */
#define MGMT_CS_SEL 0x08
#define MGMT_DS_SEL 0x10

bool vmcs_mgmt_has_watchdog(void)
{
    return vmx_preemption_timer_usable() &&
           ((hv_plan->vmx.exit >> 32) & EXIT_SAVE_PREEMPTION_TIMER);
}

/* The tick's clock: the VMX-preemption timer, saved on every exit so
 * that it counts the partition's own time and expires once per tick of
 * it, however often the partition exits meanwhile. */
void vmcs_mgmt_arm_tick(unsigned ms)
{
    if (vmcs_mgmt_has_watchdog())
        vmx_preemption_timer_set_ms(ms);
}

static struct vmx_controls mgmt_controls(void)
{
    struct vmx_controls c = hv_controls;
    c.pin |= PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING;
    c.proc = (c.proc | PROC_HLT_EXITING | PROC_UNCONDITIONAL_IO_EXITING) & ~PROC_USE_IO_BITMAPS;
    c.exit |= EXIT_ACK_INTERRUPT_ON_EXIT;
    if (vmcs_mgmt_has_watchdog()) {
        c.pin |= PIN_PREEMPTION_TIMER;
        c.exit |= EXIT_SAVE_PREEMPTION_TIMER;
    }
    return c;
}

uint64_t vmcs_mgmt_guest_reset(struct percpu *cpu, struct guest_regs *regs)
{
    const struct plan_mgmt *m = &hv_plan->mgmt;
    uint64_t cr0 = (MGMT_CR0 | cpu->cr0_must_be_one) & cpu->cr0_may_be_one;
    uint64_t cr4 = (MGMT_CR4 | cpu->cr4_must_be_one) & cpu->cr4_may_be_one;
    const struct vmcs_field_value fv[] = {
        { VMCS_GUEST_CR0, cr0 },
        { VMCS_CR0_READ_SHADOW, MGMT_CR0 },
        { VMCS_GUEST_CR3, m->pt_root_gpa },
        { VMCS_GUEST_CR4, cr4 },
        { VMCS_CR4_READ_SHADOW, MGMT_CR4 },
        { VMCS_GUEST_EFER, MGMT_EFER },
        { VMCS_ENTRY_CONTROLS, vmread(VMCS_ENTRY_CONTROLS) | ENTRY_IA32E_MODE_GUEST },
        { VMCS_GUEST_PAT, MGMT_PAT },
        { VMCS_GUEST_CS_SEL, MGMT_CS_SEL },
        { VMCS_GUEST_CS_BASE, 0 },
        { VMCS_GUEST_CS_LIMIT, 0xFFFFFFFF },
        { VMCS_GUEST_CS_AR, 0xA09B },           /* L=1, G, P, code RX accessed */
        { VMCS_GUEST_TR_SEL, 0 },
        { VMCS_GUEST_TR_BASE, 0 },
        { VMCS_GUEST_TR_LIMIT, 0x67 },
        { VMCS_GUEST_TR_AR, 0x8B },             /* busy 64-bit TSS */
        { VMCS_GUEST_LDTR_SEL, 0 },
        { VMCS_GUEST_LDTR_BASE, 0 },
        { VMCS_GUEST_LDTR_LIMIT, 0 },
        { VMCS_GUEST_LDTR_AR, VMX_AR_UNUSABLE },
        { VMCS_GUEST_GDTR_BASE, m->gdt_gpa },
        { VMCS_GUEST_GDTR_LIMIT, 3 * 8 - 1 },
        { VMCS_GUEST_IDTR_BASE, 0 },
        { VMCS_GUEST_IDTR_LIMIT, 0 },
        { VMCS_GUEST_DR7, 0x400 },
        { VMCS_GUEST_RSP, m->stack_gpa - 16 * cpu->part_index },
        { VMCS_GUEST_RIP, m->entry },
        { VMCS_GUEST_RFLAGS, RFLAGS_RESERVED1 },
        { VMCS_GUEST_DEBUGCTL, 0 },
        { VMCS_GUEST_SYSENTER_CS, 0 },
        { VMCS_GUEST_SYSENTER_ESP, 0 },
        { VMCS_GUEST_SYSENTER_EIP, 0 },
        { VMCS_GUEST_FS_BASE, 0 },
        { VMCS_GUEST_GS_BASE, 0 },
        { VMCS_LINK_POINTER, ~0ull },
        { VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE },
        { VMCS_GUEST_INTERRUPTIBILITY, 0 },
        { VMCS_GUEST_PENDING_DBG, 0 },
        { VMCS_ENTRY_INTR_INFO, 0 },
    };
    uint64_t rc = vmwrite_all(fv, sizeof fv / sizeof fv[0]);
    if (rc)
        return rc;
    static const uint32_t data_segs[] = {
        VMCS_GUEST_ES_SEL, VMCS_GUEST_SS_SEL, VMCS_GUEST_DS_SEL,
        VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL,
    };
    for (unsigned i = 0; i < 5; i++) {
        uint32_t off = data_segs[i] - VMCS_GUEST_ES_SEL;
        if (!vmwrite_checked(data_segs[i], MGMT_DS_SEL) ||
            !vmwrite_checked(VMCS_GUEST_ES_LIMIT + off, 0xFFFFFFFF) ||
            !vmwrite_checked(VMCS_GUEST_ES_AR + off, 0xC093) ||
            !vmwrite_checked(VMCS_GUEST_ES_BASE + off, 0))
            return data_segs[i];
    }
    for (unsigned i = 0; i < 16; i++)
        regs->gpr[i] = 0;
    regs->gpr[7] = m->params_gpa;               /* RDI */
    regs->gpr[6] = cpu->part_index;             /* RSI */
    invvpid(INVVPID_SINGLE_CONTEXT, cpu->vpid, 0);
    cpu->part->heartbeat_tsc = rdtsc();         /* a fresh watchdog window */
    vmcs_mgmt_arm_tick(cpu->part_index == 0 ? CONSOLE_TICK_IDLE_MS : MGMT_WATCHDOG_TICK_MS);
    return 0;
}

uint64_t vmcs_setup_mgmt(struct percpu *cpu, struct guest_regs *regs)
{
    struct vmx_controls c = mgmt_controls();
    uint64_t cr4 = read_cr4();
    uint64_t host_cr4 = cr4 | CR4_VMXE | (hv_plan->cpuid_xsave ? CR4_OSXSAVE : 0);
    uint64_t rc;
    if ((rc = vmcs_setup_controls(cpu, &c, MGMT_CR0, MGMT_CR4, true)))
        return rc;
    if ((rc = vmcs_setup_host(cpu, read_cr0(), host_cr4)))
        return rc;
    return vmcs_mgmt_guest_reset(cpu, regs);
}
