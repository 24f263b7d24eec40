// Physical memory protection (priv spec 1.12, section 3.7): NAPOT, TOR and NA4 regions,
// lowest-numbered match wins, partial matches fail, M is exempt unless the entry is
// locked (or MPRV makes M's data accesses S-mode ones), S/U accesses that match nothing
// fail, and locked entries ignore writes.
#include "test_macros.h"

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_TOR 0x08
#define PMP_NA4 0x10
#define PMP_NAPOT 0x18
#define PMP_L 0x80

// reg = pmpaddr value of the NAPOT region [label, label + size) (size a power of 2 >= 8).
#define NAPOT(reg, label, size) \
  la reg, label;                \
  addi reg, reg, (size) / 2 - 1; \
  srli reg, reg, 2

// Case n: `code` in S faults to M with `cause`; reg holds the expected mtval.
#define TEST_FAULT_IN_S(n, cause, reg, ...)              \
  TEST_TRAP_M(n, cause, GOTO_MODE(PRV_S); __VA_ARGS__); \
  M_TVAL(t5);                                           \
  bne t5, reg, fail

// After PMP changes, fence so no stale translation or permission is used (3.7.2).
#define PMP_SYNC sfence.vma

  .option norvc

  .text
  .globl test_main
test_main:
  // Move the crt's allow-all entry from 0 to 15, the lowest priority.
  li t0, -1
  csrw pmpaddr15, t0
  li t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56
  csrw pmpcfg2, t0
  csrw pmpcfg0, zero
  // 0: NAPOT page1, R.   1: base of 2.   2: TOR [page2, page2 + 0x800), R.
  // 3: NA4 at page2 + 0x900, no access.  4: NAPOT code page, R (no X).
  NAPOT(t0, pmp_page1, 4096)
  csrw pmpaddr0, t0
  la t0, pmp_page2
  srli t0, t0, 2
  csrw pmpaddr1, t0
  la t0, pmp_page2 + 0x800
  srli t0, t0, 2
  csrw pmpaddr2, t0
  la t0, pmp_page2 + 0x900
  srli t0, t0, 2
  csrw pmpaddr3, t0
  NAPOT(t0, pmp_code, 4096)
  csrw pmpaddr4, t0
  li s2, (PMP_NAPOT | PMP_R) | ((PMP_TOR | PMP_R) << 16) | (PMP_NA4 << 24) | \
         ((PMP_NAPOT | PMP_R) << 32)
  csrw pmpcfg0, s2
  PMP_SYNC
  la s3, pmp_page1
  la s4, pmp_page2

  // ---- the registers read back (G = 0: NAPOT addresses are exact)
  TEST_CASE(1, a0, 0, csrr a1, pmpcfg0; sub a0, a1, s2)
  TEST_CASE(2, a0, 0, csrr a1, pmpaddr0; NAPOT(a2, pmp_page1, 4096); sub a0, a1, a2)

  // ---- NAPOT read-only for S
  TEST_IN_S(3, ld s5, 0(s3))
  CHECK_EQ(s5, 0x5151515151515151)
  TEST_FAULT_IN_S(4, CAUSE_STORE_ACCESS, s3, sd zero, 0(s3))
  TEST_CASE(5, a0, 0x5151515151515151, ld a0, 0(s3))
  // M is not subject to unlocked entries.
  TEST_CASE(6, a0, 0x77, li a1, 0x77; sd a1, 8(s3); ld a0, 8(s3))
  // ...unless MPRV = 1 makes its loads and stores use MPP's privilege (3.1.6.3).
  TEST_TRAP_M(7, CAUSE_STORE_ACCESS, li a1, MSTATUS_MPP; csrc mstatus, a1; \
              li a1, MSTATUS_MPP_S | MSTATUS_MPRV; csrs mstatus, a1; sd zero, 16(s3))
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  TEST_CASE(8, a0, 1, M_TVAL(a1); addi a2, s3, 16; sub a0, a1, a2; seqz a0, a0)

  // ---- TOR [page2, page2 + 0x800): the top is exclusive
  TEST_IN_S(9, ld s5, 0x7f8(s4))
  addi a1, s4, 0x7f8
  TEST_FAULT_IN_S(11, CAUSE_STORE_ACCESS, a1, sd zero, 0(a1))
  TEST_IN_S(12, li a1, 0x800; add a1, a1, s4; li a2, 0x99; sd a2, 0(a1))
  TEST_CASE(13, a0, 0x99, li a1, 0x800; add a1, a1, s4; ld a0, 0(a1))
  TEST_FAULT_IN_S(14, CAUSE_STORE_ACCESS, s4, sw zero, 0(s4))

  // ---- NA4: exactly one word, no permissions
  li a1, 0x900
  add a1, a1, s4
  TEST_FAULT_IN_S(16, CAUSE_LOAD_ACCESS, a1, lw a0, 0(a1))
  TEST_IN_S(17, lw a0, 4(a1); lw a0, -4(a1))
  // An access that only partly matches an entry fails (3.7.1).
  TEST_TRAP_M(18, CAUSE_LOAD_ACCESS, GOTO_MODE(PRV_S); lw a0, -2(a1))

  // ---- no X: S cannot fetch from the code page, M can
  TEST_CASE(19, a0, 42, call pmp_code)
  TEST_TRAP_M(20, CAUSE_FETCH_ACCESS, GOTO_MODE(PRV_S); call pmp_code)
  TEST_CASE(21, a0, 0, M_TVAL(a1); la a2, pmp_code; sub a0, a1, a2)

  // ---- S accesses that match no entry fail
  // 15 off; 14 = NAPOT [0x8000_0000, +1 MiB) RWX covers this rom, not 0x8020_0000.
  csrw pmpcfg2, zero
  li t0, (0x80000000 + 0x80000 - 1) >> 2
  csrw pmpaddr14, t0
  li t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 48
  csrw pmpcfg2, t0
  PMP_SYNC
  TEST_IN_S(22, ld s5, 0(s3); li a1, 0x800; add a1, a1, s4; ld s5, 0(a1))
  li s5, 0x80200000
  TEST_FAULT_IN_S(23, CAUSE_LOAD_ACCESS, s5, ld a0, 0(s5))
  TEST_FAULT_IN_S(24, CAUSE_STORE_ACCESS, s5, sd a0, 0(s5))
  TEST_CASE(25, a0, 0, sd zero, 0(s5); ld a0, 0(s5))
  // (With every entry off, S must still be denied: the rule is "at least one PMP entry is
  // implemented", not "active". QEMU 7.2, the reference, allows S then, so that is not
  // checked.)

  // ---- locked entries (last: a lock lasts until reset)
  // Allow-all again at 15; 5 = NAPOT page3, R, locked: binds M too.
  li t0, -1
  csrw pmpaddr15, t0
  li t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56
  csrw pmpcfg2, t0
  NAPOT(t0, pmp_page3, 4096)
  csrw pmpaddr5, t0
  // 6/7: TOR [page4, page4 + 0x1000) RWX locked; the lock also freezes pmpaddr6.
  la t0, pmp_page4
  srli t0, t0, 2
  csrw pmpaddr6, t0
  la t0, pmp_page4 + 0x1000
  srli t0, t0, 2
  csrw pmpaddr7, t0
  li s2, ((PMP_L | PMP_NAPOT | PMP_R) << 40) | ((PMP_L | PMP_TOR | PMP_R | PMP_W | PMP_X) << 56)
  csrw pmpcfg0, s2
  PMP_SYNC
  la s3, pmp_page3
  TEST_CASE(27, a0, 0x5353535353535353, ld a0, 0(s3))
  TEST_TRAP_M(28, CAUSE_STORE_ACCESS, sd zero, 0(s3))
  TEST_CASE(29, a0, 0x5353535353535353, ld a0, 0(s3))
  // Writes to a locked entry's cfg byte and address are ignored.
  TEST_CASE(30, a0, 0, li a1, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) * 0x0100010000000000; \
            csrw pmpcfg0, a1; csrr a1, pmpcfg0; sub a0, a1, s2)
  TEST_CASE(31, a0, 0, NAPOT(a2, pmp_page3, 4096); csrw pmpaddr5, zero; csrr a1, pmpaddr5; \
            sub a0, a1, a2)
  TEST_CASE(32, a0, 0, la a2, pmp_page4; srli a2, a2, 2; csrw pmpaddr6, zero; \
            csrr a1, pmpaddr6; sub a0, a1, a2)
  // M can still use the locked RWX range.
  TEST_CASE(33, a0, 0x44, la a1, pmp_page4; li a2, 0x44; sd a2, 0(a1); ld a0, 0(a1))
  TEST_PASS

  // A function alone in its page, which entry 4 makes non-executable for S.
  .balign 4096
pmp_code:
  li a0, 42
  ret
  .balign 4096

  .data
  .balign 4096
pmp_page1:
  .rept 512
  .dword 0x5151515151515151
  .endr
pmp_page2:
  .rept 512
  .dword 0x5252525252525252
  .endr
pmp_page3:
  .rept 512
  .dword 0x5353535353535353
  .endr
pmp_page4:
  .rept 512
  .dword 0x5454545454545454
  .endr
