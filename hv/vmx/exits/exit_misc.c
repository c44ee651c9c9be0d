/* Runs in VMX root: the small exits an unmodified OS causes.
 * XSETBV (checked as the CPU checks it, hv/x86/cr_checks.h) and INVD exit
 * unconditionally; VMX instructions exit and get #UD
 * (the guest's CPU has no VMX); a triple fault resets the platform. */
#include "hv/vmx/exits/exits.h"
#include "hv/core/log.h"
#include "hv/core/panic.h"
#include "hv/vmx/vmx_ops.h"
#include "hv/vmx/lapic_emul.h"
#include "hv/x86/cr_checks.h"
#include "hv/x86/safe_ops.h"
#include "hv/vmx/guest_mem.h"
#include "hv/core/line_limit.h"
#include "onestone/hvabi.h"
#include "onestone/text_out.h"
#include "onestone/mgmt_abi.h"
#include "arch/io.h"

void handle_xsetbv(struct percpu *cpu, struct guest_regs *regs)
{
    uint32_t index = (uint32_t)regs->gpr[GPR_RCX];
    uint64_t value = ((uint64_t)(uint32_t)regs->gpr[GPR_RDX] << 32) |
                     (uint32_t)regs->gpr[GPR_RAX];
    struct cpuid_regs xs = cpuid(0xD, 0);
    uint64_t supported = ((uint64_t)xs.edx << 32) | xs.eax;
    const char *why;
    /* the checks XSETBV itself makes (hv/x86/cr_checks.h), then the
     * instruction with a fixup: a value the CPU still refuses faults the
     * guest, not onestone */
    unsigned v = xsetbv_fault(index, value, supported, exit_guest_cpl(),
                              (vmread(VMCS_GUEST_CR4) & CR4_OSXSAVE) != 0, &why);
    if (!v)
        v = xsetbv_safe(index, value);
    if (v) {
        exit_inject_exception(cpu, (uint8_t)v, v == VECTOR_GP, 0);
        return;
    }
    exit_advance_rip();
    lapic_note_os_code_on(cpu);
}

void handle_invd(struct percpu *cpu, struct guest_regs *regs)
{
    (void)cpu;
    (void)regs;
    /* INVD would throw away onestone's dirty lines too: write back instead */
    __asm__ volatile("wbinvd" : : : "memory");
    exit_advance_rip();
}

void handle_vmx_instruction(struct percpu *cpu, struct guest_regs *regs)
{
    (void)regs;
    exit_inject_exception(cpu, VECTOR_UD, false, 0);
}

/* VMCALL: onestone's hypercalls (include/onestone/hvabi.h) from CPL 0;
 * anything else is #UD, as on a CPU without a hypervisor. This is the
 * primary partition's handler: the management partition's hypercalls
 * (include/onestone/mgmt_abi.h) are answered by its own exit policy
 * (hv/vmx/exits/exit_mgmt.c) and are #UD here. */
/* ONESTONE_HC_LOG: one line from the primary's CPL 0, as it is (any
 * CPL-0 code there could write COM1 directly anyway), never more than the
 * rate limit allows. */
static int64_t primary_log_line(struct guest_regs *regs)
{
    static struct line_limit limit = GUEST_LOG_LIMIT();
    uint64_t addr = regs->gpr[GPR_RBX], len = regs->gpr[GPR_RCX];
    uint8_t raw[ONESTONE_HC_LOG_MAX];
    char line[ONESTONE_HC_LOG_MAX + 1];
    if (len == 0 || len > sizeof raw || guest_read_linear(addr, raw, (unsigned)len) != len)
        return -1;
    struct text_out t = { .buf = line, .cap = sizeof line };
    text_out_printable(&t, (const char *)raw, (size_t)len);
    if (line_limit_admit(&limit, "the primary partition"))
        log_write_line(line, t.len);
    return 0;
}

void handle_vmcall(struct percpu *cpu, struct guest_regs *regs)
{
    static volatile int boot_services_ended;
    uint64_t fn = regs->gpr[GPR_RAX];
    bool mgmt_call = (fn & ~0xFFull) == MGMT_HC_BASE;
    if (exit_guest_cpl() != 0 || (fn & 0xFFFFFFFF00000000ull) != ONESTONE_HC_MAGIC ||
        mgmt_call) {
        exit_inject_exception(cpu, VECTOR_UD, false, 0);
        return;
    }
    if (fn == ONESTONE_HC_BOOT_SERVICES_ENDED) {
        if (!__atomic_exchange_n(&boot_services_ended, 1, __ATOMIC_ACQ_REL))
            lapic_os_took_over();
        regs->gpr[GPR_RAX] = 0;
    } else if (fn == ONESTONE_HC_LOG) {
        regs->gpr[GPR_RAX] = (uint64_t)primary_log_line(regs);
    } else {
        regs->gpr[GPR_RAX] = (uint64_t)-1;
    }
    exit_advance_rip();
}

void handle_triple_fault(struct percpu *cpu, struct guest_regs *regs)
{
    LOG_ERR("guest triple fault on cpu%u at rip 0x%lx (cr0=0x%lx cr3=0x%lx)", cpu->index,
            vmread(VMCS_GUEST_RIP), vmread(VMCS_GUEST_CR0), vmread(VMCS_GUEST_CR3));
    (void)regs;
    platform_reset("guest triple fault (a real CPU would reset too)");
}

/* NMI exiting is on so onestone can kick a CPU (INIT routing, see
 * hv/vmx/lapic_emul.h). An NMI that is not a kick belongs to the guest and is
 * injected back; no exception bitmap is set, so nothing else exits here. */
/* A VM exit caused by an NMI leaves NMIs blocked until the next IRET
 * (SDM 3C 27.5.5 / KVM's vmx_do_nmi_irqoff); onestone's host never takes
 * an interrupt, so it runs an IRET to itself to unblock them, or every
 * later NMI kick to this CPU would be lost. */
void exit_unblock_nmis(void)
{
    __asm__ volatile("mov %%rsp, %%rax\n\t"
                     "pushq %0\n\t"
                     "pushq %%rax\n\t"
                     "pushfq\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "iretq\n"
                     "1:"
                     : : "i"(HOST_DS_SEL), "i"(HOST_CS_SEL) : "rax", "memory", "cc");
}

void handle_exception_nmi(struct percpu *cpu, struct guest_regs *regs)
{
    uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
    bool is_nmi = (info & INTR_INFO_VALID) &&
                  ((info >> INTR_INFO_TYPE_SHIFT) & 7) == INTR_TYPE_NMI;
    if (!is_nmi)
        exit_fatal(cpu, regs, "exception exit without a reason to intercept");
    /* a kick is recognised by its mailbox flag; the dispatcher runs the
     * INIT before resuming the guest */
    if (!__atomic_load_n(&cpu->init_pending, __ATOMIC_ACQUIRE))
        cpu->nmi_pending = true;    /* the guest's own NMI: injected back */
    exit_unblock_nmis();
}
