/* Runs on an application processor of the management partition, only when
 * mgmt.elf runs standalone (under onestone, onestone starts the partition's
 * CPUs at mgmt_entry64 itself): the start-up code a SIPI lands in. smp.c
 * copies [ap_trampoline, ap_trampoline_end) to AP_TRAMPOLINE_BASE (below
 * 1 MiB, page aligned: the SIPI vector is its page number), fills in the
 * data words at the end, and starts one AP at a time. The code goes from
 * real mode through 32-bit protected mode to long mode with the boot CPU's
 * page tables, then enters mgmt_entry64 with RDI = boot parameters and
 * RSI = the CPU's index, as the entry contract says. */
#include "guest/mgmt/smp.h"

#define T(sym) (AP_TRAMPOLINE_BASE + ((sym) - ap_trampoline))

    .section .rodata
    .globl ap_trampoline, ap_trampoline_end
    .code16
ap_trampoline:
    cli
    movw %cs, %ax
    movw %ax, %ds
    lgdtl tr_gdt_ptr - ap_trampoline
    movl %cr0, %eax
    orl $1, %eax                       /* CR0.PE */
    movl %eax, %cr0
    ljmpl $0x08, $T(tr_pm32)

    .code32
tr_pm32:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl %cr4, %eax
    orl $(1 << 5), %eax                /* CR4.PAE */
    movl %eax, %cr4
    movl T(tr_cr3), %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx             /* IA32_EFER */
    rdmsr
    orl $(1 << 8), %eax                /* EFER.LME */
    wrmsr
    movl %cr0, %eax
    orl $0x80000001, %eax              /* CR0.PG | CR0.PE */
    movl %eax, %cr0
    ljmpl $0x18, $T(tr_lm64)

    .code64
tr_lm64:
    movq T(tr_params), %rdi
    movq T(tr_index), %rsi
    movq T(tr_entry), %rax
    jmp *%rax

    .balign 8
tr_gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF           /* 0x08: 32-bit code */
    .quad 0x00CF92000000FFFF           /* 0x10: data */
    .quad 0x00AF9A000000FFFF           /* 0x18: 64-bit code */
tr_gdt_ptr:
    .word tr_gdt_ptr - tr_gdt - 1
    .long T(tr_gdt)
    .balign 8
    .globl ap_trampoline_cr3, ap_trampoline_params, ap_trampoline_index, ap_trampoline_entry
ap_trampoline_cr3:
tr_cr3:     .quad 0
ap_trampoline_params:
tr_params:  .quad 0
ap_trampoline_index:
tr_index:   .quad 0
ap_trampoline_entry:
tr_entry:   .quad 0
ap_trampoline_end:
