// RV64A atomics (unpriv spec 20191213, chapter 8). AMOs return the old memory value in
// rd (the .W forms sign-extend it) and write op(old, rs2); .W forms touch only their
// word. SC writes 0 on success and 1 on failure (8.2: "failure code 1").
#include "test_macros.h"

// AMO on the doubleword at amo_buf (initially `init`) with rs2 = `operand`: checks the
// returned old value and the doubleword afterwards.
#define TEST_AMO(n, inst, init, operand, expected_rd, expected_mem) \
  TEST_CASE(n, a0, expected_rd, la a1, amo_buf; li a2, init; sd a2, 0(a1); li a3, operand; \
            inst a0, a3, (a1));                                                           \
  ld a4, 0(a1);                                                                           \
  CHECK_EQ(a4, expected_mem)

// A misaligned AMO traps with store/AMO address-misaligned (6) or, where the
// implementation does not emulate it, store/AMO access fault (7) (unpriv spec 8.4, priv
// spec 3.7.4); mtval is the address and memory is unchanged. QEMU 7.2 (the reference this
// rom is validated on) reports load address-misaligned (4) instead, a QEMU deviation, so
// 4 is accepted too.
#define TEST_AMO_MISALIGNED(n, inst, off)                                     \
  test_##n: TEST_NUMBER(n);                                                   \
  la a1, amo_buf;                                                             \
  li a2, 0x0123456789abcdef;                                                  \
  sd a2, 0(a1);                                                               \
  sd a2, 8(a1);                                                               \
  addi a1, a1, off;                                                           \
  li a3, 1;                                                                   \
  M_RESUME_AT(test_##n##_resume);                                             \
  inst a0, a3, (a1);                                                          \
  j fail;                                                                     \
  test_##n##_resume: M_CAUSE(t5);                                             \
  li EXPECTED, CAUSE_MISALIGNED_STORE;                                        \
  beq t5, EXPECTED, 1f;                                                       \
  li EXPECTED, CAUSE_MISALIGNED_LOAD;                                         \
  beq t5, EXPECTED, 1f;                                                       \
  CHECK_EQ(t5, CAUSE_STORE_ACCESS);                                           \
  1: M_TVAL(t5);                                                              \
  bne t5, a1, fail;                                                           \
  la a1, amo_buf;                                                             \
  ld a4, 0(a1);                                                               \
  CHECK_EQ(a4, 0x0123456789abcdef);                                           \
  ld a4, 8(a1);                                                               \
  CHECK_EQ(a4, 0x0123456789abcdef)

  .text
  .globl test_main
test_main:
  // ---- LR/SC
  // SC with no reservation ever taken fails and leaves memory alone.
  TEST_CASE(1, a0, 1, la a1, amo_buf; li a2, 0x55; sd a2, 0(a1); li a3, 0x66; sc.d a0, a3, (a1))
  TEST_CASE(2, a4, 0x55, ld a4, 0(a1))
  // LR then SC to the same address succeeds.
  TEST_CASE(3, a0, 0x55, lr.d a0, (a1))
  TEST_CASE(4, a0, 0, li a3, 0x77; sc.d a0, a3, (a1))
  TEST_CASE(5, a4, 0x77, ld a4, 0(a1))
  // The successful SC consumed the reservation: a second SC fails.
  TEST_CASE(6, a0, 1, li a3, 0x88; sc.d a0, a3, (a1))
  TEST_CASE(7, a4, 0x77, ld a4, 0(a1))
  // LR.W sign-extends; SC.W writes only its word.
  TEST_CASE(8, a0, 0xffffffff80000000, li a2, 0xaaaaaaaa80000000; sd a2, 0(a1); lr.w a0, (a1))
  TEST_CASE(9, a0, 0, li a3, 0x11223344; sc.w a0, a3, (a1))
  TEST_CASE(10, a4, 0xaaaaaaaa11223344, ld a4, 0(a1))
  TEST_CASE(11, a0, 1, li a3, 0x99; sc.w a0, a3, (a1))
  TEST_CASE(12, a4, 0xaaaaaaaa11223344, ld a4, 0(a1))
  // LR.W on the upper word of the doubleword.
  TEST_CASE(13, a0, 0xffffffffaaaaaaaa, addi a2, a1, 4; lr.w a0, (a2))
  // An LR/SC increment loop (retries on failure) 100 times.
  TEST_CASE(14, a4, 100, sd zero, 0(a1); li a5, 100; 1: lr.d a2, (a1); addi a2, a2, 1; \
            sc.d a3, a2, (a1); bnez a3, 1b; addi a5, a5, -1; bnez a5, 1b; ld a4, 0(a1))
  // Ordering annotations do not change the result.
  TEST_CASE(15, a0, 0, li a2, 5; sd a2, 0(a1); lr.d.aqrl a2, (a1); addi a2, a2, 1; \
            sc.d.rl a0, a2, (a1))
  TEST_CASE(16, a4, 6, ld a4, 0(a1))

  // ---- AMO .D
  TEST_AMO(20, amoswap.d, 0x1111, 0x2222, 0x1111, 0x2222)
  TEST_AMO(21, amoadd.d, 0xffffffffffffffff, 2, 0xffffffffffffffff, 1)
  TEST_AMO(22, amoxor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0)
  TEST_AMO(23, amoand.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0x0f000f000f000f00)
  TEST_AMO(24, amoor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xfff0fff0fff0fff0)
  TEST_AMO(25, amomin.d, -5, 3, 0xfffffffffffffffb, 0xfffffffffffffffb)
  TEST_AMO(26, amomin.d, 3, -5, 3, 0xfffffffffffffffb)
  TEST_AMO(27, amomax.d, -5, 3, 0xfffffffffffffffb, 3)
  TEST_AMO(28, amominu.d, -5, 3, 0xfffffffffffffffb, 3)
  TEST_AMO(29, amomaxu.d, -5, 3, 0xfffffffffffffffb, 0xfffffffffffffffb)
  TEST_AMO(30, amomin.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000)
  TEST_AMO(31, amomax.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_AMO(32, amominu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_AMO(33, amomaxu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000)
  TEST_AMO(34, amoadd.d.aqrl, 40, 2, 40, 42)

  // ---- AMO .W: old word sign-extended into rd; the other word of memory unchanged
  TEST_AMO(40, amoswap.w, 0xaaaaaaaa80000000, 5, 0xffffffff80000000, 0xaaaaaaaa00000005)
  TEST_AMO(41, amoadd.w, 0xaaaaaaaa7fffffff, 1, 0x7fffffff, 0xaaaaaaaa80000000)
  TEST_AMO(42, amoadd.w, 0x00000000ffffffff, 1, 0xffffffffffffffff, 0)
  TEST_AMO(43, amoxor.w, 0x12345678ffff0000, 0x0000ffff0f0f0f0f, 0xffffffffffff0000, 0x12345678f0f00f0f)
  TEST_AMO(44, amoand.w, 0x12345678ffff0000, 0x0ff00ff0, 0xffffffffffff0000, 0x123456780ff00000)
  TEST_AMO(45, amoor.w, 0x1234567800000001, 0x80000000, 1, 0x1234567880000001)
  TEST_AMO(46, amomin.w, 0x0000000080000000, 0x7fffffff, 0xffffffff80000000, 0x0000000080000000)
  TEST_AMO(47, amomin.w, 0x5555555500000002, 0xffffffff00000001, 2, 0x5555555500000001)
  TEST_AMO(48, amomax.w, 0x5555555580000000, 1, 0xffffffff80000000, 0x5555555500000001)
  TEST_AMO(49, amominu.w, 0x5555555580000000, 1, 0xffffffff80000000, 0x5555555500000001)
  TEST_AMO(50, amomaxu.w, 0x5555555580000000, 1, 0xffffffff80000000, 0x5555555580000000)
  TEST_AMO(51, amomaxu.w, 0x5555555500000001, 0xffffffff, 1, 0x55555555ffffffff)
  // The W minimum compares the low words as signed: 0xffffffff (-1) < 1.
  TEST_AMO(52, amomin.w, 0x0000000000000001, 0x00000000ffffffff, 1, 0x00000000ffffffff)
  TEST_AMO(53, amominu.w, 0x0000000000000001, 0x00000000ffffffff, 1, 0x0000000000000001)
  // .W on the upper word.
  TEST_CASE(54, a0, 0x11111111, la a1, amo_buf; li a2, 0x1111111122222222; sd a2, 0(a1); \
            li a3, 0x10; addi a2, a1, 4; amoadd.w a0, a3, (a2))
  TEST_CASE(55, a4, 0x1111112122222222, ld a4, 0(a1))

  // ---- register aliasing: rd = x0 still writes memory; rd == rs2 gets the old value
  TEST_CASE(60, a4, 12, la a1, amo_buf; li a2, 10; sd a2, 0(a1); li a3, 2; \
            amoadd.d x0, a3, (a1); ld a4, 0(a1))
  TEST_CASE(61, a3, 12, li a3, 99; amoswap.d a3, a3, (a1))
  TEST_CASE(62, a4, 99, ld a4, 0(a1))

  // ---- misaligned AMOs trap
  TEST_AMO_MISALIGNED(70, amoadd.w, 2)
  TEST_AMO_MISALIGNED(71, amoswap.d, 4)
  TEST_AMO_MISALIGNED(72, amoor.d, 1)
  TEST_AMO_MISALIGNED(73, amomaxu.w, 6)
  // A misaligned LR traps as a load: address-misaligned (4) or access fault (5).
  test_74: TEST_NUMBER(74)
  la a1, amo_buf
  addi a1, a1, 4
  M_RESUME_AT(test_74_resume)
  lr.d a0, (a1)
  j fail
test_74_resume:
  M_CAUSE(t5)
  li EXPECTED, CAUSE_MISALIGNED_LOAD
  beq t5, EXPECTED, 1f
  CHECK_EQ(t5, CAUSE_LOAD_ACCESS)
1:
  M_TVAL(t5)
  bne t5, a1, fail
  TEST_PASS

  .data
  .align 4
amo_buf:
  .dword 0, 0
