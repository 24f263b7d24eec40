// A hot loop that spans two virtual pages under Sv39, in S-mode: its head (three
// instructions at the end of page A) jumps into page B, whose block branches back. An
// emulator may compile the loop as one unit across the page boundary, but only while both
// virtual pages map where they did: remapping either page (with sfence.vma, priv spec
// 4.2.1) must run the new page's code from the next crossing on, and unmapping it must
// fault on the first fetch there (priv spec 4.3.2), with the loop's work before the fault
// done. Each physical page adds its own constant to a0, so a0 says which code ran.
//
// Virtual layout: VA_A -> page_a (or page_a2), VA_B = VA_A + 0x1000 -> page_b (or
// page_b2). page_a/page_a2 at 0xff0: addi t3, t3, -1; addi a0, a0, A; j VA_B + 0x10.
// page_b/page_b2 at 0x10: addi a0, a0, B; bnez t3, VA_A + 0xff0; ecall.
// Entered at VA_A + 0xff0 with t3 = N: a0 = N * (A + B). Entered at VA_B + 0x10: the B
// block runs N + 1 times, the A block N times.
#include "sv39.h"
#include "test_macros.h"

#define PTE_CODE (PTE_V | PTE_R | PTE_X | PTE_A)

#define VA_A 0x40000000 /* l0[0] */
#define VA_B 0x40001000 /* l0[1] */
#define HEAD 0xff0      /* the loop head's offset in page A */
#define BODY 0x10       /* the B block's offset in page B */
#define N 20000

#define ADD_A 1
#define ADD_A2 0x100
#define ADD_B 0x10
#define ADD_B2 0x400

// The window's virtual page `index` maps the code page at `label`, or nothing.
#define MAP(index, label)                          \
  SET_PTE_TO(l0_table, index, label, PTE_CODE);    \
  sfence.vma
#define UNMAP(index)            \
  CLEAR_PTE(l0_table, index);   \
  sfence.vma

// Runs the loop in S from `va` with t3 = `count`, a0 = 0, until its ecall (or a fault)
// brings the hart back to M. Before it, S loads from `touch` (a page mapped R and X): the
// TLB then holds that page's new mapping before the loop first crosses into it.
#define RUN_IN_S(n, va, count, touch) \
  M_RESUME_AT(test_##n##_back);       \
  GOTO_MODE(PRV_S);                   \
  li a2, touch;                       \
  ld a2, 0(a2);                       \
  li a0, 0;                           \
  li t3, count;                       \
  li a1, va;                          \
  jr a1;                              \
  test_##n##_back:

  .option norvc

  .text
  .globl test_main
test_main:
  // ---- tables (M, bare): devices and RAM as identity gigapages, the window at VA_A.
  SET_PTE_PA(root, 0, 0x0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_TO(root, 1, l1_table, PTE_V)
  SET_PTE_PA(root, 2, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
  SET_PTE_TO(l1_table, 0, l0_table, PTE_V)
  la a1, root
  srli a1, a1, 12
  li a2, SATP_SV39
  or a1, a1, a2
  csrw satp, a1
  MAP(0, page_a)
  MAP(1, page_b)

  // ---- the loop across the boundary, from its head and from its B block
  TEST_NUMBER(1)
  RUN_IN_S(1, VA_A + HEAD, N, VA_A)
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_SUPERVISOR_ECALL)
  TEST_CASE(2, a0, N * (ADD_A + ADD_B), )
  TEST_NUMBER(3)
  RUN_IN_S(3, VA_B + BODY, N, VA_A)
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_SUPERVISOR_ECALL)
  TEST_CASE(4, a0, (N + 1) * ADD_B + N * ADD_A, )

  // ---- page A remapped: entered in page B, the loop must find A2 at the crossing (the
  // TLB already maps page A to A2 when it first crosses)
  TEST_NUMBER(5)
  MAP(0, page_a2)
  RUN_IN_S(5, VA_B + BODY, N, VA_A)
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_SUPERVISOR_ECALL)
  TEST_CASE(6, a0, (N + 1) * ADD_B + N * ADD_A2, )
  // ...and page B remapped too: entered in page A.
  TEST_NUMBER(7)
  MAP(1, page_b2)
  RUN_IN_S(7, VA_A + HEAD, N, VA_B)
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_SUPERVISOR_ECALL)
  TEST_CASE(8, a0, N * (ADD_A2 + ADD_B2), )

  // ---- back to the first pages: their code again (whatever was compiled for them)
  TEST_NUMBER(9)
  MAP(0, page_a)
  MAP(1, page_b)
  RUN_IN_S(9, VA_A + HEAD, N, VA_B)
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_SUPERVISOR_ECALL)
  TEST_CASE(10, a0, N * (ADD_A + ADD_B), )

  // ---- page A unmapped while the loop runs from B: the first crossing faults at the
  // head, after one B block.
  TEST_NUMBER(11)
  UNMAP(0)
  RUN_IN_S(11, VA_B + BODY, N, VA_B)
  CHECK_M_TRAP(CAUSE_FETCH_PAGE_FAULT, VA_A + HEAD, VA_A + HEAD)
  TEST_CASE(12, a0, ADD_B, )
  // Page B unmapped, page A back: the A block runs once, then the fetch at B faults.
  TEST_NUMBER(13)
  MAP(0, page_a)
  UNMAP(1)
  RUN_IN_S(13, VA_A + HEAD, N, VA_A)
  CHECK_M_TRAP(CAUSE_FETCH_PAGE_FAULT, VA_B + BODY, VA_B + BODY)
  TEST_CASE(14, a0, ADD_A, )
  TEST_CASE(15, t3, N - 1, )

  csrw satp, zero
  sfence.vma
  TEST_PASS

  // The loop's pages: the A pages hold the head at HEAD, the B pages the body at BODY.
  // Jumps and branches are relative to the virtual layout (VA_B = VA_A + 0x1000).
#define HEAD_PAGE(label, add) \
  .balign 4096;               \
  label:                      \
  .skip HEAD;                 \
  addi t3, t3, -1;        \
  addi a0, a0, add;       \
  jal zero, . + (0x1000 + BODY - HEAD - 8)
#define BODY_PAGE(label, add)                 \
  .balign 4096;                               \
  label:                                      \
  .skip BODY;                                 \
  addi a0, a0, add;                           \
  bnez t3, . - (0x1000 + BODY + 4 - HEAD);    \
  ecall
  HEAD_PAGE(page_a, ADD_A)
  BODY_PAGE(page_b, ADD_B)
  HEAD_PAGE(page_a2, ADD_A2)
  BODY_PAGE(page_b2, ADD_B2)
  .balign 4096

  SV39_TABLES
