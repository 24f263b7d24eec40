// Escape attempts: accesses that would reach host memory outside guest RAM if the emulator
// (its TLB fast paths in compiled code included) trusted a guest address. Every one must end
// in the architectural exception (priv spec 1.12, section 3.1.15 table 3.6, 3.1.16 for mtval,
// 4.3.2 for the walk) and never touch memory past RAM.
//
// Needs the default RAM of tiervm's virt board: 256 MiB at 0x8000_0000 (QEMU: -m 256M).
// Case 1 checks that the last bytes of RAM exist; cases past the end expect a fault there.
//
// mtval for a misaligned access that straddles the end of RAM: the address of "the portion
// of the access that caused the fault" (3.1.16). An implementation that performs the access
// as one piece reports the access's own address; one that splits it reports the first
// address past RAM. Both are accepted (CHECK_TVAL2); everything else is exact.
// QEMU 7.2 departs from the spec in a few cases (AMO causes, failed PTE reads, a 32-bit
// instruction in the last halfword of RAM): docs/reliability.md lists them.
#include "test_macros.h"

#define RAM_END 0x90000000
#define FAR_PA 0x00fffffffffff000 /* the last page of the 56-bit physical address space */
#define FAR_PPN 0xfffffffffff /* its PPN (44 bits) */

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_A 0x40
#define PTE_D 0x80
#define PTE_LEAF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define SATP_SV39 (8 << 60)

// The last 16 bytes of RAM hold 0xa0..0xaf; the xor of the nine doublewords that fit there
// (at RAM_END - 16 + i, i = 0..8).
#define XOR_OF_LOADS 0xa7aea5aca3aaa1a8

// Virtual layout for the Sv39 cases (root[1] through l1_table / l0_table).
#define VA_PAST 0x40000000 /* 4 KiB leaf -> RAM_END */
#define VA_FAR 0x40001000 /* 4 KiB leaf -> FAR_PA */
#define VA_LAST 0x40002000 /* 4 KiB leaf -> last page of RAM; VA_LAST + 0x1000 -> RAM_END */
#define VA_BAD_TABLE 0x40200000 /* l1 pointer to a "table" at RAM_END */
#define VA_FAR_TABLE 0x40400000 /* l1 pointer to a "table" at FAR_PA */
#define VA_MEGA_END 0x40600000 /* 2 MiB leaf -> last 2 MiB of RAM; the next 2 MiB invalid */
#define VA_MEGA_FAR 0x40a00000 /* 2 MiB leaf -> top 2 MiB of the physical address space */
#define VA_GIGA_FAR 0xc0000000 /* 1 GiB leaf -> top 1 GiB of the physical address space */
// root[2] maps VA 0x8000_0000.. 1:1 with a 1 GiB leaf: RAM, then 768 MiB of nothing.

// Fails the running case unless reg equals a or b.
#define CHECK_TVAL2(reg, a, b) \
  li EXPECTED, a;              \
  beq reg, EXPECTED, 9902f;    \
  CHECK_EQ(reg, b);            \
  9902:

// Case n: `code` (in M) traps with `cause` and mtval = `tval`.
#define TEST_FAULT_M(n, cause, tval, ...) \
  TEST_TRAP_M(n, cause, __VA_ARGS__);     \
  M_TVAL(t5);                             \
  CHECK_EQ(t5, tval)
// The same, for a misaligned access at `addr` straddling the end of RAM (see above).
#define TEST_STRADDLE_M(n, cause, addr, ...) \
  TEST_TRAP_M(n, cause, __VA_ARGS__);        \
  M_TVAL(t5);                                \
  CHECK_TVAL2(t5, addr, RAM_END)
// Case n: `code` in S traps to M with `cause` and mtval = `tval`.
#define TEST_FAULT_S(n, cause, tval, ...) \
  TEST_FAULT_M(n, cause, tval, GOTO_MODE(PRV_S); __VA_ARGS__)

// table[index] = PTE with physical page number `ppn` (clobbers t0-t1).
#define SET_PTE_PPN(table, index, ppn, flags) \
  li t0, ppn;                                 \
  slli t0, t0, 10;                            \
  ori t0, t0, flags;                          \
  la t1, table;                               \
  sd t0, (index) * 8(t1)
