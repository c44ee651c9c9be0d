/* Runs in VMX root: VMCS control, host and guest fields (SDM 3C ch. 24 and
 * the entry checks of ch. 26). */
#include "hv/vmx/vmcs_setup.h"
#include "hv/vmx/host_idt.h"
#include "hv/vmx/vmx_ops.h"
#include "arch/io.h"

extern char vmx_exit_entry[];

uint64_t hv_msr_bitmap_pa, hv_eptp;     /* the primary partition's */

struct segment_state {
    uint16_t selector;
    uint64_t base;
    uint32_t limit, ar;
};

/* Decodes the descriptor that `sel` names in the current GDT into the
 * VMCS access-rights format (24.4.1): type/S/DPL/P in bits 7:0, AVL/L/DB/G
 * in 15:12, "unusable" in bit 16. */
static struct segment_state read_segment(uint16_t sel, uint64_t gdt_base, bool system64)
{
    struct segment_state s = { sel, 0, 0, VMX_AR_UNUSABLE };
    if ((sel & ~3u) == 0)
        return s;
    const uint8_t *d = (const uint8_t *)(uintptr_t)(gdt_base + (sel & ~7u));
    uint32_t limit = d[0] | (d[1] << 8) | ((d[6] & 0x0F) << 16);
    uint64_t base = d[2] | (d[3] << 8) | (d[4] << 16) | ((uint64_t)d[7] << 24);
    if (system64)
        base |= (uint64_t)(d[8] | (d[9] << 8) | (d[10] << 16) | ((uint32_t)d[11] << 24)) << 32;
    if (d[6] & 0x80)
        limit = (limit << 12) | 0xFFF;
    s.base = base;
    s.limit = limit;
    s.ar = d[5] | ((uint32_t)(d[6] & 0xF0) << 8);
    return s;
}

static uint16_t read_sel(int which)
{
    uint16_t v = 0;
    switch (which) {
    case 0: __asm__ volatile("mov %%es, %0" : "=r"(v)); break;
    case 1: __asm__ volatile("mov %%cs, %0" : "=r"(v)); break;
    case 2: __asm__ volatile("mov %%ss, %0" : "=r"(v)); break;
    case 3: __asm__ volatile("mov %%ds, %0" : "=r"(v)); break;
    case 4: __asm__ volatile("mov %%fs, %0" : "=r"(v)); break;
    case 5: __asm__ volatile("mov %%gs, %0" : "=r"(v)); break;
    case 6: __asm__ volatile("sldt %0" : "=r"(v)); break;
    case 7: __asm__ volatile("str %0" : "=r"(v)); break;
    }
    return v;
}

