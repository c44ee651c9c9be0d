/* Runs in the management partition: CPU exceptions. None is expected, so
 * each is reported with its state and stops the partition; under onestone
 * the stop is visible to onestone (the CPU halts with interrupts off). */
#include "guest/mgmt/mgmt.h"

struct trap_frame {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi, zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes in long mode");

static struct idt_gate idt[32] __attribute__((aligned(16)));
extern const uint64_t trap_stubs[32];

static const char *const names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound", "#UD invalid opcode", "#NM no math", "#DF double fault", "coproc",
    "#TS invalid TSS", "#NP not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "15", "#MF x87 error", "#AC alignment", "#MC machine check",
    "#XM SIMD error", "#VE", "#CP", "22", "23", "24", "25", "26", "27", "28", "29",
    "#SX", "31"};

void trap_handler(struct trap_frame *f);
void trap_handler(struct trap_frame *f)
{
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    mgmt_halt("exception %s (vector %llu) error 0x%llx at rip 0x%llx rsp 0x%llx cr2 0x%llx",
              names[f->vector & 31], (unsigned long long)f->vector,
              (unsigned long long)f->error, (unsigned long long)f->rip,
              (unsigned long long)f->rsp, (unsigned long long)cr2);
}

void traps_init(void)
{
    for (unsigned v = 0; v < 32; v++) {
        uint64_t a = trap_stubs[v];
        idt[v] = (struct idt_gate){
            .offset_lo = (uint16_t)a, .selector = 0x08, .ist = 0, .type_attr = 0x8E,
            .offset_mid = (uint16_t)(a >> 16), .offset_hi = (uint32_t)(a >> 32), .zero = 0};
    }
    traps_load();
}

void traps_load(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = {
        sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}
