// Fails through HTIF with exit code 3: tohost = (3 << 1) | 1 = 7. The integration test
// expects exit status 3, which shows the emulator forwards the guest's code.
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li t0, (3 << 1) | 1
  la t1, tohost
  sd t0, 0(t1)
1:
  j 1b

  .section .tohost, "aw", @progbits
  .align 6
  .globl tohost
  // QEMU's spike board finds the mailbox by these symbols and wants their size.
  .type tohost, @object
  .size tohost, 8
tohost: .dword 0
  .align 6
  .globl fromhost
  .type fromhost, @object
  .size fromhost, 8
fromhost: .dword 0
