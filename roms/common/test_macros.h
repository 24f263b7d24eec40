// Shared macros for the bare-metal ISA roms (assembly, run through the C preprocessor).
//
// Conventions
//   TESTNUM (s11) holds the number of the running case. `fail` exits through the SiFive
//   test device with (TESTNUM << 16) | 0x3333, so the emulator's (and QEMU's) exit status
//   is the failing case number. Case numbers are 1..254: a process exit status has 8 bits
//   and 0 would read as a pass.
//   s10 is the scratch register the checks compare against; t5/t6 belong to the trap
//   handlers and the mode-switch macros. Test code keeps no live values in s10, t5, t6.
//   Everything else is free for the cases.
//
// Traps
//   common/crt.S installs m_trap_entry (mtvec) and s_trap_entry (for stvec when a rom
//   delegates). Each handler records cause, epc, tval and status in memory (m_trap_* /
//   s_trap_*), counts the trap and jumps to the address in m_trap_resume / s_trap_resume,
//   staying in the handler's privilege (M or S). The resume address is consumed (cleared)
//   by the trap; a trap with no resume address set fails the running case.
#pragma once

// ---- Constants (priv spec 1.12).
#define MSTATUS_SIE (1 << 1)
#define MSTATUS_MIE (1 << 3)
#define MSTATUS_SPIE (1 << 5)
#define MSTATUS_MPIE (1 << 7)
#define MSTATUS_SPP (1 << 8)
#define MSTATUS_MPP (3 << 11)
#define MSTATUS_MPP_S (1 << 11)
#define MSTATUS_MPP_M (3 << 11)
#define MSTATUS_FS (3 << 13)
#define MSTATUS_FS_INITIAL (1 << 13)
#define MSTATUS_FS_CLEAN (2 << 13)
#define MSTATUS_FS_DIRTY (3 << 13)
#define MSTATUS_MPRV (1 << 17)
#define MSTATUS_SUM (1 << 18)
#define MSTATUS_MXR (1 << 19)
#define MSTATUS_TVM (1 << 20)
#define MSTATUS_TW (1 << 21)
#define MSTATUS_TSR (1 << 22)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

// mcause exception codes (table 3.6).
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_USER_ECALL 8
#define CAUSE_SUPERVISOR_ECALL 9
#define CAUSE_MACHINE_ECALL 11
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

#define INTERRUPT_BIT 0x8000000000000000
#define IRQ_S_SOFT 1
#define IRQ_M_SOFT 3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT 9
#define IRQ_M_EXT 11

// Devices of the virt board.
#define TEST_DEVICE 0x100000
#define CLINT_BASE 0x2000000
#define CLINT_MSIP (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME (CLINT_BASE + 0xbff8)
#define UART_BASE 0x10000000

// ---- Registers owned by the framework.
#define TESTNUM s11
#define EXPECTED s10

// Starts case n; refuses numbers that cannot be reported as an exit status.
#define TEST_NUMBER(n) \
  .if (n) < 1 || (n) > 254; .error "test number out of range 1..254"; .endif; li TESTNUM, n

// Fails the running case unless reg == expected (a constant).
#define CHECK_EQ(reg, expected) \
  li EXPECTED, expected;        \
  bne reg, EXPECTED, fail

// Case n: runs `code`, then checks that `reg` holds `expected`.
#define TEST_CASE(n, reg, expected, ...) \
  test_##n: TEST_NUMBER(n);             \
  __VA_ARGS__;                           \
  CHECK_EQ(reg, expected)

// Register-register op: a0 = op(a1 = v1, a2 = v2).
#define TEST_RR(n, inst, expected, v1, v2) \
  TEST_CASE(n, a0, expected, li a1, v1; li a2, v2; inst a0, a1, a2)
// Register-immediate op: a0 = op(a1 = v1, imm).
#define TEST_RI(n, inst, expected, v1, imm) \
  TEST_CASE(n, a0, expected, li a1, v1; inst a0, a1, imm)

// ---- Traps.
// Arms the M-mode handler to resume at `label` after the next trap.
#define M_RESUME_AT(label) \
  la t5, label;            \
  sd t5, m_trap_resume, t6
#define S_RESUME_AT(label) \
  la t5, label;            \
  sd t5, s_trap_resume, t6

// Loads the recorded M trap cause / tval / epc / mstatus into reg.
#define M_CAUSE(reg) ld reg, m_trap_cause
#define M_TVAL(reg) ld reg, m_trap_tval
#define M_EPC(reg) ld reg, m_trap_epc
#define M_STATUS(reg) ld reg, m_trap_status
// Checks the recorded M trap: cause, mepc and mtval (clobbers t5).
#define CHECK_M_TRAP(cause, epc, tval) \
  M_CAUSE(t5);                         \
  CHECK_EQ(t5, cause);                 \
  M_EPC(t5);                           \
  CHECK_EQ(t5, epc);                   \
  M_TVAL(t5);                          \
  CHECK_EQ(t5, tval)
#define S_CAUSE(reg) ld reg, s_trap_cause
#define S_TVAL(reg) ld reg, s_trap_tval
#define S_EPC(reg) ld reg, s_trap_epc
#define S_STATUS(reg) ld reg, s_trap_status

// Case n: `code` must trap to M with mcause == cause. Whatever mode `code` ran in, the
// case continues in M after the trap.
#define TEST_TRAP_M(n, cause, ...)        \
  test_##n: TEST_NUMBER(n);              \
  M_RESUME_AT(test_##n##_resume);         \
  __VA_ARGS__;                            \
  j fail;                                 \
  test_##n##_resume: M_CAUSE(t5);        \
  CHECK_EQ(t5, cause)

// Like TEST_TRAP_M, and also checks mepc == label (put the label on the trapping
// instruction inside `code`) and mtval == tval.
#define TEST_TRAP_M_AT(n, cause, label, tval, ...) \
  TEST_TRAP_M(n, cause, __VA_ARGS__);              \
  M_EPC(t5);                                       \
  la EXPECTED, label;                              \
  bne t5, EXPECTED, fail;                          \
  M_TVAL(t5);                                      \
  CHECK_EQ(t5, tval)

// ---- Privilege changes (from M). Clobber t5.
// Continues at the next instruction in privilege `mode` (PRV_U or PRV_S) via mret
// (which also sets mstatus.MIE = MPIE, as always).
#define GOTO_MODE(mode)                   \
  li t5, MSTATUS_MPP;                     \
  csrc mstatus, t5;                       \
  li t5, ((mode) << 11);                  \
  csrs mstatus, t5;                       \
  la t5, 9901f;                           \
  csrw mepc, t5;                          \
  mret;                                   \
  9901:

// Back to M: arm the resume address while still in M, then ecall from the lower mode:
//   M_RESUME_AT(back); GOTO_MODE(PRV_U); ...; ecall; back:
// (Arming in M matters: with paging on, a lower mode may not reach m_trap_resume.)

// Case n: the code runs in S and comes back with ecall (anything else fails the rom).
#define TEST_IN_S(n, ...)       \
  test_##n: TEST_NUMBER(n);     \
  M_RESUME_AT(test_##n##_back); \
  GOTO_MODE(PRV_S);             \
  __VA_ARGS__;                  \
  ecall;                        \
  j fail;                       \
  test_##n##_back: M_CAUSE(t5); \
  CHECK_EQ(t5, CAUSE_SUPERVISOR_ECALL)

// ---- End of a rom.
#define TEST_PASS j pass
