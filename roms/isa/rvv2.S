// The vector extension, stage 1, second rom (roms/isa/rvv.S has the first 254 cases):
// register groups of LMUL 4 and 8 and fractional LMUL, whole-register moves and accesses
// of 4 and 8 registers, 8-field segments, and instruction forms rvv.S leaves out. Every
// expected value was checked on QEMU 7.2 (-cpu rv64,v=true,vlen=128 and vlen=256). Needs V.
#include "test_macros.h"

#define MSTATUS_VS_INITIAL (1 << 9)

// Compares `nbytes` bytes at `out` with those at `exp`.
#define CHECK_BUF(exp, nbytes) \
  la a6, exp;                  \
  la a7, out;                  \
  li t4, nbytes;               \
  9801: lbu t2, 0(a6);         \
  lbu t3, 0(a7);               \
  bne t2, t3, fail;            \
  addi a6, a6, 1;              \
  addi a7, a7, 1;              \
  addi t4, t4, -1;             \
  bnez t4, 9801b
// The same with the byte count in register `reg` and the expected bytes at label `exp`.
#define CHECK_BUF_N(exp, reg) \
  la a6, exp;                 \
  la a7, out;                 \
  mv t4, reg;                 \
  9802: lbu t2, 0(a6);        \
  lbu t3, 0(a7);              \
  bne t2, t3, fail;           \
  addi a6, a6, 1;             \
  addi a7, a7, 1;             \
  addi t4, t4, -1;            \
  bnez t4, 9802b
#define STORE32(vreg, n)          \
  vsetivli x0, n, e32, m1, tu, mu; \
  la a7, out;                     \
  vse32.v vreg, (a7)
#define STORE16(vreg, n)          \
  vsetivli x0, n, e16, m1, tu, mu; \
  la a7, out;                     \
  vse16.v vreg, (a7)
#define STORE64(vreg, n)          \
  vsetivli x0, n, e64, m1, tu, mu; \
  la a7, out;                     \
  vse64.v vreg, (a7)
// v2 = A, v3 = B (e32, the rest of each register zero); vl = 4, e32.
#define LOAD_AB                   \
  vsetvli t0, x0, e32, m1, tu, mu; \
  vmv.v.i v2, 0;                  \
  vmv.v.i v3, 0;                  \
  vsetivli x0, 4, e32, m1, tu, mu; \
  la a1, srcA;                    \
  vle32.v v2, (a1);               \
  la a1, srcB;                    \
  vle32.v v3, (a1)
// Mask byte of v9 after `code` (prefilled 0xf0, e32 vl = 4).
#define CMP_CASE(n, expected, ...)   \
  TEST_NUMBER(n);                    \
  vsetivli x0, 1, e8, m1, tu, mu;    \
  li a0, 0xf0;                       \
  vmv.v.x v9, a0;                    \
  vsetivli x0, 4, e32, m1, tu, mu;   \
  __VA_ARGS__;                       \
  vsetivli x0, 1, e8, m1, tu, mu;    \
  vmv.x.s t0, v9;                    \
  andi t0, t0, 0xff;                 \
  CHECK_EQ(t0, expected)

  .text
  .globl test_main
test_main:
  TEST_NUMBER(1)
  csrr a0, misa
  srli a0, a0, 21
  andi a0, a0, 1
  beqz a0, fail
  li a0, MSTATUS_VS_INITIAL
  csrs mstatus, a0
  csrr s0, vlenb

  // 2: e8, LMUL 4, vl = 40: out[i] = i + 1 (three registers at VLEN 128).
  TEST_NUMBER(2)
  li a0, 40
  vsetvli t0, a0, e8, m4, tu, mu
  CHECK_EQ(t0, 40)
  vid.v v8
  vadd.vi v8, v8, 1
  la a7, out
  vse8.v v8, (a7)
  li t1, 0
1:
  lbu t2, 0(a7)
  addi t1, t1, 1
  bne t2, t1, fail
  addi a7, a7, 1
  li t3, 40
  bltu t1, t3, 1b
  // 3: e16, LMUL 8, vl = 60: out[i] = i << 8.
  TEST_NUMBER(3)
  li a0, 60
  vsetvli t0, a0, e16, m8, tu, mu
  CHECK_EQ(t0, 60)
  vid.v v16
  vsll.vi v16, v16, 8
  la a7, out
  vse16.v v16, (a7)
  li t1, 0
