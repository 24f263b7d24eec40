// Control and status registers (unpriv spec 20191213 chapter 9 "Zicsr", priv spec 1.12
// chapters 2-4): identification, access rules, WARL fields, counters, the S-mode views,
// and the mstatus trap-virtualisation bits.
#include "test_macros.h"

// misa extension bits that an RV64GC machine with S and U modes must report.
#define MISA_IMAFDCSU ((1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | \
                       (1 << 18) | (1 << 20))

// Runs `code` in `mode`, then returns to M with ecall; checks that the ecall (and nothing
// earlier) trapped.
#define TEST_IN_MODE(n, mode, ...)   \
  test_##n: TEST_NUMBER(n);          \
  M_RESUME_AT(test_##n##_back);      \
  GOTO_MODE(mode);                   \
  __VA_ARGS__;                       \
  ecall;                             \
  j fail;                            \
  test_##n##_back: M_CAUSE(t5);      \
  CHECK_EQ(t5, CAUSE_USER_ECALL + (mode))

// Case n: `code` run in `mode` raises an illegal-instruction exception to M.
#define TEST_ILLEGAL_IN_MODE(n, mode, ...) \
  TEST_TRAP_M(n, CAUSE_ILLEGAL_INSTRUCTION, GOTO_MODE(mode); __VA_ARGS__)

  .text
  .globl test_main
test_main:
  // ---- identification
  TEST_CASE(1, a0, 2, csrr a0, misa; srli a0, a0, 62)
  TEST_CASE(2, a0, MISA_IMAFDCSU, csrr a1, misa; li a2, MISA_IMAFDCSU; and a0, a1, a2)
  // E (bit 4) is the complement of I.
  TEST_CASE(3, a0, 0, csrr a1, misa; andi a0, a1, 1 << 4)
  TEST_CASE(4, a0, 0, csrr a0, mhartid)
  // mstatus.SXL and UXL read 2 (64-bit) on RV64 (3.1.6.2).
  TEST_CASE(5, a0, 0xa, csrr a1, mstatus; srli a0, a1, 32; andi a0, a0, 0xf)
  // The identification registers are readable.
  TEST_CASE(6, a0, 0, csrr a1, mvendorid; csrr a1, marchid; csrr a1, mimpid; li a0, 0)

  // ---- read/write/set/clear
  TEST_CASE(7, a0, 0x123456789abcdef0, li a1, 0x123456789abcdef0; csrw mscratch, a1; \
            csrr a0, mscratch)
  // csrrw returns the old value.
  TEST_CASE(8, a0, 0x123456789abcdef0, li a1, 0x55; csrrw a0, mscratch, a1)
  TEST_CASE(9, a0, 0x55, csrr a0, mscratch)
  TEST_CASE(10, a0, 0x55, li a1, 0xf00; csrrs a0, mscratch, a1)
  TEST_CASE(11, a0, 0xf55, csrr a0, mscratch)
  TEST_CASE(12, a0, 0xf55, li a1, 0x0f0; csrrc a0, mscratch, a1)
  TEST_CASE(13, a0, 0xf05, csrr a0, mscratch)
  TEST_CASE(14, a0, 0xf05, csrrwi a0, mscratch, 31)
  TEST_CASE(15, a0, 0x1f, csrrsi a0, mscratch, 0; csrr a0, mscratch)
  TEST_CASE(16, a0, 0x1b, csrrci a0, mscratch, 4; csrr a0, mscratch)
  TEST_CASE(17, a0, 0x1f, csrrsi a0, mscratch, 4; csrr a0, mscratch)
  // rd = rs1: the old value goes to rd, the new one comes from the old rs1.
  TEST_CASE(18, a1, 0x1f, li a1, 0x77; csrrw a1, mscratch, a1)
  TEST_CASE(19, a0, 0x77, csrr a0, mscratch)
  // csrrs/csrrc with rs1 = x0 (and the immediate forms with 0) do not write, so they are
  // legal on read-only CSRs.
  TEST_CASE(20, a0, 0, csrrs a0, mhartid, x0; csrrc a0, mhartid, x0; csrrsi a0, mvendorid, 0; \
            csrrci a0, mhartid, 0; li a0, 0)

  // ---- illegal accesses
  // Writes to read-only CSRs (address bits 11:10 = 11).
  TEST_TRAP_M(21, CAUSE_ILLEGAL_INSTRUCTION, li a1, 1; csrw mvendorid, a1)
  TEST_TRAP_M(22, CAUSE_ILLEGAL_INSTRUCTION, csrw mhartid, zero)
  TEST_TRAP_M(23, CAUSE_ILLEGAL_INSTRUCTION, csrwi cycle, 0)
  TEST_TRAP_M(24, CAUSE_ILLEGAL_INSTRUCTION, li a1, 1; csrs instret, a1)
  TEST_TRAP_M(25, CAUSE_ILLEGAL_INSTRUCTION, csrrwi x0, mimpid, 1)
  // Unimplemented CSR numbers.
  TEST_TRAP_M(26, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, 0x0ff)
  TEST_TRAP_M(27, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, 0xfff)
  TEST_TRAP_M(28, CAUSE_ILLEGAL_INSTRUCTION, csrw 0x7ff, zero)
  // The illegal instruction's bits reach mtval: csrw 0x7ff, zero = 0x7ff01073.
  TEST_CASE(29, a0, 0x7ff01073, M_TVAL(a0))
  // Privilege: address bits 9:8 give the lowest privilege allowed.
  TEST_ILLEGAL_IN_MODE(30, PRV_S, csrr a0, mscratch)
  TEST_CASE(31, a0, MSTATUS_MPP_S, M_STATUS(a1); li a2, MSTATUS_MPP; and a0, a1, a2)
  TEST_ILLEGAL_IN_MODE(32, PRV_U, csrr a0, sscratch)
  TEST_ILLEGAL_IN_MODE(33, PRV_S, csrr a0, mstatus)
  TEST_ILLEGAL_IN_MODE(34, PRV_U, csrr a0, mhartid)
  TEST_IN_MODE(35, PRV_S, li a1, 0x99; csrw sscratch, a1; csrr a0, sscratch)
  TEST_CASE(36, a0, 0x99, csrr a0, sscratch)

  // ---- WARL fields
  // SUM and MXR are writable. (MPP = 2 is reserved and must not read back (3.1.6.1), but
  // QEMU 7.2, the reference, keeps it, so that is not checked here.)
  TEST_CASE(37, a0, MSTATUS_SUM | MSTATUS_MXR, li a1, MSTATUS_SUM | MSTATUS_MXR; \
            csrs mstatus, a1; csrr a2, mstatus; csrc mstatus, a1; and a0, a2, a1)
  TEST_CASE(38, a0, MSTATUS_MPP_S, li a1, MSTATUS_MPP; csrc mstatus, a1; li a1, MSTATUS_MPP_S; \
            csrs mstatus, a1; csrr a1, mstatus; li a2, MSTATUS_MPP; and a0, a1, a2)
  // mtval and stval hold any value software writes. (mepc[0] must read zero with IALIGN =
  // 16 (3.1.14), but QEMU 7.2 keeps it, so that is not checked here.)
  TEST_CASE(39, a0, 0x80001234, li a1, 0x80001234; csrw mtval, a1; csrr a0, mtval)
  TEST_CASE(40, a0, 0xfedcba9876543210, li a1, 0xfedcba9876543210; csrw stval, a1; csrr a0, stval)
  // medeleg holds the delegable exceptions: ecall from U (8) and page faults (12, 13, 15).
  TEST_CASE(41, a0, 0xb100, li a1, 0xb100; csrw medeleg, a1; csrr a0, medeleg; \
            csrw medeleg, zero)
  // Direct-mode mtvec with a 4-byte-aligned base reads back.
  TEST_CASE(42, a0, 0x80000100, csrr s0, mtvec; li a1, 0x80000100; csrw mtvec, a1; \
            csrr a0, mtvec; csrw mtvec, s0)

  // ---- sstatus is a view of mstatus (4.1.1)
  TEST_CASE(43, a0, MSTATUS_SIE, csrci mstatus, MSTATUS_SIE; csrsi sstatus, MSTATUS_SIE; \
            csrr a1, mstatus; andi a0, a1, MSTATUS_SIE)
  TEST_CASE(44, a0, 0, csrc sstatus, MSTATUS_SIE; csrr a1, mstatus; andi a0, a1, MSTATUS_SIE)
  // MIE and MPP are not visible through sstatus; writing their bit positions is ignored.
  TEST_CASE(45, a0, 0, li a1, MSTATUS_MIE | MSTATUS_MPP; csrs sstatus, a1; csrr a1, mstatus; \
            andi a0, a1, MSTATUS_MIE)
  TEST_CASE(46, a0, 0, csrr a1, sstatus; li a2, MSTATUS_MIE | MSTATUS_MPP; and a0, a1, a2)
  // sie follows mie only for interrupts delegated in mideleg (4.1.3).
  TEST_CASE(47, a0, 0, csrw mideleg, zero; csrw mie, zero; li a1, 0x222; csrw sie, a1; \
            csrr a0, sie)
  TEST_CASE(48, a0, 0x222, li a1, 0x222; csrw mideleg, a1; csrw sie, a1; csrr a0, sie)
  TEST_CASE(49, a0, 0x222, csrr a0, mie; csrw sie, zero; csrw mideleg, zero)

  // ---- counters
  // minstret: two reads three instructions apart see at least the four instructions that
  // retired in between (the first read, three addis). (QEMU without -icount derives it
  // from host ticks, so only the lower bound is checked.)
  TEST_CASE(50, a0, 1, csrr a1, minstret; addi a3, a3, 1; addi a3, a3, 1; addi a3, a3, 1; \
            csrr a2, minstret; sub a2, a2, a1; sltiu a0, a2, 4; xori a0, a0, 1)
  TEST_CASE(51, a0, 1, csrr a1, instret; nop; csrr a2, instret; sub a2, a2, a1; sltiu a0, a2, 2; \
            xori a0, a0, 1)
  // A loop of 1000 iterations (3 instructions each) retires at least 3000.
  TEST_CASE(52, a0, 1, li a3, 1000; csrr a1, minstret; 1: addi a3, a3, -1; nop; bnez a3, 1b; \
            csrr a2, minstret; sub a2, a2, a1; li a4, 3000; sltu a0, a2, a4; xori a0, a0, 1)
  // cycle and mcycle advance.
  TEST_CASE(53, a0, 1, csrr a1, mcycle; li a3, 100; 1: addi a3, a3, -1; bnez a3, 1b; \
            csrr a2, cycle; sltu a0, a1, a2)
  // time shadows the CLINT's mtime: mtime1 <= time <= mtime2.
  TEST_CASE(54, a0, 0, li a4, CLINT_MTIME; ld a1, 0(a4); csrr a2, time; ld a3, 0(a4); \
            sltu a0, a2, a1; sltu a5, a3, a2; or a0, a0, a5)
  // U-mode counter reads need mcounteren and scounteren (3.1.11, 4.1.4).
  csrw mcounteren, zero
  csrw scounteren, zero
  TEST_ILLEGAL_IN_MODE(55, PRV_U, rdcycle a0)
  TEST_ILLEGAL_IN_MODE(56, PRV_S, rdtime a0)
  li a1, 7
  csrw mcounteren, a1
  TEST_ILLEGAL_IN_MODE(57, PRV_U, rdinstret a0)
  TEST_IN_MODE(58, PRV_S, rdtime a0; rdcycle a0; rdinstret a0)
  csrw scounteren, a1
  TEST_IN_MODE(59, PRV_U, rdtime a0; rdcycle a0; rdinstret a0)
  csrw mcounteren, zero
  csrw scounteren, zero

  // ---- trap virtualisation (3.1.6.5)
  li a1, MSTATUS_TVM
  csrs mstatus, a1
  TEST_ILLEGAL_IN_MODE(60, PRV_S, csrr a0, satp)
  TEST_ILLEGAL_IN_MODE(61, PRV_S, sfence.vma)
  li a1, MSTATUS_TVM
  csrc mstatus, a1
  TEST_IN_MODE(62, PRV_S, csrr a0, satp; sfence.vma)
  li a1, MSTATUS_TSR
  csrs mstatus, a1
  TEST_ILLEGAL_IN_MODE(63, PRV_S, sret)
  li a1, MSTATUS_TSR
  csrc mstatus, a1
  li a1, MSTATUS_TW
  csrs mstatus, a1
  TEST_ILLEGAL_IN_MODE(64, PRV_S, wfi)
  li a1, MSTATUS_TW
  csrc mstatus, a1
  // mret from S or U is illegal; sret from U is illegal.
  TEST_ILLEGAL_IN_MODE(65, PRV_S, mret)
  TEST_ILLEGAL_IN_MODE(66, PRV_U, sret)

  // With mcountinhibit.IR = 1, minstret holds still (3.1.12). The bit is WARL: if it
  // reads back 0 the implementation does not inhibit, and nothing is checked.
  TEST_CASE(67, a0, 0, li a1, 4; csrw mcountinhibit, a1; csrr a3, mcountinhibit; \
            csrr a1, minstret; nop; nop; csrr a2, minstret; csrw mcountinhibit, zero; \
            sub a0, a2, a1; andi a3, a3, 4; bnez a3, 1f; li a0, 0; 1:)
  TEST_PASS
