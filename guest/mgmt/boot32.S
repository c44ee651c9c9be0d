/* Runs on the management partition's boot CPU when QEMU (or any multiboot
 * loader) boots mgmt.elf directly: the multiboot header and the 32-bit
 * entry. It identity-maps the first 4 GiB with 2 MiB pages (RAM and the
 * NIC's BAR), enters long mode and hands the multiboot information to
 * multiboot_boot(), which builds the boot parameters of the 64-bit entry
 * contract (include/onestone/mgmt_abi.h). A 64-bit ELF cannot be loaded by
 * QEMU's multiboot code as an ELF, hence the address fields ("a.out kludge",
 * flag bit 16): the image is loaded as one flat block at _image_start. */

#define MB_MAGIC        0x1BADB002
#define MB_FLAGS        ((1 << 1) | (1 << 16))   /* memory info, address fields */
#define MB_BOOT_MAGIC   0x2BADB002
#define CR4_PAE         (1 << 5)
#define EFER_MSR        0xC0000080
#define EFER_LME        (1 << 8)
#define CR0_PE          (1 << 0)
#define CR0_PG          (1 << 31)
#define PTE_P           (1 << 0)
#define PTE_RW          (1 << 1)
#define PTE_PS          (1 << 7)

    .section .multiboot, "a"
    .align 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long mb_header         /* header_addr */
    .long _image_start      /* load_addr */
    .long _image_data_end   /* load_end_addr */
    .long _image_end        /* bss_end_addr */
    .long mb_entry32        /* entry_addr */

    .section .text.boot32, "ax"
    .code32
    .globl mb_entry32
mb_entry32:
    cli
    cmpl $MB_BOOT_MAGIC, %eax
    jne 9f
    movl %ebx, mb_info_phys
    movl $boot32_stack_top, %esp

    /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages */
    movl $boot_pdpt, %eax
    orl $(PTE_P | PTE_RW), %eax
    movl %eax, boot_pml4
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $12, %eax
    addl $boot_pd, %eax
    orl $(PTE_P | PTE_RW), %eax
    movl %eax, boot_pdpt(, %ecx, 8)
    incl %ecx
    cmpl $4, %ecx
    jne 1b
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $21, %eax
    orl $(PTE_P | PTE_RW | PTE_PS), %eax
    movl %eax, boot_pd(, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jne 2b

    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl $EFER_MSR, %ecx
    rdmsr
    orl $EFER_LME, %eax
    wrmsr
    movl %cr0, %eax
    orl $(CR0_PE | CR0_PG), %eax
    movl %eax, %cr0
    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode

    .code64
long_mode:
    call mgmt_cpu_init       /* segments and SSE, before any C (entry64.S) */
    movl mb_info_phys(%rip), %edi
    call multiboot_boot      /* does not return */
9:  hlt
    jmp 9b

    .section .rodata
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF   /* 64-bit code */
    .quad 0x00CF92000000FFFF   /* flat data */
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt

    .section .bss
    .align 4096
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096 * 4
    .align 16
    .skip 16384
boot32_stack_top:
mb_info_phys: .skip 4
