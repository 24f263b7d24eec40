// The vector extension (RVV 1.0), stage 1: state and access rules, vsetvl*, loads and
// stores, integer arithmetic. Every expected value was checked on QEMU 7.2
// (-cpu rv64,v=true,vlen=128 and vlen=256, -m 256M). Cases avoid depending on VLEN: they
// use vl <= 4 at SEW 32 / LMUL 1, or compute what depends on VLEN from vlenb.
// Run without V (--vlen 0, QEMU v=false), the rom checks that vector instructions and
// CSRs are illegal and mstatus.VS stays 0, then passes.
#include "test_macros.h"

#define MSTATUS_VS (3 << 9)
#define MSTATUS_VS_INITIAL (1 << 9)
#define MSTATUS_SD_BIT 63
#define RAM_END 0x90000000  // 256 MiB of RAM at 0x80000000
#define UNMAPPED 0x20000    // no device, no RAM: accesses fault with an access fault
#define VA_PAGE 0x40000000  // mapped to vpage by cases 230-236; the page after it is invalid
#define SATP_SV39 (8 << 60)

// Compares `nbytes` bytes at `out` with those at `exp`.
#define CHECK_BUF(exp, nbytes)    \
  la a6, exp;                     \
  la a7, out;                     \
  li t4, nbytes;                  \
  9801: lbu t2, 0(a6);            \
  lbu t3, 0(a7);                  \
  bne t2, t3, fail;               \
  addi a6, a6, 1;                 \
  addi a7, a7, 1;                 \
  addi t4, t4, -1;                \
  bnez t4, 9801b

// Four 32-bit elements of vector register `vreg` -> out, then compared with `exp`.
#define CHECK_V32(vreg, exp)     \
  vsetivli x0, 4, e32, m1, tu, mu; \
  la a7, out;                    \
  vse32.v vreg, (a7);            \
  CHECK_BUF(exp, 16)
#define CHECK_V64(vreg, exp)     \
  vsetivli x0, 4, e64, m2, tu, mu; \
  la a7, out;                    \
  vse64.v vreg, (a7);            \
  CHECK_BUF(exp, 32)
#define CHECK_V8(vreg, exp)      \
  vsetivli x0, 8, e8, m1, tu, mu;  \
  la a7, out;                    \
  vse8.v vreg, (a7);             \
  CHECK_BUF(exp, 8)
// The first byte of mask register `vreg`, in reg.
#define MASK_BYTE(reg, vreg)     \
  vsetivli x0, 1, e8, m1, tu, mu;  \
  vmv.x.s reg, vreg;             \
  andi reg, reg, 0xff

// v2 = A, v3 = B, v4 = C (e32, vl = 4; the rest of each register zero); vl = 4, e32.
#define LOAD_ABC                  \
  vsetvli t0, x0, e32, m1, tu, mu; \
  vmv.v.i v2, 0;                  \
  vmv.v.i v3, 0;                  \
  vmv.v.i v4, 0;                  \
  vsetivli x0, 4, e32, m1, tu, mu;  \
  la a1, srcA;                    \
  vle32.v v2, (a1);               \
  la a1, srcB;                    \
  vle32.v v3, (a1);               \
  la a1, srcC;                    \
  vle32.v v4, (a1)
// v8 = four 0x55555555 words, vl = 4, e32.
#define FILL55                    \
  vsetivli x0, 4, e32, m1, tu, mu;  \
  li a1, 0x55555555;              \
  vmv.v.x v8, a1

  .text
  .globl test_main
