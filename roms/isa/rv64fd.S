// F and D extensions (unpriv spec 20191213, chapters 11-12; IEEE 754-2008) and the
// mstatus.FS state (priv spec 3.1.6.6). Values are IEEE encodings written in hex;
// flags are fflags bits NV 0x10, DZ 0x08, OF 0x04, UF 0x02, NX 0x01.
#include "test_macros.h"

#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

// Rounding-mode operand for a macro argument: RM(rtz) expands to ", rtz".
#define RM(mode) , mode
#define NORM

// Single results live NaN-boxed in the 64-bit register (11.2): upper 32 bits all ones.
#define BOX(bits) (0xffffffff00000000 | (bits))

#define LOAD_D(freg, bits) \
  li t0, bits;             \
  fmv.d.x freg, t0
#define LOAD_S(freg, bits) \
  li t0, bits;             \
  fmv.w.x freg, t0

// Clears fflags, runs `code` (result in a0), checks a0 and the accrued flags.
#define TEST_FP(n, expected, flags, ...)                    \
  TEST_CASE(n, a0, expected, csrw fflags, zero; __VA_ARGS__); \
  csrr a1, fflags;                                          \
  CHECK_EQ(a1, flags)

// fa0 = op(fa1 = a, fa2 = b [, fa3 = c]) with rounding operand rm (RM(x) or NORM).
#define TEST_FD1(n, op, rm, expected, flags, a) \
  TEST_FP(n, expected, flags, LOAD_D(fa1, a); op fa0, fa1 rm; fmv.x.d a0, fa0)
#define TEST_FD2(n, op, rm, expected, flags, a, b) \
  TEST_FP(n, expected, flags, LOAD_D(fa1, a); LOAD_D(fa2, b); op fa0, fa1, fa2 rm; fmv.x.d a0, fa0)
#define TEST_FD3(n, op, rm, expected, flags, a, b, c)                                      \
  TEST_FP(n, expected, flags, LOAD_D(fa1, a); LOAD_D(fa2, b); LOAD_D(fa3, c); \
          op fa0, fa1, fa2, fa3 rm; fmv.x.d a0, fa0)
#define TEST_FS1(n, op, rm, expected, flags, a) \
  TEST_FP(n, BOX(expected), flags, LOAD_S(fa1, a); op fa0, fa1 rm; fmv.x.d a0, fa0)
#define TEST_FS2(n, op, rm, expected, flags, a, b)                                  \
  TEST_FP(n, BOX(expected), flags, LOAD_S(fa1, a); LOAD_S(fa2, b); op fa0, fa1, fa2 rm; \
          fmv.x.d a0, fa0)
#define TEST_FS3(n, op, rm, expected, flags, a, b, c)                              \
  TEST_FP(n, BOX(expected), flags, LOAD_S(fa1, a); LOAD_S(fa2, b); LOAD_S(fa3, c); \
          op fa0, fa1, fa2, fa3 rm; fmv.x.d a0, fa0)
// Float to integer register (conversions, fclass, compares).
#define TEST_D_INT1(n, op, rm, expected, flags, a) \
  TEST_FP(n, expected, flags, LOAD_D(fa1, a); op a0, fa1 rm)
#define TEST_D_INT2(n, op, expected, flags, a, b) \
  TEST_FP(n, expected, flags, LOAD_D(fa1, a); LOAD_D(fa2, b); op a0, fa1, fa2)
#define TEST_S_INT1(n, op, rm, expected, flags, a) \
  TEST_FP(n, expected, flags, LOAD_S(fa1, a); op a0, fa1 rm)
#define TEST_S_INT2(n, op, expected, flags, a, b) \
  TEST_FP(n, expected, flags, LOAD_S(fa1, a); LOAD_S(fa2, b); op a0, fa1, fa2)
// Integer register to float.
#define TEST_INT_D(n, op, rm, expected, flags, v) \
  TEST_FP(n, expected, flags, li a1, v; op fa0, a1 rm; fmv.x.d a0, fa0)
#define TEST_INT_S(n, op, rm, expected, flags, v) \
  TEST_FP(n, BOX(expected), flags, li a1, v; op fa0, a1 rm; fmv.x.d a0, fa0)

