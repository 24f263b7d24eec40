// The vector extension, stage 2: floating-point instructions (RVV 1.0 section 13, the FP
// reductions, vfmv.f.s/vfmv.s.f, vfslide1up/down) at SEW 32 and 64 (16 and 8 for the
// conversions that have an integer side of that width), under several frm values, with
// fflags, masks, NaN-boxing of the scalar operand, and the illegal cases (FS Off, reserved
// frm, FP at SEW 8). Each case leaves v4 (16 bytes) and fflags in the 17-byte table
// exp_<n>; every table was taken from QEMU 7.2 (-cpu rv64,v=true,vlen=128 and vlen=256
// give the same bytes) with -DRVV_DUMP (roms/isa/rvv_dump.h). Needs V.
#include "test_macros.h"
#include "rvv_dump.h"

#define MSTATUS_VS_INITIAL (1 << 9)
#define MSTATUS_FS (3 << 13)
#define MSTATUS_FS_INITIAL (1 << 13)

// v2 = table ta, v3 = table tb (16 bytes each), v4 and v5 = 0xee in every byte, v0 = 0xb5
// in every byte (elements 0, 2, 4, 5, 7 of each 8 active when masked).
#define FLOAD(ta, tb)                \
  vsetvli t0, x0, e8, m1, tu, mu;    \
  li t1, 0xee;                       \
  vmv.v.x v4, t1;                    \
  vmv.v.x v5, t1;                    \
  li t1, 0xb5;                       \
  vmv.v.x v0, t1;                    \
  vmv.v.i v2, 0;                     \
  vmv.v.i v3, 0;                     \
  vsetivli x0, 16, e8, m1, tu, mu;   \
  la t1, ta;                         \
  vle8.v v2, (t1);                   \
  la t1, tb;                         \
  vle8.v v3, (t1)

// Case n: v2 = ta, v3 = tb, frm = rm, fflags = 0, vtype = sew, m1 with vl = `vl`, then the
// code (its result in v4); checks v4 and fflags.
#define FP(n, rm, sew, vl, ta, tb, ...)  \
  TEST_NUMBER(n);                        \
  FLOAD(ta, tb);                         \
  csrwi frm, rm;                         \
  csrwi fflags, 0;                       \
  vsetivli x0, vl, sew, m1, tu, mu;      \
  __VA_ARGS__;                           \
  csrr t0, fflags;                       \
  RESULT(n)

// fa0 = the single `bits` (NaN-boxed), fa1 = the double `bits`.
#define FS32(bits) li t1, bits; fmv.w.x fa0, t1
#define FD64(bits) li t1, bits; fmv.d.x fa1, t1

// QEMU 7.2 aborts on every .rtz and .rod conversion (an assertion in decode_save_opc), so
// the -DRVV_DUMP build runs the plain conversion with frm = RTZ in their place, the same
// operation by the spec's definition; the .rod tables are that RTZ result with the last bit
// set where the conversion was inexact (NX), worked out by hand.
#ifdef RVV_DUMP
#define RTZ_FORM(rtz, plain, ...) csrwi frm, 1; plain __VA_ARGS__
#else
#define RTZ_FORM(rtz, plain, ...) rtz __VA_ARGS__
#endif