test_main:
  // ---- 1: misa.V says whether this machine has V.
  TEST_NUMBER(1)
  csrr a0, misa
  srli a0, a0, 21
  andi a0, a0, 1
  beqz a0, no_vector

  // ---- 2-4: with mstatus.VS = Off, vector instructions and CSRs are illegal.
  li a0, MSTATUS_VS
  csrc mstatus, a0
  TEST_TRAP_M(2, CAUSE_ILLEGAL_INSTRUCTION, vsetvli t0, x0, e8, m1, ta, ma)
  TEST_TRAP_M(3, CAUSE_ILLEGAL_INSTRUCTION, csrr t0, vlenb)
  TEST_TRAP_M(4, CAUSE_ILLEGAL_INSTRUCTION, vadd.vv v1, v2, v3)

  // ---- 5: VS = Initial: vlenb reads VLEN / 8, a power of two 16..128; reading leaves VS.
  TEST_NUMBER(5)
  li a0, MSTATUS_VS_INITIAL
  csrs mstatus, a0
  csrr s0, vlenb                // s0 = vlenb for the rest of the rom
  li t0, 16
  bltu s0, t0, fail
  li t0, 128
  bgtu s0, t0, fail
  addi t0, s0, -1
  and t0, t0, s0
  bnez t0, fail
  csrr t0, mstatus
  li t1, MSTATUS_VS
  and t0, t0, t1
  CHECK_EQ(t0, MSTATUS_VS_INITIAL)
  // 6: vtype has vill set and vl = 0 after reset.
  TEST_CASE(6, t0, 0x8000000000000000, csrr t0, vtype)
  TEST_CASE(7, t0, 0, csrr t0, vl)
  // 8: a vector instruction while vill is set is illegal.
  TEST_TRAP_M(8, CAUSE_ILLEGAL_INSTRUCTION, vadd.vv v1, v2, v3)
  // 9: vsetvli makes VS Dirty and sets SD.
  TEST_NUMBER(9)
  vsetvli t0, x0, e8, m1, tu, mu
  csrr t0, mstatus
  li t1, MSTATUS_VS
  and t1, t0, t1
  CHECK_EQ(t1, MSTATUS_VS)
  bgez t0, fail

  // ---- 10-24: vsetvl's rules (RVV 1.0 section 6).
  // rs1 = x0, rd != x0: vl = VLMAX = LMUL * VLEN / SEW.
  TEST_NUMBER(10)
  vsetvli t0, x0, e8, m1, ta, ma
  bne t0, s0, fail
  TEST_NUMBER(11)
  vsetvli t0, x0, e16, m1, ta, ma
  srli t1, s0, 1
  bne t0, t1, fail
  TEST_NUMBER(12)
  vsetvli t0, x0, e32, m8, ta, ma
  slli t1, s0, 1
  bne t0, t1, fail
  TEST_NUMBER(13)
  vsetvli t0, x0, e8, mf8, ta, ma
  srli t1, s0, 3
  bne t0, t1, fail
  TEST_NUMBER(14)
  vsetvli t0, x0, e32, mf2, ta, ma
  srli t1, s0, 3
  bne t0, t1, fail
  // SEW > LMUL * ELEN: vill, vl = 0.
  TEST_CASE(15, t0, 0, vsetvli t0, x0, e64, mf2, ta, ma)
  TEST_CASE(16, t0, 0x8000000000000000, csrr t0, vtype)
  TEST_CASE(17, t0, 0, vsetvli t0, x0, e16, mf8, ta, ma)
  // AVL <= VLMAX: vl = AVL; AVL > VLMAX: vl = VLMAX.
  TEST_CASE(18, t0, 5, li a0, 5; vsetvli t0, a0, e8, m1, ta, ma)
  TEST_NUMBER(19)
  li a0, 1000
  vsetvli t0, a0, e8, m1, ta, ma
  bne t0, s0, fail
  // vsetivli: vtype = ma ta e16 m2 = 0b1100_1001.
  TEST_CASE(20, t0, 7, vsetivli t0, 7, e16, m2, ta, ma)
  TEST_CASE(21, t0, 0xc9, csrr t0, vtype)
  // vsetvl: a reserved vtype bit or LMUL encoding 100 sets vill.
  TEST_CASE(22, t0, 0, li a0, 4; li a1, 0x100; vsetvl t0, a0, a1)
  TEST_CASE(23, t0, 0, li a0, 4; li a1, 0x4; vsetvl t0, a0, a1)
  TEST_CASE(24, t0, 0x8000000000000000, csrr t0, vtype)
  // rs1 = rd = x0: vl kept.
  // (The same SEW/LMUL ratio: a change of VLMAX would make this form reserved.)
  TEST_CASE(25, t0, 3, vsetivli x0, 3, e8, m1, ta, ma; vsetvli x0, x0, e16, m2, ta, ma; csrr t0, vl)
  TEST_CASE(26, t0, 0xc9, csrr t0, vtype)
  // vsetvl from a register, vstart reset to 0.
  TEST_CASE(27, t0, 2, csrwi vstart, 1; li a0, 2; li a1, 0x10; vsetvl t0, a0, a1)
  TEST_CASE(28, t0, 0, csrr t0, vstart)
  // vcsr = vxrm << 1 | vxsat; vstart writable.
  TEST_CASE(29, t0, 2, csrwi vcsr, 5; csrr t0, vxrm)
  TEST_CASE(30, t0, 1, csrr t0, vxsat)
  TEST_CASE(31, t0, 6, csrwi vxsat, 0; csrwi vxrm, 3; csrr t0, vcsr)
  TEST_CASE(32, t0, 3, csrwi vstart, 3; csrr t0, vstart)
  // vl, vtype, vlenb are read-only.
  TEST_TRAP_M(33, CAUSE_ILLEGAL_INSTRUCTION, csrw vl, zero)
  TEST_TRAP_M(34, CAUSE_ILLEGAL_INSTRUCTION, csrw vlenb, zero)
  TEST_NUMBER(35)
  csrwi vstart, 0

  // ---- 40-: loads and stores.
  // Unit stride round trip, e8 (vl = 8).
  TEST_NUMBER(40)
  vsetivli x0, 8, e8, m1, tu, mu
  la a1, bytes8
  vle8.v v8, (a1)
  CHECK_V8(v8, bytes8)
  // Strided: every other word.
  TEST_NUMBER(41)
  vsetivli x0, 4, e32, m1, tu, mu
  la a1, words8
  li a2, 8
  vlse32.v v8, (a1), a2
  CHECK_V32(v8, exp_strided)
  // Strided store with a negative stride: reversed.
  TEST_NUMBER(42)
  LOAD_ABC
  la a1, out + 12
  li a2, -4
  vsse32.v v2, (a1), a2
  CHECK_BUF(exp_reversed, 16)
  // Indexed (unordered) with 32-bit byte offsets.
  TEST_NUMBER(43)
  vsetivli x0, 4, e32, m1, tu, mu
  la a1, offsets
  vle32.v v1, (a1)
  la a1, words8
  vluxei32.v v8, (a1), v1
  CHECK_V32(v8, exp_indexed)
  // Indexed ordered store: words8[offset[i]] pattern back to out.
  TEST_NUMBER(44)
  LOAD_ABC
  la a1, offsets
  vle32.v v1, (a1)
  la a1, out
  vsoxei32.v v2, (a1), v1
  CHECK_BUF(exp_scatter, 16)
  // Masked load: elements 0 and 2 (v0 = 0b0101), others undisturbed.
  TEST_NUMBER(45)
  FILL55
  vsetivli x0, 8, e8, m1, tu, mu
  vmv.v.i v0, 5
  vsetivli x0, 4, e32, m1, tu, mu
  la a1, srcA
  vle32.v v8, (a1), v0.t
  CHECK_V32(v8, exp_masked_load)
  // Segment load: 2 fields.
  TEST_NUMBER(46)
  vsetivli x0, 2, e32, m1, tu, mu
  la a1, words8
  vlseg2e32.v v8, (a1)
  vsetivli x0, 2, e32, m1, tu, mu
  la a7, out
  vse32.v v8, (a7)
  addi a7, a7, 8
  vse32.v v9, (a7)
  CHECK_BUF(exp_seg2, 16)
  // Segment store: 2 fields interleaved back.
  TEST_NUMBER(47)
  vsetivli x0, 2, e32, m1, tu, mu
  la a7, out
  vsseg2e32.v v8, (a7)
  CHECK_BUF(words8, 16)
  // Whole registers: vl2re32 / vs2r ignore vl and vtype.
  TEST_NUMBER(48)
  vsetivli x0, 1, e8, m1, tu, mu
  la a1, words8
  vl2re32.v v10, (a1)
  la a7, out
  vs2r.v v10, (a7)
  CHECK_BUF(words8, 32)
  // vlm.v / vsm.v: ceil(vl / 8) bytes.
  TEST_NUMBER(49)
  la a7, out
  li a1, -1
  sd a1, 0(a7)
  vsetivli x0, 8, e8, m1, tu, mu
  vmv.v.i v12, 0
  vsetivli x0, 12, e8, m1, tu, mu
  la a1, bytes8
  vlm.v v12, (a1)
  vsm.v v12, (a7)
  CHECK_BUF(exp_vlm, 8)
  // 50: a fault in the middle of an indexed load: access fault at element 2, vstart = 2,
  // elements 0 and 1 loaded, 2 and 3 undisturbed.
  TEST_NUMBER(50)
  FILL55
  // 64-bit indices: [0, 4, UNMAPPED - base, 0].
  la a1, words8
  li a2, UNMAPPED
  sub a2, a2, a1
  la a4, idx_tmp
  sd zero, 0(a4)
  li a3, 4
  sd a3, 8(a4)
  sd a2, 16(a4)
  sd zero, 24(a4)
  vsetivli x0, 4, e64, m2, tu, mu
  vle64.v v4, (a4)
  vsetivli x0, 4, e32, m1, tu, mu
  M_RESUME_AT(50f)
  vluxei64.v v8, (a1), v4
  j fail
