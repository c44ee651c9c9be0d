/* Runs on the management partition's boot CPU: mgmt_entry64, the 64-bit
 * entry of the contract in include/onestone/mgmt_abi.h. It switches to the
 * partition's own stack and GDT, turns SSE on (newlib's libm and strtod
 * need it) and calls mgmt_main(params, cpu_index). Every CPU of the
 * partition comes through here: the boot CPU (RSI = 0) gets the big stack
 * newlib and lwIP run on, each AP one of its own. */
#define AP_STACK_SIZE (64 * 1024)
#define MAX_CPUS 8         /* MGMT_MAX_CPUS; smp.c asserts they agree */

#define CR0_MP  (1 << 1)
#define CR0_EM  (1 << 2)
#define CR4_OSFXSR      (1 << 9)
#define CR4_OSXMMEXCPT  (1 << 10)

    .text
    .code64
    .globl mgmt_entry64
mgmt_entry64:
    cli
    cmpq $MAX_CPUS, %rsi
    jae 2f                 /* no stack for such a CPU: stop it */
    leaq mgmt_stack_top(%rip), %rsp
    testq %rsi, %rsi
    jz 3f
    movq %rsi, %rax
    imulq $AP_STACK_SIZE, %rax
    leaq ap_stacks(%rip), %rsp
    addq %rax, %rsp        /* AP n: the top of the n-th AP stack */
3:
    lgdt mgmt_gdt_ptr(%rip)
    /* reload CS with a far return, then the data segments */
    leaq 1f(%rip), %rax
    pushq $0x08
    pushq %rax
    lretq
1:  call mgmt_cpu_init
    xorl %ebp, %ebp
    call mgmt_main         /* RDI = params, RSI = CPU index: untouched */
2:  cli
    hlt
    jmp 2b

/* Flat data segments (selector 0x10 in both this GDT and boot32.S's) and
 * SSE, on the calling CPU; before any C runs, since compilers use SSE for
 * copies. Needs a stack; changes only RAX. */
    .globl mgmt_cpu_init
mgmt_cpu_init:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    movq %cr0, %rax
    andq $~CR0_EM, %rax
    orq $CR0_MP, %rax
    movq %rax, %cr0
    movq %cr4, %rax
    orq $(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
    movq %rax, %cr4
    fninit
    pushq $0x1F80          /* MXCSR reset value: all exceptions masked */
    ldmxcsr (%rsp)
    addq $8, %rsp
    ret

    .section .rodata
    .align 16
mgmt_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF
    .quad 0x00CF92000000FFFF
mgmt_gdt_ptr:
    .word mgmt_gdt_ptr - mgmt_gdt - 1
    .quad mgmt_gdt

    .section .bss
    .align 16
    .globl mgmt_stack_bottom
mgmt_stack_bottom:
    .skip 256 * 1024
mgmt_stack_top:
    .align 16
ap_stacks:                 /* AP n's stack ends at ap_stacks + n * AP_STACK_SIZE */
    .skip (MAX_CPUS - 1) * AP_STACK_SIZE
