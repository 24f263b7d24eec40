// Interrupts (priv spec 1.12, sections 3.1.6.1, 3.1.9, 3.3.3, 4.1.3) with the CLINT of the
// virt board: machine software (msip) and timer (mtimecmp) interrupts, global enables per
// mode, wfi, priorities, and delegation of supervisor interrupts to S.
#include "test_macros.h"

// Waits for an interrupt to be taken, for at most 100 ms of mtime (10 MHz); falls into
// `fail` if none comes. wfi may return early (it may be a nop), hence the loop. Clobbers
// a3-a5.
#define WAIT_FOR_TRAP        \
  li a5, CLINT_MTIME;        \
  ld a4, 0(a5);              \
  li a3, 1000000;            \
  add a4, a4, a3;            \
  9902: wfi;                 \
  ld a3, 0(a5);              \
  bltu a3, a4, 9902b;        \
  j fail
// The same without wfi, for U mode (where wfi may be illegal, 3.3.3).
#define SPIN_FOR_TRAP        \
  li a5, CLINT_MTIME;        \
  ld a4, 0(a5);              \
  li a3, 1000000;            \
  add a4, a4, a3;            \
  9903: ld a3, 0(a5);        \
  bltu a3, a4, 9903b;        \
  j fail

#define MIP_MSIP (1 << IRQ_M_SOFT)
#define MIP_MTIP (1 << IRQ_M_TIMER)
#define MIP_SSIP (1 << IRQ_S_SOFT)
#define MIP_STIP (1 << IRQ_S_TIMER)

  .text
  .globl test_main
test_main:
  la t0, s_trap_entry
  csrw stvec, t0
  li s0, CLINT_MSIP
  li s1, CLINT_MTIMECMP
  li s2, CLINT_MTIME
  // No timer interrupt until a case asks for one.
  li t0, -1
  sd t0, 0(s1)

  // ---- mtime counts up
  TEST_CASE(1, a0, 1, ld a1, 0(s2); li a3, 1000; 1: addi a3, a3, -1; bnez a3, 1b; ld a2, 0(s2); \
            sltu a0, a1, a2)

  // ---- machine software interrupt: msip drives mip.MSIP
  TEST_CASE(2, a0, MIP_MSIP, li a1, 1; sw a1, 0(s0); csrr a1, mip; andi a0, a1, MIP_MSIP)
  TEST_CASE(3, a0, 1, lw a0, 0(s0))
  TEST_CASE(4, a0, 0, sw zero, 0(s0); csrr a1, mip; andi a0, a1, MIP_MSIP)
  // Taken in M once mie.MSIE and mstatus.MIE are both set; mepc is the next instruction
  // to run (somewhere in the landing run below), and the handler sees MIE = 0, MPIE = 1.
  test_5: TEST_NUMBER(5)
  li a1, MIP_MSIP
  csrw mie, a1
  li a1, 1
  sw a1, 0(s0)
  M_RESUME_AT(test_5_resume)
  csrsi mstatus, MSTATUS_MIE
test_5_landing:
  nop
  nop
  nop
  nop
  WAIT_FOR_TRAP