#define SET_PTE_PA(table, index, pa, flags) SET_PTE_PPN(table, index, (pa) >> 12, flags)
#define SET_PTE_TO(table, index, label, flags) \
  la t2, label;                                \
  srli t2, t2, 12;                             \
  slli t0, t2, 10;                             \
  ori t0, t0, flags;                           \
  la t1, table;                                \
  sd t0, (index) * 8(t1)

// Case n: an edge loop. For i = 0..15, the access (the last argument, with a1 = base + i) runs in `mode` (PRV_S or
// PRV_M) and comes back with ecall, or faults with `cause`. Each pass re-enters the same
// code, so in the JIT tiers the later passes run compiled code with a warm TLB entry for the
// page: the inline fast path itself must refuse the accesses that leave RAM. Expects the
// first `ok` passes to succeed and the rest to fault at an address in [RAM_END - 8, RAM_END].
// s2 = i, s4 = faults, s5 = xor of a0 after the successful passes.
#define EDGE_LOOP(n, mode, ecall_cause, base, cause, ok, ...) \
  test_##n: TEST_NUMBER(n);                                    \
  li s2, 0;                                                    \
  li s4, 0;                                                    \
  li s5, 0;                                                    \
  test_##n##_pass: M_RESUME_AT(test_##n##_back);               \
  li a1, base;                                                 \
  add a1, a1, s2;                                              \
  li a0, 0;                                                    \
  .if (mode) != PRV_M; GOTO_MODE(mode); .endif;                \
  __VA_ARGS__;                                                 \
  ecall;                                                       \
  j fail;                                                      \
  test_##n##_back: M_CAUSE(t5);                                \
  li EXPECTED, ecall_cause;                                    \
  bne t5, EXPECTED, test_##n##_fault;                          \
  bnez s4, fail; /* a success after a fault */                 \
  xor s5, s5, a0;                                              \
  j test_##n##_next;                                           \
  test_##n##_fault: CHECK_EQ(t5, cause);                       \
  li t0, (ok);                                                 \
  bltu s2, t0, fail; /* fault where the access fits */         \
  M_TVAL(t5);                                                  \
  li t0, RAM_END - 8;                                          \
  bltu t5, t0, fail;                                           \
  li t0, RAM_END;                                              \
  bgtu t5, t0, fail;                                           \
  addi s4, s4, 1;                                              \
  test_##n##_next: addi s2, s2, 1;                             \
  li t0, 16;                                                   \
  bltu s2, t0, test_##n##_pass;                                \
  CHECK_EQ(s4, 16 - (ok))

  .option norvc
  .text
  .globl test_main