#define RNE 0
#define RTZ 1
#define RDN 2
#define RUP 3
#define RMM 4

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)
  TEST_NUMBER(1)
  csrr a0, misa
  srli a0, a0, 21
  andi a0, a0, 1
  beqz a0, fail
  li a0, MSTATUS_VS_INITIAL
  csrs mstatus, a0

  // Single-width arithmetic. 10: 1.5 + 0.1, -2.25 + 3 = 0.75 (0x3f400000), 2^127 + 2^127
  // overflows to +inf (OF, NX), and an sNaN operand gives the canonical NaN (NV).
  FP(10, RNE, e32, 4, A32, B32, vfadd.vv v4, v2, v3)
  FP(11, RTZ, e64, 2, A64, B64, FD64(0x3fb999999999999a); vfadd.vf v4, v2, fa1)
  FP(12, RDN, e32, 4, A32, B32, vfsub.vv v4, v2, v3)
  FP(13, RUP, e32, 4, A32, B32, FS32(0x3f800000); vfrsub.vf v4, v2, fa0, v0.t)
  FP(14, RNE, e64, 2, A64, B64, vfmul.vv v4, v2, v3)
  FP(15, RMM, e32, 4, A32, B32, FS32(0x40400000); vfmul.vf v4, v2, fa0)
  FP(16, RNE, e32, 4, A32, C32, vfdiv.vv v4, v2, v3)
  FP(17, RNE, e64, 2, A64, B64, FD64(0); vfdiv.vf v4, v2, fa1)
  FP(18, RDN, e32, 4, D32, B32, FS32(0x3f800000); vfrdiv.vf v4, v2, fa0)
  FP(19, RNE, e32, 4, A32, C32, vfmin.vv v4, v2, v3)
  FP(20, RNE, e64, 2, C64, B64, FD64(0x8000000000000000); vfmax.vf v4, v2, fa1)
  FP(21, RNE, e32, 4, A32, C32, vfsgnj.vv v4, v2, v3)
  FP(22, RNE, e32, 4, A32, C32, FS32(0x80000000); vfsgnjn.vf v4, v2, fa0)
  FP(23, RNE, e64, 2, A64, C64, vfsgnjx.vv v4, v2, v3)
  // Multiply-add (vd starts as 0xeeeeeeee = -3.69e28 or 0xeeee...ee).
  FP(24, RNE, e32, 4, A32, B32, vfmacc.vv v4, v3, v2)
  FP(25, RTZ, e64, 2, A64, B64, FD64(0x4000000000000000); vfnmacc.vf v4, fa1, v2)
  FP(26, RTZ, e32, 4, A32, D32, vfmsac.vv v4, v3, v2)
  FP(27, RUP, e32, 4, A32, B32, FS32(0x3dcccccd); vfnmsac.vf v4, fa0, v2)
  FP(28, RNE, e32, 4, A32, B32, vfmadd.vv v4, v3, v2)
  FP(29, RDN, e64, 2, A64, B64, FD64(0x3ff0000000000000); vfnmadd.vf v4, fa1, v2)
  FP(30, RNE, e64, 2, A64, B64, vfmsub.vv v4, v3, v2)
  FP(31, RMM, e32, 4, D32, B32, FS32(0xc0000000); vfnmsub.vf v4, fa0, v2, v0.t)
  // Compares: the mask is v4's byte 0 (its high 4 bits keep 0xe); NV for sNaN (quiet
  // compares) or any NaN (lt, le, gt, ge).
  FP(32, RNE, e32, 4, A32, B32, vmfeq.vv v4, v2, v3)
  FP(33, RNE, e32, 4, C32, B32, FS32(0x7fc00000); vmfne.vf v4, v2, fa0)
  FP(34, RNE, e32, 4, A32, C32, vmflt.vv v4, v2, v3)
  FP(35, RNE, e64, 2, A64, B64, FD64(0x3ff8000000000000); vmfle.vf v4, v2, fa1)
  FP(36, RNE, e32, 4, A32, B32, FS32(0x3f800000); vmfgt.vf v4, v2, fa0)
  FP(37, RNE, e32, 4, D32, B32, FS32(0x3f800000); vmfge.vf v4, v2, fa0, v0.t)
  FP(38, RNE, e32, 4, C32, B32, vmfle.vv v4, v2, v3)
  // Unary: square root, estimates, classify.
  FP(39, RNE, e32, 4, C32, B32, vfsqrt.v v4, v2)
  FP(40, RUP, e64, 2, A64, B64, vfsqrt.v v4, v2)
  FP(41, RNE, e32, 4, A32, B32, vfrsqrt7.v v4, v2)
  FP(42, RNE, e32, 4, C32, B32, vfrsqrt7.v v4, v2)
  FP(43, RNE, e64, 2, B64, B64, vfrsqrt7.v v4, v2)
  FP(44, RNE, e32, 4, A32, B32, vfrec7.v v4, v2)
  FP(45, RTZ, e32, 4, D32, B32, vfrec7.v v4, v2)
  FP(46, RNE, e32, 4, D32, B32, vfrec7.v v4, v2)
  FP(47, RNE, e32, 4, C32, B32, vfrec7.v v4, v2)
  FP(48, RUP, e64, 2, B64, B64, vfrec7.v v4, v2)
  FP(49, RNE, e32, 4, C32, B32, vfclass.v v4, v2)
  FP(50, RNE, e64, 2, A64, B64, vfclass.v v4, v2)
  // Single-width conversions.
  FP(51, RNE, e32, 4, A32, B32, vfcvt.xu.f.v v4, v2)
  FP(52, RMM, e64, 2, A64, B64, vfcvt.x.f.v v4, v2)
  FP(53, RNE, e32, 4, I32, B32, vfcvt.f.xu.v v4, v2)
  FP(54, RDN, e64, 2, I64, B64, vfcvt.f.x.v v4, v2)
  FP(55, RUP, e32, 4, A32, B32, RTZ_FORM(vfcvt.rtz.xu.f.v, vfcvt.xu.f.v, v4, v2))
  FP(56, RUP, e64, 2, B64, B64, RTZ_FORM(vfcvt.rtz.x.f.v, vfcvt.x.f.v, v4, v2))
  FP(57, RUP, e32, 4, A32, B32, vfcvt.x.f.v v4, v2)
  // Widening conversions (vd = v4-v5; 16 bytes of results in v4).
  FP(58, RNE, e32, 2, A32, B32, vfwcvt.xu.f.v v4, v2)
  FP(59, RDN, e32, 2, A32, B32, vfwcvt.x.f.v v4, v2)
  FP(60, RNE, e16, 4, I32, B32, vfwcvt.f.xu.v v4, v2)
  FP(61, RNE, e16, 4, I32, B32, vfwcvt.f.x.v v4, v2)
  FP(62, RNE, e32, 2, I32, B32, vfwcvt.f.x.v v4, v2)
  FP(63, RNE, e32, 2, B32, B32, vfwcvt.f.f.v v4, v2)
  FP(64, RUP, e32, 2, A32, B32, RTZ_FORM(vfwcvt.rtz.xu.f.v, vfwcvt.xu.f.v, v4, v2))
  FP(65, RUP, e32, 2, A32, B32, RTZ_FORM(vfwcvt.rtz.x.f.v, vfwcvt.x.f.v, v4, v2))
  FP(66, RNE, e32, 2, A32, B32, csrwi vstart, 1; vfwcvt.f.f.v v4, v2)
  // Narrowing conversions (vs2 = v2-v3).
  FP(67, RNE, e32, 2, B64, B32, vfncvt.xu.f.w v4, v2)
  FP(68, RNE, e16, 4, A32, B32, vfncvt.x.f.w v4, v2)
  FP(69, RNE, e16, 4, A32, B32, vfncvt.xu.f.w v4, v2)
  FP(70, RNE, e32, 2, I64, B32, vfncvt.f.xu.w v4, v2)
  FP(71, RUP, e32, 2, I64, B32, vfncvt.f.x.w v4, v2)
  FP(72, RNE, e32, 2, B64, B32, vfncvt.f.f.w v4, v2)
  FP(73, RNE, e32, 2, B64, B32, RTZ_FORM(vfncvt.rod.f.f.w, vfncvt.f.f.w, v4, v2))
  FP(74, RNE, e32, 2, A64, B32, RTZ_FORM(vfncvt.rod.f.f.w, vfncvt.f.f.w, v4, v2))
  FP(75, RNE, e16, 4, A32, B32, RTZ_FORM(vfncvt.rtz.xu.f.w, vfncvt.xu.f.w, v4, v2))
  FP(76, RUP, e32, 2, B64, B32, RTZ_FORM(vfncvt.rtz.x.f.w, vfncvt.x.f.w, v4, v2))
  FP(77, RUP, e32, 2, A64, B32, vfncvt.f.f.w v4, v2)
  // Widening arithmetic (SEW 32 to 64; vd = v4-v5, vs2 = v2 or the group v2-v3 for .w).
  FP(78, RNE, e32, 2, A32, B32, vfwadd.vv v4, v2, v3)
  FP(79, RNE, e32, 2, A32, B32, FS32(0x3dcccccd); vfwadd.vf v4, v2, fa0)
  FP(80, RDN, e32, 2, A32, B32, vfwsub.vv v4, v2, v3)
  FP(81, RNE, e32, 2, B32, B32, FS32(0x7f000000); vfwsub.vf v4, v2, fa0)
  FP(82, RNE, e32, 2, B64, B32, vfwadd.wv v4, v2, v3)
  FP(83, RUP, e32, 2, A64, B32, FS32(0x3dcccccd); vfwadd.wf v4, v2, fa0)
  FP(84, RNE, e32, 2, B64, A32, vfwsub.wv v4, v2, v3)
  FP(85, RNE, e32, 2, B64, B32, FS32(0xff800000); vfwsub.wf v4, v2, fa0)
  FP(86, RNE, e32, 2, A32, B32, vfwmul.vv v4, v2, v3)
  FP(87, RNE, e32, 2, A32, D32, FS32(0x7f7fffff); vfwmul.vf v4, v2, fa0)
  FP(88, RNE, e32, 2, A32, B32, vfwmacc.vv v4, v3, v2)
  FP(89, RNE, e32, 2, A32, B32, FS32(0x40000000); vfwnmacc.vf v4, fa0, v2)
  FP(90, RTZ, e32, 2, A32, B32, vfwmsac.vv v4, v3, v2)
  FP(91, RNE, e32, 2, B32, B32, FS32(0x40000000); vfwnmsac.vf v4, fa0, v2, v0.t)
  // Reductions: v4[0] = v3[0] combined with the active v2[i].
  FP(92, RNE, e32, 4, A32, B32, vfredusum.vs v4, v2, v3)
  FP(93, RNE, e32, 4, D32, B32, vfredosum.vs v4, v2, v3)
  FP(94, RNE, e64, 2, A64, B64, vfredosum.vs v4, v2, v3, v0.t)
  FP(95, RNE, e32, 4, C32, B32, vfredmin.vs v4, v2, v3)
  FP(96, RNE, e64, 2, C64, B64, vfredmax.vs v4, v2, v3)
  FP(97, RNE, e32, 3, A32, B64, vfwredusum.vs v4, v2, v3)
  FP(98, RDN, e32, 4, D32, B64, vfwredosum.vs v4, v2, v3, v0.t)
  FP(99, RNE, e32, 4, A32, B32, csrwi vstart, 0; vsetivli x0, 0, e32, m1, tu, mu; vfredosum.vs v4, v2, v3)
  // Moves, merge, slides; a scalar single that is not NaN-boxed reads as the canonical NaN.
  FP(100, RNE, e32, 4, A32, B32, FS32(0x40200000); vfmerge.vfm v4, v2, fa0, v0)
  FP(101, RNE, e64, 2, A64, B64, FD64(0xc004000000000000); vfmv.v.f v4, fa1)
  FP(102, RNE, e32, 4, A32, B32, FD64(0x0000000040000000); vfmv.s.f v4, fa1)
  FP(103, RNE, e32, 4, A32, B32, FD64(0x0000000040000000); vfadd.vf v4, v2, fa1)
  FP(104, RNE, e32, 4, A32, B32, vfmv.f.s fa2, v2; fmv.x.d a1, fa2; vsetivli x0, 1, e64, m1, tu, mu; vmv.s.x v4, a1)
  FP(105, RNE, e64, 2, A64, B64, vfmv.f.s fa2, v2; fmv.x.d a1, fa2; vmv.s.x v4, a1)
  FP(106, RNE, e32, 4, A32, B32, FS32(0x41200000); vfslide1up.vf v4, v2, fa0)
  FP(107, RNE, e64, 2, A64, B64, FD64(0x4024000000000000); vfslide1down.vf v4, v2, fa1)
  FP(108, RNE, e32, 4, A32, B32, FS32(0x41200000); vfslide1down.vf v4, v2, fa0, v0.t)
  FP(109, RNE, e32, 4, A32, B32, vsetivli x0, 2, e32, mf2, tu, mu; vfadd.vv v4, v2, v3)
  // The other form (.vv or .vf) of each op that a case above runs in one form only.
  FP(130, RUP, e32, 4, A32, B32, FS32(0x3dcccccd); vfsub.vf v4, v2, fa0)
  FP(131, RNE, e32, 4, C32, B32, FS32(0x7fc00000); vfmin.vf v4, v2, fa0)
  FP(132, RNE, e64, 2, C64, A64, vfmax.vv v4, v2, v3, v0.t)
  FP(133, RNE, e64, 2, A64, B64, FD64(0x8000000000000001); vfsgnj.vf v4, v2, fa1)
  FP(134, RNE, e32, 4, A32, C32, vfsgnjn.vv v4, v2, v3)
  FP(135, RNE, e32, 4, C32, A32, FS32(0xbf800000); vfsgnjx.vf v4, v2, fa0)
  FP(136, RDN, e32, 4, A32, B32, FS32(0x3dcccccd); vfmacc.vf v4, fa0, v2)
  FP(137, RNE, e64, 2, A64, B64, vfnmacc.vv v4, v3, v2, v0.t)
  FP(138, RUP, e64, 2, A64, B64, FD64(0x3fb999999999999a); vfmsac.vf v4, fa1, v2)
  FP(139, RTZ, e32, 4, D32, B32, vfnmsac.vv v4, v3, v2)
  FP(140, RMM, e32, 4, A32, B32, FS32(0x40400000); vfmadd.vf v4, fa0, v2)
  FP(141, RNE, e32, 4, A32, D32, vfnmadd.vv v4, v3, v2)
  FP(142, RDN, e64, 2, A64, B64, FD64(0xbff0000000000000); vfmsub.vf v4, fa1, v2)
  FP(143, RNE, e32, 4, C32, B32, vfnmsub.vv v4, v3, v2, v0.t)
  FP(144, RNE, e32, 4, C32, B32, FS32(0x7f800000); vmfeq.vf v4, v2, fa0)
  FP(145, RNE, e32, 4, C32, B32, vmfne.vv v4, v2, v3)
  FP(146, RNE, e64, 2, C64, B64, FD64(0x0000000000000000); vmflt.vf v4, v2, fa1)
  FP(147, RUP, e32, 2, A32, B32, FS32(0x3dcccccd); vfwmacc.vf v4, fa0, v2)
  FP(148, RNE, e32, 2, D32, B32, vfwnmacc.vv v4, v3, v2, v0.t)
  FP(149, RDN, e32, 2, A32, B32, FS32(0xc0400000); vfwmsac.vf v4, fa0, v2)
  FP(150, RNE, e32, 2, B32, A32, vfwnmsac.vv v4, v3, v2)

  // Illegal: FP at SEW 8 and 16, a reserved frm, mstatus.FS = Off.
  vsetivli x0, 4, e8, m1, tu, mu
  TEST_TRAP_M(120, CAUSE_ILLEGAL_INSTRUCTION, vfadd.vv v4, v2, v3)
  // SEW 16 needs Zvfh; QEMU 7.2 runs these with F alone (docs/vector.md), so the dump
  // build leaves them out.