50:
  M_CAUSE(t0)
  CHECK_EQ(t0, CAUSE_LOAD_ACCESS)
  M_TVAL(t0)
  CHECK_EQ(t0, UNMAPPED)
  TEST_CASE(51, t0, 2, csrr t0, vstart)
  TEST_NUMBER(52)
  csrwi vstart, 0
  CHECK_V32(v8, exp_partial)
  // 53: fault-only-first: elements past RAM's end trim vl to 3, no trap.
  TEST_NUMBER(53)
  vsetivli x0, 8, e8, m1, tu, mu
  li a1, RAM_END - 3
  vle8ff.v v8, (a1)
  csrr t0, vl
  CHECK_EQ(t0, 3)
  // 54: ... and a fault at element 0 traps. (The spec keeps vl then; QEMU 7.2 trims it to 1
  // first when the fault is an access fault, so the rom does not look at vl here.)
  TEST_NUMBER(54)
  vsetivli x0, 8, e8, m1, tu, mu
  li a1, RAM_END
  M_RESUME_AT(54f)
  vle8ff.v v8, (a1)
  j fail
54:
  M_CAUSE(t0)
  CHECK_EQ(t0, CAUSE_LOAD_ACCESS)
  // 55: a store fault at element 1 of a unit-stride store: element 0 written, vstart = 1.
  TEST_NUMBER(55)
  vsetivli x0, 2, e32, m1, tu, mu
  li a1, RAM_END - 4
  sw zero, 0(a1)
  LOAD_ABC
  vsetivli x0, 2, e32, m1, tu, mu
  li a1, RAM_END - 4
  M_RESUME_AT(55f)
  vse32.v v2, (a1)
  j fail