test_5_end:
test_5_resume:
  sw zero, 0(s0)
  M_CAUSE(t5)
  CHECK_EQ(t5, INTERRUPT_BIT | IRQ_M_SOFT)
  TEST_CASE(6, a0, 1, M_EPC(a1); la a2, test_5_landing; sltu a0, a1, a2; xori a0, a0, 1)
  TEST_CASE(7, a0, 1, M_EPC(a1); la a2, test_5_end; sltu a0, a1, a2)
  TEST_CASE(8, a0, MSTATUS_MPIE, M_STATUS(a1); andi a0, a1, MSTATUS_MIE | MSTATUS_MPIE)
  TEST_CASE(9, a0, 0, csrr a1, mstatus; andi a0, a1, MSTATUS_MIE)

  // With mstatus.MIE = 0 in M the interrupt stays pending and wfi still wakes up.
  TEST_CASE(10, a0, 0, ld s3, m_trap_count; li a1, 1; sw a1, 0(s0); wfi; nop; nop; \
            ld a1, m_trap_count; sub a0, a1, s3)
  // In a lower mode M interrupts are enabled whatever mstatus.MIE says.
  TEST_TRAP_M(11, INTERRUPT_BIT | IRQ_M_SOFT, GOTO_MODE(PRV_U); SPIN_FOR_TRAP)
  TEST_CASE(12, a0, PRV_U, M_STATUS(a1); srli a0, a1, 11; andi a0, a0, 3; sw zero, 0(s0))
  TEST_TRAP_M(13, INTERRUPT_BIT | IRQ_M_SOFT, li a1, 1; sw a1, 0(s0); GOTO_MODE(PRV_S); \
              WAIT_FOR_TRAP)
  sw zero, 0(s0)

  // ---- machine timer: mip.MTIP follows mtime >= mtimecmp
  TEST_CASE(14, a0, MIP_MTIP, ld a1, 0(s2); sd a1, 0(s1); csrr a1, mip; andi a0, a1, MIP_MTIP)
  TEST_CASE(15, a0, 0, li a1, -1; sd a1, 0(s1); csrr a1, mip; andi a0, a1, MIP_MTIP)
  // mtimecmp = mtime + 1000 (100 us at 10 MHz), then wfi until it fires.
  test_16: TEST_NUMBER(16)
  li a1, MIP_MTIP
  csrw mie, a1
  ld a1, 0(s2)
  addi a1, a1, 1000
  sd a1, 0(s1)
  M_RESUME_AT(test_16_resume)
  csrsi mstatus, MSTATUS_MIE
  WAIT_FOR_TRAP
test_16_resume:
  // mtime has reached mtimecmp by now.
  ld a2, 0(s2)
  ld a3, 0(s1)
  li a4, -1
  sd a4, 0(s1)
  M_CAUSE(t5)
  CHECK_EQ(t5, INTERRUPT_BIT | IRQ_M_TIMER)
  bltu a2, a3, fail
  // The timer may also be programmed as two 32-bit halves.
  test_17: TEST_NUMBER(17)
  ld a1, 0(s2)
  addi a1, a1, 500
  li a2, -1
  sw a2, 4(s1)
  sw a1, 0(s1)
  srli a1, a1, 32
  sw a1, 4(s1)
  M_RESUME_AT(test_17_resume)
  csrsi mstatus, MSTATUS_MIE
  WAIT_FOR_TRAP
test_17_resume:
  li a4, -1
  sd a4, 0(s1)
  M_CAUSE(t5)
  CHECK_EQ(t5, INTERRUPT_BIT | IRQ_M_TIMER)

  // ---- priority (3.1.9): MSI before MTI when both are pending
  test_18: TEST_NUMBER(18)
  li a1, MIP_MSIP | MIP_MTIP
  csrw mie, a1
  li a1, 1
  sw a1, 0(s0)
  sd zero, 0(s1)
  M_RESUME_AT(test_18_resume)
  csrsi mstatus, MSTATUS_MIE
  WAIT_FOR_TRAP
