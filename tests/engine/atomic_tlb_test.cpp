// The soft-TLB fast path of atomics (Hart::translate_atomic) and their physical accesses
// (Hart::phys_read / phys_write): an L1 hit serves LR with a read tag and AMO/SC only with
// both tags; misses, read-only pages and pages holding code take the slow paths.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "engine/hart.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

constexpr uint32_t kAmoaddW = 0x00c5a52f;  // amoadd.w a0, a2, (a1)
constexpr unsigned kA0 = 10, kA1 = 11, kA2 = 12;
constexpr uint64_t kData = kRamBase + 0x8000;

TEST(AtomicTlb, RepeatedAmoOnOnePageMissesTheL1Once) {
  TestMachine m;
  m.put({kAmoaddW, kAmoaddW, kAmoaddW, kJumpSelf});
  m.write64(kData, 5);
  m.set_x(kA1, kData);
  m.set_x(kA2, 1);
  const uint64_t misses = m.hart.tlb.l1_misses;
  m.run(4);
  EXPECT_EQ(m.read64(kData), 8u);
  EXPECT_EQ(m.x(kA0), 7u);  // the old value of the third
  // One fill for the code page (fetch), one for the data page (the first AMO).
  EXPECT_EQ(m.hart.tlb.l1_misses, misses + 2);
}

// S-mode with satp Bare translates every address to itself; an L1 entry that says
// otherwise shows which path served the access.
struct FakeEntry {
  TestMachine m;
  static constexpr uint64_t kVpage = kRamBase + 0x4000;
  static constexpr uint64_t kElsewhere = kRamBase + 0x6000;
  FakeEntry(bool can_write) {
    m.hart.s.priv = Priv::S;
    m.hart.update_modes();
    m.hart.tlb.insert(m.bus, TlbMode::S, kVpage, kElsewhere, true, can_write, false);
  }
  std::pair<bool, uint64_t> translate(bool is_load_reserved) {
    uint64_t paddr = 0;
    const bool ok = m.hart.translate_atomic(kVpage + 0x18, 8, is_load_reserved, paddr);
    return {ok, paddr};
  }
};

TEST(AtomicTlb, LrHitsAReadOnlyEntry) {
  FakeEntry f(false);
  const uint64_t misses = f.m.hart.tlb.l1_misses;
  EXPECT_EQ(f.translate(true), std::make_pair(true, f.kElsewhere + 0x18));
  EXPECT_EQ(f.m.hart.tlb.l1_misses, misses);
}

TEST(AtomicTlb, AmoNeedsTheWriteTag) {
  FakeEntry f(false);
  const uint64_t misses = f.m.hart.tlb.l1_misses;
  // Read-only in the TLB: the AMO must not use the entry; it walks (Bare: itself).
  EXPECT_EQ(f.translate(false), std::make_pair(true, f.kVpage + 0x18));
  EXPECT_EQ(f.m.hart.tlb.l1_misses, misses + 1);
}

TEST(AtomicTlb, AmoHitsAWritableEntry) {
  FakeEntry f(true);
  const uint64_t misses = f.m.hart.tlb.l1_misses;
  EXPECT_EQ(f.translate(false), std::make_pair(true, f.kElsewhere + 0x18));
  EXPECT_EQ(f.m.hart.tlb.l1_misses, misses);
}

TEST(AtomicTlb, PhysicalAccessesReachRamAndTheCodeWriteHook) {
  TestMachine m;
  std::vector<std::pair<uint64_t, uint64_t>> hooked;
  m.bus.set_code_write_hook([&](uint64_t paddr, uint64_t len) { hooked.emplace_back(paddr, len); });
  uint64_t v = 0;
  ASSERT_TRUE(m.hart.phys_write(kData, 8, 0x1122334455667788));
  ASSERT_TRUE(m.hart.phys_read(kData, 4, v));
  EXPECT_EQ(v, 0x55667788u);
  EXPECT_TRUE(hooked.empty());
  m.bus.mark_code_page(kData);
  ASSERT_TRUE(m.hart.phys_write(kData + 8, 4, 0xabcd));
  EXPECT_EQ(hooked, (std::vector<std::pair<uint64_t, uint64_t>>{{kData + 8, 4}}));
  EXPECT_EQ(m.read64(kData + 8), 0xabcdu);
  // Outside RAM: the bus refuses.
  EXPECT_FALSE(m.hart.phys_read(kRamBase + kRamSize, 8, v));
  EXPECT_FALSE(m.hart.phys_write(kRamBase + kRamSize, 8, 0));
}

}  // namespace
}  // namespace tiervm::test
