// RV64I base integer instruction set (unpriv spec 20191213, chapters 2 and 5), plus
// Zifencei. Expected values follow from the spec's definitions; each case exits with its
// number on failure.
#include "test_macros.h"

// Exact 4-byte encodings everywhere: link values and counted offsets depend on it.
  .option norvc

// Branch taken: forward to a later label, then backward to an earlier one.
#define TEST_BR_TAKEN(n, inst, v1, v2) \
  test_##n: TEST_NUMBER(n);            \
  li a1, v1;                           \
  li a2, v2;                           \
  inst a1, a2, 2f;                     \
  j fail;                              \
  1: j 3f;                             \
  2: inst a1, a2, 1b;                  \
  j fail;                              \
  3:

// Branch not taken, with a forward and a backward target.
#define TEST_BR_NOT_TAKEN(n, inst, v1, v2) \
  test_##n: TEST_NUMBER(n);                \
  li a1, v1;                               \
  li a2, v2;                               \
  inst a1, a2, 1f;                         \
  j 2f;                                    \
  1: j fail;                               \
  2: inst a1, a2, 1b

// Load of width `inst` at ldata + off.
#define TEST_LD(n, inst, expected, off) \
  TEST_CASE(n, a0, expected, la a1, ldata; inst a0, off(a1))

// Store `value` with `inst` at sdata + off over a 16-byte buffer filled with `fill`, then
// checks the doubleword at sdata + check_off.
#define TEST_ST(n, inst, value, off, fill, check_off, expected) \
  TEST_CASE(n, a0, expected, la a1, sdata; li a2, fill; sd a2, 0(a1); sd a2, 8(a1); \
            li a2, value; inst a2, off(a1); ld a0, check_off(a1))

  .text
  .globl test_main
