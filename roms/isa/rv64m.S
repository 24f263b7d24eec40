// RV64M multiply and divide (unpriv spec 20191213, chapter 7). Division by zero and
// signed overflow do not trap (table 7.1): x/0 = -1 (all ones unsigned), x%0 = x,
// INT_MIN/-1 = INT_MIN, INT_MIN%-1 = 0. W forms use the low words and sign-extend.
#include "test_macros.h"

  .text
  .globl test_main
test_main:
  // ---- mul: low 64 bits
  TEST_RR(1, mul, 21, 3, 7)
  TEST_RR(2, mul, 0xffffffffffffffeb, -3, 7)
  TEST_RR(3, mul, 0x8000000000000000, 0x8000000000000000, -1)
  TEST_RR(4, mul, 0, 0x100000000, 0x100000000)
  TEST_RR(5, mul, 0x23456789abcdef00, 0x123456789abcdef0, 0x10)
  // ---- mulh: high 64 bits of signed x signed
  TEST_RR(6, mulh, 0, -1, -1)
  TEST_RR(7, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
  TEST_RR(8, mulh, 0xffffffffffffffff, -1, 1)
  TEST_RR(9, mulh, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff)
  TEST_RR(10, mulh, 0xc000000000000000, 0x8000000000000000, 0x7fffffffffffffff)
  // ---- mulhu: unsigned x unsigned
  TEST_RR(11, mulhu, 0xfffffffffffffffe, -1, -1)
  TEST_RR(12, mulhu, 1, 0x8000000000000000, 2)
  TEST_RR(13, mulhu, 0, 5, 7)
  // ---- mulhsu: rs1 signed, rs2 unsigned
  TEST_RR(14, mulhsu, 0xffffffffffffffff, -1, 0xffffffffffffffff)
  TEST_RR(15, mulhsu, 0, 1, 0xffffffffffffffff)
  TEST_RR(16, mulhsu, 0xffffffffffffffff, -2, 0x8000000000000000)
  TEST_RR(17, mulhsu, 0x2000000000000000, 0x4000000000000000, 0x8000000000000000)
  // ---- mulw
  TEST_RR(18, mulw, 0xfffffffffffffffe, 0x7fffffff, 2)
  TEST_RR(19, mulw, 1, 0x100000001, 0x100000001)
  TEST_RR(20, mulw, 1, -1, -1)
  TEST_RR(21, mulw, 0, 0x10000, 0x10000)
  TEST_RR(22, mulw, 0x23456780, 0x12345678, 0x10)
  // ---- div: rounds toward zero
  TEST_RR(23, div, 3, 20, 6)
  TEST_RR(24, div, 0xfffffffffffffffd, -20, 6)
  TEST_RR(25, div, 0xfffffffffffffffd, 20, -6)
  TEST_RR(26, div, 3, -20, -6)
  TEST_RR(27, div, 0xffffffffffffffff, 20, 0)
  TEST_RR(28, div, 0xffffffffffffffff, -1, 0)
  TEST_RR(29, div, 0x8000000000000000, 0x8000000000000000, -1)
  TEST_RR(30, div, 0xc000000000000000, 0x8000000000000000, 2)
  // ---- divu
  TEST_RR(31, divu, 0x2aaaaaaaaaaaaaa7, -20, 6)
  TEST_RR(32, divu, 0xffffffffffffffff, 20, 0)
  TEST_RR(33, divu, 0, 0x8000000000000000, -1)
  TEST_RR(34, divu, 0x4000000000000000, 0x8000000000000000, 2)
  // ---- rem: sign of the dividend
  TEST_RR(35, rem, 2, 20, 6)
  TEST_RR(36, rem, 0xfffffffffffffffe, -20, 6)
  TEST_RR(37, rem, 2, 20, -6)
  TEST_RR(38, rem, 0xfffffffffffffffe, -20, -6)
  TEST_RR(39, rem, 0xffffffffffffffec, -20, 0)
  TEST_RR(40, rem, 0, 0x8000000000000000, -1)
  TEST_RR(41, rem, 7, 7, 0x8000000000000000)
  // ---- remu
  TEST_RR(42, remu, 2, -20, 6)
  TEST_RR(43, remu, 0x8000000000000001, 0x8000000000000001, 0)
  TEST_RR(44, remu, 2, 20, 6)
  // ---- W forms
  TEST_RR(45, divw, 0xffffffff80000000, 0xffffffff80000000, -1)
  TEST_RR(46, divw, 0xffffffffffffffff, 20, 0)
  TEST_RR(47, divw, 0xfffffffffffffffd, -20, 6)
  TEST_RR(48, divw, 0xfffffffffffffffd, 0x0000000100000014, 0x00000001fffffffa)
  TEST_RR(49, divw, 3, 0xffffffff00000007, 2)
  TEST_RR(50, divuw, 0x2aaaaaa7, 0xffffffec, 6)
  TEST_RR(51, divuw, 0xffffffffffffffff, 20, 0)
  TEST_RR(52, divuw, 0xffffffff80000000, 0x80000000, 1)
  TEST_RR(53, remw, 0, 0xffffffff80000000, -1)
  TEST_RR(54, remw, 0xfffffffffffffffe, -20, 6)
  TEST_RR(55, remw, 0xffffffff80000000, 0x0000000080000000, 0)
  TEST_RR(56, remuw, 2, 0xffffffec, 6)
  TEST_RR(57, remuw, 0x23456789, 0x123456789, 0)
  TEST_RR(58, remuw, 0xffffffff80000005, 0x80000005, 0)
  TEST_RR(59, remuw, 0, 0xfffffffe, 0x7fffffff)
  TEST_RR(60, divuw, 0xffffffffffffffff, 0xffffffff, 1)
  // ---- rd aliasing a source
  TEST_CASE(61, a1, 0x100020001, li a1, 0x10001; mul a1, a1, a1)
  TEST_CASE(62, a2, 0x3333333333333333, li a1, 0x9999999999999999; li a2, 3; divu a2, a1, a2)
  TEST_CASE(63, a1, 1, li a1, 7; li a2, 3; rem a1, a1, a2)
  TEST_PASS