55:
  M_CAUSE(t0)
  CHECK_EQ(t0, CAUSE_STORE_ACCESS)
  csrr t0, vstart
  CHECK_EQ(t0, 1)
  li a1, RAM_END - 4
  lw t0, 0(a1)
  CHECK_EQ(t0, 1)
  csrwi vstart, 0

  // 56: strided segments (negative stride), e16: segment 0 at bytes8 + 4, 1 at bytes8.
  TEST_NUMBER(56)
  vsetivli x0, 2, e16, m1, tu, mu
  la a1, bytes8 + 4
  li a2, -4
  vlsseg2e16.v v8, (a1), a2
  la a7, out
  vse16.v v8, (a7)
  addi a7, a7, 4
  vse16.v v9, (a7)
  CHECK_BUF(exp_seg_strided, 8)
  // 57: ordered indexed segments with 8-bit offsets [8, 0], e32.
  TEST_NUMBER(57)
  vsetivli x0, 2, e8, m1, tu, mu
  li a0, 8
  vmv.v.i v1, 0
  vmv.s.x v1, a0
  vsetivli x0, 2, e32, m1, tu, mu
  la a1, words8
  vloxseg2ei8.v v8, (a1), v1
  la a7, out
  vse32.v v8, (a7)
  addi a7, a7, 8
  vse32.v v9, (a7)
  CHECK_BUF(exp_seg_indexed, 16)
  // 58: a masked store (v0 = 0b0101) leaves the other words alone.
  TEST_NUMBER(58)
  la a7, out
  li a0, -1
  sd a0, 0(a7)
  sd a0, 8(a7)
  LOAD_ABC
  vsetivli x0, 8, e8, m1, tu, mu
  vmv.v.i v0, 5
  vsetivli x0, 4, e32, m1, tu, mu
  la a7, out
  vse32.v v2, (a7), v0.t
  CHECK_BUF(exp_masked_store, 16)

  // ---- 230-: page faults under Sv39 in S-mode: VA 0x4000_0000 maps vpage, the next page
  // is invalid, RAM is identity-mapped by a gigapage.
  TEST_NUMBER(230)
  la a0, vpage + 0xff8
  li a1, 0x1111
  sw a1, 0(a0)
  li a1, 0x2222
  sw a1, 4(a0)
  // root[2]: 1 GiB leaf at PA 0x8000_0000, RWX, A, D.
  li t0, ((0x80000000 >> 12) << 10) | 0xcf
  la t1, pt_root
  sd t0, 16(t1)
  // root[1] -> pt_l1, pt_l1[0] -> pt_l0, pt_l0[0] -> vpage (RW, A, D), pt_l0[1] invalid.
  la t0, pt_l1
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, 1
  sd t0, 8(t1)
  la t0, pt_l0
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, 1
  la t1, pt_l1
  sd t0, 0(t1)
  la t0, vpage
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, 0xc7
  la t1, pt_l0
  sd t0, 0(t1)
  sd zero, 8(t1)
  la t0, pt_root
  srli t0, t0, 12
  li t1, SATP_SV39
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  FILL55
  li a1, VA_PAGE + 0xff8
  // A unit-stride load whose element 2 is on the invalid page: load page fault, stval its
  // address, vstart = 2, elements 0 and 1 loaded.
  TEST_TRAP_M(231, CAUSE_LOAD_PAGE_FAULT, GOTO_MODE(PRV_S); vle32.v v8, (a1))
  M_TVAL(t0)
  CHECK_EQ(t0, VA_PAGE + 0x1000)
  TEST_CASE(232, t0, 2, csrr t0, vstart)
  TEST_NUMBER(233)
  csrwi vstart, 0
  CHECK_V32(v8, exp_paged)
  // Fault-only-first over the same two pages: vl = 2, no trap.
  TEST_IN_S(234, vsetivli x0, 4, e32, m1, tu, mu; li a1, VA_PAGE + 0xff8; vle32ff.v v8, (a1))
  TEST_CASE(235, t0, 2, csrr t0, vl)
  TEST_NUMBER(236)
  csrw satp, zero
  sfence.vma

  // ---- 60-: integer arithmetic, e32, vl = 4, A = srcA (vs2), B = srcB (vs1).
  TEST_NUMBER(60)
  LOAD_ABC
  vadd.vv v8, v2, v3
  CHECK_V32(v8, exp_add)
  TEST_NUMBER(61)
  li a0, 5
  vadd.vx v8, v2, a0
  CHECK_V32(v8, exp_addx)
  TEST_NUMBER(62)
  vadd.vi v8, v2, -16
  CHECK_V32(v8, exp_addi)
  TEST_NUMBER(63)
  vsub.vv v8, v2, v3
  CHECK_V32(v8, exp_sub)
  TEST_NUMBER(64)
  vrsub.vi v8, v2, 3
  CHECK_V32(v8, exp_rsub)
  TEST_NUMBER(65)
  vor.vv v8, v2, v3
  CHECK_V32(v8, exp_or)
  TEST_NUMBER(66)
  vxor.vv v8, v2, v3
  CHECK_V32(v8, exp_xor)
  TEST_NUMBER(67)
  vand.vi v8, v2, 6
  CHECK_V32(v8, exp_andi)
  TEST_NUMBER(68)
  vsll.vi v8, v2, 1
  CHECK_V32(v8, exp_sll)
  TEST_NUMBER(69)
  li a0, 33
  vsrl.vx v8, v2, a0
  CHECK_V32(v8, exp_srl)
  TEST_NUMBER(70)
  vsra.vi v8, v2, 1
  CHECK_V32(v8, exp_sra)
  TEST_NUMBER(71)
  vminu.vv v8, v2, v3
  CHECK_V32(v8, exp_minu)
  TEST_NUMBER(72)
  vmin.vv v8, v2, v3
  CHECK_V32(v8, exp_min)
  TEST_NUMBER(73)
  vmaxu.vv v8, v2, v3
  CHECK_V32(v8, exp_maxu)
  TEST_NUMBER(74)
  vmax.vv v8, v2, v3
  CHECK_V32(v8, exp_max)
  TEST_NUMBER(75)
  vmul.vv v8, v2, v3
  CHECK_V32(v8, exp_mul)
  TEST_NUMBER(76)
  vmulh.vv v8, v2, v3
  CHECK_V32(v8, exp_mulh)
  TEST_NUMBER(77)
  vmulhu.vv v8, v2, v3
  CHECK_V32(v8, exp_mulhu)
  TEST_NUMBER(78)
  vmulhsu.vv v8, v2, v3
  CHECK_V32(v8, exp_mulhsu)
  // vs2 signed, vs1 unsigned: B * unsigned A, whose high halves equal vmulhu's.
  TEST_NUMBER(94)
  vmulhsu.vv v8, v3, v2
  CHECK_V32(v8, exp_mulhu)
  TEST_NUMBER(79)
  vdivu.vv v8, v2, v3
  CHECK_V32(v8, exp_divu)
  TEST_NUMBER(80)
  vdiv.vv v8, v2, v3
  CHECK_V32(v8, exp_div)
  TEST_NUMBER(81)
  vrem.vv v8, v2, v3
  CHECK_V32(v8, exp_rem)
  TEST_NUMBER(82)
  vremu.vv v8, v2, v3
  CHECK_V32(v8, exp_remu)
  // Division by zero and overflow (no traps).
  TEST_NUMBER(83)
  vdivu.vx v8, v2, zero
  CHECK_V32(v8, exp_ones)
  TEST_NUMBER(84)
  vrem.vx v8, v2, zero
  CHECK_V32(v8, srcA)
  TEST_NUMBER(85)
  li a0, -1
  vdiv.vx v8, v2, a0
  CHECK_V32(v8, exp_div_m1)
  // Multiply-add: vd = C.
  TEST_NUMBER(86)
  vmv.v.v v8, v4
  vmacc.vv v8, v2, v3
  CHECK_V32(v8, exp_macc)
  TEST_NUMBER(87)
  vmv.v.v v8, v4
  vnmsac.vv v8, v2, v3
  CHECK_V32(v8, exp_nmsac)
  TEST_NUMBER(88)
  vmv.v.v v8, v4
  vmadd.vv v8, v2, v3
  CHECK_V32(v8, exp_madd)
  // Masked (v0 = 0b0101) and tail (vl = 2) elements are left undisturbed.
  TEST_NUMBER(89)
  FILL55
  vsetivli x0, 8, e8, m1, tu, mu
  vmv.v.i v0, 5
  vsetivli x0, 4, e32, m1, tu, mu
  vadd.vv v8, v2, v3, v0.t
  CHECK_V32(v8, exp_add_masked)
  TEST_NUMBER(90)
  FILL55
  vsetivli x0, 2, e32, m1, tu, mu
  vadd.vv v8, v2, v3
  CHECK_V32(v8, exp_add_tail)
  // vstart = 1: element 0 is left alone (vl = 3 < VLMAX), vstart back to 0.
  TEST_NUMBER(91)
  FILL55
  vsetivli x0, 3, e32, m1, tu, mu
  csrwi vstart, 1
  vadd.vv v8, v2, v3
  csrr t0, vstart
  bnez t0, fail
  CHECK_V32(v8, exp_add_vstart)
  // Merge and moves.
  TEST_NUMBER(92)
  vsetivli x0, 4, e32, m1, tu, mu
  vmerge.vvm v8, v3, v2, v0
  CHECK_V32(v8, exp_merge)
  TEST_NUMBER(93)
  li a0, -7
  vmv.v.x v8, a0
  CHECK_V32(v8, exp_mv7)

  // 95: LMUL = 2 (a two-register group at VLEN 128), e32, vl = 8.
  TEST_NUMBER(95)
  vsetivli x0, 8, e32, m2, tu, mu
  la a1, words8
  vle32.v v10, (a1)
  vadd.vi v12, v10, 1
  la a7, out
  vse32.v v12, (a7)
  CHECK_BUF(exp_lmul2, 32)
  // 96: SEW 8 wraps.
  TEST_NUMBER(96)
  vsetivli x0, 8, e8, m1, tu, mu
  la a1, bytes8
  vle8.v v10, (a1)
  vadd.vv v12, v10, v10
  CHECK_V8(v12, exp_add8)
  // 97: SEW 16 signed high half.
  TEST_NUMBER(97)
  vsetivli x0, 4, e16, m1, tu, mu
  la a1, halves4
  vle16.v v10, (a1)
  vmulh.vv v12, v10, v10
  la a7, out
  vse16.v v12, (a7)
  CHECK_BUF(exp_mulh16, 8)
  // 98: SEW 64 multiply by a negative scalar.
  TEST_NUMBER(98)
  vsetivli x0, 2, e64, m1, tu, mu
  la a1, wide4
  vle64.v v10, (a1)
  li a0, -3
  vmul.vx v12, v10, a0
  la a7, out
  vse64.v v12, (a7)
  CHECK_BUF(exp_mul64, 16)

  // ---- 100-: compares into a mask byte prefilled with 0xf0 (tail bits undisturbed).