1:
  lhu t2, 0(a7)
  slli t3, t1, 8
  bne t2, t3, fail
  addi a7, a7, 2
  addi t1, t1, 1
  li t3, 60
  bltu t1, t3, 1b
  // 4: LMUL 8 groups must start at a multiple of 8.
  TEST_TRAP_M(4, CAUSE_ILLEGAL_INSTRUCTION, vadd.vv v12, v16, v16)
  // 5: fractional LMUL: e8 mf4, vl = 4.
  TEST_NUMBER(5)
  vsetivli t0, 4, e8, mf4, tu, mu
  CHECK_EQ(t0, 4)
  la a1, bytes16
  vle8.v v1, (a1)
  vadd.vi v1, v1, 1
  la a7, out
  vse8.v v1, (a7)
  CHECK_BUF(exp_frac, 4)

  // 10-: narrowing shifts by a vector, widening .wx, unsigned/mixed widening forms (e16).
  TEST_NUMBER(10)
  vsetivli x0, 2, e32, m1, tu, mu
  la a1, narrow_src
  vle32.v v4, (a1)
  vsetivli x0, 2, e16, mf2, tu, mu
  la a1, narrow_shifts
  vle16.v v6, (a1)
  vnsra.wv v8, v4, v6
  STORE16(v8, 2)
  CHECK_BUF(exp_nsra_v, 4)
  TEST_NUMBER(11)
  vsetivli x0, 2, e16, mf2, tu, mu
  vnsrl.wv v8, v4, v6
  STORE16(v8, 2)
  CHECK_BUF(exp_nsrl_v, 4)
  TEST_NUMBER(12)
  vsetivli x0, 2, e16, mf2, tu, mu
  vnsrl.wi v8, v4, 8
  STORE16(v8, 2)
  CHECK_BUF(exp_nsrl_i, 4)
  TEST_NUMBER(13)
  vsetivli x0, 2, e32, m1, tu, mu
  la a1, wide_src
  vle32.v v4, (a1)
  li a0, 0xffff8000
  vsetivli x0, 2, e16, mf2, tu, mu
  vwadd.wx v8, v4, a0
  STORE32(v8, 2)
  CHECK_BUF(exp_wadd_wx, 8)
  TEST_NUMBER(14)
  vsetivli x0, 2, e16, mf2, tu, mu
  vwaddu.wx v8, v4, a0
  STORE32(v8, 2)
  CHECK_BUF(exp_waddu_wx, 8)
  TEST_NUMBER(15)
  vsetivli x0, 2, e16, mf2, tu, mu
  la a1, h_a
  vle16.v v5, (a1)
  li a0, 6
  vwsubu.vx v8, v5, a0
  STORE32(v8, 2)
  CHECK_BUF(exp_wsubu_vx, 8)
  TEST_NUMBER(16)
  vsetivli x0, 2, e32, m1, tu, mu
  li a0, 1000
  vmv.v.x v8, a0
  vsetivli x0, 2, e16, mf2, tu, mu
  la a1, h_b
  vle16.v v6, (a1)
  la a1, h_c
  vle16.v v7, (a1)
  vwmaccu.vv v8, v6, v7
  STORE32(v8, 2)
  CHECK_BUF(exp_wmaccu, 8)
  TEST_NUMBER(17)
  vsetivli x0, 2, e16, mf2, tu, mu
  vwmulsu.vv v8, v7, v6
  STORE32(v8, 2)
  CHECK_BUF(exp_wmulsu, 8)
  TEST_NUMBER(18)
  vsetivli x0, 2, e64, m1, tu, mu
  la a1, bytes_ext
  vsetivli x0, 2, e8, mf8, tu, mu
  vle8.v v5, (a1)
  vsetivli x0, 2, e64, m1, tu, mu
  vzext.vf8 v8, v5
  STORE64(v8, 2)
  CHECK_BUF(exp_zext8, 16)

  // 20-: whole-register accesses and moves of 4 and 8 registers (4 * vlenb and 8 * vlenb
  // bytes of this rom's code as the source).
  TEST_NUMBER(20)
  la a1, test_main
  vl4re8.v v8, (a1)
  vmv4r.v v16, v8
  la a7, out
  vs4r.v v16, (a7)
  slli t0, s0, 2
  CHECK_BUF_N(test_main, t0)
  TEST_NUMBER(21)
  la a1, test_main
  vl8re64.v v8, (a1)
  vmv8r.v v16, v8
  la a7, out
  vs8r.v v16, (a7)
  slli t0, s0, 3
  CHECK_BUF_N(test_main, t0)
  TEST_NUMBER(22)
  la a1, test_main + 16
  vl1re16.v v3, (a1)
  la a7, out
  vs1r.v v3, (a7)
  CHECK_BUF_N(test_main + 16, s0)
  // 23: eight fields per segment.
  TEST_NUMBER(23)
  vsetivli x0, 2, e8, m1, tu, mu
  la a1, bytes16
  vlseg8e8.v v8, (a1)
  la a7, out
  vse8.v v8, (a7)
  addi a7, a7, 2
  vse8.v v9, (a7)
  addi a7, a7, 2
  vse8.v v10, (a7)
  addi a7, a7, 2
  vse8.v v11, (a7)
  addi a7, a7, 2
  vse8.v v12, (a7)
  addi a7, a7, 2
  vse8.v v13, (a7)
  addi a7, a7, 2
  vse8.v v14, (a7)
  addi a7, a7, 2
  vse8.v v15, (a7)
  CHECK_BUF(exp_seg8, 16)

  // 30-: more e32 forms on A (v2) and B (v3).
  LOAD_AB
  CMP_CASE(30, 0xfc, li a0, 0x80000000; vmadc.vx v9, v2, a0)
  TEST_NUMBER(31)
  vsetivli x0, 8, e8, m1, tu, mu
  vmv.v.i v0, 5
  vsetivli x0, 4, e32, m1, tu, mu
  li a0, 7
  vmerge.vxm v8, v3, a0, v0
  STORE32(v8, 4)
  CHECK_BUF(exp_merge_x, 16)
  TEST_NUMBER(32)
  vsetivli x0, 8, e8, m1, tu, mu
  vmv.v.i v0, 10
  CMP_CASE(33, 0xfa, vmsbc.vvm v9, v2, v2, v0)
  TEST_NUMBER(34)
  vsetivli x0, 4, e32, m1, tu, mu
  li a0, 2
  vslidedown.vx v8, v2, a0
  STORE32(v8, 4)
  CHECK_BUF(exp_slidedown2, 16)
  TEST_NUMBER(35)
  vsetivli x0, 4, e8, m1, tu, mu
  la a1, idx8
  vle8.v v1, (a1)
  vsetivli x0, 4, e32, m1, tu, mu
  la a7, out
  vsoxei8.v v2, (a7), v1
  CHECK_BUF(exp_reversed, 16)
  TEST_NUMBER(36)
  vsetivli x0, 4, e64, m2, tu, mu
  la a1, idx64
  vle64.v v4, (a1)
  vsetivli x0, 4, e32, m1, tu, mu
  la a7, out
  vsoxei64.v v2, (a7), v4
  CHECK_BUF(srcA, 16)
  TEST_PASS

  .data
  .balign 8
