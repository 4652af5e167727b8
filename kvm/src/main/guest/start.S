/*
 * Entry point of the guest image (first byte at 0x100000). The VMM enters here at CPL 3 with
 * rdi = struct hvc_boot_info * and rsp = top of RAM. There is no IDT: nothing here may fault.
 */
    .set HVC_HALT_PORT, 0x500 + 6   /* HVC_PORT_BASE + HVC_HALT, see hvc.h */

    .section .text.entry, "ax"
    .globl _start
    .type _start, @function
_start:
    cld
    /* Zero .bss (16-byte aligned at both ends, see guest.ld), storing only to words that are not
     * zero yet: fresh guest RAM is zero, so booting dirties none of these pages. */
    lea     __bss_start(%rip), %rax
    lea     __bss_end(%rip), %rcx
1:  cmp     %rcx, %rax
    jae     3f
    cmpq    $0, (%rax)
    je      2f
    movq    $0, (%rax)
2:  add     $8, %rax
    jmp     1b
3:  and     $-16, %rsp              /* the ABI wants rsp % 16 == 0 at the call (SSE spills) */
    xor     %ebp, %ebp
    call    main                    /* rdi still holds the boot info pointer */

    /* struct hvc_halt { int32 status; uint32 pad; } on the stack (RAM is below 4 GiB). */
    sub     $16, %rsp
    mov     %eax, (%rsp)
    movl    $0, 4(%rsp)
    mov     %esp, %eax
    mov     $HVC_HALT_PORT, %dx
4:  outl    %eax, %dx
    jmp     4b                      /* the VMM never resumes after HALT; never fall through */
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