#define CMP_CASE(n, expected, ...)      \
  TEST_NUMBER(n);                       \
  vsetivli x0, 1, e8, m1, tu, mu;       \
  li a0, 0xf0;                          \
  vmv.v.x v9, a0;                       \
  vsetivli x0, 4, e32, m1, tu, mu;      \
  __VA_ARGS__;                          \
  MASK_BYTE(t0, v9);                    \
  CHECK_EQ(t0, expected)
  CMP_CASE(100, 0xf3, vmsltu.vv v9, v2, v3)
  CMP_CASE(101, 0xf2, li a0, 1; vmsgt.vx v9, v2, a0)
  CMP_CASE(102, 0xfe, vmsgtu.vi v9, v2, 1)
  CMP_CASE(103, 0xf4, vmseq.vi v9, v2, -2)
  CMP_CASE(104, 0xfd, li a0, 2; vmsne.vx v9, v2, a0)
  CMP_CASE(105, 0xfd, vmsle.vi v9, v2, 1)
  CMP_CASE(106, 0xf3, vmsleu.vv v9, v2, v3)
  CMP_CASE(107, 0xff, vmslt.vv v9, v2, v3)
  // Masked compare (v0 = 0b0101): bits 1 and 3 keep 0 from the prefill.
  CMP_CASE(108, 0xf5, vmslt.vv v9, v2, v3, v0.t)
  // Carry: vmadc without carry in, with carry in (v0), vmsbc, vadc.
  CMP_CASE(109, 0xf4, vmadc.vv v9, v2, v3)
  TEST_NUMBER(110)
  vsetivli x0, 8, e8, m1, tu, mu
  vmv.v.i v0, 8
  CMP_CASE(111, 0xfc, vmadc.vvm v9, v2, v3, v0)
  CMP_CASE(112, 0xf3, vmsbc.vv v9, v2, v3)
  TEST_NUMBER(113)
  vsetivli x0, 8, e8, m1, tu, mu
  vmv.v.i v0, 5
  vsetivli x0, 4, e32, m1, tu, mu
  vadc.vvm v8, v2, v3, v0
  CHECK_V32(v8, exp_adc)

  // ---- 120-: widening (e32 -> e64, vd = v8..v9), extension, narrowing.
  TEST_NUMBER(120)
  vsetivli x0, 4, e32, m1, tu, mu
  vwadd.vv v8, v2, v3
  CHECK_V64(v8, exp_wadd)
  TEST_NUMBER(121)
  vsetivli x0, 4, e32, m1, tu, mu
  vwaddu.vv v8, v2, v3
  CHECK_V64(v8, exp_waddu)
  TEST_NUMBER(122)
  vsetivli x0, 4, e32, m1, tu, mu
  vwmul.vv v8, v2, v3
  CHECK_V64(v8, exp_wmul)
  TEST_NUMBER(123)
  vsetivli x0, 4, e32, m1, tu, mu
  vwmulu.vv v8, v2, v3
  CHECK_V64(v8, exp_wmulu)
  TEST_NUMBER(124)
  vsetivli x0, 4, e64, m2, tu, mu
  la a1, wide4
  vle64.v v10, (a1)
  vsetivli x0, 4, e32, m1, tu, mu
  vwsubu.wv v8, v10, v3
  CHECK_V64(v8, exp_wsubu_w)
  TEST_NUMBER(125)
  vsetivli x0, 4, e16, m1, tu, mu
  la a1, halves4
  vle16.v v12, (a1)
  vsetivli x0, 4, e32, m1, tu, mu
  vzext.vf2 v8, v12
  CHECK_V32(v8, exp_zext2)
  TEST_NUMBER(126)
  vsetivli x0, 4, e32, m1, tu, mu
  vsext.vf2 v8, v12
  CHECK_V32(v8, exp_sext2)
  TEST_NUMBER(127)
  vsetivli x0, 4, e8, m1, tu, mu
  la a1, bytes8
  vle8.v v12, (a1)
  vsetivli x0, 4, e32, m1, tu, mu
  vsext.vf4 v8, v12
  CHECK_V32(v8, exp_sext4)
  TEST_NUMBER(128)
  vsetivli x0, 2, e64, m2, tu, mu
  la a1, wide4 + 32
  vle64.v v10, (a1)
  vsetivli x0, 2, e32, m1, tu, mu
  vnsra.wi v8, v10, 16
  vsetivli x0, 2, e32, m1, tu, mu
  la a7, out
  vse32.v v8, (a7)
  CHECK_BUF(exp_nsra, 8)
  TEST_NUMBER(129)
  vsetivli x0, 2, e32, m1, tu, mu
  li a0, 40
  vnsrl.wx v8, v10, a0
  la a7, out
  vse32.v v8, (a7)
  CHECK_BUF(exp_nsrl, 8)

  // ---- 140-: reductions (vs1[0] from v4 = C, or zero).
