/* Runs in VMX root: exception stubs of onestone's host IDT. Each pushes
 * its vector (and a zero error code where the CPU pushes none) and joins
 * host_exception_common, which calls host_exception() in C. */
    .text
.macro STUB vec, has_err
    .globl host_isr\vec
    .hidden host_isr\vec
host_isr\vec:
    .if \has_err == 0
    push $0
    .endif
    push $\vec
    jmp host_exception_common
.endm

STUB 0,0
STUB 1,0
STUB 2,0
STUB 3,0
STUB 4,0
STUB 5,0
STUB 6,0
STUB 7,0
STUB 8,1
STUB 9,0
STUB 10,1
STUB 11,1
STUB 12,1
STUB 13,1
STUB 14,1
STUB 15,0
STUB 16,0
STUB 17,1
STUB 18,0
STUB 19,0
STUB 20,0
STUB 21,1

host_exception_common:
    push %rax
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    push %rbx
    mov %rsp, %rdi          /* frame: 10 saved regs, vector, error, iret frame */
    mov %rsp, %rbx
    and $-16, %rsp
    call host_exception     /* returns for an NMI or a fixup */
    mov %rbx, %rsp
    pop %rbx
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rax
    add $16, %rsp           /* vector and error code */
    iretq

    .section .note.GNU-stack,"",@progbits