#ifndef RVV_DUMP
  vsetivli x0, 4, e16, m1, tu, mu
  TEST_TRAP_M(121, CAUSE_ILLEGAL_INSTRUCTION, vfadd.vv v4, v2, v3)
  TEST_TRAP_M(122, CAUSE_ILLEGAL_INSTRUCTION, vfwcvt.f.f.v v4, v2)
#endif
  vsetivli x0, 4, e32, m1, tu, mu
  csrwi frm, 5
  TEST_TRAP_M(123, CAUSE_ILLEGAL_INSTRUCTION, vfadd.vv v4, v2, v3)
  csrwi frm, 0
  vsetivli x0, 4, e64, m1, tu, mu
  TEST_TRAP_M(124, CAUSE_ILLEGAL_INSTRUCTION, vfwadd.vv v4, v2, v3)
  vsetivli x0, 4, e32, m1, tu, mu
  li t1, MSTATUS_FS
  csrc mstatus, t1
  TEST_TRAP_M(125, CAUSE_ILLEGAL_INSTRUCTION, vfadd.vv v4, v2, v3)
  TEST_TRAP_M(126, CAUSE_ILLEGAL_INSTRUCTION, vfmv.v.f v4, fa0)
  li t1, MSTATUS_FS_INITIAL
  csrs mstatus, t1

  ld ra, 0(sp)
  addi sp, sp, 16
  li a0, 0
  ret