#define RED_CASE(n, expected, ...)     \
  TEST_NUMBER(n);                      \
  vsetivli x0, 4, e32, m1, tu, mu;     \
  __VA_ARGS__;                         \
  vsetivli x0, 1, e64, m1, tu, mu;     \
  vmv.x.s t0, v9;                      \
  li EXPECTED, expected;               \
  bne t0, EXPECTED, fail
  TEST_NUMBER(139)
  vsetivli x0, 4, e64, m1, tu, mu
  vmv.v.i v9, 0
  vmv.v.i v5, 0
  vsetivli x0, 4, e32, m1, tu, mu
  RED_CASE(140, 0x00000000800003e9, li a0, 1000; vmv.s.x v6, a0; vredsum.vs v9, v2, v6)
  RED_CASE(141, 0x00000000fffffffe, vmv.v.i v9, 0; vredmaxu.vs v9, v2, v5)
  RED_CASE(142, 0x0000000080000000, vmv.v.i v9, 0; vredmin.vs v9, v2, v5)
  RED_CASE(143, 0x0000000000000002, vmv.v.i v9, 0; vredmax.vs v9, v2, v5)
  RED_CASE(144, 0x00000000ffffffff, vmv.v.i v9, 0; vredor.vs v9, v2, v5)
  RED_CASE(145, 0x000000007ffffffd, vmv.v.i v9, 0; vredxor.vs v9, v2, v5)
  RED_CASE(146, 0x0000000000000000, vmv.v.i v9, 0; li a0, -1; vmv.s.x v6, a0; vredand.vs v9, v2, v6)
  RED_CASE(147, 0x0000000180000001, vmv.v.i v9, 0; vwredsumu.vs v9, v2, v5)
  RED_CASE(148, 0xffffffff80000001, vmv.v.i v9, 0; vwredsum.vs v9, v2, v5)
  // Masked (v0 = 0b0101): 1 + -2.
  RED_CASE(149, 0x00000000ffffffff, vmv.v.i v9, 0; vredsum.vs v9, v2, v5, v0.t)

  // ---- 160-: mask instructions on v12 = 0xca, v13 = 0xa6 (vl = 8).
#define MASK_SETUP                  \
  vsetivli x0, 8, e8, m1, tu, mu;   \
  vmv.v.i v14, 0;                   \
  li a0, 0xca;                      \
  vmv.v.x v12, a0;                  \
  li a0, 0xa6;                      \
  vmv.v.x v13, a0
#define MASK_CASE(n, expected, ...)     \
  TEST_NUMBER(n);                       \
  MASK_SETUP;                           \
  __VA_ARGS__;                          \
  MASK_BYTE(t0, v14);                   \
  CHECK_EQ(t0, expected)
  MASK_CASE(160, 0x82, vmand.mm v14, v12, v13)
  MASK_CASE(161, 0xee, vmor.mm v14, v12, v13)
  MASK_CASE(162, 0x6c, vmxor.mm v14, v12, v13)
  MASK_CASE(163, 0x48, vmandn.mm v14, v12, v13)
  MASK_CASE(164, 0xdb, vmorn.mm v14, v12, v13)
  MASK_CASE(165, 0x7d, vmnand.mm v14, v12, v13)
  MASK_CASE(166, 0x11, vmnor.mm v14, v12, v13)
  MASK_CASE(167, 0x93, vmxnor.mm v14, v12, v13)
  TEST_CASE(168, t0, 4, MASK_SETUP; vcpop.m t0, v12)
  TEST_CASE(169, t0, 2, MASK_SETUP; vsetivli x0, 4, e8, m1, tu, mu; vcpop.m t0, v12)
  TEST_CASE(170, t0, 1, MASK_SETUP; vfirst.m t0, v12)
  TEST_CASE(171, t0, -1, MASK_SETUP; vfirst.m t0, v14)
  TEST_CASE(172, t0, 2, MASK_SETUP; vmv.v.i v0, 0x0f; vcpop.m t0, v12, v0.t)
  MASK_CASE(173, 0x07, li a0, 0xc8; vmv.v.x v12, a0; vmsbf.m v14, v12)
  MASK_CASE(174, 0x0f, li a0, 0xc8; vmv.v.x v12, a0; vmsif.m v14, v12)
  MASK_CASE(175, 0x08, li a0, 0xc8; vmv.v.x v12, a0; vmsof.m v14, v12)
  TEST_NUMBER(176)
  MASK_SETUP
  viota.m v15, v12
  CHECK_V8(v15, exp_iota)
  TEST_NUMBER(177)
  vsetivli x0, 8, e8, m1, tu, mu
  vid.v v15
  CHECK_V8(v15, exp_vid)

  // ---- 190-: permutations (A in v2, whose elements past 3 are zero).
  TEST_NUMBER(190)
  LOAD_ABC
  FILL55
  vslideup.vi v8, v2, 1
  CHECK_V32(v8, exp_slideup)
  TEST_NUMBER(191)
  vslidedown.vi v8, v2, 1
  CHECK_V32(v8, exp_slidedown)
  TEST_NUMBER(192)
  li a0, 9
  vslide1up.vx v8, v2, a0
  CHECK_V32(v8, exp_slide1up)
  TEST_NUMBER(193)
  li a0, 9
  vslide1down.vx v8, v2, a0
  CHECK_V32(v8, exp_slide1down)
  TEST_NUMBER(194)
  li a0, -1
  vslidedown.vx v8, v2, a0
  CHECK_V32(v8, exp_zero)
  TEST_CASE(195, t0, 0xffffffff80000000, vsetivli x0, 4, e32, m1, tu, mu; vslidedown.vi v8, v2, 3; vmv.x.s t0, v8)
  TEST_NUMBER(196)
  FILL55
  li a0, 0x12345678
  vmv.s.x v8, a0
  CHECK_V32(v8, exp_mvsx)
  TEST_NUMBER(197)
  la a1, gather_idx
  vle32.v v1, (a1)
  vrgather.vv v8, v2, v1
  CHECK_V32(v8, exp_gather)
  TEST_NUMBER(198)
  vrgather.vi v8, v2, 2
  CHECK_V32(v8, exp_gather_i)
  TEST_NUMBER(199)
  li a0, 4
  vrgather.vx v8, v2, a0
  CHECK_V32(v8, exp_zero)
  TEST_NUMBER(200)
  vsetivli x0, 4, e16, m1, tu, mu
  la a1, gather_idx16
  vle16.v v1, (a1)
  vsetivli x0, 4, e32, m1, tu, mu
  vrgatherei16.vv v8, v2, v1
  CHECK_V32(v8, exp_gather16)
  TEST_NUMBER(201)
  FILL55
  vsetivli x0, 8, e8, m1, tu, mu
  vmv.v.i v1, 10
  vsetivli x0, 4, e32, m1, tu, mu
  vcompress.vm v8, v2, v1
  CHECK_V32(v8, exp_compress)
  TEST_NUMBER(202)
  vmv1r.v v8, v3
  CHECK_V32(v8, srcB)
  // Widening with an odd destination register group is illegal.
  TEST_TRAP_M(203, CAUSE_ILLEGAL_INSTRUCTION, vsetivli x0, 4, e32, m1, tu, mu; vwadd.vv v9, v2, v3)
  // A masked op writing v0 is illegal.
  TEST_TRAP_M(204, CAUSE_ILLEGAL_INSTRUCTION, vadd.vv v0, v2, v3, v0.t)
  // A misaligned LMUL = 2 group is illegal.
  TEST_TRAP_M(205, CAUSE_ILLEGAL_INSTRUCTION, vsetivli x0, 4, e32, m2, tu, mu; vadd.vv v8, v3, v4)

  // ---- 240-: more forms (A in v2, B in v3, C in v4; wide accumulators start at 1000).
