#include "mem/mmu.h"

#include <gtest/gtest.h>

#include <vector>

#include "mem/bus.h"
#include "mem/pmp.h"

namespace tiervm {
namespace {

// PTE bits (priv spec 1.12, section 4.4.1).
constexpr uint64_t V = 1 << 0, R = 1 << 1, W = 1 << 2, X = 1 << 3, U = 1 << 4, G = 1 << 5,
                   A = 1 << 6, D = 1 << 7;
constexpr uint64_t kRam = 0x8000'0000;
constexpr uint64_t kRamSize = 0x100'0000;  // 16 MiB

constexpr uint64_t kSv39 = 8, kSv48 = 9;

constexpr Access Rd = Access::Read, Wr = Access::Write, Ex = Access::Exec;
constexpr MemFault None = MemFault::None, Page = MemFault::Page, Acc = MemFault::AccessFault;

// A PTE pointing at physical address `pa` (PPN in bits 53:10).
constexpr uint64_t pte(uint64_t pa, uint64_t flags) {
  return ((pa >> 12) << 10) | flags;
}
// VPN[level] of a virtual address (9 bits per level above the 12-bit offset).
constexpr uint64_t vpn(uint64_t va, int level) {
  return (va >> (12 + 9 * level)) & 0x1ff;
}

class Mmu : public ::testing::Test {
 protected:
  void SetUp() override { bus.map_ram(kRam, kRamSize); }

  uint64_t alloc_table() {
    uint64_t page = next_table;
    next_table += 0x1000;
    return page;
  }
  uint64_t read64(uint64_t pa) {
    uint64_t v = 0;
    EXPECT_TRUE(bus.read(pa, 8, v));
    return v;
  }
  void write64(uint64_t pa, uint64_t v) { ASSERT_TRUE(bus.write(pa, 8, v)); }

  // Sets up a root table for `mode` and returns satp.
  uint64_t make_root(uint64_t mode) {
    root = alloc_table();
    levels = mode == kSv39 ? 3 : 4;
    return (mode << 60) | (root >> 12);
  }
  // Maps va -> pa with a leaf at `leaf_level`, creating pointer tables as needed (pointer
  // PTEs get `pointer_flags`). Returns the physical address of the leaf PTE.
  uint64_t map(uint64_t va, uint64_t pa, uint64_t flags, int leaf_level = 0,
               uint64_t pointer_flags = V) {
    uint64_t table = root;
    for (int level = levels - 1; level > leaf_level; --level) {
      uint64_t slot = table + vpn(va, level) * 8;
      uint64_t entry = read64(slot);
      if ((entry & V) == 0) {
        entry = pte(alloc_table(), pointer_flags);
        write64(slot, entry);
      }
      table = ((entry >> 10) & ((uint64_t{1} << 44) - 1)) << 12;
    }
    uint64_t slot = table + vpn(va, leaf_level) * 8;
    write64(slot, pte(pa, flags));
    return slot;
  }

  Translation tr(uint64_t satp, Priv priv, uint64_t va, Access access, bool sum = false,
                 bool mxr = false) {
    MmuContext ctx;
    ctx.satp = satp;
    ctx.priv = priv;
    ctx.sum = sum;
    ctx.mxr = mxr;
    return translate(bus, pmp, ctx, va, access);
  }

