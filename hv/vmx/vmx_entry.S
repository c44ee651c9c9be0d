/* Runs in VMX root: the VM-exit entry point (HOST_RIP) and the VMLAUNCH
 * step of a CPU's launch. HOST_RSP is the 16-byte aligned top of the
 * CPU's host stack; the 16 pushes below keep that alignment for the call. */
    .text
    .globl vmx_exit_entry
    .hidden vmx_exit_entry
vmx_exit_entry:
    push %r15
    push %r14
    push %r13
    push %r12
    push %r11
    push %r10
    push %r9
    push %r8
    push %rdi
    push %rsi
    push %rbp
    push $0                 /* RSP slot: the guest RSP is in the VMCS */
    push %rbx
    push %rdx
    push %rcx
    push %rax
    mov %rsp, %rdi          /* struct guest_regs * */
    call vmx_exit_handler
    pop %rax
    pop %rcx
    pop %rdx
    pop %rbx
    add $8, %rsp
    pop %rbp
    pop %rsi
    pop %rdi
    pop %r8
    pop %r9
    pop %r10
    pop %r11
    pop %r12
    pop %r13
    pop %r14
    pop %r15
    cmpq $0, %gs:8          /* percpu.launch_next: a VMCS entered the first time */
    jne 2f
    vmresume
    jmp 3f
2:  movq $0, %gs:8
    vmlaunch
3:
    /* VMRESUME (or VMLAUNCH) failed: CF/ZF tell why; report and reset */
    mov %rsp, %rdi
    and $-16, %rsp
    call vmx_resume_failed
1:  hlt
    jmp 1b

/* int vmx_do_launch(void): only returns when VMLAUNCH fails (returns 1).
 * On success the guest starts at GUEST_RIP with RAX = 0, which the boot
 * thunk turns into "the launch call returned 0". */
    .globl vmx_do_launch
    .hidden vmx_do_launch
vmx_do_launch:
    xor %eax, %eax
    vmlaunch
    mov $1, %eax
    ret

/* int vmx_launch_regs(const struct guest_regs *regs): VMLAUNCH with the
 * guest's general registers loaded from *regs (a CPU that starts fresh,
 * such as a management partition CPU); only returns when VMLAUNCH fails
 * (returns 1, callee-saved registers restored). */
    .globl vmx_launch_regs
    .hidden vmx_launch_regs
vmx_launch_regs:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rdi, %rax
    mov 8(%rax), %rcx
    mov 16(%rax), %rdx
    mov 24(%rax), %rbx
    mov 40(%rax), %rbp
    mov 48(%rax), %rsi
    mov 56(%rax), %rdi
    mov 64(%rax), %r8
    mov 72(%rax), %r9
    mov 80(%rax), %r10
    mov 88(%rax), %r11
    mov 96(%rax), %r12
    mov 104(%rax), %r13
    mov 112(%rax), %r14
    mov 120(%rax), %r15
    mov 0(%rax), %rax
    vmlaunch
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    mov $1, %eax
    ret

    .section .note.GNU-stack,"",@progbits