#define WIDE1000                   \
  vsetivli x0, 4, e64, m2, tu, mu; \
  li a0, 1000;                     \
  vmv.v.x v8, a0;                  \
  vsetivli x0, 4, e32, m1, tu, mu
  TEST_NUMBER(240)
  LOAD_ABC
  WIDE1000
  vwmacc.vv v8, v2, v3
  CHECK_V64(v8, exp_wmacc)
  TEST_NUMBER(241)
  WIDE1000
  vwmaccsu.vv v8, v3, v2
  CHECK_V64(v8, exp_wmaccsu)
  TEST_NUMBER(242)
  WIDE1000
  li a0, -1
  vwmaccus.vx v8, a0, v2
  CHECK_V64(v8, exp_wmaccus)
  TEST_NUMBER(243)
  vsetivli x0, 4, e32, m1, tu, mu
  vmv.v.v v8, v4
  vnmsub.vv v8, v2, v3
  CHECK_V32(v8, exp_nmsub)
  TEST_NUMBER(244)
  vsetivli x0, 4, e8, m1, tu, mu
  la a1, bytes8
  vle8.v v12, (a1)
  vsetivli x0, 4, e32, m1, tu, mu
  vzext.vf4 v8, v12
  CHECK_V32(v8, exp_zext4)
  TEST_NUMBER(245)
  vsetivli x0, 2, e64, m1, tu, mu
  vsext.vf8 v8, v12
  la a7, out
  vse64.v v8, (a7)
  CHECK_BUF(exp_sext8, 16)
  TEST_NUMBER(246)
  vsetivli x0, 8, e8, m1, tu, mu
  vmv.v.i v0, 5
  vsetivli x0, 4, e32, m1, tu, mu
  vmerge.vim v8, v3, -3, v0
  CHECK_V32(v8, exp_merge_i)
  TEST_NUMBER(247)
  FILL55
  li a0, 2
  vslideup.vx v8, v2, a0
  CHECK_V32(v8, exp_slideup2)
  TEST_NUMBER(248)
  vmv2r.v v10, v2
  CHECK_V32(v10, srcA)
  CHECK_V32(v11, srcB)
  TEST_NUMBER(249)
  vsetivli x0, 2, e8, m1, tu, mu
  la a1, bytes8
  vlseg3e8.v v8, (a1)
  la a7, out
  vse8.v v8, (a7)
  addi a7, a7, 2
  vse8.v v9, (a7)
  addi a7, a7, 2
  vse8.v v10, (a7)
  CHECK_BUF(exp_seg3, 6)
  TEST_NUMBER(250)
  vsetivli x0, 4, e16, m1, tu, mu
  la a1, idx16
  vle16.v v1, (a1)
  vsetivli x0, 4, e32, m1, tu, mu
  la a1, words8
  vluxei16.v v8, (a1), v1
  CHECK_V32(v8, exp_gather_mem16)
  TEST_NUMBER(251)
  la a7, out
  sd zero, 0(a7)
  sd zero, 8(a7)
  sd zero, 16(a7)
  sd zero, 24(a7)
  vsuxei16.v v2, (a7), v1
  CHECK_BUF(exp_scatter16, 32)
  CMP_CASE(252, 0xfe, vmadc.vi v9, v2, -2)
  TEST_NUMBER(253)
  vsetivli x0, 4, e32, m1, tu, mu
  vsbc.vvm v8, v2, v3, v0
  CHECK_V32(v8, exp_sbc)
  TEST_NUMBER(254)
  vsetivli x0, 4, e32, m1, tu, mu
  vwsub.vv v8, v2, v3
  CHECK_V64(v8, exp_wsub)
  TEST_PASS

  // ---- Without V: vector instructions and CSRs are illegal, even with mstatus.VS set
  // (VS is optionally read-only zero without V, priv spec 3.1.6.6: tiervm makes it so,
  // QEMU 7.2 lets it be written; tests/engine checks tiervm's choice).
no_vector:
  TEST_NUMBER(220)
  li a0, MSTATUS_VS
  csrs mstatus, a0
  TEST_TRAP_M(221, CAUSE_ILLEGAL_INSTRUCTION, vsetvli t0, x0, e8, m1, ta, ma)
  TEST_TRAP_M(222, CAUSE_ILLEGAL_INSTRUCTION, csrr t0, vlenb)
  TEST_TRAP_M(223, CAUSE_ILLEGAL_INSTRUCTION, vadd.vv v1, v2, v3)
  TEST_TRAP_M(224, CAUSE_ILLEGAL_INSTRUCTION, la a1, srcA; vle32.v v1, (a1))
  TEST_PASS

  .data
  .balign 8
srcA: .word 1, 2, 0xfffffffe, 0x80000000
srcB: .word 10, 20, 3, 0x7fffffff
srcC: .word 100, 100, 100, 100
bytes8: .byte 0x80, 0x7f, 0xff, 0x01, 0x10, 0x20, 0x30, 0x40
  .balign 8
words8: .word 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
offsets: .word 12, 0, 4, 8
halves4: .half 0x8001, 0x7fff, 0xffff, 0x0002
  .balign 8
wide4: .dword 100, 200, 300, 400
  .dword 0x1122334455667788, 0x8000000000000000
gather_idx: .word 3, 0, 100, 1
gather_idx16: .half 1, 1, 0, 3
  .balign 8
exp_strided: .word 0x11, 0x33, 0x55, 0x77
exp_reversed: .word 0x80000000, 0xfffffffe, 2, 1
exp_indexed: .word 0x44, 0x11, 0x22, 0x33
exp_scatter: .word 2, 0xfffffffe, 0x80000000, 1
exp_masked_load: .word 1, 0x55555555, 0xfffffffe, 0x55555555
exp_seg2: .word 0x11, 0x33, 0x22, 0x44
exp_vlm: .byte 0x80, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
exp_partial: .word 0x11, 0x22, 0x55555555, 0x55555555
exp_seg_strided: .half 0x2010, 0x7f80, 0x4030, 0x01ff
exp_seg_indexed: .word 0x33, 0x11, 0x44, 0x22
exp_masked_store: .word 1, 0xffffffff, 0xfffffffe, 0xffffffff
exp_lmul2: .word 0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78, 0x89
exp_add8: .byte 0x00, 0xfe, 0xfe, 0x02, 0x20, 0x40, 0x60, 0x80
exp_mulh16: .half 0x3fff, 0x3fff, 0, 0
  .balign 8