#ifdef RVV_DUMP
#include "rvv_dump_fn.inc"
#endif

  .data
  .balign 16
// Singles: 1.5, -2.25, 2^127, 2^-127 (subnormal).
A32: .word 0x3fc00000, 0xc0100000, 0x7f000000, 0x00400000
// 0.1, 3.0, 2^127, a signaling NaN.
B32: .word 0x3dcccccd, 0x40400000, 0x7f000000, 0x7f800001
// -0, +inf, the canonical quiet NaN, 4.0.
C32: .word 0x80000000, 0x7f800000, 0x7fc00000, 0x40800000
// The smallest subnormal, -2^-126 (smallest normal), the largest finite, 1 + 2^-23.
D32: .word 0x00000001, 0x80800000, 0x7f7fffff, 0x3f800001
// Integers: 7, -3, INT32_MAX, INT32_MIN (as 16-bit: 7, 0, -3, -1, -1, 0x7fff, 0, 0x8000).
I32: .word 7, 0xfffffffd, 0x7fffffff, 0x80000000
// Doubles: 1.5, -2^1000.
A64: .dword 0x3ff8000000000000, 0xfe70000000000000
// 0.1, 2^100 + 2^48.
B64: .dword 0x3fb999999999999a, 0x4630000000000001
// -0, a signaling NaN.
C64: .dword 0x8000000000000000, 0x7ff0000000000001
// INT64_MAX, -5.
I64: .dword 0x7fffffffffffffff, 0xfffffffffffffffb

#ifndef RVV_DUMP
#include "rvv_fp_expected.inc"
#endif

  .bss
  .balign 64
out: .skip 64