test_18_resume:
  sw zero, 0(s0)
  M_CAUSE(t5)
  CHECK_EQ(t5, INTERRUPT_BIT | IRQ_M_SOFT)
  // With MSI cleared the still-pending timer comes next.
  TEST_TRAP_M(19, INTERRUPT_BIT | IRQ_M_TIMER, csrsi mstatus, MSTATUS_MIE; WAIT_FOR_TRAP)
  li a1, -1
  sd a1, 0(s1)
  csrw mie, zero

  // ---- supervisor software interrupt, not delegated: taken in M
  TEST_CASE(20, a0, MIP_SSIP, csrw mideleg, zero; csrsi mip, MIP_SSIP; csrr a1, mip; \
            andi a0, a1, MIP_SSIP)
  TEST_TRAP_M(21, INTERRUPT_BIT | IRQ_S_SOFT, li a1, MIP_SSIP; csrw mie, a1; \
              csrsi mstatus, MSTATUS_MIE; WAIT_FOR_TRAP)
  csrci mip, MIP_SSIP

  // ---- delegated to S (mideleg.SSI): not taken in M, taken in S once sstatus.SIE = 1
  test_22: TEST_NUMBER(22)
  li a1, MIP_SSIP
  csrw mideleg, a1
  csrw mie, a1
  csrsi mip, MIP_SSIP
  // Pending, enabled in mie, MIE = 1 in M: still not taken in M, because it is delegated.
  ld s3, m_trap_count
  csrsi mstatus, MSTATUS_MIE
  nop
  nop
  csrci mstatus, MSTATUS_MIE
  ld a1, m_trap_count
  bne a1, s3, fail
  // S with SIE = 0: not taken.
  li a1, MSTATUS_SIE
  csrc mstatus, a1
  M_RESUME_AT(test_22_m)
  S_RESUME_AT(test_22_s)
  GOTO_MODE(PRV_S)
  ld s3, s_trap_count
  nop
  nop
  ld a1, s_trap_count
  bne a1, s3, fail
  // SIE = 1: taken in S, scause = interrupt | 1.
  csrsi sstatus, MSTATUS_SIE
  WAIT_FOR_TRAP
test_22_s:
  // The S handler clears the source through sip (writable SSIP when delegated).
  csrci sip, MIP_SSIP
  S_CAUSE(t5)
  CHECK_EQ(t5, INTERRUPT_BIT | IRQ_S_SOFT)
  S_STATUS(t5)
  andi a0, t5, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
  CHECK_EQ(a0, MSTATUS_SPIE | MSTATUS_SPP)
  ecall
  j fail
test_22_m:
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_SUPERVISOR_ECALL)
  TEST_CASE(23, a0, 0, csrr a1, mip; andi a0, a1, MIP_SSIP)

  // In U the delegated interrupt is taken in S whatever sstatus.SIE says. M raises SSIP
  // (not taken in M: delegated) and drops to U.
  test_24: TEST_NUMBER(24)
  li a1, MSTATUS_SIE
  csrc mstatus, a1
  csrsi mip, MIP_SSIP
  M_RESUME_AT(test_24_m)
  S_RESUME_AT(test_24_s)
  GOTO_MODE(PRV_U)
  SPIN_FOR_TRAP
test_24_s:
  csrci sip, MIP_SSIP
  S_CAUSE(t5)
  CHECK_EQ(t5, INTERRUPT_BIT | IRQ_S_SOFT)
  S_STATUS(t5)
  andi a0, t5, MSTATUS_SPP
  CHECK_EQ(a0, 0)
  ecall
  j fail
test_24_m:
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_SUPERVISOR_ECALL)

  // ---- supervisor timer interrupt via mip.STIP (written by M), delegated
  test_25: TEST_NUMBER(25)
  li a1, MIP_STIP
  csrw mideleg, a1
  csrw mie, a1
  csrs mip, a1
  M_RESUME_AT(test_25_m)
  S_RESUME_AT(test_25_s)
  GOTO_MODE(PRV_S)
  csrsi sstatus, MSTATUS_SIE
  WAIT_FOR_TRAP
test_25_s:
  S_CAUSE(t5)
  CHECK_EQ(t5, INTERRUPT_BIT | IRQ_S_TIMER)
  // STIP is read-only in sip: S asks M (ecall) to clear it.
  ecall
  j fail
test_25_m:
  li a1, MIP_STIP
  csrc mip, a1
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_SUPERVISOR_ECALL)
  csrw mie, zero
  csrw mideleg, zero
  TEST_PASS
