/* Runs in UEFI boot services, in the original (firmware-loaded) image, on
 * each CPU: uint64_t launch_thunk(hv_launch_fn fn, uint64_t cpu_index).
 * Saves the callee-saved registers, then calls the relocated hypervisor's
 * hv_launch(cpu_index, resume_rsp, resume_rip). On success the CPU comes
 * back at label 1 as a guest, with RAX = 0 and RSP = resume_rsp, exactly
 * as if the call had returned 0; on failure hv_launch returns its error.
 * The resume point must be here, outside onestone's reserved memory,
 * because the guest's EPT does not map that memory. */
    .text
    .globl launch_thunk
    .hidden launch_thunk
launch_thunk:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    sub $8, %rsp            /* 16-byte alignment at the call */
    mov %rdi, %rax
    mov %rsi, %rdi          /* cpu_index */
    mov %rsp, %rsi          /* resume_rsp */
    lea 1f(%rip), %rdx      /* resume_rip */
    call *%rax
1:  add $8, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

    .section .note.GNU-stack,"",@progbits
