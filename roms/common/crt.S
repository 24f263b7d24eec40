// Startup, exit and trap recording shared by the bare-metal roms (see test_macros.h).
// The rom provides `test_main`: assembly roms end in `j pass` / `j fail`; C roms return
// 0 for pass or a failure code (1..254).
#include "test_macros.h"

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  // One hart runs the rom; any other parks (QEMU's virt starts all harts at the entry).
  csrr t0, mhartid
  bnez t0, park
  la sp, __stack_top
  la t0, m_trap_entry
  csrw mtvec, t0
  csrw mie, zero
  csrw mip, zero
  csrw medeleg, zero
  csrw mideleg, zero
  csrw satp, zero
  // With any PMP entry active, S/U accesses that match no entry fail (priv spec 3.7.1),
  // and firmware-less boards start with PMP off, so grant S/U everything with entry 0
  // (NAPOT covering the whole address space).
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  // FS = Initial: floating point usable.
  li t0, MSTATUS_FS
  csrc mstatus, t0
  li t0, MSTATUS_FS_INITIAL
  csrs mstatus, t0
  csrw fcsr, zero
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  li TESTNUM, 0
  call test_main
  beqz a0, pass
  mv TESTNUM, a0
  j fail

  // Secondary harts sleep until hart 0 stores a function into smp_entry and raises their
  // msip (roms/isa/smp.c); then each runs smp_entry(hartid) on its own 4 KiB stack, in
  // M-mode with the boot hart's trap handler. Roms that never do this keep them parked.
park:
  li t1, 8  // MSIE: wfi wakes on the IPI; mstatus.MIE stays 0, so no trap is taken
  csrw mie, t1
1:
  wfi
  la t1, smp_entry
  ld t1, 0(t1)
  beqz t1, 1b
  li t2, CLINT_BASE
  slli t3, t0, 2
  add t2, t2, t3
  sw zero, 0(t2)  // clear our msip
  la sp, smp_stacks
  addi t3, t0, 1
  slli t3, t3, 12
  add sp, sp, t3
  la t2, m_trap_entry
  csrw mtvec, t2
  mv a0, t0
  jalr t1
2:
  wfi
  j 2b

  .section .data
  .balign 8
  .globl smp_entry
smp_entry:
  .dword 0
  .section .bss
  .balign 16
  .globl smp_stacks
smp_stacks:
  .space 8 * 4096

  .text
// ---- Exit through the SiFive test device.
  .globl pass
pass:
  li t0, TEST_DEVICE
  li t1, 0x5555
  sw t1, 0(t0)
1:
  wfi
  j 1b

  .globl fail
fail:
  // Exit code 0 would read as a pass: report failures outside a case as 255.
  andi t0, TESTNUM, 0xff
  bnez t0, 1f
  li TESTNUM, 255
1:
  la a0, msg_fail
  call uart_puts
  mv a0, TESTNUM
  call uart_putdec
  li a0, '\n'
  call uart_putc
  li t0, TEST_DEVICE
  slli t1, TESTNUM, 16
  li t2, 0x3333
  or t1, t1, t2
  sw t1, 0(t0)
2:
  wfi
  j 2b

// ---- UART 16550 output (polls LSR.THRE, bit 5). Clobber a0-a2, t0-t2.
  .globl uart_putc
uart_putc:
  li t0, UART_BASE
  // Bounded wait: a UART that never reports THR empty must not hide the exit status.
  li t2, 100000
1:
  lbu t1, 5(t0)
  andi t1, t1, 0x20
  bnez t1, 2f
  addi t2, t2, -1
  bnez t2, 1b
2:
  sb a0, 0(t0)
  ret

  .globl uart_puts
uart_puts:
  addi sp, sp, -16
  sd ra, 0(sp)
  sd s0, 8(sp)
  mv s0, a0
1:
  lbu a0, 0(s0)
  beqz a0, 2f
  call uart_putc
  addi s0, s0, 1
  j 1b
2:
  ld ra, 0(sp)
  ld s0, 8(sp)
  addi sp, sp, 16
  ret

  // a0 as 16 hex digits with a 0x prefix.
  .globl uart_puthex
