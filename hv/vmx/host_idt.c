/* Runs in VMX root: onestone's own IDT. An exception at an instruction of
 * the exception table (hv/x86/extable.h: MSR accesses, XSETBV and memory reads
 * with values a guest chose) resumes at its fixup with the vector in RAX.
 * Any other exception in the hypervisor is a bug: it is logged with the
 * faulting state and the platform reset. An
 * NMI that arrives in VMX root belongs to the guest (onestone does not take
 * NMI exits): it is remembered and injected on the next VM entry. */
#include "hv/vmx/host_idt.h"
#include "hv/x86/extable.h"
#include "hv/core/log.h"
#include "hv/core/panic.h"
#include "hv/vmx/percpu.h"

#define HOST_IDT_VECTORS 22

static struct idt_gate64 host_idt[256] __attribute__((aligned(16)));

extern char host_isr0[], host_isr1[], host_isr2[], host_isr3[], host_isr4[],
    host_isr5[], host_isr6[], host_isr7[], host_isr8[], host_isr9[],
    host_isr10[], host_isr11[], host_isr12[], host_isr13[], host_isr14[],
    host_isr15[], host_isr16[], host_isr17[], host_isr18[], host_isr19[],
    host_isr20[], host_isr21[];

static char *const isr_table[HOST_IDT_VECTORS] = {
    host_isr0, host_isr1, host_isr2, host_isr3, host_isr4, host_isr5,
    host_isr6, host_isr7, host_isr8, host_isr9, host_isr10, host_isr11,
    host_isr12, host_isr13, host_isr14, host_isr15, host_isr16, host_isr17,
    host_isr18, host_isr19, host_isr20, host_isr21,
};

struct exception_frame {
    uint64_t rbx, r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

void host_idt_init(void)
{
    for (unsigned v = 0; v < HOST_IDT_VECTORS; v++) {
        uint64_t a = (uint64_t)(uintptr_t)isr_table[v];
        host_idt[v].offset_low = (uint16_t)a;
        host_idt[v].selector = HOST_CS_SEL;
        host_idt[v].ist = 0;
        host_idt[v].type_attr = 0x8E;          /* present, DPL 0, interrupt gate */
        host_idt[v].offset_mid = (uint16_t)(a >> 16);
        host_idt[v].offset_high = (uint32_t)(a >> 32);
        host_idt[v].reserved = 0;
    }
}

uint64_t host_idt_base(void)
{
    return (uint64_t)(uintptr_t)host_idt;
}

uint16_t host_idt_limit(void)
{
    return sizeof host_idt - 1;
}

void host_exception(struct exception_frame *f);

void host_exception(struct exception_frame *f)
{
    if (f->vector == VECTOR_NMI) {
        struct percpu *cpu = this_cpu();
        /* an NMI kick (INIT routing) is handled by the dispatcher; any
         * other NMI is the guest's and is injected on the next entry */
        if (!__atomic_load_n(&cpu->init_pending, __ATOMIC_ACQUIRE))
            cpu->nmi_pending = true;
        return;
    }
    uint64_t fixup = extable_fixup(f->rip);
    if (fixup) {
        f->rip = fixup;
        f->rax = f->vector;
        return;
    }
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    LOG_ERR("exception %lu in VMX root: error=0x%lx rip=0x%lx rsp=0x%lx cr2=0x%lx",
            f->vector, f->error, f->rip, f->rsp, cr2);
    platform_reset("onestone faulted in VMX root");
}