static uint64_t setup_guest(const struct launch_context *ctx, uint64_t cr0, uint64_t cr4)
{
    struct descriptor_table_reg gdtr, idtr;
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    __asm__ volatile("sidt %0" : "=m"(idtr));

    struct segment_state seg[8];
    for (int i = 0; i < 8; i++)
        seg[i] = read_segment(read_sel(i), gdtr.base, i >= 6);
    /* Firmware in long mode may never load TR; VM entry needs a usable
     * busy TSS there (26.3.1.2), so give the guest an empty one. */
    if (seg[7].ar & VMX_AR_UNUSABLE) {
        seg[7].ar = 0x8B;
        seg[7].base = 0;
        seg[7].limit = 0x67;
    }
    seg[4].base = rdmsr(MSR_IA32_FS_BASE);
    seg[5].base = rdmsr(MSR_IA32_GS_BASE);
    uint64_t dr7;
    __asm__ volatile("mov %%dr7, %0" : "=r"(dr7));

    static const uint32_t sel_field[8] = {
        VMCS_GUEST_ES_SEL, VMCS_GUEST_CS_SEL, VMCS_GUEST_SS_SEL, VMCS_GUEST_DS_SEL,
        VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL, VMCS_GUEST_LDTR_SEL, VMCS_GUEST_TR_SEL,
    };
    for (int i = 0; i < 8; i++) {
        /* selector, limit, AR and base fields are spaced by 2 per segment */
        uint32_t idx = (uint32_t)i * 2;
        if (!vmwrite_checked(sel_field[i], seg[i].selector) ||
            !vmwrite_checked(VMCS_GUEST_ES_LIMIT + idx, seg[i].limit) ||
            !vmwrite_checked(VMCS_GUEST_ES_AR + idx, seg[i].ar) ||
            !vmwrite_checked(VMCS_GUEST_ES_BASE + idx, seg[i].base))
            return sel_field[i];
    }

    const struct vmcs_field_value fv[] = {
        { VMCS_GUEST_CR0, cr0 },
        { VMCS_GUEST_CR3, read_cr3() },
        { VMCS_GUEST_CR4, cr4 },
        { VMCS_GUEST_GDTR_BASE, gdtr.base },
        { VMCS_GUEST_GDTR_LIMIT, gdtr.limit },
        { VMCS_GUEST_IDTR_BASE, idtr.base },
        { VMCS_GUEST_IDTR_LIMIT, idtr.limit },
        { VMCS_GUEST_DR7, dr7 },
        { VMCS_GUEST_RSP, ctx->resume_rsp },
        { VMCS_GUEST_RIP, ctx->resume_rip },
        { VMCS_GUEST_RFLAGS, ctx->rflags },
        { VMCS_GUEST_DEBUGCTL, rdmsr(MSR_IA32_DEBUGCTL) },
        { VMCS_GUEST_PAT, rdmsr(MSR_IA32_PAT) },
        { VMCS_GUEST_EFER, rdmsr(MSR_IA32_EFER) },
        { VMCS_GUEST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS) },
        { VMCS_GUEST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP) },
        { VMCS_GUEST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP) },
        { VMCS_LINK_POINTER, ~0ull },
        { VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE },
        { VMCS_GUEST_INTERRUPTIBILITY, 0 },
        { VMCS_GUEST_PENDING_DBG, 0 },
    };
    return vmwrite_all(fv, sizeof fv / sizeof fv[0]);
}

bool vmx_preemption_timer_usable(void)
{
    return (hv_plan->vmx.pin >> 32) & PIN_PREEMPTION_TIMER;
}

void vmx_preemption_timer_set_ms(uint64_t ms)
{
    unsigned rate = (unsigned)(hv_plan->vmx.misc & 0x1F);
    uint64_t ticks = (ms * hv_tsc_per_ms()) >> rate;
    vmwrite_checked(VMCS_PREEMPTION_TIMER_VALUE, ticks > 0xFFFFFFFFull ? 0xFFFFFFFFull : ticks);
}

uint64_t vmcs_setup_host(struct percpu *cpu, uint64_t host_cr0, uint64_t host_cr4)
{
    const struct vmcs_field_value fv[] = {
        { VMCS_HOST_CR0, host_cr0 },
        { VMCS_HOST_CR3, hv_host_cr3 },
        { VMCS_HOST_CR4, host_cr4 },
        { VMCS_HOST_ES_SEL, HOST_DS_SEL },
        { VMCS_HOST_CS_SEL, HOST_CS_SEL },
        { VMCS_HOST_SS_SEL, HOST_DS_SEL },
        { VMCS_HOST_DS_SEL, HOST_DS_SEL },
        { VMCS_HOST_FS_SEL, 0 },
        { VMCS_HOST_GS_SEL, 0 },
        { VMCS_HOST_TR_SEL, HOST_TSS_SEL },
        { VMCS_HOST_FS_BASE, 0 },
        { VMCS_HOST_GS_BASE, (uint64_t)(uintptr_t)cpu },
        { VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&cpu->tss },
        { VMCS_HOST_GDTR_BASE, (uint64_t)(uintptr_t)&cpu->gdt },
        { VMCS_HOST_IDTR_BASE, host_idt_base() },
        { VMCS_HOST_SYSENTER_CS, 0 },
        { VMCS_HOST_SYSENTER_ESP, 0 },
        { VMCS_HOST_SYSENTER_EIP, 0 },
        { VMCS_HOST_RSP, cpu->host_stack_top },
        { VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_entry },
        { VMCS_HOST_EFER, rdmsr(MSR_IA32_EFER) },
        { VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT) },
    };
    return vmwrite_all(fv, sizeof fv / sizeof fv[0]);
}

