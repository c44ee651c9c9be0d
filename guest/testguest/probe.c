/* Runs as a guest (the EFI test guest): see probe.h. A private IDT with
 * #UD and #GP stubs that record the vector and resume at a recovery
 * address each probe sets just before its instruction. */
#include <efi.h>
#include <efilib.h>
#include "arch/io.h"
#include "arch/x86.h"
#include "guest/testguest/probe.h"

__attribute__((visibility("hidden"))) volatile uint64_t tg_recover_rip;
__attribute__((visibility("hidden"))) volatile uint32_t tg_last_vector;
extern char tg_ud_stub[], tg_gp_stub[];
__asm__(".text\n"
        ".globl tg_ud_stub\n.hidden tg_ud_stub\n"
        "tg_ud_stub:\n"
        "  movl $6, tg_last_vector(%rip)\n"
        "  mov tg_recover_rip(%rip), %rax\n"
        "  mov %rax, (%rsp)\n"
        "  iretq\n"
        ".globl tg_gp_stub\n.hidden tg_gp_stub\n"
        "tg_gp_stub:\n"
        "  movl $13, tg_last_vector(%rip)\n"
        "  add $8, %rsp\n"
        "  mov tg_recover_rip(%rip), %rax\n"
        "  mov %rax, (%rsp)\n"
        "  iretq\n");

/* every probe's first two instructions: resume at label 1 after a fault */
#define PROBE_AT_1 "lea 1f(%%rip), %%rbx\n\tmov %%rbx, tg_recover_rip(%%rip)\n\t"

static struct idt_gate64 probe_idt[256] __attribute__((aligned(16)));

static void set_gate(unsigned vector, void *handler, uint16_t cs)
{
    uint64_t a = (uint64_t)(UINTN)handler;
    probe_idt[vector].offset_low = (uint16_t)a;
    probe_idt[vector].selector = cs;
    probe_idt[vector].ist = 0;
    probe_idt[vector].type_attr = 0x8E;
    probe_idt[vector].offset_mid = (uint16_t)(a >> 16);
    probe_idt[vector].offset_high = (uint32_t)(a >> 32);
    probe_idt[vector].reserved = 0;
}

uint32_t probe_rdmsr(uint32_t msr, uint64_t *value)
{
    uint32_t lo = 0, hi = 0;
    tg_last_vector = 0;
    __asm__ volatile(PROBE_AT_1
                     "rdmsr\n"
                     "1:"
                     : "=a"(lo), "=d"(hi) : "c"(msr) : "rbx", "memory");
    *value = ((uint64_t)hi << 32) | lo;
    return tg_last_vector;
}

/* WRMSR and XSETBV: ECX names the register, EDX:EAX holds the value */
#define PROBE_ECX_EDX_EAX(insn, ecx, value)                                    \
    tg_last_vector = 0;                                                        \
    __asm__ volatile(PROBE_AT_1 insn "\n1:"                                    \
                     : : "c"(ecx), "a"((uint32_t)(value)),                     \
                         "d"((uint32_t)((value) >> 32))                         \
                     : "rbx", "memory");                                       \
    return tg_last_vector

uint32_t probe_wrmsr(uint32_t msr, uint64_t value)
{
    PROBE_ECX_EDX_EAX("wrmsr", msr, value);
}

uint32_t probe_xsetbv(uint32_t index, uint64_t value)
{
    PROBE_ECX_EDX_EAX("xsetbv", index, value);
}

/* an instruction with one register operand */
#define PROBE_ONE_OPERAND(insn, constraint, operand)                           \
    tg_last_vector = 0;                                                        \
    __asm__ volatile(PROBE_AT_1 insn "\n1:"                                    \
                     : : constraint(operand) : "rbx", "rax", "memory", "cc");  \
    return tg_last_vector

uint32_t probe_write_cr4(uint64_t value)
{
    PROBE_ONE_OPERAND("mov %0, %%cr4", "r", value);
}

uint32_t probe_vmxon(void)
{
    static uint64_t region_pa;
    tg_last_vector = 0;
    __asm__ volatile(PROBE_AT_1
                     "vmxon %0\n"
                     "1:"
                     : : "m"(region_pa) : "rbx", "rax", "memory", "cc");
    return tg_last_vector;
}

uint32_t probe_vmcall(uint64_t function)
{
    tg_last_vector = 0;
    __asm__ volatile(PROBE_AT_1
                     "vmcall\n"
                     "1:"
                     : "+a"(function) : : "rbx", "memory");
    return tg_last_vector;
}

uint32_t probe_write_cr0(uint64_t value)
{
    PROBE_ONE_OPERAND("mov %0, %%cr0", "r", value);
}

uint32_t probe_store(volatile void *p, uint64_t value, unsigned size)
{
    tg_last_vector = 0;
#define PROBE_STORE(insn, reg)                                                 \
    __asm__ volatile(PROBE_AT_1                                                \
                     insn "\n"                                                 \
                     "1:"                                                      \
                     : : reg(value), "D"(p) : "rbx", "memory")
    switch (size) {
    case 1: PROBE_STORE("movb %b0, (%1)", "a"); break;
    case 2: PROBE_STORE("movw %w0, (%1)", "a"); break;
    case 4: PROBE_STORE("movl %k0, (%1)", "a"); break;
    default: PROBE_STORE("movq %0, (%1)", "a"); break;
    }
#undef PROBE_STORE
    return tg_last_vector;
}

uint32_t probe_store_imm32(volatile uint32_t *p)
{
    PROBE_ONE_OPERAND("movl $0x5a5a5a5a, (%0)", "D", p);
}

uint32_t probe_add64(volatile uint64_t *p)
{
    PROBE_ONE_OPERAND("addq $1, (%0)", "D", p);
}

static struct descriptor_table_reg saved_idt;
static uint64_t saved_flags;

void probe_idt_enter(void)
{
    struct descriptor_table_reg mine;
    uint16_t cs;
    __asm__ volatile("pushfq; pop %0; cli" : "=r"(saved_flags) : : "memory");
    __asm__ volatile("sidt %0" : "=m"(saved_idt));
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    UINTN idt_bytes = (UINTN)saved_idt.limit + 1;
    CopyMem(probe_idt, (void *)(UINTN)saved_idt.base,
            idt_bytes < sizeof probe_idt ? idt_bytes : sizeof probe_idt);
    set_gate(6, tg_ud_stub, cs);
    set_gate(13, tg_gp_stub, cs);
    mine.base = (uint64_t)(UINTN)probe_idt;
    mine.limit = sizeof probe_idt - 1;
    __asm__ volatile("lidt %0" : : "m"(mine));
}

void probe_idt_leave(void)
{
    __asm__ volatile("lidt %0" : : "m"(saved_idt));
    if (saved_flags & RFLAGS_IF)
        __asm__ volatile("sti");
}