// Doubles.
#define D_ONE 0x3ff0000000000000
#define D_TWO 0x4000000000000000
#define D_THREE 0x4008000000000000
#define D_HALF 0x3fe0000000000000
#define D_MONE 0xbff0000000000000
#define D_MTWO 0xc000000000000000
#define D_PZERO 0x0000000000000000
#define D_MZERO 0x8000000000000000
#define D_PINF 0x7ff0000000000000
#define D_MINF 0xfff0000000000000
#define D_QNAN 0x7ff8000000000000
#define D_QNAN_PAYLOAD 0x7ff8000000000123
#define D_SNAN 0x7ff0000000000001
#define D_MAX 0x7fefffffffffffff
#define D_MIN_NORMAL 0x0010000000000000
#define D_MIN_SUB 0x0000000000000001
#define D_2M53 0x3ca0000000000000 /* 2^-53: half an ulp of 1.0 */
#define D_3M54 0x3ca8000000000000 /* 3 * 2^-54: 0.75 ulp of 1.0 */
#define D_2M54 0x3c90000000000000 /* 2^-54: 0.25 ulp of 1.0 */
// Singles.
#define S_ONE 0x3f800000
#define S_TWO 0x40000000
#define S_THREE 0x40400000
#define S_HALF 0x3f000000
#define S_MONE 0xbf800000
#define S_MTWO 0xc0000000
#define S_PZERO 0x00000000
#define S_MZERO 0x80000000
#define S_PINF 0x7f800000
#define S_MINF 0xff800000
#define S_QNAN 0x7fc00000
#define S_SNAN 0x7f800001
#define S_MAX 0x7f7fffff
#define S_2M24 0x33800000 /* 2^-24: half an ulp of 1.0f */

  .text
  .globl test_main
