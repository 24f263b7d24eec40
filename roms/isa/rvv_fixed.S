// The vector extension, stage 2: fixed-point instructions (RVV 1.0 section 12) in every
// form (.vv .vx .vi, .wv .wx .wi), at SEW 8 to 64, under each vxrm rounding mode, with
// saturation setting vxsat, masked, and from a nonzero vstart. Each case leaves v4 (16
// bytes) and vxsat in the 17-byte table exp_<n>; every table was taken from QEMU 7.2
// (-cpu rv64,v=true,vlen=128 and vlen=256 give the same bytes) with -DRVV_DUMP
// (roms/isa/rvv_dump.h), and some checked by hand (see the comments). Needs V.
#include "test_macros.h"
#include "rvv_dump.h"

#define MSTATUS_VS_INITIAL (1 << 9)

// Case n: sources loaded, vxrm = rm, vxsat = 0, vtype = sew, m1 with vl = `vl`, then the
// code (its result in v4); checks v4 and vxsat.
#define FX(n, rm, sew, vl, ...)       \
  TEST_NUMBER(n);                     \
  LOAD_SOURCES;                       \
  csrwi vxrm, rm;                     \
  csrwi vxsat, 0;                     \
  vsetivli x0, vl, sew, m1, tu, mu;   \
  __VA_ARGS__;                        \
  csrr t0, vxsat;                     \
  RESULT(n)

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

  // Saturating add and subtract. 10: byte 0 = 0x7f + 1 = 0x80, byte 2 = 0xff + 2
  // saturates to 0xff (vxsat = 1).
  FX(10, 0, e8, 16, vsaddu.vv v4, v2, v3)
  FX(11, 0, e16, 8, li a1, 0xff00; vsaddu.vx v4, v2, a1)
  FX(12, 0, e32, 4, vsaddu.vi v4, v2, -2)
  // 13: byte 0 = 0x7f + 1 saturates to 0x7f, byte 1 = -128 + -128 to 0x80.
  FX(13, 0, e8, 16, vsadd.vv v4, v2, v3)
  FX(14, 0, e64, 2, li a1, 0x7fffffffffffff00; vsadd.vx v4, v2, a1)
  FX(15, 0, e16, 8, vsadd.vi v4, v2, -16, v0.t)
  FX(16, 0, e16, 8, vssubu.vv v4, v2, v3)
  FX(17, 0, e8, 16, li a1, 0x80; vssubu.vx v4, v2, a1)
  FX(18, 0, e32, 4, vssub.vv v4, v2, v3)
  FX(19, 0, e64, 2, li a1, 0x8000000000000000; vssub.vx v4, v2, a1)
  FX(20, 0, e8, 16, li a1, 0x7f; vssub.vx v4, v2, a1, v0.t)
  // Averaging add and subtract under each rounding mode. 21: byte 0 = (0x7f + 1) / 2 =
  // 0x40; byte 2 = (0xff + 2) >> 1 = 0x80 rounded up (rnu, the dropped bit is 1).
  FX(21, 0, e8, 16, vaaddu.vv v4, v2, v3)
  FX(22, 1, e8, 16, vaaddu.vv v4, v2, v3)
  FX(23, 2, e8, 16, vaaddu.vv v4, v2, v3)
  FX(24, 3, e8, 16, vaaddu.vv v4, v2, v3)
  FX(25, 0, e64, 2, li a1, -1; vaaddu.vx v4, v2, a1)
  FX(26, 1, e16, 8, vaadd.vv v4, v2, v3)
  FX(27, 3, e32, 4, li a1, -7; vaadd.vx v4, v2, a1)
  FX(28, 0, e8, 16, vaadd.vv v4, v2, v3, v0.t)
  FX(29, 2, e8, 16, vasubu.vv v4, v2, v3)
  FX(30, 0, e32, 4, li a1, 0x80000000; vasubu.vx v4, v2, a1)
  FX(31, 3, e16, 8, vasub.vv v4, v2, v3)
  FX(32, 1, e64, 2, li a1, 0x8000000000000000; vasub.vx v4, v2, a1)
  FX(33, 1, e8, 16, vasub.vv v4, v2, v3)
  // Fractional multiply. 34: byte 1 = 0x80 * 0x80 (-1 * -1) saturates to 0x7f.
  FX(34, 0, e8, 16, vsmul.vv v4, v2, v3)
  FX(35, 1, e16, 8, vsmul.vv v4, v2, v3)
  FX(36, 3, e32, 4, li a1, 0x80000000; vsmul.vx v4, v2, a1)
  FX(37, 2, e64, 2, li a1, 0x8000000000000000; vsmul.vx v4, v2, a1)
  FX(38, 0, e64, 2, li a1, 0x4000000000000001; vsmul.vx v4, v2, a1)
  FX(39, 1, e8, 16, vsmul.vv v4, v2, v3, v0.t)
  // Scaling shifts.
  FX(40, 0, e8, 16, vssrl.vv v4, v2, v3)
  FX(41, 1, e16, 8, li a1, 4; vssrl.vx v4, v2, a1)
  FX(42, 3, e32, 4, vssrl.vi v4, v2, 7)
  FX(43, 2, e64, 2, vssrl.vi v4, v2, 31)
  FX(44, 0, e16, 8, vssra.vv v4, v2, v3)
  FX(45, 1, e32, 4, li a1, 35; vssra.vx v4, v2, a1)
  FX(46, 3, e64, 2, vssra.vi v4, v2, 1)
  FX(47, 0, e8, 16, vssra.vi v4, v2, 2, v0.t)
  FX(48, 1, e8, 16, vssra.vv v4, v2, v6)
  FX(49, 3, e8, 16, vssrl.vv v4, v2, v6)
  // Narrowing clips: vs2 is the 2*SEW group v2-v3 (only v2's first 16 bytes are read).
  FX(50, 0, e8, 8, vnclipu.wv v4, v2, v6)
  FX(51, 1, e16, 4, li a1, 3; vnclipu.wx v4, v2, a1)
  FX(52, 3, e32, 2, vnclipu.wi v4, v2, 0)
  FX(53, 2, e16, 4, vnclip.wv v4, v2, v6)
  FX(54, 0, e8, 8, li a1, 4; vnclip.wx v4, v2, a1)
  FX(55, 1, e32, 2, vnclip.wi v4, v2, 5, v0.t)
  FX(56, 0, e8, 8, vnclip.wi v4, v2, 9)
  FX(57, 3, e8, 8, li a1, 17; vnclipu.wx v4, v2, a1)
  // vstart = 2: elements 0 and 1 keep 0xee.
  FX(58, 0, e8, 16, csrwi vstart, 2; vsadd.vv v4, v2, v3)
  // vcsr = vxrm << 1 | vxsat after a saturating vsaddu.vi with vxrm = rod.
  FX(59, 3, e8, 16, vsaddu.vi v4, v2, 15; csrr t1, vcsr; vmv.s.x v4, t1)

  ld ra, 0(sp)
  addi sp, sp, 16
  li a0, 0
  ret

#ifdef RVV_DUMP
#include "rvv_dump_fn.inc"
#endif

  .data
srcA: .byte 0x7f, 0x80, 0xff, 0x01, 0x7e, 0x81, 0x10, 0xf0
      .byte 0x00, 0x55, 0xaa, 0x33, 0xc8, 0x64, 0x9c, 0x05
srcB: .byte 0x01, 0x80, 0x02, 0xff, 0x7f, 0xff, 0x20, 0x30
      .byte 0x00, 0xaa, 0x55, 0xcd, 0x38, 0x64, 0x9c, 0xfb
srcS: .byte 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15

#ifndef RVV_DUMP
#include "rvv_fixed_expected.inc"
#endif

  .bss
  .balign 64
out: .skip 64