uart_puthex:
  addi sp, sp, -32
  sd ra, 0(sp)
  sd s0, 8(sp)
  sd s1, 16(sp)
  mv s0, a0
  li a0, '0'
  call uart_putc
  li a0, 'x'
  call uart_putc
  li s1, 60
1:
  srl a0, s0, s1
  andi a0, a0, 0xf
  li t0, 10
  blt a0, t0, 2f
  addi a0, a0, 'a' - '0' - 10
2:
  addi a0, a0, '0'
  call uart_putc
  addi s1, s1, -4
  bgez s1, 1b
  ld ra, 0(sp)
  ld s0, 8(sp)
  ld s1, 16(sp)
  addi sp, sp, 32
  ret

  // a0 (unsigned, < 1000) in decimal, without leading zeros.
  .globl uart_putdec
uart_putdec:
  addi sp, sp, -32
  sd ra, 0(sp)
  sd s0, 8(sp)
  sd s1, 16(sp)
  mv s0, a0
  li s1, 100
1:
  // Skip leading zeros but always print the last digit.
  divu a0, s0, s1
  bnez a0, 2f
  li t0, 1
  beq s1, t0, 2f
  li t0, 10
  divu s1, s1, t0
  j 1b
2:
  divu a0, s0, s1
  remu s0, s0, s1
  addi a0, a0, '0'
  call uart_putc
  li t0, 10
  divu s1, s1, t0
  bnez s1, 2b
  ld ra, 0(sp)
  ld s0, 8(sp)
  ld s1, 16(sp)
  addi sp, sp, 32
  ret

// ---- Trap recorders. Clobber t5, t6 only.
  .align 2
  .globl m_trap_entry
m_trap_entry:
  csrr t6, mcause
  sd t6, m_trap_cause, t5
  csrr t6, mepc
  sd t6, m_trap_epc, t5
  csrr t6, mtval
  sd t6, m_trap_tval, t5
  csrr t6, mstatus
  sd t6, m_trap_status, t5
  ld t6, m_trap_count
  addi t6, t6, 1
  sd t6, m_trap_count, t5
  ld t6, m_trap_resume
  beqz t6, m_unexpected
  sd zero, m_trap_resume, t5
  jr t6
m_unexpected:
  la a0, msg_trap
  call uart_puts
  ld a0, m_trap_cause
  call uart_puthex
  la a0, msg_epc
  call uart_puts
  ld a0, m_trap_epc
  call uart_puthex
  la a0, msg_tval
  call uart_puts
  ld a0, m_trap_tval
  call uart_puthex
  li a0, '\n'
  call uart_putc
  j fail

  .align 2
  .globl s_trap_entry
s_trap_entry:
  csrr t6, scause
  sd t6, s_trap_cause, t5
  csrr t6, sepc
  sd t6, s_trap_epc, t5
  csrr t6, stval
  sd t6, s_trap_tval, t5
  csrr t6, sstatus
  sd t6, s_trap_status, t5
  ld t6, s_trap_count
  addi t6, t6, 1
  sd t6, s_trap_count, t5
  ld t6, s_trap_resume
  beqz t6, s_unexpected
  sd zero, s_trap_resume, t5
  jr t6
s_unexpected:
  la a0, msg_strap
  call uart_puts
  ld a0, s_trap_cause
  call uart_puthex
  li a0, '\n'
  call uart_putc
  j fail

  .section .rodata
msg_fail:
  .asciz "FAIL: test "
msg_trap:
  .asciz "unexpected trap to M: mcause="
msg_strap:
  .asciz "unexpected trap to S: scause="
msg_epc:
  .asciz " mepc="
msg_tval:
  .asciz " mtval="

  .data
  .align 3
  .globl m_trap_cause, m_trap_epc, m_trap_tval, m_trap_status, m_trap_count, m_trap_resume
  .globl s_trap_cause, s_trap_epc, s_trap_tval, s_trap_status, s_trap_count, s_trap_resume
m_trap_cause: .dword 0
m_trap_epc: .dword 0
m_trap_tval: .dword 0
m_trap_status: .dword 0
m_trap_count: .dword 0
m_trap_resume: .dword 0
s_trap_cause: .dword 0
s_trap_epc: .dword 0
s_trap_tval: .dword 0
s_trap_status: .dword 0
s_trap_count: .dword 0
s_trap_resume: .dword 0