test_main:
  // The last 16 bytes of RAM hold 0xa0, 0xa1, ..., 0xaf.
  li a1, RAM_END - 16
  li a2, 0xa7a6a5a4a3a2a1a0
  sd a2, 0(a1)
  li a2, 0xafaeadacabaaa9a8
  sd a2, 8(a1)

  // ---- M mode, physical addresses: the last bytes of RAM and just past them.
  TEST_CASE(1, a0, 0xafaeadacabaaa9a8, li a1, RAM_END - 8; ld a0, 0(a1))
  TEST_CASE(2, a0, 0xaf, li a1, RAM_END - 1; lbu a0, 0(a1))
  TEST_CASE(3, a0, 0xafae, li a1, RAM_END - 2; lhu a0, 0(a1))
  TEST_CASE(4, a0, 0xafaeadac, li a1, RAM_END - 4; lwu a0, 0(a1))
  TEST_FAULT_M(5, CAUSE_LOAD_ACCESS, RAM_END, li a1, RAM_END; lb a0, 0(a1))
  TEST_FAULT_M(6, CAUSE_LOAD_ACCESS, RAM_END, li a1, RAM_END; ld a0, 0(a1))
  TEST_FAULT_M(7, CAUSE_STORE_ACCESS, RAM_END, li a1, RAM_END; sb a0, 0(a1))
  TEST_FAULT_M(8, CAUSE_STORE_ACCESS, RAM_END, li a1, RAM_END; sd a0, 0(a1))
  TEST_FAULT_M(9, CAUSE_LOAD_ACCESS, RAM_END + 0x1000, li a1, RAM_END + 0x1000; lw a0, 0(a1))
  // Misaligned accesses whose last bytes lie past RAM.
  TEST_STRADDLE_M(10, CAUSE_LOAD_ACCESS, RAM_END - 1, li a1, RAM_END - 1; lh a0, 0(a1))
  TEST_STRADDLE_M(11, CAUSE_LOAD_ACCESS, RAM_END - 2, li a1, RAM_END - 2; lw a0, 0(a1))
  TEST_STRADDLE_M(12, CAUSE_LOAD_ACCESS, RAM_END - 4, li a1, RAM_END - 4; ld a0, 0(a1))
  TEST_STRADDLE_M(13, CAUSE_LOAD_ACCESS, RAM_END - 7, li a1, RAM_END - 7; ld a0, 0(a1))
  TEST_STRADDLE_M(14, CAUSE_STORE_ACCESS, RAM_END - 1, li a1, RAM_END - 1; sh a0, 0(a1))
  TEST_STRADDLE_M(15, CAUSE_STORE_ACCESS, RAM_END - 3, li a1, RAM_END - 3; sw a0, 0(a1))
  TEST_STRADDLE_M(16, CAUSE_STORE_ACCESS, RAM_END - 4, li a1, RAM_END - 4; sd a0, 0(a1))
  // Floating-point and compressed loads and stores take the same checks.
  TEST_CASE(17, a0, 0xafaeadacabaaa9a8, li a1, RAM_END - 8; fld fa0, 0(a1); fmv.x.d a0, fa0)
  TEST_FAULT_M(18, CAUSE_LOAD_ACCESS, RAM_END, li a1, RAM_END; fld fa0, 0(a1))
  TEST_FAULT_M(19, CAUSE_STORE_ACCESS, RAM_END, li a1, RAM_END; fsw fa0, 0(a1))
  TEST_STRADDLE_M(20, CAUSE_LOAD_ACCESS, RAM_END - 4, li a1, RAM_END - 4; fld fa0, 0(a1))
  TEST_FAULT_M(21, CAUSE_LOAD_ACCESS, RAM_END, li a1, RAM_END; .option rvc; c.ld a0, 0(a1); \
               .option norvc)
  TEST_FAULT_M(22, CAUSE_STORE_ACCESS, RAM_END, li a1, RAM_END; .option rvc; c.sw a0, 0(a1); \
               .option norvc)
  // Atomics: the last doubleword works; past RAM is a store/AMO (LR: load) access fault.
  TEST_CASE(23, a0, 0xafaeadacabaaa9a8, li a1, RAM_END - 8; li a2, 0; amoor.d a0, a2, (a1))
  TEST_CASE(24, a0, 0xafaeadac, li a1, RAM_END - 4; li a2, 0; amoadd.w a0, a2, (a1); \
            slli a0, a0, 32; srli a0, a0, 32)
  TEST_FAULT_M(25, CAUSE_STORE_ACCESS, RAM_END, li a1, RAM_END; amoswap.d a0, a2, (a1))
  TEST_FAULT_M(26, CAUSE_STORE_ACCESS, RAM_END, li a1, RAM_END; amoadd.w a0, a2, (a1))
  TEST_FAULT_M(27, CAUSE_LOAD_ACCESS, RAM_END, li a1, RAM_END; lr.d a0, (a1))
  TEST_FAULT_M(28, CAUSE_STORE_ACCESS, FAR_PA, li a1, FAR_PA; amomax.d a0, a2, (a1))

  // ---- M mode, physical addresses far from RAM (and addresses that wrap a host pointer).
  TEST_FAULT_M(30, CAUSE_LOAD_ACCESS, FAR_PA + 0xff8, li a1, FAR_PA + 0xff8; ld a0, 0(a1))
  TEST_FAULT_M(31, CAUSE_STORE_ACCESS, FAR_PA + 0xff8, li a1, FAR_PA + 0xff8; sd a0, 0(a1))
  // Past the 56 physical address bits.
  TEST_FAULT_M(32, CAUSE_LOAD_ACCESS, 0x0100000080000000, li a1, 0x0100000080000000; \
               ld a0, 0(a1))
  TEST_FAULT_M(33, CAUSE_LOAD_ACCESS, -8, li a1, -8; ld a0, 0(a1))
  TEST_FAULT_M(34, CAUSE_STORE_ACCESS, -8, li a1, -8; sd a0, 0(a1))
  // Below RAM (no device there on tiervm's board; QEMU's virt has its PCIe window there):
  // addr - RAM base wraps around. Above bit 55 set on RAM addresses: a translation that
  // dropped high bits would land in RAM.
  TEST_FAULT_M(35, CAUSE_LOAD_ACCESS, 0x7ffffff8, li a1, 0x7ffffff8; ld a0, 0(a1))
  TEST_FAULT_M(36, CAUSE_LOAD_ACCESS, 0x8000000080000000, li a1, 0x8000000080000000; \
               ld a0, 0(a1))
  TEST_FAULT_M(37, CAUSE_LOAD_ACCESS, 0x100000000, li a1, 0x100000000; ld a0, 0(a1))

  // ---- Instruction fetch at the end of RAM (section 3.1.16: for an instruction that
  // straddles, mepc is its first byte and mtval the portion that faulted).
  TEST_TRAP_M(40, CAUSE_FETCH_ACCESS, li a1, RAM_END; jr a1)
  TEST_CASE(41, a0, 0, M_EPC(a0); li a1, RAM_END; sub a0, a0, a1)
  TEST_CASE(42, a0, RAM_END, M_TVAL(a0))
  // A c.nop in the last halfword of RAM runs, then the fetch after it faults.
  li a1, RAM_END - 2
  li a2, 0x0001
  sh a2, 0(a1)
  fence.i
  TEST_TRAP_M(43, CAUSE_FETCH_ACCESS, li a1, RAM_END - 2; jr a1)
  TEST_CASE(44, a0, RAM_END, M_EPC(a0))
  TEST_CASE(45, a0, RAM_END, M_TVAL(a0))
  // The first half of a 32-bit instruction in the last halfword of RAM.
  li a1, RAM_END - 2
  li a2, 0x0013
  sh a2, 0(a1)
  fence.i
  TEST_TRAP_M(46, CAUSE_FETCH_ACCESS, li a1, RAM_END - 2; jr a1)
  TEST_CASE(47, a0, RAM_END - 2, M_EPC(a0))
  TEST_CASE(48, a0, RAM_END, M_TVAL(a0))
  TEST_FAULT_M(49, CAUSE_FETCH_ACCESS, FAR_PA, li a1, FAR_PA; jr a1)
  TEST_FAULT_M(50, CAUSE_FETCH_ACCESS, 0x0100000080000000, li a1, 0x0100000080000000; jr a1)
  // Restore the pattern the c.nop and the 32-bit parcel overwrote.
  li a1, RAM_END - 2
  li a2, 0xafae
  sh a2, 0(a1)

  // ---- Edge loops in M: the same compiled access, warm TLB, walking off the end.
  EDGE_LOOP(51, PRV_M, CAUSE_MACHINE_ECALL, RAM_END - 16, CAUSE_LOAD_ACCESS, 9, ld a0, 0(a1))
  CHECK_EQ(s5, XOR_OF_LOADS)
  EDGE_LOOP(52, PRV_M, CAUSE_MACHINE_ECALL, RAM_END - 16, CAUSE_LOAD_ACCESS, 13, lw a0, 0(a1))
  EDGE_LOOP(53, PRV_M, CAUSE_MACHINE_ECALL, RAM_END - 16, CAUSE_STORE_ACCESS, 9, sd zero, 0(a1))
  EDGE_LOOP(54, PRV_M, CAUSE_MACHINE_ECALL, RAM_END - 16, CAUSE_STORE_ACCESS, 15, sh zero, 0(a1))
  // The stores wrote zeros up to the last byte and nothing past it.
  TEST_CASE(55, a0, 0, li a1, RAM_END - 8; ld a0, 0(a1))

  // ---- Sv39 page tables that point outside RAM (built in M, used from S).
  li a1, RAM_END - 8
  li a2, 0x1122334455667788
  sd a2, 0(a1)
  SET_PTE_PA(root, 0, 0x0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE_TO(root, 1, l1_table, PTE_V)
  SET_PTE_PA(root, 2, 0x80000000, PTE_LEAF)
  SET_PTE_PPN(root, 3, FAR_PPN & ~0x3ffff, PTE_LEAF)
  SET_PTE_TO(l1_table, 0, l0_table, PTE_V)
  SET_PTE_PA(l1_table, 1, RAM_END, PTE_V)
  SET_PTE_PPN(l1_table, 2, FAR_PPN, PTE_V)
  SET_PTE_PA(l1_table, 3, RAM_END - 0x200000, PTE_LEAF)
  SET_PTE_PPN(l1_table, 5, FAR_PPN & ~0x1ff, PTE_LEAF)
  SET_PTE_PA(l0_table, 0, RAM_END, PTE_LEAF)
  SET_PTE_PPN(l0_table, 1, FAR_PPN, PTE_LEAF)
  SET_PTE_PA(l0_table, 2, RAM_END - 0x1000, PTE_LEAF)
  SET_PTE_PA(l0_table, 3, RAM_END, PTE_LEAF)
  la a1, root
  srli a1, a1, 12
  li a2, SATP_SV39
  or a1, a1, a2
  csrw satp, a1
  sfence.vma

  // Leaves whose physical page is past RAM or at the top of the physical address space:
  // access faults (not page faults: the translation is valid), mtval = the virtual address.
  TEST_IN_S(60, li a1, VA_LAST + 0xff8; ld s3, 0(a1))
  CHECK_EQ(s3, 0x1122334455667788)
  TEST_FAULT_S(61, CAUSE_LOAD_ACCESS, VA_PAST, li a1, VA_PAST; ld a0, 0(a1))
  TEST_FAULT_S(62, CAUSE_STORE_ACCESS, VA_PAST + 8, li a1, VA_PAST; sd a0, 8(a1))
  TEST_FAULT_S(63, CAUSE_FETCH_ACCESS, VA_PAST, li a1, VA_PAST; jr a1)
  TEST_FAULT_S(64, CAUSE_STORE_ACCESS, VA_PAST, li a1, VA_PAST; amoadd.d a0, a0, (a1))
  TEST_FAULT_S(65, CAUSE_LOAD_ACCESS, VA_FAR + 0xff8, li a1, VA_FAR + 0xff8; ld a0, 0(a1))
  TEST_FAULT_S(66, CAUSE_STORE_ACCESS, VA_FAR, li a1, VA_FAR; sw a0, 0(a1))
  TEST_FAULT_S(67, CAUSE_FETCH_ACCESS, VA_FAR, li a1, VA_FAR; jr a1)
  // A misaligned access from the last RAM page (mapped) into the next virtual page, whose
  // leaf points past RAM.
  TEST_IN_S(68, li a1, VA_LAST + 0xffc; lwu s3, 0(a1))
  CHECK_EQ(s3, 0x11223344)
  TEST_TRAP_M(69, CAUSE_LOAD_ACCESS, GOTO_MODE(PRV_S); li a1, VA_LAST + 0xffc; ld a0, 0(a1))
  M_TVAL(t5)
  CHECK_TVAL2(t5, VA_LAST + 0xffc, VA_LAST + 0x1000)
  TEST_TRAP_M(70, CAUSE_STORE_ACCESS, GOTO_MODE(PRV_S); li a1, VA_LAST + 0xffe; sw a0, 0(a1))
  M_TVAL(t5)
  CHECK_TVAL2(t5, VA_LAST + 0xffe, VA_LAST + 0x1000)

  // Walks whose next-level table lies past RAM or at the top of the physical address
  // space: the PTE read itself fails, an access fault for the original access type.
  TEST_FAULT_S(71, CAUSE_LOAD_ACCESS, VA_BAD_TABLE, li a1, VA_BAD_TABLE; ld a0, 0(a1))
  TEST_FAULT_S(72, CAUSE_STORE_ACCESS, VA_BAD_TABLE + 0x1ff8, li a1, VA_BAD_TABLE + 0x1ff8; \
               sd a0, 0(a1))
  TEST_FAULT_S(73, CAUSE_FETCH_ACCESS, VA_BAD_TABLE, li a1, VA_BAD_TABLE; jr a1)
  TEST_FAULT_S(74, CAUSE_LOAD_ACCESS, VA_FAR_TABLE + 0x8, li a1, VA_FAR_TABLE; ld a0, 8(a1))
  TEST_FAULT_S(75, CAUSE_STORE_ACCESS, VA_FAR_TABLE, li a1, VA_FAR_TABLE; amoor.w a0, a0, (a1))

  // Superpages. A 2 MiB leaf over the last 2 MiB of RAM: its last doubleword reads, and a
  // misaligned access past its end reaches the next (invalid) 2 MiB: a page fault there.
  // (The value is stored again: the misaligned store of case 70 faults on its bytes past
  // RAM after writing the ones before, on QEMU and on tiervm; no case depends on that.)
  li a1, RAM_END - 8
  li a2, 0x1122334455667788
  sd a2, 0(a1)
  TEST_IN_S(76, li a1, VA_MEGA_END + 0x1ffff8; ld s3, 0(a1))
  CHECK_EQ(s3, 0x1122334455667788)
  TEST_TRAP_M(77, CAUSE_LOAD_PAGE_FAULT, GOTO_MODE(PRV_S); li a1, VA_MEGA_END + 0x1ffffc; \
              ld a0, 0(a1))
  M_TVAL(t5)
  CHECK_TVAL2(t5, VA_MEGA_END + 0x1ffffc, VA_MEGA_END + 0x200000)
  TEST_FAULT_S(78, CAUSE_LOAD_ACCESS, VA_MEGA_FAR + 0x1ffff8, li a1, VA_MEGA_FAR + 0x1ffff8; \
               ld a0, 0(a1))
  TEST_FAULT_S(79, CAUSE_STORE_ACCESS, VA_MEGA_FAR, li a1, VA_MEGA_FAR; sd a0, 0(a1))
  TEST_FAULT_S(80, CAUSE_LOAD_ACCESS, VA_GIGA_FAR + 0x3ffffff8, li a1, VA_GIGA_FAR + 0x3ffffff8; \
               ld a0, 0(a1))
  TEST_FAULT_S(81, CAUSE_FETCH_ACCESS, VA_GIGA_FAR, li a1, VA_GIGA_FAR; jr a1)
  // The 1 GiB identity leaf the S code runs in straddles the end of RAM (256 MiB of RAM,
  // then 768 MiB of nothing).
  TEST_FAULT_S(82, CAUSE_LOAD_ACCESS, RAM_END, li a1, RAM_END; ld a0, 0(a1))
  TEST_FAULT_S(83, CAUSE_STORE_ACCESS, RAM_END + 0x3000, li a1, RAM_END + 0x3000; sb a0, 0(a1))
  TEST_FAULT_S(84, CAUSE_FETCH_ACCESS, RAM_END, li a1, RAM_END; jr a1)
  TEST_FAULT_S(85, CAUSE_LOAD_ACCESS, 0xbffffff8, li a1, 0xbffffff8; ld a0, 0(a1))
  TEST_TRAP_M(86, CAUSE_LOAD_ACCESS, GOTO_MODE(PRV_S); li a1, RAM_END - 4; ld a0, 0(a1))
  M_TVAL(t5)
  CHECK_TVAL2(t5, RAM_END - 4, RAM_END)

  // Edge loops in S through the straddling 1 GiB leaf and through VA_LAST.
  li a1, RAM_END - 16
  li a2, 0xa7a6a5a4a3a2a1a0
  sd a2, 0(a1)
  li a2, 0xafaeadacabaaa9a8
  sd a2, 8(a1)
  EDGE_LOOP(87, PRV_S, CAUSE_SUPERVISOR_ECALL, RAM_END - 16, CAUSE_LOAD_ACCESS, 9, ld a0, 0(a1))
  CHECK_EQ(s5, XOR_OF_LOADS)
  EDGE_LOOP(88, PRV_S, CAUSE_SUPERVISOR_ECALL, RAM_END - 16, CAUSE_STORE_ACCESS, 13, sw zero, 0(a1))

  // The root table itself past RAM: the first fetch in S fails its walk.
  test_89: TEST_NUMBER(89)
  li a1, SATP_SV39 | (RAM_END >> 12)
  csrw satp, a1
  sfence.vma
  M_RESUME_AT(test_89_resume)
  GOTO_MODE(PRV_S)
test_89_in_s:
  j fail
test_89_resume:
  M_CAUSE(t5)
  CHECK_EQ(t5, CAUSE_FETCH_ACCESS)
  M_TVAL(t5)
  la EXPECTED, test_89_in_s
  bne t5, EXPECTED, fail
  M_EPC(t5)
  bne t5, EXPECTED, fail
  // And at the top of the physical address space, for a load through MPRV.
  TEST_FAULT_M(90, CAUSE_LOAD_ACCESS, 0x80000000, li a1, SATP_SV39 | FAR_PPN; csrw satp, a1; \
               sfence.vma; li a1, MSTATUS_MPRV | MSTATUS_MPP_S; csrs mstatus, a1; \
               li a1, 0x80000000; ld a0, 0(a1))
  li a1, MSTATUS_MPRV | MSTATUS_MPP
  csrc mstatus, a1

  csrw satp, zero
  sfence.vma
  TEST_PASS

  .bss
  .balign 4096
root:
  .skip 4096
l1_table:
  .skip 4096
l0_table:
  .skip 4096