  Bus bus;
  Pmp pmp;
  uint64_t next_table = kRam + 0x1000;
  uint64_t root = 0;
  int levels = 3;
};

TEST_F(Mmu, Sv39PageReadSetsAccessedOnly) {
  uint64_t satp = make_root(kSv39);
  uint64_t leaf = map(0x1234'5000, 0x8040'0000, V | R | W);
  Translation t = tr(satp, Priv::S, 0x1234'5678, Rd);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(t.paddr, 0x8040'0678u);
  EXPECT_EQ(read64(leaf), pte(0x8040'0000, V | R | W | A));
  EXPECT_TRUE(t.can_read);
  EXPECT_FALSE(t.can_write);  // D still clear: the first store must walk
  EXPECT_FALSE(t.can_exec);
}

TEST_F(Mmu, Sv39PageWriteSetsDirty) {
  uint64_t satp = make_root(kSv39);
  uint64_t leaf = map(0x1234'5000, 0x8040'0000, V | R | W);
  Translation t = tr(satp, Priv::S, 0x1234'5ff8, Wr);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(t.paddr, 0x8040'0ff8u);
  EXPECT_EQ(read64(leaf), pte(0x8040'0000, V | R | W | A | D));
  EXPECT_TRUE(t.can_read);
  EXPECT_TRUE(t.can_write);
}

TEST_F(Mmu, AccessedAndDirtyAlreadySetLeavePteAlone) {
  uint64_t satp = make_root(kSv39);
  uint64_t leaf = map(0x5000, 0x8040'0000, V | R | W | X | G | A | D);
  Translation t = tr(satp, Priv::S, 0x5004, Wr);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(read64(leaf), pte(0x8040'0000, V | R | W | X | G | A | D));
  EXPECT_TRUE(t.can_read && t.can_write && t.can_exec);
}

TEST_F(Mmu, FaultingWalkDoesNotSetAccessed) {
  uint64_t satp = make_root(kSv39);
  uint64_t leaf = map(0x5000, 0x8040'0000, V | R);
  EXPECT_EQ(tr(satp, Priv::S, 0x5000, Wr).fault, Page);
  EXPECT_EQ(read64(leaf), pte(0x8040'0000, V | R));
}

TEST_F(Mmu, Sv39MegaPage) {
  uint64_t satp = make_root(kSv39);
  uint64_t leaf = map(0x0060'0000, 0x8060'0000, V | R | X, 1);
  Translation t = tr(satp, Priv::S, 0x0061'2345, Ex);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(t.paddr, 0x8061'2345u);
  EXPECT_EQ(read64(leaf), pte(0x8060'0000, V | R | X | A));
  EXPECT_TRUE(t.can_exec);
}

TEST_F(Mmu, Sv39GigaPage) {
  uint64_t satp = make_root(kSv39);
  map(0x4000'0000, 0x8000'0000, V | R | W | A | D, 2);
  Translation t = tr(satp, Priv::S, 0x4abc'def0, Rd);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(t.paddr, 0x8abc'def0u);
}

TEST_F(Mmu, MisalignedSuperpagesFault) {
  uint64_t satp = make_root(kSv39);
  map(0x0060'0000, 0x8060'1000, V | R | W | A | D, 1);  // PPN[0] != 0
  map(0x4000'0000, 0x8020'0000, V | R | W | A | D, 2);  // PPN[1] != 0
  map(0x8000'0000, 0x8000'1000, V | R | W | A | D, 2);  // PPN[0] != 0
  EXPECT_EQ(tr(satp, Priv::S, 0x0060'0000, Rd).fault, Page);
  EXPECT_EQ(tr(satp, Priv::S, 0x4000'0000, Rd).fault, Page);
  EXPECT_EQ(tr(satp, Priv::S, 0x8000'0000, Rd).fault, Page);
}

TEST_F(Mmu, Sv39NegativeAddress) {
  uint64_t satp = make_root(kSv39);
  // VPN[2] = 0x100: the first entry of the upper half.
  map(0xffff'ffc0'0000'5000, 0x8040'3000, V | R | A);
  Translation t = tr(satp, Priv::S, 0xffff'ffc0'0000'5010, Rd);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(t.paddr, 0x8040'3010u);
  EXPECT_EQ(read64(root + 0x100 * 8) & V, V);
}

TEST_F(Mmu, NonCanonicalAddressesPageFault) {
  uint64_t sv39 = make_root(kSv39);
  map(0, 0x8000'0000, V | R | W | X | A | D, 2);  // VPN[2] = 0 maps
  EXPECT_EQ(tr(sv39, Priv::S, 0x0000'0000'0000'1000, Rd).fault, None);
  EXPECT_EQ(tr(sv39, Priv::S, 0x0000'0040'0000'0000, Rd).fault, Page);  // bit 38 set alone
  EXPECT_EQ(tr(sv39, Priv::S, 0x0000'0080'0000'1000, Rd).fault, Page);  // bit 39 set
  EXPECT_EQ(tr(sv39, Priv::S, 0xffff'ff80'0000'1000, Wr).fault, Page);  // bit 38 clear
  EXPECT_EQ(tr(sv39, Priv::U, 0x8000'0000'0000'1000, Ex).fault, Page);

  uint64_t sv48 = make_root(kSv48);
  map(0, 0x8000'0000, V | R | W | X | A | D, 2);
  EXPECT_EQ(tr(sv48, Priv::S, 0x0000'0000'0000'1000, Rd).fault, None);
  EXPECT_EQ(tr(sv48, Priv::S, 0x0000'8000'0000'0000, Rd).fault, Page);
  EXPECT_EQ(tr(sv48, Priv::S, 0x0001'0000'0000'1000, Rd).fault, Page);
  EXPECT_EQ(tr(sv48, Priv::S, 0xffff'7fff'ffff'f000, Rd).fault, Page);
}

TEST_F(Mmu, Sv48Pages) {
  uint64_t satp = make_root(kSv48);
  uint64_t leaf = map(0x7f12'3456'7000, 0x8040'1000, V | R | W);
  map(0xffff'8000'0020'0000, 0x8080'0000, V | R | A, 1);  // 2 MiB, upper half
  map(0x0000'0001'4000'0000, 0x8000'0000, V | X | A, 2);  // 1 GiB
  map(0x0000'0080'0000'0000, 0x0, V | R | A, 3);          // 512 GiB
  Translation t = tr(satp, Priv::S, 0x7f12'3456'789a, Wr);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(t.paddr, 0x8040'189au);
  EXPECT_EQ(read64(leaf), pte(0x8040'1000, V | R | W | A | D));

  t = tr(satp, Priv::S, 0xffff'8000'003f'fff0, Rd);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(t.paddr, 0x809f'fff0u);

  t = tr(satp, Priv::S, 0x0000'0001'7fff'fffc, Ex);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(t.paddr, 0xbfff'fffcu);

  t = tr(satp, Priv::S, 0x0000'0080'1234'5678, Rd);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(t.paddr, 0x1234'5678u);

  // A 512 GiB page must be aligned to 2^39 bytes.
  map(0x0000'0100'0000'0000, 0x8000'0000, V | R | A, 3);
  EXPECT_EQ(tr(satp, Priv::S, 0x0000'0100'0000'0000, Rd).fault, Page);
}

struct LeafCase {
  uint64_t flags;
  Access access;
  Priv priv;
  bool sum;
  bool mxr;
  MemFault fault;
  bool can_r, can_w, can_x;  // checked when fault == None
};

TEST_F(Mmu, LeafPermissions) {
  constexpr Priv Su = Priv::S, Us = Priv::U, Mm = Priv::M;
  // Bit 63 is N (Svnapot), 62:61 PBMT (Svpbmt), 60:54 reserved: all must be zero here.
  constexpr uint64_t N = uint64_t{1} << 63, Pbmt = uint64_t{1} << 61, Rsvd = uint64_t{1} << 54;
  constexpr uint64_t Rsw = uint64_t{1} << 8;  // free for software
  // clang-format off
  const std::vector<LeafCase> cases = {
      // flags                    acc pri sum    mxr    fault r      w      x
      {R | W | X | A | D,         Rd, Su, false, false, Page, false, false, false},  // V=0
      {V | W | A | D,             Rd, Su, false, false, Page, false, false, false},  // W, no R
      {V | W | X | A | D,         Ex, Su, false, false, Page, false, false, false},  // W, no R
      {V | R | A | D,             Rd, Su, false, false, None, true,  false, false},
      {V | R | A | D,             Wr, Su, false, false, Page, false, false, false},
      {V | R | W | A | D,         Ex, Su, false, false, Page, false, false, false},
      {V | X | A,                 Rd, Su, false, false, Page, false, false, false},
      {V | X | A,                 Rd, Su, false, true,  None, true,  false, true},   // MXR
      {V | X | A,                 Ex, Su, false, false, None, false, false, true},
      {V | R | W | X | A | D,     Rd, Us, false, false, Page, false, false, false},  // S page
      {V | R | W | X | A | D,     Rd, Us, true,  false, Page, false, false, false},  // SUM: S only
      {V | R | W | X | U | A | D, Wr, Us, false, false, None, true,  true,  true},
      {V | R | W | X | U | A | D, Rd, Su, false, false, Page, false, false, false},  // U page
      {V | R | W | X | U | A | D, Rd, Su, true,  false, None, true,  true,  false},  // SUM
      {V | R | W | X | U | A | D, Wr, Su, true,  false, None, true,  true,  false},  // SUM
      {V | R | W | X | U | A | D, Ex, Su, true,  false, Page, false, false, false},  // never
      {V | X | U | A,             Rd, Su, true,  true,  None, true,  false, false},  // SUM+MXR
      {V | X | U | A,             Rd, Us, false, true,  None, true,  false, true},   // MXR in U
      {V | R | A | D | N,         Rd, Su, false, false, Page, false, false, false},
      {V | R | A | D | Pbmt,      Rd, Su, false, false, Page, false, false, false},
      {V | R | A | D | Rsvd,      Rd, Su, false, false, Page, false, false, false},
      {V | R | A | D | Rsw,       Rd, Su, false, false, None, true,  false, false},
      {0,                         Wr, Mm, false, false, None, true,  true,  true},   // M: no walk
  };
  // clang-format on
  uint64_t satp = make_root(kSv39);
  uint64_t leaf = map(0x7000, 0x8050'0000, 0);
  int line = 0;
  for (const LeafCase& c : cases) {
    SCOPED_TRACE(line++);
    write64(leaf, pte(0x8050'0000, c.flags));
    Translation t = tr(satp, c.priv, 0x7008, c.access, c.sum, c.mxr);
    EXPECT_EQ(t.fault, c.fault);
    if (c.fault != None) continue;
    EXPECT_EQ(t.paddr, c.priv == Priv::M ? 0x7008u : 0x8050'0008u);
    EXPECT_EQ(t.can_read, c.can_r);
    EXPECT_EQ(t.can_write, c.can_w);
    EXPECT_EQ(t.can_exec, c.can_x);
  }
}

struct PointerCase {
  uint64_t flags;
  MemFault fault;
};

TEST_F(Mmu, PointerPtes) {
  const std::vector<PointerCase> cases = {
      {V, None},     {V | G, None}, {0, Page},  // V=0
      {V | W, Page},                            // W without R is reserved
      {V | A, Page},                            // A, D and U are reserved in non-leaf PTEs
      {V | D, Page}, {V | U, Page}, {V | (uint64_t{1} << 62), Page},  // reserved bits 63:54
  };
  uint64_t satp = make_root(kSv39);
  map(0x7000, 0x8050'0000, V | R | A | D);
  uint64_t pointer = root + vpn(0x7000, 2) * 8;
  uint64_t level1 = ((read64(pointer) >> 10) << 12);
  for (const PointerCase& c : cases) {
    SCOPED_TRACE(c.flags);
    write64(pointer, pte(level1, c.flags));
    EXPECT_EQ(tr(satp, Priv::S, 0x7000, Rd).fault, c.fault);
  }
}

TEST_F(Mmu, PointerAtLastLevelFaults) {
  uint64_t satp = make_root(kSv39);
  map(0x7000, alloc_table(), V);  // level-0 PTE without R/W/X
  EXPECT_EQ(tr(satp, Priv::S, 0x7000, Rd).fault, Page);
}

TEST_F(Mmu, PmpOnPageTableIsAccessFault) {
  uint64_t satp = make_root(kSv39);
  map(0x7000, 0x8050'0000, V | R | W | A | D);
  // Entry 0 forbids S-mode access to the root table; entry 1 allows everything else.
  pmp.write_addr(0, (root >> 2) | 0x1ff);  // NAPOT 4 KiB
  pmp.write_addr(1, ~uint64_t{0});         // NAPOT everything
  pmp.write_cfg(0, (uint64_t{0x1f} << 8) | 0x18);
  EXPECT_EQ(tr(satp, Priv::S, 0x7000, Rd).fault, Acc);
  EXPECT_EQ(tr(satp, Priv::U, 0x7000, Rd).fault, Acc);
  // M-mode does not walk.
  EXPECT_EQ(tr(satp, Priv::M, 0x7000, Rd).fault, None);
}

TEST_F(Mmu, PmpForbiddingAccessedUpdateIsAccessFault) {
  uint64_t satp = make_root(kSv39);
  uint64_t leaf = map(0x7000, 0x8050'0000, V | R | W);
  uint64_t leaf_table = leaf & ~uint64_t{0xfff};
  pmp.write_addr(0, (leaf_table >> 2) | 0x1ff);  // NAPOT 4 KiB: read only
  pmp.write_addr(1, ~uint64_t{0});
  pmp.write_cfg(0, (uint64_t{0x1f} << 8) | 0x19);
  EXPECT_EQ(tr(satp, Priv::S, 0x7000, Rd).fault, Acc);
  EXPECT_EQ(read64(leaf), pte(0x8050'0000, V | R | W));
  // With A and D already set nothing needs writing.
  write64(leaf, pte(0x8050'0000, V | R | W | A | D));
  EXPECT_EQ(tr(satp, Priv::S, 0x7000, Wr).fault, None);
}

TEST_F(Mmu, PmpOnFinalAddressIsAccessFault) {
  uint64_t satp = make_root(kSv39);
  map(0x7000, 0x8050'0000, V | R | W | X | A | D);
  pmp.write_addr(0, (0x8050'0000 >> 2) | 0x1ff);  // NAPOT 4 KiB: read only
  pmp.write_addr(1, ~uint64_t{0});
  pmp.write_cfg(0, (uint64_t{0x1f} << 8) | 0x19);
  EXPECT_EQ(tr(satp, Priv::S, 0x7000, Wr).fault, Acc);
  EXPECT_EQ(tr(satp, Priv::S, 0x7000, Ex).fault, Acc);
  Translation t = tr(satp, Priv::S, 0x7000, Rd);
  ASSERT_EQ(t.fault, None);
  // The TLB may only cache what PMP allows too.
  EXPECT_TRUE(t.can_read);
  EXPECT_FALSE(t.can_write);
  EXPECT_FALSE(t.can_exec);
}

TEST_F(Mmu, PmpBoundaryInsidePageDisablesCaching) {
  uint64_t satp = make_root(kSv39);
  map(0x7000, 0x8050'0000, V | R | W | X | A | D);
  pmp.write_addr(0, 0x8050'0800 >> 2);  // TOR: [0, 0x80500800) RWX
  pmp.write_addr(1, ~uint64_t{0});      // everything else RWX too
  pmp.write_cfg(0, (uint64_t{0x1f} << 8) | 0x0f);
  Translation t = tr(satp, Priv::S, 0x7000, Rd);
  ASSERT_EQ(t.fault, None);
  EXPECT_FALSE(t.can_read || t.can_write || t.can_exec);
}

TEST_F(Mmu, PageTableOutsideMemoryIsAccessFault) {
  uint64_t satp = (kSv39 << 60) | (0x1000'0000 >> 12);
  EXPECT_EQ(tr(satp, Priv::S, 0x7000, Rd).fault, Acc);
}

TEST_F(Mmu, PageTableInRomCannotTakeAccessedBit) {
  std::vector<uint8_t> rom(0x1000);
  // Root PTE 0: a 1 GiB leaf at 0 with A clear; PTE 1: the same with A and D set.
  auto put = [&](unsigned index, uint64_t v) {
    for (unsigned i = 0; i < 8; ++i) rom[index * 8 + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  put(0, pte(0, V | R | W));
  put(1, pte(0, V | R | W | A | D));
  bus.map_rom(0x2000'0000, rom, "ptrom");
  uint64_t satp = (kSv39 << 60) | (0x2000'0000 >> 12);
  EXPECT_EQ(tr(satp, Priv::S, 0x1234, Rd).fault, Acc);
  Translation t = tr(satp, Priv::S, 0x4000'1234, Wr);
  ASSERT_EQ(t.fault, None);
  EXPECT_EQ(t.paddr, 0x1234u);
}

TEST_F(Mmu, AccessedUpdateOnCodePageCallsHook) {
  uint64_t satp = make_root(kSv39);
  uint64_t leaf = map(0x7000, 0x8050'0000, V | R | X);
  std::vector<uint64_t> pages;
  bus.set_code_write_hook([&](uint64_t addr, uint64_t) { pages.push_back(addr & ~kPageMask); });
  bus.mark_code_page(leaf);
  ASSERT_EQ(tr(satp, Priv::S, 0x7000, Ex).fault, None);
  EXPECT_EQ(pages, std::vector<uint64_t>{leaf & ~uint64_t{0xfff}});
}

TEST_F(Mmu, BareAndMachineModeAreIdentity) {
  uint64_t sv39 = make_root(kSv39);
  map(0x8000'0000, 0x1000, V | R | W | X | A | D, 2);  // would move 0x80000000
  struct Case {
    uint64_t satp;
    Priv priv;
    uint64_t va;
    MemFault fault;
  };
  const std::vector<Case> cases = {
      {0, Priv::S, 0x8000'1234, None},
      {0, Priv::U, 0x00ff'ffff'ffff'fff8, None},
      {0, Priv::S, 0x0100'0000'0000'0000, Acc},  // above 56 physical address bits
      {0, Priv::M, 0xffff'ffff'ffff'f000, Acc},
      {sv39, Priv::M, 0x8000'1234, None},  // M-mode ignores satp
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.va);
    Translation t = tr(c.satp, c.priv, c.va, Wr);
    EXPECT_EQ(t.fault, c.fault);
    if (c.fault == None) {
      EXPECT_EQ(t.paddr, c.va);
      EXPECT_TRUE(t.can_read && t.can_write && t.can_exec);
    }
  }
}

TEST_F(Mmu, BareModeObeysPmp) {
  pmp.write_addr(0, (0x8000'0000 >> 2) | 0x1ff);  // NAPOT 4 KiB, read only
  pmp.write_cfg(0, 0x19);
  EXPECT_EQ(tr(0, Priv::S, 0x8000'0010, Wr).fault, Acc);
  EXPECT_EQ(tr(0, Priv::S, 0x8000'1000, Rd).fault, Acc);  // no entry matches
  Translation t = tr(0, Priv::S, 0x8000'0010, Rd);
  ASSERT_EQ(t.fault, None);
  EXPECT_TRUE(t.can_read);
  EXPECT_FALSE(t.can_write);
  EXPECT_EQ(tr(0, Priv::M, 0x8000'0010, Wr).fault, None);  // entry not locked
}

TEST(SatpMode, Supported) {
  struct Case {
    uint64_t satp;
    bool ok;
  };
  for (const Case& c : std::vector<Case>{
           {0, true},
           {uint64_t{8} << 60 | 0x80000, true},
           {uint64_t{9} << 60 | (uint64_t{0xffff} << 44), true},
           {uint64_t{10} << 60, false},  // Sv57
           {uint64_t{11} << 60, false},  // Sv64
           {uint64_t{1} << 60, false},
           {uint64_t{15} << 60, false},
       }) {
    EXPECT_EQ(satp_mode_supported(c.satp), c.ok) << std::hex << c.satp;
  }
}

}  // namespace
}  // namespace tiervm