test_main:
  // ---- add / sub / addi
  TEST_RR(1, add, 2, 1, 1)
  TEST_RR(2, add, 0x8000000000000000, 0x7fffffffffffffff, 1)
  TEST_RR(3, add, 0, -1, 1)
  TEST_RR(4, sub, 0xffffffffffffffff, 0, 1)
  TEST_RR(5, sub, 0x7fffffffffffffff, 0x8000000000000000, 1)
  TEST_RI(6, addi, 2048, 1, 2047)
  TEST_RI(7, addi, 0xfffffffffffff800, 0, -2048)
  // ---- 32-bit forms: operate on the low word, sign-extend the result.
  TEST_RR(8, addw, 0xffffffff80000000, 0x7fffffff, 1)
  TEST_RR(9, addw, 2, 0xffffffff00000001, 1)
  TEST_RR(10, subw, 0xffffffff80000000, 0, 0x80000000)
  TEST_RI(11, addiw, 0xffffffff80000000, 0x7fffffff, 1)
  TEST_RI(12, addiw, 0xffffffffffffffff, 0x00000000ffffffff, 0)
  // ---- logic
  TEST_RR(13, and, 0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0)
  TEST_RR(14, or, 0xfff0fff0fff0fff0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0)
  TEST_RR(15, xor, 0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0)
  TEST_RI(16, andi, 0xff00ff00ff00ff00, 0xff00ff00ff00ff00, -16)
  TEST_RI(17, ori, 0xffffffffffffffff, 0, -1)
  TEST_RI(18, xori, 0xff00ff00ff00ff00, 0x00ff00ff00ff00ff, -1)
  TEST_RI(19, xori, 0xff, 0xf0, 0x0f)
  // ---- shifts: 6-bit amounts (5-bit for the W forms)
  TEST_RR(20, sll, 0x8000000000000000, 1, 63)
  TEST_RR(21, sll, 2, 1, 65)
  TEST_RR(22, srl, 1, 0x8000000000000000, 63)
  TEST_RR(23, sra, 0xffffffffffffffff, 0x8000000000000000, 63)
  TEST_RR(24, sra, 0xfffffffffffffffc, -8, 1)
  TEST_RI(25, slli, 0x8000000000000000, 1, 63)
  TEST_RI(26, srli, 1, -1, 63)
  TEST_RI(27, srai, 0xffffffffffffffff, -1, 63)
  TEST_RI(28, srai, 0xf800000000000000, 0x8000000000000000, 4)
  TEST_RR(29, sllw, 0xffffffff80000000, 1, 31)
  TEST_RR(30, sllw, 1, 1, 32)
  TEST_RR(31, srlw, 1, 0xffffffff80000000, 31)
  TEST_RR(32, srlw, 0xffffffff80000000, 0xffffffff80000000, 0)
  TEST_RR(33, sraw, 0xffffffffffffffff, 0x0000000080000000, 31)
  TEST_RR(34, sraw, 0x3fffffff, 0x7fffffff, 1)
  TEST_RI(35, slliw, 0xffffffff80000000, 1, 31)
  TEST_RI(36, srliw, 0x7fffffff, -1, 1)
  TEST_RI(37, sraiw, 0xfffffffff8000000, 0x80000000, 4)
  TEST_RI(38, srliw, 1, 0xffffffff80000000, 31)
  TEST_RR(39, srl, 0x00ffffffffffffff, -1, 0x48)
  // ---- set-less-than: signed vs unsigned
  TEST_RR(40, slt, 1, -1, 1)
  TEST_RR(41, sltu, 0, -1, 1)
  TEST_RR(42, slt, 0, 1, -1)
  TEST_RR(43, sltu, 1, 1, -1)
  TEST_RR(44, slt, 0, 5, 5)
  TEST_RI(45, slti, 1, -5, -4)
  TEST_RI(46, sltiu, 1, 1, -1)
  TEST_RI(47, sltiu, 1, 0, 1)
  TEST_RI(48, sltiu, 0, -1, -1)
  TEST_RR(49, slt, 1, 0x8000000000000000, 0x7fffffffffffffff)
  // ---- lui / auipc
  TEST_CASE(50, a0, 0xffffffff80000000, lui a0, 0x80000)
  TEST_CASE(51, a0, 0x7ffff000, lui a0, 0x7ffff)
  TEST_CASE(52, a0, 0x12345678, lui a0, 0x12345; addi a0, a0, 0x678)
  TEST_CASE(53, a0, 0x1000, 1: auipc a0, 0x1; la a1, 1b; sub a0, a0, a1)
  TEST_CASE(54, a0, 0xfffffffffffff000, 1: auipc a0, 0xfffff; la a1, 1b; sub a0, a0, a1)
  // The rom is linked at 0x8000_0000: auipc must not sign-extend the pc.
  TEST_CASE(55, a0, 0x80000000, auipc a0, 0; srli a0, a0, 28; slli a0, a0, 28)
  // ---- jal / jalr: link = pc + 4, target of jalr has bit 0 cleared
  TEST_CASE(56, a0, 0, jal a0, 1f; 2: j fail; 1: la a1, 2b; sub a0, a0, a1)
  TEST_CASE(57, a0, 0, la a1, 1f; jalr a0, 0(a1); 2: j fail; 1: la a1, 2b; sub a0, a0, a1)
  TEST_CASE(58, a0, 0, la a1, 1f; addi a1, a1, -3; jalr a0, 4(a1); 2: j fail; 1: la a1, 2b; \
            sub a0, a0, a1)
  // rd == rs1: the target uses the old value.
  TEST_CASE(59, a0, 0, la a0, 1f; jalr a0, 0(a0); 2: j fail; 1: la a1, 2b; sub a0, a0, a1)
  // Backward jal.
  TEST_CASE(60, a0, 7, li a0, 0; j 2f; 1: addi a0, a0, 7; j 3f; 2: jal x0, 1b; j fail; 3:)
  // ---- branches, both outcomes, both directions, signedness
  TEST_BR_TAKEN(61, beq, 3, 3)
  TEST_BR_NOT_TAKEN(62, beq, 3, 4)
  TEST_BR_TAKEN(63, bne, 3, -3)
  TEST_BR_NOT_TAKEN(64, bne, -1, -1)
  TEST_BR_TAKEN(65, blt, -1, 0)
  TEST_BR_NOT_TAKEN(66, blt, 0, -1)
  TEST_BR_NOT_TAKEN(67, blt, 5, 5)
  TEST_BR_TAKEN(68, bge, 0, -1)
  TEST_BR_TAKEN(69, bge, 5, 5)
  TEST_BR_NOT_TAKEN(70, bge, -1, 0)
  TEST_BR_TAKEN(71, bltu, 0, -1)
  TEST_BR_NOT_TAKEN(72, bltu, -1, 0)
  TEST_BR_TAKEN(73, bgeu, -1, 0)
  TEST_BR_NOT_TAKEN(74, bgeu, 0, -1)
  TEST_BR_TAKEN(75, bgeu, 0x8000000000000000, 0x8000000000000000)
  TEST_BR_TAKEN(76, blt, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_BR_NOT_TAKEN(77, bltu, 0x8000000000000000, 0x7fffffffffffffff)
  // ---- loads: sign/zero extension of each width (ldata bytes: 81 7f 02 80 ff fe 03 84
  //      11 22 33 44 55 66 77 88, little-endian)
  TEST_LD(78, lb, 0xffffffffffffff81, 0)
  TEST_LD(79, lbu, 0x81, 0)
  TEST_LD(80, lb, 0x7f, 1)
  TEST_LD(81, lh, 0x7f81, 0)
  TEST_LD(82, lh, 0xffffffffffff8002, 2)
  TEST_LD(83, lhu, 0x8002, 2)
  TEST_LD(84, lw, 0xffffffff80027f81, 0)
  TEST_LD(85, lwu, 0x80027f81, 0)
  TEST_LD(86, lw, 0xffffffff8403feff, 4)
  TEST_LD(87, lwu, 0x8403feff, 4)
  TEST_LD(88, ld, 0x8403feff80027f81, 0)
  TEST_LD(89, ld, 0x8877665544332211, 8)
  TEST_LD(90, lw, 0x44332211, 8)
  TEST_CASE(91, a0, 0xffffffffffffff81, la a1, ldata + 8; lb a0, -8(a1))
  // misaligned loads (allowed by the emulator, as in QEMU)
  TEST_LD(92, lh, 0x027f, 1)
  TEST_LD(93, lh, 0xffffffffffffff80, 3)
  TEST_LD(94, lhu, 0x1184, 7)
  TEST_LD(95, lw, 0x03feff80, 3)
  TEST_LD(96, lw, 0x22118403, 6)
  TEST_LD(97, lwu, 0x8403feff, 4)
  TEST_LD(98, ld, 0x55443322118403fe, 5)
  TEST_LD(99, lw, 0xfffffffffeff8002, 2)
  // ---- stores: only the addressed bytes change
  TEST_ST(100, sb, 0x1234, 1, -1, 0, 0xffffffffffff34ff)
  TEST_ST(101, sh, 0xabcd, 2, -1, 0, 0xffffffffabcdffff)
  TEST_ST(102, sw, 0x89abcdef, 4, 0, 0, 0x89abcdef00000000)
  TEST_ST(103, sb, 0x1234, 7, 0, 0, 0x3400000000000000)
  TEST_ST(104, sd, 0x0123456789abcdef, 8, 0, 8, 0x0123456789abcdef)
  // misaligned stores
  TEST_ST(105, sd, 0x1122334455667788, 3, 0, 0, 0x4455667788000000)
  TEST_ST(106, sd, 0x1122334455667788, 3, 0, 8, 0x0000000000112233)
  TEST_ST(107, sw, 0xaabbccdd, 1, 0, 0, 0x000000aabbccdd00)
  TEST_ST(108, sh, 0xbeef, 7, 0, 0, 0xef00000000000000)
  TEST_ST(109, sh, 0xbeef, 7, 0, 8, 0xbe)
  TEST_ST(110, sw, 0x01020304, 6, -1, 8, 0xffffffffffff0102)
  // ---- x0: writes are ignored, reads give zero
  TEST_CASE(111, a0, 0, addi x0, x0, 5; mv a0, x0)
  TEST_CASE(112, a0, 0, lui x0, 0x12345; add a0, x0, x0)
  TEST_CASE(113, a0, 0, la a1, ldata; ld x0, 0(a1); or a0, x0, x0)
  TEST_CASE(114, a0, 0, jal x0, 1f; 1: auipc x0, 1; li a1, -1; add x0, a1, a1; mv a0, x0)
  TEST_CASE(115, a0, 1, li a1, 5; sltu a0, x0, a1)
  TEST_CASE(116, a0, 0xfffffffffffffffb, li a1, 5; sub a0, x0, a1)
  // ---- fence / fence.i: self-modifying code must run the new instruction after fence.i,
  //      also after the old one ran many times (a JIT will have compiled it).
  TEST_CASE(117, a0, 0, fence; fence rw, rw; fence.tso; li a0, 0)
  TEST_CASE(118, a0, 1, call smc_text)
  TEST_CASE(119, s0, 2000, li s0, 0; li s1, 2000; 1: call smc_text; add s0, s0, a0; \
            addi s1, s1, -1; bnez s1, 1b)
  // Patch `addi a0, zero, 1` into `addi a0, zero, 2` (I-type: imm << 20 | rd << 7 | 0x13).
  TEST_CASE(120, a0, 2, la a1, smc_text; li a2, 0x00200513; sw a2, 0(a1); fence.i; call smc_text)
  TEST_CASE(121, s0, 4000, li s0, 0; li s1, 2000; 1: call smc_text; add s0, s0, a0; \
            addi s1, s1, -1; bnez s1, 1b)
  // The same for code in a data page, patched twice.
  TEST_CASE(122, a0, 1, call smc_data)
  TEST_CASE(123, a0, 3, la a1, smc_data; li a2, 0x00300513; sw a2, 0(a1); fence.i; call smc_data)
  TEST_CASE(124, a0, 0x7ff, la a1, smc_data; li a2, 0x7ff00513; sw a2, 0(a1); fence.i; \
            call smc_data)
  // A loop that patches the instruction it is about to run: the sum is 1 + 2 + ... + 10.
  TEST_CASE(125, s0, 55, li s0, 0; li s1, 1; la s2, smc_data; 1: slli a2, s1, 20; \
            li a3, 0x513; or a2, a2, a3; sw a2, 0(s2); fence.i; call smc_data; add s0, s0, a0; \
            addi s1, s1, 1; li a3, 11; bne s1, a3, 1b)
  TEST_PASS

  // A function in the text section that case 120 rewrites.
  .align 2
smc_text:
  addi a0, zero, 1
  ret

  .data
  .align 3
ldata:
  .byte 0x81, 0x7f, 0x02, 0x80, 0xff, 0xfe, 0x03, 0x84
  .byte 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
  .align 3
sdata:
  .dword 0, 0, 0
  .align 2
smc_data:
  addi a0, zero, 1
  ret