test_main:
  // ---- basic double arithmetic
  TEST_FD2(1, fadd.d, RM(rne), D_THREE, 0, D_ONE, D_TWO)
  TEST_FD2(2, fsub.d, RM(rne), D_MONE, 0, D_ONE, D_TWO)
  TEST_FD2(3, fmul.d, RM(rne), 0x4018000000000000, 0, D_TWO, D_THREE)
  TEST_FD2(4, fdiv.d, RM(rne), D_HALF, 0, D_ONE, D_TWO)
  TEST_FD1(5, fsqrt.d, RM(rne), 0x3ff6a09e667f3bcd, NX, D_TWO)
  // ---- static rounding modes. 1 + 2^-53 is a tie between 1 and 1 + ulp.
  TEST_FD2(6, fadd.d, RM(rne), D_ONE, NX, D_ONE, D_2M53)
  TEST_FD2(7, fadd.d, RM(rtz), D_ONE, NX, D_ONE, D_2M53)
  TEST_FD2(8, fadd.d, RM(rdn), D_ONE, NX, D_ONE, D_2M53)
  TEST_FD2(9, fadd.d, RM(rup), 0x3ff0000000000001, NX, D_ONE, D_2M53)
  TEST_FD2(10, fadd.d, RM(rmm), 0x3ff0000000000001, NX, D_ONE, D_2M53)
  TEST_FD2(11, fadd.d, RM(rne), D_MONE, NX, D_MONE, 0xbca0000000000000)
  TEST_FD2(12, fadd.d, RM(rtz), D_MONE, NX, D_MONE, 0xbca0000000000000)
  TEST_FD2(13, fadd.d, RM(rdn), 0xbff0000000000001, NX, D_MONE, 0xbca0000000000000)
  TEST_FD2(14, fadd.d, RM(rup), D_MONE, NX, D_MONE, 0xbca0000000000000)
  TEST_FD2(15, fadd.d, RM(rmm), 0xbff0000000000001, NX, D_MONE, 0xbca0000000000000)
  TEST_FD2(16, fadd.d, RM(rne), 0x3ff0000000000001, NX, D_ONE, D_3M54)
  TEST_FD2(17, fadd.d, RM(rtz), D_ONE, NX, D_ONE, D_3M54)
  TEST_FD2(18, fadd.d, RM(rne), D_ONE, NX, D_ONE, D_2M54)
  TEST_FD2(19, fadd.d, RM(rup), 0x3ff0000000000001, NX, D_ONE, D_2M54)
  // A tie from an odd significand rounds up to even (RNE) and away (RMM).
  TEST_FD2(20, fadd.d, RM(rne), 0x3ff0000000000002, NX, 0x3ff0000000000001, D_2M53)
  TEST_FD2(21, fadd.d, RM(rmm), 0x3ff0000000000002, NX, 0x3ff0000000000001, D_2M53)
  TEST_FD2(22, fadd.d, RM(rtz), 0x3ff0000000000001, NX, 0x3ff0000000000001, D_2M53)
  // ---- dynamic rounding mode from frm
  TEST_FP(23, 0x3ff0000000000001, NX, csrwi frm, 3; LOAD_D(fa1, D_ONE); LOAD_D(fa2, D_2M53); \
          fadd.d fa0, fa1, fa2, dyn; fmv.x.d a0, fa0)
  TEST_FP(24, 0xbff0000000000001, NX, csrwi frm, 2; LOAD_D(fa1, D_MONE); \
          LOAD_D(fa2, 0xbca0000000000000); fadd.d fa0, fa1, fa2, dyn; fmv.x.d a0, fa0)
  TEST_FP(25, D_ONE, NX, csrwi frm, 0; LOAD_D(fa1, D_ONE); LOAD_D(fa2, D_2M53); \
          fadd.d fa0, fa1, fa2; fmv.x.d a0, fa0)
  // A static mode overrides frm.
  TEST_FP(26, D_ONE, NX, csrwi frm, 3; LOAD_D(fa1, D_ONE); LOAD_D(fa2, D_2M53); \
          fadd.d fa0, fa1, fa2, rtz; fmv.x.d a0, fa0; csrwi frm, 0)
  // fcsr = frm << 5 | fflags.
  TEST_CASE(27, a0, 3, li a1, 0x61; csrw fcsr, a1; csrr a0, frm)
  TEST_CASE(28, a0, 1, csrr a0, fflags)
  TEST_CASE(29, a0, 0x61, csrr a0, fcsr)
  TEST_CASE(30, a0, 0x85, li a1, 0x85; csrw fcsr, a1; csrr a0, fcsr; csrw fcsr, zero)
  // Reserved rounding modes are illegal: frm = 5 with dyn, and static rm = 5 (encoded by
  // hand: fadd.d fa0, fa1, fa2 with rm field 101).
  TEST_TRAP_M(31, CAUSE_ILLEGAL_INSTRUCTION, csrwi frm, 5; fadd.d fa0, fa1, fa2, dyn)
  csrwi frm, 0
  TEST_TRAP_M(32, CAUSE_ILLEGAL_INSTRUCTION, .word 0x02c5d553)
  TEST_TRAP_M(33, CAUSE_ILLEGAL_INSTRUCTION, csrwi frm, 7; fmul.s fa0, fa1, fa2, dyn)
  csrwi frm, 0

  // ---- exception flags
  TEST_FD2(34, fdiv.d, RM(rne), D_PINF, DZ, D_ONE, D_PZERO)
  TEST_FD2(35, fdiv.d, RM(rne), D_MINF, DZ, D_MONE, D_PZERO)
  TEST_FD2(36, fdiv.d, RM(rne), D_QNAN, NV, D_PZERO, D_PZERO)
  TEST_FD2(37, fdiv.d, RM(rne), 0x3fd5555555555555, NX, D_ONE, D_THREE)
  TEST_FD2(38, fdiv.d, RM(rup), 0x3fd5555555555556, NX, D_ONE, D_THREE)
  TEST_FD2(39, fmul.d, RM(rne), D_PINF, OF | NX, D_MAX, D_TWO)
  TEST_FD2(40, fmul.d, RM(rtz), D_MAX, OF | NX, D_MAX, D_TWO)
  TEST_FD2(41, fmul.d, RM(rup), 0xffefffffffffffff, OF | NX, 0xffefffffffffffff, D_TWO)
  // Tiny and inexact: underflow. 2^-1075 is a tie between 0 and the smallest subnormal.
  TEST_FD2(42, fmul.d, RM(rne), D_PZERO, UF | NX, D_MIN_SUB, D_HALF)
  TEST_FD2(43, fmul.d, RM(rup), D_MIN_SUB, UF | NX, D_MIN_SUB, D_HALF)
  // Tiny but exact: no underflow flag.
  TEST_FD2(44, fmul.d, RM(rne), 0x0008000000000000, 0, D_MIN_NORMAL, D_HALF)
  TEST_FD2(45, fsub.d, RM(rne), D_QNAN, NV, D_PINF, D_PINF)
  TEST_FD2(46, fmul.d, RM(rne), D_QNAN, NV, D_PZERO, D_PINF)
  TEST_FD1(47, fsqrt.d, RM(rne), D_QNAN, NV, D_MONE)
  TEST_FD1(48, fsqrt.d, RM(rne), D_MZERO, 0, D_MZERO)
  // Flags accrue until cleared.
  TEST_FP(49, 0x3fd5555555555555, DZ | NX, LOAD_D(fa1, D_ONE); LOAD_D(fa2, D_PZERO); \
          fdiv.d fa0, fa1, fa2; LOAD_D(fa2, D_THREE); fdiv.d fa0, fa1, fa2; fmv.x.d a0, fa0)
  // Any NaN result is the canonical NaN; quiet inputs raise nothing, signaling raise NV.
  TEST_FD2(50, fadd.d, RM(rne), D_QNAN, 0, D_QNAN_PAYLOAD, D_ONE)
  TEST_FD2(51, fadd.d, RM(rne), D_QNAN, NV, D_SNAN, D_ONE)
  TEST_FD2(52, fmul.d, RM(rne), D_QNAN, 0, D_ONE, 0xfff8000000000456)
  // Exact zero sums: +0, except -0 when rounding down.
  TEST_FD2(53, fadd.d, RM(rne), D_PZERO, 0, D_ONE, D_MONE)
  TEST_FD2(54, fadd.d, RM(rdn), D_MZERO, 0, D_ONE, D_MONE)
  TEST_FD2(55, fadd.d, RM(rne), D_MZERO, 0, D_MZERO, D_MZERO)

  // ---- single precision
  TEST_FS2(56, fadd.s, RM(rne), S_THREE, 0, S_ONE, S_TWO)
  TEST_FS2(57, fdiv.s, RM(rne), 0x3eaaaaab, NX, S_ONE, S_THREE)
  TEST_FS2(58, fdiv.s, RM(rtz), 0x3eaaaaaa, NX, S_ONE, S_THREE)
  TEST_FS2(59, fdiv.s, RM(rdn), 0x3eaaaaaa, NX, S_ONE, S_THREE)
  TEST_FS2(60, fdiv.s, RM(rup), 0x3eaaaaab, NX, S_ONE, S_THREE)
  TEST_FS2(61, fdiv.s, RM(rdn), 0xbeaaaaab, NX, S_MONE, S_THREE)
  TEST_FS2(62, fdiv.s, RM(rup), 0xbeaaaaaa, NX, S_MONE, S_THREE)
  TEST_FS2(63, fadd.s, RM(rne), S_ONE, NX, S_ONE, S_2M24)
  TEST_FS2(64, fadd.s, RM(rmm), 0x3f800001, NX, S_ONE, S_2M24)
  TEST_FS2(65, fdiv.s, RM(rne), S_PINF, DZ, S_ONE, S_PZERO)
  TEST_FS2(66, fdiv.s, RM(rne), S_QNAN, NV, S_PZERO, S_PZERO)
  TEST_FS2(67, fmul.s, RM(rne), S_PINF, OF | NX, S_MAX, S_TWO)
  TEST_FS2(68, fadd.s, RM(rne), S_QNAN, NV, S_SNAN, S_ONE)
  TEST_FS1(69, fsqrt.s, RM(rne), S_TWO, 0, 0x40800000)
  TEST_FS2(70, fmul.s, RM(rne), S_PZERO, UF | NX, 0x00000001, S_HALF)

  // ---- fused multiply-add: one rounding. a = 1 + 2^-27, a*a = 1 + 2^-26 + 2^-54 rounds
  //      (unfused) to 1 + 2^-26, so a*a - (1 + 2^-26) is 0 unfused but 2^-54 fused.
  TEST_FD3(71, fmadd.d, RM(rne), D_2M54, 0, 0x3ff0000002000000, 0x3ff0000002000000, \
           0xbff0000004000000)
  TEST_FD3(72, fmsub.d, RM(rne), D_2M54, 0, 0x3ff0000002000000, 0x3ff0000002000000, \
           0x3ff0000004000000)
  TEST_FD3(73, fnmsub.d, RM(rne), 0xbc90000000000000, 0, 0x3ff0000002000000, \
           0x3ff0000002000000, 0x3ff0000004000000)
  TEST_FD3(74, fnmadd.d, RM(rne), 0xbc90000000000000, 0, 0x3ff0000002000000, \
           0x3ff0000002000000, 0xbff0000004000000)
  // Single: a = 1 + 2^-12, a*a = 1 + 2^-11 + 2^-24.
  TEST_FS3(75, fmadd.s, RM(rne), S_2M24, 0, 0x3f800800, 0x3f800800, 0xbf801000)
  // inf * 0 + qNaN is invalid even though the addend is a quiet NaN (11.6).
  TEST_FD3(76, fmadd.d, RM(rne), D_QNAN, NV, D_PINF, D_PZERO, D_QNAN)
  TEST_FD3(77, fmadd.d, RM(rup), 0x3ff0000000000001, NX, D_ONE, D_ONE, D_2M53)
  TEST_FS3(78, fmadd.s, RM(rne), 0x40e00000, 0, S_TWO, S_THREE, S_ONE)

  // ---- NaN-boxing (12.2)
  TEST_CASE(79, a0, 0xffffffff3f800000, li a1, S_ONE; fmv.w.x fa0, a1; fmv.x.d a0, fa0)
  // fmv.x.w sign-extends the low word.
  TEST_CASE(80, a0, 0xffffffffbf800000, li a1, S_MONE; fmv.w.x fa0, a1; fmv.x.w a0, fa0)
  TEST_CASE(81, a0, 0x7f800000, li a1, S_PINF; fmv.w.x fa0, a1; fmv.x.w a0, fa0)
  // An improperly boxed single reads as the canonical NaN in arithmetic...
  TEST_FP(82, BOX(S_QNAN), 0, LOAD_D(fa1, 0x000000003f800000); fadd.s fa0, fa1, fa1; \
          fmv.x.d a0, fa0)
  TEST_FP(83, BOX(S_QNAN), 0, LOAD_S(fa1, S_ONE); LOAD_D(fa2, 0xfffffffe3f800000); \
          fadd.s fa0, fa1, fa2; fmv.x.d a0, fa0)
  TEST_FP(84, BOX(S_QNAN), 0, LOAD_D(fa1, 0x123456783f800000); fsgnj.s fa0, fa1, fa1; \
          fmv.x.d a0, fa0)
  TEST_FP(85, D_QNAN, 0, LOAD_D(fa1, 0x000000003f800000); fcvt.d.s fa0, fa1; fmv.x.d a0, fa0)
  TEST_FP(86, 0x200, 0, LOAD_D(fa1, 0x000000003f800000); fclass.s a0, fa1)
  TEST_FP(87, 0, 0, LOAD_D(fa1, 0x000000003f800000); feq.s a0, fa1, fa1)
  // ...but transfers move the bits unchanged: fmv.x.w and fsw take the low word.
  TEST_CASE(88, a0, 0x3f800000, LOAD_D(fa1, 0x123456783f800000); fmv.x.w a0, fa1)
  TEST_CASE(89, a0, 0x44332211, la a1, fdata; LOAD_D(fa1, 0x1234567844332211); fsw fa1, 0(a1); \
            lwu a0, 0(a1))
  // flw boxes; fsd/fld keep a NaN payload.
  TEST_CASE(90, a0, 0xffffffff3f800000, la a1, fdata; li a2, S_ONE; sw a2, 0(a1); \
            flw fa0, 0(a1); fmv.x.d a0, fa0)
  TEST_CASE(91, a0, D_SNAN, LOAD_D(fa1, D_SNAN); fsd fa1, 8(a1); fld fa0, 8(a1); fmv.x.d a0, fa0)

  // ---- fclass: one bit per class (table 11.5)
  TEST_D_INT1(92, fclass.d, NORM, 0x001, 0, D_MINF)
  TEST_D_INT1(93, fclass.d, NORM, 0x002, 0, D_MONE)
  TEST_D_INT1(94, fclass.d, NORM, 0x004, 0, 0x8000000000000001)
  TEST_D_INT1(95, fclass.d, NORM, 0x008, 0, D_MZERO)
  TEST_D_INT1(96, fclass.d, NORM, 0x010, 0, D_PZERO)
  TEST_D_INT1(97, fclass.d, NORM, 0x020, 0, 0x000fffffffffffff)
  TEST_D_INT1(98, fclass.d, NORM, 0x040, 0, D_ONE)
  TEST_D_INT1(99, fclass.d, NORM, 0x080, 0, D_PINF)
  TEST_D_INT1(100, fclass.d, NORM, 0x100, 0, D_SNAN)
  TEST_D_INT1(101, fclass.d, NORM, 0x200, 0, D_QNAN)
  TEST_D_INT1(102, fclass.d, NORM, 0x100, 0, 0xfff4000000000000)
  TEST_S_INT1(103, fclass.s, NORM, 0x001, 0, S_MINF)
  TEST_S_INT1(104, fclass.s, NORM, 0x004, 0, 0x80000001)
  TEST_S_INT1(105, fclass.s, NORM, 0x040, 0, S_ONE)
  TEST_S_INT1(106, fclass.s, NORM, 0x100, 0, S_SNAN)
  TEST_S_INT1(107, fclass.s, NORM, 0x200, 0, S_QNAN)
  TEST_S_INT1(108, fclass.s, NORM, 0x010, 0, S_PZERO)

  // ---- conversions: out-of-range and NaN inputs saturate with NV (table 11.4); W
  //      results are sign-extended.
  TEST_D_INT1(109, fcvt.w.d, RM(rtz), 0x7fffffff, NV, D_QNAN)
  TEST_D_INT1(110, fcvt.w.d, RM(rtz), 0xffffffff80000000, NV, D_MINF)
  TEST_D_INT1(111, fcvt.w.d, RM(rtz), 0x7fffffff, NV, D_PINF)
  TEST_D_INT1(112, fcvt.w.d, RM(rtz), 0x7fffffff, NV, 0x41e65a0bc0000000)
  TEST_D_INT1(113, fcvt.wu.d, RM(rtz), 0, NV, D_MONE)
  TEST_D_INT1(114, fcvt.wu.d, RM(rtz), 0xffffffffffffffff, NV, D_QNAN)
  TEST_D_INT1(115, fcvt.wu.d, RM(rtz), 0xffffffffffffffff, 0, 0x41efffffffe00000)
  TEST_D_INT1(116, fcvt.l.d, RM(rtz), 0x7fffffffffffffff, NV, D_QNAN)
  TEST_D_INT1(117, fcvt.l.d, RM(rtz), 0x8000000000000000, NV, D_MINF)
  TEST_D_INT1(118, fcvt.lu.d, RM(rtz), 0, NV, D_MONE)
  TEST_D_INT1(119, fcvt.lu.d, RM(rtz), 0xffffffffffffffff, NV, D_PINF)
  // Rounding of 2.5 and -2.5 in each mode.
  TEST_D_INT1(120, fcvt.w.d, RM(rne), 2, NX, 0x4004000000000000)
  TEST_D_INT1(121, fcvt.w.d, RM(rmm), 3, NX, 0x4004000000000000)
  TEST_D_INT1(122, fcvt.w.d, RM(rup), 3, NX, 0x4004000000000000)
  TEST_D_INT1(123, fcvt.w.d, RM(rdn), 2, NX, 0x4004000000000000)
  TEST_D_INT1(124, fcvt.w.d, RM(rtz), 2, NX, 0x4004000000000000)
  TEST_D_INT1(125, fcvt.w.d, RM(rne), 0xfffffffffffffffe, NX, 0xc004000000000000)
  TEST_D_INT1(126, fcvt.w.d, RM(rmm), 0xfffffffffffffffd, NX, 0xc004000000000000)
  TEST_D_INT1(127, fcvt.w.d, RM(rdn), 0xfffffffffffffffd, NX, 0xc004000000000000)
  TEST_D_INT1(128, fcvt.w.d, RM(rup), 0xfffffffffffffffe, NX, 0xc004000000000000)
  // -0.5 rounds to 0, which is representable: inexact, not invalid.
  TEST_D_INT1(129, fcvt.wu.d, RM(rtz), 0, NX, 0xbfe0000000000000)
  // -2^31 - 0.5 truncates into range; -2^31 - 1 does not.
  TEST_D_INT1(130, fcvt.w.d, RM(rtz), 0xffffffff80000000, NX, 0xc1e0000000100000)
  TEST_D_INT1(131, fcvt.w.d, RM(rtz), 0xffffffff80000000, NV, 0xc1e0000000200000)
  TEST_INT_D(132, fcvt.d.w, NORM, D_MONE, 0, -1)
  TEST_INT_D(133, fcvt.d.wu, NORM, 0x41efffffffe00000, 0, -1)
  TEST_INT_D(134, fcvt.d.l, RM(rne), 0x4340000000000000, NX, 0x20000000000001)
  TEST_INT_D(135, fcvt.d.l, RM(rup), 0x4340000000000001, NX, 0x20000000000001)
  TEST_INT_D(136, fcvt.d.lu, RM(rne), 0x43f0000000000000, NX, -1)
  TEST_INT_S(137, fcvt.s.w, RM(rne), 0x4b800000, NX, 16777217)
  TEST_INT_S(138, fcvt.s.w, RM(rup), 0x4b800001, NX, 16777217)
  TEST_FP(139, BOX(0x3eaaaaab), NX, LOAD_D(fa1, 0x3fd5555555555555); fcvt.s.d fa0, fa1, rne; \
          fmv.x.d a0, fa0)
  TEST_FP(140, BOX(S_PINF), OF | NX, LOAD_D(fa1, D_MAX); fcvt.s.d fa0, fa1, rne; fmv.x.d a0, fa0)
  TEST_FP(141, BOX(S_QNAN), NV, LOAD_D(fa1, D_SNAN); fcvt.s.d fa0, fa1, rne; fmv.x.d a0, fa0)
  TEST_FP(142, D_ONE, 0, LOAD_S(fa1, S_ONE); fcvt.d.s fa0, fa1; fmv.x.d a0, fa0)
  TEST_FP(143, D_QNAN, NV, LOAD_S(fa1, S_SNAN); fcvt.d.s fa0, fa1; fmv.x.d a0, fa0)
  TEST_S_INT1(144, fcvt.w.s, RM(rne), 2, NX, 0x3fc00000)
  TEST_S_INT1(145, fcvt.l.s, RM(rtz), 0x8000000000000000, NV, S_MINF)
  TEST_S_INT1(146, fcvt.lu.s, RM(rtz), 0xffffffffffffffff, NV, S_QNAN)

  // ---- fmin/fmax: -0 < +0; one NaN input gives the other operand; sNaN raises NV
  TEST_FD2(147, fmin.d, NORM, D_MZERO, 0, D_MZERO, D_PZERO)
  TEST_FD2(148, fmin.d, NORM, D_MZERO, 0, D_PZERO, D_MZERO)
  TEST_FD2(149, fmax.d, NORM, D_PZERO, 0, D_MZERO, D_PZERO)
  TEST_FD2(150, fmax.d, NORM, D_PZERO, 0, D_PZERO, D_MZERO)
  TEST_FD2(151, fmin.d, NORM, D_ONE, 0, D_QNAN, D_ONE)
  TEST_FD2(152, fmax.d, NORM, D_ONE, 0, D_ONE, D_QNAN)
  TEST_FD2(153, fmin.d, NORM, D_ONE, NV, D_SNAN, D_ONE)
  TEST_FD2(154, fmax.d, NORM, D_QNAN, 0, D_QNAN_PAYLOAD, D_QNAN_PAYLOAD)
  TEST_FD2(155, fmin.d, NORM, D_QNAN, NV, D_SNAN, D_SNAN)
  TEST_FD2(156, fmin.d, NORM, D_MONE, 0, D_MONE, D_TWO)
  TEST_FS2(157, fmin.s, NORM, S_MZERO, 0, S_PZERO, S_MZERO)
  TEST_FS2(158, fmax.s, NORM, S_TWO, NV, S_SNAN, S_TWO)

  // ---- sign injection: bit operations, NaNs not canonicalised, no flags
  TEST_FD2(159, fsgnj.d, NORM, D_MONE, 0, D_ONE, D_MTWO)
  TEST_FD2(160, fsgnjn.d, NORM, D_ONE, 0, D_ONE, D_MTWO)
  TEST_FD2(161, fsgnjx.d, NORM, D_ONE, 0, D_MONE, D_MTWO)
  TEST_FD2(162, fsgnjx.d, NORM, D_MONE, 0, D_ONE, D_MTWO)
  TEST_FD2(163, fsgnjn.d, NORM, 0xfff0000000000001, 0, D_SNAN, D_ONE)
  TEST_FS2(164, fsgnj.s, NORM, S_MONE, 0, S_ONE, S_MTWO)
  TEST_FS2(165, fsgnjn.s, NORM, S_ONE, 0, S_MONE, S_MONE)
  TEST_FS2(166, fsgnjx.s, NORM, S_ONE, 0, S_MONE, S_MONE)

  // ---- comparisons: feq is quiet, flt/fle signal on any NaN
  TEST_D_INT2(167, feq.d, 1, 0, D_ONE, D_ONE)
  TEST_D_INT2(168, feq.d, 0, 0, D_QNAN, D_QNAN)
  TEST_D_INT2(169, feq.d, 0, NV, D_SNAN, D_ONE)
  TEST_D_INT2(170, flt.d, 0, NV, D_QNAN, D_ONE)
  TEST_D_INT2(171, fle.d, 0, NV, D_ONE, D_QNAN)
  TEST_D_INT2(172, feq.d, 1, 0, D_MZERO, D_PZERO)
  TEST_D_INT2(173, flt.d, 0, 0, D_MZERO, D_PZERO)
  TEST_D_INT2(174, fle.d, 1, 0, D_MZERO, D_PZERO)
  TEST_D_INT2(175, flt.d, 1, 0, D_MONE, D_ONE)
  TEST_S_INT2(176, flt.s, 1, 0, S_ONE, S_TWO)
  TEST_S_INT2(177, fle.s, 0, 0, S_TWO, S_ONE)

  // ---- mstatus.FS
  // Off: every FP instruction and FP CSR access is illegal.
  li t0, MSTATUS_FS
  csrc mstatus, t0
  TEST_TRAP_M(178, CAUSE_ILLEGAL_INSTRUCTION, fadd.d fa0, fa1, fa2)
  TEST_TRAP_M(179, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, fflags)
  TEST_TRAP_M(180, CAUSE_ILLEGAL_INSTRUCTION, fmv.x.d a0, fa0)
  TEST_TRAP_M(181, CAUSE_ILLEGAL_INSTRUCTION, la a1, fdata; fld fa0, 0(a1))
  TEST_TRAP_M(182, CAUSE_ILLEGAL_INSTRUCTION, csrwi frm, 1)
  // SD summarises FS/XS/VS: all off, so SD = 0.
  TEST_CASE(183, a0, 0, csrr a0, mstatus; srli a0, a0, 63)
  // Initial, then an FP register write: Dirty, and SD = 1.
  TEST_CASE(184, a0, 3, li t0, MSTATUS_FS_INITIAL; csrs mstatus, t0; fmv.d.x fa0, zero; \
            csrr a0, mstatus; srli a0, a0, 13; andi a0, a0, 3)
  TEST_CASE(185, a0, 1, csrr a0, mstatus; srli a0, a0, 63)
  // Clean, then an fcsr write: Dirty.
  TEST_CASE(186, a0, 3, li t0, MSTATUS_FS; csrc mstatus, t0; li t0, MSTATUS_FS_CLEAN; \
            csrs mstatus, t0; csrwi fflags, 1; csrr a0, mstatus; srli a0, a0, 13; andi a0, a0, 3)
  // Clean, then an arithmetic op writing f and fflags: Dirty.
  TEST_CASE(187, a0, 3, li t0, MSTATUS_FS; csrc mstatus, t0; li t0, MSTATUS_FS_CLEAN; \
            csrs mstatus, t0; fdiv.d fa0, fa1, fa2; csrr a0, mstatus; srli a0, a0, 13; \
            andi a0, a0, 3)
  // Clean, then a load into an f register: Dirty.
  TEST_CASE(188, a0, 3, li t0, MSTATUS_FS; csrc mstatus, t0; li t0, MSTATUS_FS_CLEAN; \
            csrs mstatus, t0; la a1, fdata; fld fa0, 0(a1); csrr a0, mstatus; srli a0, a0, 13; \
            andi a0, a0, 3)
  TEST_PASS

  .data
  .align 3
fdata:
  .dword 0, 0