srcA: .word 1, 2, 0xfffffffe, 0x80000000
srcB: .word 10, 20, 3, 0x7fffffff
bytes16: .byte 0x80, 0x7f, 0xff, 0x01, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
narrow_src: .word 0x12345678, 0x9abcdef0
narrow_shifts: .half 4, 20
  .balign 4
wide_src: .word 100000, 0xfffffffb
h_a: .half 5, 0xffff
h_b: .half 0xffff, 2
h_c: .half 0xffff, 3
bytes_ext: .byte 0x80, 0xff
idx8: .byte 12, 8, 4, 0
  .balign 8
idx64: .dword 0, 4, 8, 12
exp_frac: .byte 0x81, 0x80, 0x00, 0x02
exp_nsra_v: .half 0x4567, 0xf9ab
exp_nsrl_v: .half 0x4567, 0x09ab
exp_nsrl_i: .half 0x3456, 0xbcde
exp_wadd_wx: .word 0x106a0, 0xffff7ffb
exp_waddu_wx: .word 0x206a0, 0x7ffb
exp_wsubu_vx: .word 0xffffffff, 0xfff9
exp_wmaccu: .word 0xfffe03e9, 1006
exp_wmulsu: .word 0xffff0001, 6
  .balign 8
exp_zext8: .dword 0x80, 0xff
exp_seg8: .byte 0x80, 8, 0x7f, 9, 0xff, 10, 0x01, 11, 4, 12, 5, 13, 6, 14, 7, 15
exp_merge_x: .word 7, 20, 7, 0x7fffffff
exp_slidedown2: .word 0xfffffffe, 0x80000000, 0, 0
exp_reversed: .word 0x80000000, 0xfffffffe, 2, 1

  .bss
  .balign 64
out: .skip 1024
