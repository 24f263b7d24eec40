// Page-table helpers for the roms that run S-mode code under Sv39 (priv spec 4.3-4.4): the
// PTE bits, satp modes, and macros that write one PTE from M-mode (bare) code.
#pragma once

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80
#define SATP_SV39 (8 << 60)
#define SATP_SV48 (9 << 60)

// table[index] = leaf or pointer PTE for the physical address in reg `pa` (clobbers t0, t1).
#define SET_PTE(table, index, pa, flags) \
  srli t0, pa, 12;                       \
  slli t0, t0, 10;                       \
  ori t0, t0, flags;                     \
  la t1, table;                          \
  sd t0, (index) * 8(t1)
// The same for the address of `label`, or the constant `addr` (both also clobber t2).
#define SET_PTE_TO(table, index, label, flags) \
  la t2, label;                                \
  SET_PTE(table, index, t2, flags)
#define SET_PTE_PA(table, index, addr, flags) \
  li t2, addr;                                \
  SET_PTE(table, index, t2, flags)
// table[index] = 0: not valid (clobbers t1).
#define CLEAR_PTE(table, index) \
  la t1, table;                 \
  sd zero, (index) * 8(t1)

// Three page-aligned tables in .bss, for a window of virtual pages: root (the satp root),
// l1_table and l0_table.
#define SV39_TABLES \
  .bss;             \
  .balign 4096;     \
  root:             \
  .skip 4096;       \
  l1_table:         \
  .skip 4096;       \
  l0_table:         \
  .skip 4096