uint64_t vmcs_setup_controls(struct percpu *cpu, const struct vmx_controls *c,
                             uint64_t guest_cr0, uint64_t guest_cr4, bool long_mode)
{
    const struct partition *part = cpu->part;
    uint32_t entry = c->entry;
    uint32_t proc = c->proc;
    if (long_mode)
        entry |= ENTRY_IA32E_MODE_GUEST;
    if (part->io_bitmap_pa[0])
        proc |= PROC_USE_IO_BITMAPS;
    /* guest-owned bits are everything VMX does not pin; with unrestricted
     * guest, PE and PG are the guest's too (26.3.1.1) */
    uint64_t cr0_mask = (cpu->cr0_must_be_one | ~cpu->cr0_may_be_one) & 0xFFFFFFFFull;
    uint64_t cr4_mask = cpu->cr4_must_be_one | ~cpu->cr4_may_be_one;
    const struct vmcs_field_value fv[] = {
        { VMCS_PIN_CONTROLS, c->pin },
        { VMCS_PROC_CONTROLS, proc },
        { VMCS_PROC_CONTROLS2, c->proc2 },
        { VMCS_EXIT_CONTROLS, c->exit },
        { VMCS_ENTRY_CONTROLS, entry },
        { VMCS_EXCEPTION_BITMAP, 0 },
        { VMCS_PF_ERROR_MASK, 0 },
        { VMCS_PF_ERROR_MATCH, 0 },
        { VMCS_CR3_TARGET_COUNT, 0 },
        { VMCS_EXIT_MSR_STORE_COUNT, 0 },
        { VMCS_EXIT_MSR_LOAD_COUNT, 0 },
        { VMCS_ENTRY_MSR_LOAD_COUNT, 0 },
        { VMCS_ENTRY_INTR_INFO, 0 },
        { VMCS_MSR_BITMAP, part->msr_bitmap_pa },
        { VMCS_IO_BITMAP_A, part->io_bitmap_pa[0] },
        { VMCS_IO_BITMAP_B, part->io_bitmap_pa[1] },
        { VMCS_EPT_POINTER, part->gpa_map_pointer },
        { VMCS_VPID, cpu->vpid },
        { VMCS_CR0_GUEST_HOST_MASK, cr0_mask },
        { VMCS_CR4_GUEST_HOST_MASK, cr4_mask },
        { VMCS_CR0_READ_SHADOW, guest_cr0 },
        { VMCS_CR4_READ_SHADOW, guest_cr4 & ~CR4_VMXE },
        { VMCS_TSC_OFFSET, 0 },
    };
    return vmwrite_all(fv, sizeof fv / sizeof fv[0]);
}

uint64_t vmcs_setup(struct percpu *cpu, const struct launch_context *ctx)
{
    uint64_t cr0 = read_cr0(), cr4 = read_cr4();
    uint64_t host_cr4 = cr4 | CR4_VMXE | (hv_plan->cpuid_xsave ? CR4_OSXSAVE : 0);
    uint64_t rc;
    if ((rc = vmcs_setup_controls(cpu, &hv_controls, cr0, cr4,
                                  (rdmsr(MSR_IA32_EFER) & EFER_LMA) != 0)))
        return rc;
    if ((rc = vmcs_setup_host(cpu, cr0, host_cr4)))
        return rc;
    return setup_guest(ctx, cr0, cr4);
}
