/* Runs in VMX root: INIT and start-up IPIs. In VMX non-root an INIT always
 * exits and a SIPI exits in the wait-for-SIPI state (SDM 3C 25.2), so an OS
 * starting its APs with INIT-SIPI-SIPI needs onestone to do what the CPU
 * would: INIT puts the AP into wait-for-SIPI with the INIT register state,
 * SIPI starts it in real mode at vector * 4096. An INIT aimed at the BSP
 * asks for a restart of the machine and becomes a platform reset.
 * onestone waits for the SIPI in VMX root (hv/vmx/lapic_emul.h says why); the
 * SIPI exit handler remains for CPUs that report one anyway. */
#include "hv/vmx/exits/exits.h"
#include "hv/vmx/lapic_emul.h"
#include "hv/core/log.h"
#include "hv/core/panic.h"
#include "hv/vmx/vmx_ops.h"

/* Register state after INIT (SDM 3A table 9-1), real mode, with the
 * VMX-owned CR bits forced in the real registers only. */
void exit_load_init_state(struct percpu *cpu)
{
    const uint64_t cr0 = CR0_ET | CR0_CD | CR0_NW;
    const struct vmcs_field_value fv[] = {
        { VMCS_GUEST_CR0, (cr0 | cpu->cr0_must_be_one) & cpu->cr0_may_be_one },
        { VMCS_CR0_READ_SHADOW, cr0 },
        { VMCS_GUEST_CR3, 0 },
        { VMCS_GUEST_CR4, cpu->cr4_must_be_one },
        { VMCS_CR4_READ_SHADOW, 0 },
        { VMCS_GUEST_EFER, 0 },
        { VMCS_ENTRY_CONTROLS, vmread(VMCS_ENTRY_CONTROLS) & ~(uint64_t)ENTRY_IA32E_MODE_GUEST },
        { VMCS_GUEST_RFLAGS, RFLAGS_RESERVED1 },
        { VMCS_GUEST_RIP, 0xFFF0 },
        { VMCS_GUEST_RSP, 0 },
        { VMCS_GUEST_CS_SEL, 0xF000 },
        { VMCS_GUEST_CS_BASE, 0xFFFF0000ull },
        { VMCS_GUEST_CS_LIMIT, 0xFFFF },
        { VMCS_GUEST_CS_AR, 0x9B },
        { VMCS_GUEST_DR7, 0x400 },
        { VMCS_GUEST_GDTR_BASE, 0 },
        { VMCS_GUEST_GDTR_LIMIT, 0xFFFF },
        { VMCS_GUEST_IDTR_BASE, 0 },
        { VMCS_GUEST_IDTR_LIMIT, 0xFFFF },
        { VMCS_GUEST_LDTR_SEL, 0 },
        { VMCS_GUEST_LDTR_BASE, 0 },
        { VMCS_GUEST_LDTR_LIMIT, 0xFFFF },
        { VMCS_GUEST_LDTR_AR, 0x82 },
        { VMCS_GUEST_TR_SEL, 0 },
        { VMCS_GUEST_TR_BASE, 0 },
        { VMCS_GUEST_TR_LIMIT, 0xFFFF },
        { VMCS_GUEST_TR_AR, 0x8B },
        { VMCS_GUEST_INTERRUPTIBILITY, 0 },
        { VMCS_GUEST_PENDING_DBG, 0 },
        { VMCS_GUEST_DEBUGCTL, 0 },
        { VMCS_GUEST_SYSENTER_CS, 0 },
        { VMCS_GUEST_SYSENTER_ESP, 0 },
        { VMCS_GUEST_SYSENTER_EIP, 0 },
        { VMCS_GUEST_FS_BASE, 0 },
        { VMCS_GUEST_GS_BASE, 0 },
    };
    vmwrite_all(fv, sizeof fv / sizeof fv[0]);
    static const uint32_t data_segs[] = {
        VMCS_GUEST_ES_SEL, VMCS_GUEST_SS_SEL, VMCS_GUEST_DS_SEL,
        VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL,
    };
    for (unsigned i = 0; i < 5; i++) {
        uint32_t off = data_segs[i] - VMCS_GUEST_ES_SEL;
        vmwrite_checked(data_segs[i], 0);
        vmwrite_checked(VMCS_GUEST_ES_LIMIT + off, 0xFFFF);
        vmwrite_checked(VMCS_GUEST_ES_AR + off, 0x93);
        if (data_segs[i] != VMCS_GUEST_FS_SEL && data_segs[i] != VMCS_GUEST_GS_SEL)
            vmwrite_checked(VMCS_GUEST_ES_BASE + off, 0);
    }
    invvpid(INVVPID_SINGLE_CONTEXT, cpu->vpid, 0);
}

void exit_start_at_vector(struct percpu *cpu, uint64_t vector)
{
    vmwrite_checked(VMCS_GUEST_CS_SEL, vector << 8);
    vmwrite_checked(VMCS_GUEST_CS_BASE, vector << 12);
    vmwrite_checked(VMCS_GUEST_RIP, 0);
    /* the CPU may report SMI blocking for the wait-for-SIPI state
     * (Bochs does); a started AP has no blocking of any kind */
    vmwrite_checked(VMCS_GUEST_INTERRUPTIBILITY, 0);
    vmwrite_checked(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
    LOG_INF("SIPI: cpu%u starts at 0x%lx", cpu->index, vector << 12);
}

void handle_sipi(struct percpu *cpu, struct guest_regs *regs)
{
    (void)regs;
    exit_start_at_vector(cpu, vmread(VMCS_EXIT_QUALIFICATION) & 0xFF);
}

void handle_init(struct percpu *cpu, struct guest_regs *regs)
{
    if (cpu->is_bsp)
        platform_reset("INIT signal to the bootstrap processor (guest asked for a restart)");
    exit_load_init_state(cpu);
    for (unsigned i = 0; i < 16; i++)
        regs->gpr[i] = 0;
    if (!lapic_routing_active()) {
        /* the OS owns the APIC now: the SIPI comes from the hardware */
        vmwrite_checked(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_WAIT_FOR_SIPI);
        LOG_WARN_("INIT: cpu%u waits for a hardware SIPI (local APIC no longer routed)",
                  cpu->index);
        return;
    }
    __atomic_store_n(&cpu->sipi_state, 1, __ATOMIC_RELEASE);
    LOG_INF("INIT: cpu%u now waits for SIPI", cpu->index);
    uint8_t vector = lapic_wait_for_sipi(cpu);
    exit_start_at_vector(cpu, vector);
}

