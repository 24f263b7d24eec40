// RV64C compressed instructions (unpriv spec 20191213, chapter 16), written with explicit
// c. mnemonics so each case runs the 16-bit encoding it names.
#include "test_macros.h"

  .option rvc

  .text
  .globl test_main
test_main:
  // ---- constants and immediates
  TEST_CASE(1, a0, 0xffffffffffffffe0, c.li a0, -32)
  TEST_CASE(2, a0, 31, c.li a0, 31)
  TEST_CASE(3, a0, 0xffffffffffffffff, c.li a0, 0; c.addi a0, -1)
  TEST_CASE(4, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
  // c.addiw with immediate 0 is sext.w.
  TEST_CASE(5, a0, 0xffffffffffffffff, li a0, 0x00000000ffffffff; c.addiw a0, 0)
  TEST_CASE(6, a0, 0xfffffffffffff000, c.lui a0, 0xfffff)
  TEST_CASE(7, a0, 0x1f000, c.lui a0, 31)
  TEST_CASE(8, a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)
  TEST_CASE(9, a0, 0x7fffffff, li a0, 0x80000000; c.addi a0, -1)
  // ---- stack-pointer adjustments
  TEST_CASE(10, a0, 0xfffffffffffffe00, mv s0, sp; c.addi16sp sp, -512; sub a0, sp, s0)
  TEST_CASE(11, a0, 0xfffffffffffffff0, c.addi16sp sp, 496; sub a0, sp, s0)
  TEST_CASE(12, a0, 0, c.addi16sp sp, 16; sub a0, sp, s0)
  TEST_CASE(13, a0, 1020, c.addi4spn a0, sp, 1020; sub a0, a0, sp)
  TEST_CASE(14, a0, 4, c.addi4spn a0, sp, 4; sub a0, a0, sp)
  // ---- shifts and logic
  TEST_CASE(15, a0, 0x8000000000000000, c.li a0, 1; c.slli a0, 63)
  TEST_CASE(16, a0, 1, c.li a0, -1; c.srli a0, 63)
  TEST_CASE(17, a0, 0xffffffffffffffff, li a0, 0x8000000000000000; c.srai a0, 63)
  TEST_CASE(18, a0, 0xfffffffffffffffc, c.li a0, -8; c.srai a0, 1)
  TEST_CASE(19, a0, 0x00ffffffffffffff, c.li a0, -1; c.srli a0, 8)
  TEST_CASE(20, a0, 0xe0, li a0, 0xff; c.andi a0, -32)
  TEST_CASE(21, a0, 0x1f, li a0, 0xff; c.andi a0, 31)
  TEST_CASE(22, a0, 0x0f000f000f000f00, li a0, 0xff00ff00ff00ff00; li a1, 0x0ff00ff00ff00ff0; \
            c.and a0, a1)
  TEST_CASE(23, a0, 0xfff0fff0fff0fff0, li a0, 0xff00ff00ff00ff00; c.or a0, a1)
  TEST_CASE(24, a0, 0xf0f0f0f0f0f0f0f0, li a0, 0xff00ff00ff00ff00; c.xor a0, a1)
  TEST_CASE(25, a0, 0xffffffffffffffff, c.li a0, 0; c.li a1, 1; c.sub a0, a1)
  TEST_CASE(26, a0, 0xffffffff80000000, c.li a0, 0; li a1, 0x80000000; c.subw a0, a1)
  TEST_CASE(27, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.li a1, 1; c.addw a0, a1)
  TEST_CASE(28, a0, 1, li a0, 0xffffffff00000000; c.li a1, 1; c.addw a0, a1)
  TEST_CASE(29, a0, 0x1234, li a1, 0x1234; c.li a0, 0; c.mv a0, a1)
  TEST_CASE(30, a0, 0x2468, c.add a0, a1)
  TEST_CASE(31, s1, 0x1235, li s1, 1; c.add s1, a1)
  TEST_CASE(32, a0, 0x2468, c.nop; c.nop)
  // ---- loads/stores (cdata: 11 22 33 44 55 66 77 88 | 50 60 70 80 98 ba dc fe)
  TEST_CASE(33, a0, 0x44332211, la a1, cdata; c.lw a0, 0(a1))
  TEST_CASE(34, a0, 0xffffffff88776655, c.lw a0, 4(a1))
  TEST_CASE(35, a0, 0xfedcba9880706050, c.ld a0, 8(a1))
  TEST_CASE(36, a0, 0xfedcba9812345678, li a2, 0x12345678; c.sw a2, 8(a1); c.ld a0, 8(a1))
  TEST_CASE(37, a0, 0xabcdef0123456789, li a2, 0xabcdef0123456789; c.sd a2, 16(a1); \
            ld a0, 16(a1))
  // sp-relative forms, with sp pointing at cdata
  TEST_CASE(38, a0, 0x8877665544332211, mv s0, sp; la sp, cdata; c.ldsp a0, 0(sp))
  TEST_CASE(39, a0, 0xffffffff88776655, c.lwsp a0, 4(sp))
  TEST_CASE(40, a0, 0x00000000cafef00d, li a2, 0xcafef00d; sd zero, 24(sp); c.swsp a2, 24(sp); \
            ld a0, 24(sp))
  TEST_CASE(41, a0, 0x0102030405060708, li a2, 0x0102030405060708; c.sdsp a2, 32(sp); \
            ld a0, 32(sp))
  TEST_CASE(42, a0, 0x0102030405060708, c.ldsp a0, 32(sp); mv sp, s0)
  // floating-point forms move raw bits
  TEST_CASE(43, a0, 0x8877665544332211, la a1, cdata; c.fld fa0, 0(a1); fmv.x.d a0, fa0)
  TEST_CASE(44, a0, 0x8877665544332211, c.fsd fa0, 40(a1); ld a0, 40(a1))
  TEST_CASE(45, a0, 0x0102030405060708, mv s0, sp; la sp, cdata; c.fldsp fa1, 32(sp); \
            c.fsdsp fa1, 48(sp); ld a0, 48(sp); mv sp, s0)
  // ---- control transfer
  // c.j forward then backward.
  TEST_CASE(46, a0, 3, c.li a0, 0; c.j 2f; 1: c.addi a0, 2; c.j 3f; 2: c.addi a0, 1; c.j 1b; \
            j fail; 3:)
  // c.beqz / c.bnez taken and not taken.
  TEST_CASE(47, a0, 0, c.li a0, 0; c.beqz a0, 1f; j fail; 1: c.bnez a0, fail)
  TEST_CASE(48, a0, 0xffffffffffffffff, c.li a0, -1; c.bnez a0, 1f; j fail; 1: c.beqz a0, fail)
  // c.beqz backward.
  TEST_CASE(49, a1, 2, c.li a1, 0; c.li a0, 1; c.j 2f; 1: c.addi a1, 1; c.li a0, 1; \
            c.addi a1, 1; c.j 3f; 2: c.li a0, 0; c.beqz a0, 1b; j fail; 3:)
  // c.jr: no link.
  TEST_CASE(50, a0, 0x77, li ra, 0x77; la a1, 1f; c.jr a1; j fail; 1: mv a0, ra)
  // c.jalr: link = pc + 2.
  TEST_CASE(51, a0, 0, la a1, 2f; 1: c.jalr a1; 3: j fail; 2: la a2, 3b; sub a0, ra, a2)
  TEST_CASE(52, a0, 2, la a0, 3b; la a1, 1b; sub a0, a0, a1)
  // A 32-bit instruction straddling a page boundary after a 16-bit one.
  TEST_CASE(53, a0, 12, call straddle)
  TEST_CASE(54, a0, 0x2a, la a1, straddle_insn; lhu a2, 0(a1); lhu a3, 2(a1); slli a3, a3, 16; \
            or a3, a3, a2; li a0, 0x2a; li a4, 0x00750513; bne a3, a4, fail)
  // ---- c.ebreak: breakpoint (3), mepc at the 16-bit instruction
  test_55: TEST_NUMBER(55)
  M_RESUME_AT(test_55_resume)
test_55_insn:
  c.ebreak
  j fail
test_55_resume:
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_BREAKPOINT)
  M_EPC(t5)
  la EXPECTED, test_55_insn
  bne t5, EXPECTED, fail
  // ---- the all-zero halfword is defined illegal (16.1): cause 2, mtval 0 (its bits)
  test_56: TEST_NUMBER(56)
  M_RESUME_AT(test_56_resume)
test_56_insn:
  .half 0
  j fail
test_56_resume:
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_ILLEGAL_INSTRUCTION)
  M_EPC(t5)
  la EXPECTED, test_56_insn
  bne t5, EXPECTED, fail
  M_TVAL(t5)
  CHECK_EQ(t5, 0)
  TEST_PASS

  // straddle: c.li at page offset 0xffc, then a 32-bit addi at 0xffe..0x1001.
  .balign 4096
  .skip 4092
straddle:
  c.li a0, 5
  .option push
  .option norvc
straddle_insn:
  addi a0, a0, 7
  .option pop
  c.jr ra

  .data
  .align 4
cdata:
  .dword 0x8877665544332211, 0xfedcba9880706050
  .dword 0, 0, 0, 0, 0
