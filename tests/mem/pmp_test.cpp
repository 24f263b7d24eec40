#include "mem/pmp.h"

#include <gtest/gtest.h>

#include <vector>

namespace tiervm {
namespace {

// pmpcfg encodings (priv spec 1.12, section 3.7.1).
constexpr uint8_t R = 0x01, W = 0x02, X = 0x04, L = 0x80;
constexpr uint8_t TOR = 1 << 3, NA4 = 2 << 3, NAPOT = 3 << 3;

// pmpaddr for a NAPOT region of `size` bytes (a power of two >= 8) at `base` (table 3.10).
constexpr uint64_t napot(uint64_t base, uint64_t size) {
  return (base >> 2) | ((size >> 3) - 1);
}

unsigned cfg_csr(unsigned entry) {
  return entry < 8 ? 0 : 2;
}

void set_cfg(Pmp& pmp, unsigned entry, uint8_t cfg) {
  unsigned csr = cfg_csr(entry);
  unsigned shift = 8 * (entry % 8);
  uint64_t v = pmp.read_cfg(csr);
  v = (v & ~(uint64_t{0xff} << shift)) | (uint64_t{cfg} << shift);
  pmp.write_cfg(csr, v);
}

uint8_t get_cfg(const Pmp& pmp, unsigned entry) {
  return static_cast<uint8_t>(pmp.read_cfg(cfg_csr(entry)) >> (8 * (entry % 8)));
}

void set_entry(Pmp& pmp, unsigned entry, uint8_t cfg, uint64_t addr) {
  pmp.write_addr(entry, addr);
  set_cfg(pmp, entry, cfg);
}

struct Case {
  uint64_t paddr;
  uint64_t size;
  Access access;
  Priv priv;
  bool ok;
};

void run(const Pmp& pmp, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(pmp.check(c.paddr, c.size, c.access, c.priv), c.ok)
        << std::hex << "paddr 0x" << c.paddr << " size " << c.size << " access "
        << static_cast<int>(c.access) << " priv " << static_cast<int>(c.priv);
  }
}

constexpr Access Rd = Access::Read, Wr = Access::Write, Ex = Access::Exec;
constexpr Priv M = Priv::M, S = Priv::S, U = Priv::U;

TEST(Pmp, NoEntriesAllowsEveryone) {
  Pmp pmp;
  EXPECT_FALSE(pmp.any_active());
  run(pmp, {
               {0x8000'0000, 8, Wr, U, true},
               {0x0, 1, Ex, S, true},
               {0x00ff'ffff'ffff'fff8, 8, Rd, M, true},
           });
}

TEST(Pmp, ActiveEntryMakesUnmatchedSupervisorAccessFail) {
  Pmp pmp;
  set_entry(pmp, 3, NA4 | R, 0x1000 >> 2);
  EXPECT_TRUE(pmp.any_active());
  run(pmp, {
               {0x8000'0000, 4, Rd, S, false},
               {0x8000'0000, 4, Rd, U, false},
               {0x8000'0000, 4, Wr, M, true},  // M-mode: no match means allowed
               {0x1000, 4, Rd, S, true},
               {0x1000, 4, Wr, S, false},
           });
}

TEST(Pmp, Tor) {
  Pmp pmp;
  // Entry 0 TOR: [0, 0x1000); entry 1 TOR: [0x1000, 0x3000).
  set_entry(pmp, 0, TOR | R | X, 0x1000 >> 2);
  set_entry(pmp, 1, TOR | R | W, 0x3000 >> 2);
  run(pmp, {
               {0x0, 1, Ex, S, true},
               {0xfff, 1, Rd, U, true},
               {0xfff, 1, Wr, S, false},
               {0xffc, 8, Rd, S, false},  // partial match of entry 0
               {0x1000, 8, Wr, S, true},
               {0x2ff8, 8, Wr, U, true},
               {0x2ffc, 8, Wr, U, false},  // partial match of entry 1
               {0x3000, 1, Rd, S, false},  // no match
               {0x3000, 1, Rd, M, true},
           });
}

TEST(Pmp, TorWithTopBelowBottomMatchesNothing) {
  Pmp pmp;
  pmp.write_addr(0, 0x4000 >> 2);
  set_entry(pmp, 1, TOR | R | W | X, 0x2000 >> 2);
  run(pmp, {
               {0x3000, 4, Rd, S, false},
               {0x1000, 4, Rd, S, false},
           });
}

TEST(Pmp, Na4) {
  Pmp pmp;
  set_entry(pmp, 0, NA4 | R | W, 0x2000 >> 2);
  set_entry(pmp, 1, NAPOT | R, napot(0, uint64_t{1} << 32));
  run(pmp, {
               {0x2000, 4, Wr, S, true},
               {0x2002, 2, Wr, S, true},
               {0x2000, 8, Rd, S, false},  // partial match of the 4-byte entry
               {0x1ffc, 8, Rd, S, false},  // partial match of the 4-byte entry
               {0x2004, 4, Wr, S, false},  // entry 1: read only
               {0x2004, 4, Rd, S, true},
           });
}

struct NapotSize {
  uint64_t base;
  uint64_t size;
  uint64_t pmpaddr;  // from table 3.10: yyyy...y0 followed by log2(size) - 3 ones
};

TEST(Pmp, NapotSizes) {
  const std::vector<NapotSize> sizes = {
      {0x8000'0000, 8, 0x2000'0000},         {0x8000'0000, 16, 0x2000'0001},
      {0x8000'0000, 32, 0x2000'0003},        {0x8000'1000, 0x1000, 0x2000'05ff},
      {0x8000'0000, 0x20'0000, 0x2003'ffff}, {0x8000'0000, 0x8000'0000, 0x2fff'ffff},
  };
  for (const NapotSize& n : sizes) {
    ASSERT_EQ(napot(n.base, n.size), n.pmpaddr);
    Pmp pmp;
    set_entry(pmp, 0, NAPOT | R, n.pmpaddr);
    SCOPED_TRACE(n.size);
    run(pmp, {
                 {n.base, 1, Rd, S, true},
                 {n.base + n.size - 1, 1, Rd, S, true},
                 {n.base, n.size, Rd, S, true},
                 {n.base - 1, 1, Rd, S, false},
                 {n.base + n.size, 1, Rd, S, false},
                 {n.base + n.size - 4, 8, Rd, S, false},  // partial match
                 {n.base, 1, Wr, S, false},
             });
  }
}

TEST(Pmp, NapotAllOnesCoversEverything) {
  Pmp pmp;
  set_entry(pmp, 0, NAPOT | R | W | X, ~uint64_t{0});
  EXPECT_EQ(pmp.read_addr(0), (uint64_t{1} << 54) - 1);
  run(pmp, {
               {0x0, 8, Wr, U, true},
               {0x00ff'ffff'ffff'fff8, 8, Ex, S, true},
           });
}

TEST(Pmp, LowestNumberedMatchWins) {
  Pmp pmp;
  set_entry(pmp, 0, NAPOT | R, napot(0x8000'0000, 0x1000));
  set_entry(pmp, 1, NAPOT | R | W | X, napot(0, uint64_t{1} << 40));
  run(pmp, {
               {0x8000'0000, 8, Wr, S, false},
               {0x8000'0000, 8, Rd, S, true},
               {0x8000'1000, 8, Wr, S, true},
               {0x7fff'fffc, 8, Rd, S, false},  // matches entry 0 partially
           });
}

TEST(Pmp, MachineModeObeysOnlyLockedEntries) {
  Pmp pmp;
  set_entry(pmp, 0, NAPOT, napot(0x8000'0000, 0x1000));          // unlocked, no perms
  set_entry(pmp, 1, NAPOT | L | R, napot(0x8000'1000, 0x1000));  // locked, read only
  run(pmp, {
               {0x8000'0000, 8, Wr, M, true},
               {0x8000'0000, 8, Rd, S, false},
               {0x8000'1000, 8, Rd, M, true},
               {0x8000'1000, 8, Wr, M, false},
               {0x8000'1000, 4, Ex, M, false},
               {0x8000'0ffc, 8, Rd, M, false},  // partial match fails even in M-mode
           });
}

TEST(Pmp, CfgPacking) {
  Pmp p2;
  p2.write_cfg(0, 0x0000'0000'1b19'0d09);
  EXPECT_EQ(p2.read_cfg(0), 0x0000'0000'1b19'0d09u);
  EXPECT_EQ(get_cfg(p2, 0), 0x09);
  EXPECT_EQ(get_cfg(p2, 3), 0x1b);
  EXPECT_EQ(get_cfg(p2, 4), 0x00);
  p2.write_cfg(2, 0x8f00'0000'0000'0019);
  EXPECT_EQ(get_cfg(p2, 8), 0x19);
  EXPECT_EQ(get_cfg(p2, 15), 0x8f);
  EXPECT_EQ(p2.read_cfg(1), 0u);  // odd pmpcfg CSRs do not exist on RV64
  EXPECT_EQ(p2.read_cfg(4), 0u);  // entries 16..63 are not implemented
}

TEST(Pmp, CfgWarlFields) {
  Pmp pmp;
  set_cfg(pmp, 0, TOR | R | W);
  set_cfg(pmp, 0, TOR | W);  // R=0, W=1 is reserved: the write is ignored
  EXPECT_EQ(get_cfg(pmp, 0), TOR | R | W);
  set_cfg(pmp, 1, 0x60 | NA4 | X);  // bits 6:5 read as zero
  EXPECT_EQ(get_cfg(pmp, 1), NA4 | X);
  set_cfg(pmp, 2, W | X);
  EXPECT_EQ(get_cfg(pmp, 2), 0);
}

TEST(Pmp, AddrIs54Bits) {
  Pmp pmp;
  pmp.write_addr(5, 0xffff'ffff'ffff'ffff);
  EXPECT_EQ(pmp.read_addr(5), 0x003f'ffff'ffff'ffffu);
  pmp.write_addr(5, 0x1234);
  EXPECT_EQ(pmp.read_addr(5), 0x1234u);
}

TEST(Pmp, LockedEntryIgnoresWrites) {
  Pmp pmp;
  set_entry(pmp, 2, NAPOT | L | R, napot(0x8000'0000, 0x1000));
  set_cfg(pmp, 2, NAPOT | R | W | X);
  EXPECT_EQ(get_cfg(pmp, 2), NAPOT | L | R);
  set_cfg(pmp, 2, 0);
  EXPECT_EQ(get_cfg(pmp, 2), NAPOT | L | R);
  pmp.write_addr(2, 0);
  EXPECT_EQ(pmp.read_addr(2), napot(0x8000'0000, 0x1000));
  // Neighbours stay writable (entry 1 is below a NAPOT, not a TOR, entry).
  pmp.write_addr(1, 0x55);
  EXPECT_EQ(pmp.read_addr(1), 0x55u);
  set_cfg(pmp, 3, NA4 | R);
  EXPECT_EQ(get_cfg(pmp, 3), NA4 | R);
}

TEST(Pmp, LockedTorEntryLocksAddressBelow) {
  Pmp pmp;
  pmp.write_addr(4, 0x1000 >> 2);
  set_entry(pmp, 5, TOR | L | R, 0x2000 >> 2);
  pmp.write_addr(4, 0);
  EXPECT_EQ(pmp.read_addr(4), 0x1000u >> 2);
  pmp.write_addr(5, 0);
  EXPECT_EQ(pmp.read_addr(5), 0x2000u >> 2);
  // cfg 4 itself is not locked.
  set_cfg(pmp, 4, NA4 | R);
  EXPECT_EQ(get_cfg(pmp, 4), NA4 | R);
  run(pmp, {
               {0x1800, 4, Wr, M, false},
               {0x1800, 4, Rd, M, true},
           });
}

TEST(Pmp, PageUniform) {
  Pmp pmp;
  EXPECT_TRUE(pmp.page_uniform(0x8000'0000, Rd, S));
  set_entry(pmp, 0, NAPOT | R, napot(0x8000'0000, 0x20'0000));
  // TOR takes its bottom from pmpaddr0 as written (0x2003ffff << 2), whatever entry 0's mode:
  // entry 1 covers [0x800ffffc, 0x80400800).
  set_entry(pmp, 1, TOR | R | W, 0x8040'0800 >> 2);
  EXPECT_TRUE(pmp.page_uniform(0x800f'f000, Wr, S));   // entry 0 matches first, all of it
  EXPECT_TRUE(pmp.page_uniform(0x8000'0000, Wr, S));   // inside entry 0
  EXPECT_TRUE(pmp.page_uniform(0x801f'f000, Wr, S));   // last page of entry 0
  EXPECT_TRUE(pmp.page_uniform(0x8030'0000, Rd, S));   // inside entry 1
  EXPECT_FALSE(pmp.page_uniform(0x8040'0000, Rd, S));  // entry 1 ends mid-page
  EXPECT_TRUE(pmp.page_uniform(0x8040'1000, Rd, S));   // no entry touches it
  Pmp na4;
  set_entry(na4, 0, NA4 | R, 0x8000'0010 >> 2);
  EXPECT_FALSE(na4.page_uniform(0x8000'0000, Rd, M));
  EXPECT_TRUE(na4.page_uniform(0x8000'1000, Rd, M));
}

}  // namespace
}  // namespace tiervm