exp_mul64: .dword 0xfffffffffffffed4, 0xfffffffffffffda8
exp_paged: .word 0x1111, 0x2222, 0x55555555, 0x55555555
idx16: .half 4, 28, 0, 12
  .balign 8
exp_wmacc: .dword 1010, 1040, 994, 0xc0000000800003e8
exp_wmaccsu: .dword 1010, 1040, 0x3000003e2, 0x3fffffff800003e8
exp_wmaccus: .dword 0x1000003e7, 0x2000003e6, 0xfffffffe000003ea, 0x80000000800003e8
exp_wsub: .dword 0xfffffffffffffff7, 0xffffffffffffffee, 0xfffffffffffffffb, 0xffffffff00000001
exp_sext8: .dword 0xffffffffffffff80, 0x7f
exp_nmsub: .word 0xffffffa6, 0xffffff4c, 0xcb, 0x7fffffff
exp_zext4: .word 0x80, 0x7f, 0xff, 1
exp_merge_i: .word 0xfffffffd, 20, 0xfffffffd, 0x7fffffff
exp_slideup2: .word 0x55555555, 0x55555555, 1, 2
exp_seg3: .byte 0x80, 0x01, 0x7f, 0x10, 0xff, 0x20
  .balign 4
exp_gather_mem16: .word 0x22, 0x88, 0x11, 0x44
exp_scatter16: .word 0xfffffffe, 1, 0, 0x80000000, 0, 0, 0, 2
exp_sbc: .word 0xfffffff6, 0xffffffee, 0xfffffffa, 1
exp_add: .word 11, 22, 1, 0xffffffff
exp_addx: .word 6, 7, 3, 0x80000005
exp_addi: .word 0xfffffff1, 0xfffffff2, 0xffffffee, 0x7ffffff0
exp_sub: .word 0xfffffff7, 0xffffffee, 0xfffffffb, 1
exp_rsub: .word 2, 1, 5, 0x80000003
exp_or: .word 11, 22, 0xffffffff, 0xffffffff
exp_xor: .word 11, 22, 0xfffffffd, 0xffffffff
exp_andi: .word 0, 2, 6, 0
exp_sll: .word 2, 4, 0xfffffffc, 0
exp_srl: .word 0, 1, 0x7fffffff, 0x40000000
exp_sra: .word 0, 1, 0xffffffff, 0xc0000000
exp_minu: .word 1, 2, 3, 0x7fffffff
exp_min: .word 1, 2, 0xfffffffe, 0x80000000
exp_maxu: .word 10, 20, 0xfffffffe, 0x80000000
exp_max: .word 10, 20, 3, 0x7fffffff
exp_mul: .word 10, 40, 0xfffffffa, 0x80000000
exp_mulh: .word 0, 0, 0xffffffff, 0xc0000000
exp_mulhu: .word 0, 0, 2, 0x3fffffff
exp_mulhsu: .word 0, 0, 0xffffffff, 0xc0000000
exp_divu: .word 0, 0, 0x55555554, 1
exp_div: .word 0, 0, 0, 0xffffffff
exp_rem: .word 1, 2, 0xfffffffe, 0xffffffff
exp_remu: .word 1, 2, 2, 1
exp_ones: .word 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff
exp_div_m1: .word 0xffffffff, 0xfffffffe, 2, 0x80000000
exp_macc: .word 110, 140, 94, 0x80000064
exp_nmsac: .word 90, 60, 106, 0x80000064
exp_madd: .word 110, 220, 0xffffff3b, 0x7fffffff
exp_add_masked: .word 11, 0x55555555, 1, 0x55555555
exp_add_tail: .word 11, 22, 0x55555555, 0x55555555
exp_add_vstart: .word 0x55555555, 22, 1, 0x55555555
exp_merge: .word 1, 20, 0xfffffffe, 0x7fffffff
exp_mv7: .word 0xfffffff9, 0xfffffff9, 0xfffffff9, 0xfffffff9
exp_adc: .word 12, 22, 2, 0xffffffff
  .balign 8
exp_wadd: .dword 11, 22, 1, 0xffffffffffffffff
exp_waddu: .dword 11, 22, 0x100000001, 0xffffffff
exp_wmul: .dword 10, 40, 0xfffffffffffffffa, 0xc000000080000000
exp_wmulu: .dword 10, 40, 0x2fffffffa, 0x3fffffff80000000
exp_wsubu_w: .dword 90, 180, 297, 0xffffffff80000191
exp_zext2: .word 0x8001, 0x7fff, 0xffff, 2
exp_sext2: .word 0xffff8001, 0x7fff, 0xffffffff, 2
exp_sext4: .word 0xffffff80, 0x7f, 0xffffffff, 1
exp_nsra: .word 0x33445566, 0
exp_nsrl: .word 0x00112233, 0x00800000
exp_iota: .byte 0, 0, 1, 1, 2, 2, 2, 3
exp_vid: .byte 0, 1, 2, 3, 4, 5, 6, 7
exp_slideup: .word 0x55555555, 1, 2, 0xfffffffe
exp_slidedown: .word 2, 0xfffffffe, 0x80000000, 0
exp_slide1up: .word 9, 1, 2, 0xfffffffe
exp_slide1down: .word 2, 0xfffffffe, 0x80000000, 9
exp_zero: .word 0, 0, 0, 0
exp_mvsx: .word 0x12345678, 0x55555555, 0x55555555, 0x55555555
exp_gather: .word 0x80000000, 1, 0, 2
exp_gather_i: .word 0xfffffffe, 0xfffffffe, 0xfffffffe, 0xfffffffe
exp_gather16: .word 2, 2, 1, 0x80000000
exp_compress: .word 2, 0x80000000, 0x55555555, 0x55555555

  .bss
  .balign 64
out: .skip 512
idx_tmp: .skip 64
  .balign 4096
pt_root: .skip 4096
pt_l1: .skip 4096
pt_l0: .skip 4096
vpage: .skip 4096
