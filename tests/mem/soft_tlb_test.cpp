#include "mem/soft_tlb.h"

#include <gtest/gtest.h>

#include <string_view>

namespace tiervm {
namespace {

constexpr uint64_t kRam = 0x8000'0000;
constexpr uint64_t kRamSize = 0x40'0000;  // 4 MiB
constexpr uint64_t kRom = 0x1000;
constexpr uint64_t kMmio = 0x1000'0000;

class NullDevice : public MmioDevice {
 public:
  std::string_view name() const override { return "null"; }
  unsigned access_sizes() const override { return 1 | 2 | 4 | 8; }
  bool read(uint64_t, unsigned, uint64_t& value) override {
    value = 0;
    return true;
  }
  bool write(uint64_t, unsigned, uint64_t) override { return true; }
};

class Tlb : public ::testing::Test {
 protected:
  void SetUp() override {
    bus.map_ram(kRam, kRamSize);
    bus.map_rom(kRom, std::vector<uint8_t>(0x1000, 0x5a), "rom");
    bus.map_device(kMmio, 0x1000, dev);
  }
  // The host address an L1 hit computes for `vaddr`.
  uint8_t* host(TlbMode mode, uint64_t vaddr) {
    return reinterpret_cast<uint8_t*>(
        static_cast<uintptr_t>(vaddr + static_cast<uint64_t>(tlb.l1(mode, vaddr).host_addend)));
  }

  NullDevice dev;
  Bus bus;
  SoftTlb tlb;
};

constexpr TlbMode kU = TlbMode::U, kS = TlbMode::S, kM = TlbMode::M;

TEST(TlbModeOf, MapsPrivileges) {
  EXPECT_EQ(tlb_mode_of(Priv::U), kU);
  EXPECT_EQ(tlb_mode_of(Priv::S), kS);
  EXPECT_EQ(tlb_mode_of(Priv::M), kM);
}

TEST_F(Tlb, StartsEmpty) {
  for (unsigned m = 0; m < kTlbModes; ++m) {
    for (unsigned i = 0; i < SoftTlb::kL1Size; ++i) {
      const TlbEntry& e = tlb.l1_array(static_cast<TlbMode>(m))[i];
      EXPECT_EQ(e.tag_read, kTlbNoTag);
      EXPECT_EQ(e.tag_write, kTlbNoTag);
      EXPECT_EQ(e.tag_exec, kTlbNoTag);
    }
  }
  EXPECT_EQ(tlb.lookup_l2(bus, kS, 0x5000), nullptr);
}

TEST_F(Tlb, InsertRamPageGivesFastPaths) {
  tlb.insert(bus, kS, 0x4000'5000, kRam + 0x3000, true, true, true);
  const TlbEntry& e = tlb.l1(kS, 0x4000'5abc);
  EXPECT_EQ(e.tag_read, 0x4000'5000u);
  EXPECT_EQ(e.tag_write, 0x4000'5000u);
  EXPECT_EQ(e.tag_exec, 0x4000'5000u);
  EXPECT_EQ(host(kS, 0x4000'5abc), bus.ram_data() + 0x3abc);
  EXPECT_EQ(tlb.l1_ppage(kS, 0x4000'5abc), kRam + 0x3000);
  // Other modes are untouched.
  EXPECT_EQ(tlb.l1(kU, 0x4000'5000).tag_read, kTlbNoTag);
  EXPECT_EQ(tlb.l1(kM, 0x4000'5000).tag_read, kTlbNoTag);
}

TEST_F(Tlb, InsertGivesOnlyGrantedTags) {
  tlb.insert(bus, kU, 0x7000, kRam, true, false, false);
  const TlbEntry& e = tlb.l1(kU, 0x7000);
  EXPECT_EQ(e.tag_read, 0x7000u);
  EXPECT_EQ(e.tag_write, kTlbNoTag);
  EXPECT_EQ(e.tag_exec, kTlbNoTag);
  tlb.insert(bus, kU, 0x8000, kRam, false, false, true);
  EXPECT_EQ(tlb.l1(kU, 0x8000).tag_read, kTlbNoTag);
  EXPECT_EQ(tlb.l1(kU, 0x8000).tag_exec, 0x8000u);
}

TEST_F(Tlb, CodePageGetsNoWriteTag) {
  bus.mark_code_page(kRam + 0x2000);
  tlb.insert(bus, kS, 0x9000, kRam + 0x2000, true, true, true);
  const TlbEntry& e = tlb.l1(kS, 0x9000);
  EXPECT_EQ(e.tag_read, 0x9000u);
  EXPECT_EQ(e.tag_exec, 0x9000u);
  EXPECT_EQ(e.tag_write, kTlbNoTag);
  const TlbL2Entry* l2 = tlb.lookup_l2(bus, kS, 0x9000);
  ASSERT_NE(l2, nullptr);
  EXPECT_FALSE(l2->can_write);
}

TEST_F(Tlb, RomPageGetsNoWriteTag) {
  tlb.insert(bus, kM, kRom, kRom, true, true, true);
  const TlbEntry& e = tlb.l1(kM, kRom);
  EXPECT_EQ(e.tag_read, kRom);
  EXPECT_EQ(e.tag_write, kTlbNoTag);
  EXPECT_EQ(*host(kM, kRom + 0x10), 0x5a);
}

TEST_F(Tlb, MmioPageGetsNoL1TagsButAnL2Entry) {
  tlb.insert(bus, kS, 0xc000, kMmio, true, true, false);
  const TlbEntry& e = tlb.l1(kS, 0xc000);
  EXPECT_EQ(e.tag_read, kTlbNoTag);
  EXPECT_EQ(e.tag_write, kTlbNoTag);
  EXPECT_EQ(e.tag_exec, kTlbNoTag);
  const TlbL2Entry* l2 = tlb.lookup_l2(bus, kS, 0xc000);
  ASSERT_NE(l2, nullptr);
  EXPECT_EQ(l2->ppage, kMmio);
  EXPECT_TRUE(l2->can_read);
  EXPECT_TRUE(l2->can_write);
  EXPECT_EQ(tlb.l1(kS, 0xc000).tag_read, kTlbNoTag);  // the refill gives no tags either
}

TEST_F(Tlb, L2HitRefillsL1) {
  tlb.insert(bus, kS, 0x1000, kRam + 0x1000, true, true, false);
  // Same L1 index, different page: evicts 0x1000 from the L1 only.
  uint64_t conflicting = 0x1000 + SoftTlb::kL1Size * kPageSize;
  ASSERT_EQ(SoftTlb::l1_index(conflicting), SoftTlb::l1_index(0x1000));
  tlb.insert(bus, kS, conflicting, kRam + 0x2000, true, false, false);
  EXPECT_EQ(tlb.l1(kS, 0x1000).tag_read, conflicting);

  uint64_t hits = tlb.l2_hits;
  const TlbL2Entry* l2 = tlb.lookup_l2(bus, kS, 0x1000);
  ASSERT_NE(l2, nullptr);
  EXPECT_EQ(tlb.l2_hits, hits + 1);
  EXPECT_EQ(l2->vpage, 0x1000u);
  EXPECT_EQ(l2->ppage, kRam + 0x1000);
  EXPECT_TRUE(l2->can_read && l2->can_write && !l2->can_exec);
  EXPECT_EQ(l2->mode, static_cast<uint8_t>(kS));
  const TlbEntry& e = tlb.l1(kS, 0x1000);
  EXPECT_EQ(e.tag_read, 0x1000u);
  EXPECT_EQ(e.tag_write, 0x1000u);
  EXPECT_EQ(host(kS, 0x1008), bus.ram_data() + 0x1008);
  EXPECT_EQ(tlb.l1_ppage(kS, 0x1000), kRam + 0x1000);
}

TEST_F(Tlb, L2MissIsCounted) {
  uint64_t misses = tlb.l2_misses;
  EXPECT_EQ(tlb.lookup_l2(bus, kS, 0x1000), nullptr);
  tlb.insert(bus, kS, 0x1000, kRam, true, false, false);
  EXPECT_EQ(tlb.lookup_l2(bus, kU, 0x1000), nullptr);  // modes are separate keys
  EXPECT_EQ(tlb.l2_misses, misses + 2);
}

TEST_F(Tlb, ReinsertReplacesEntry) {
  tlb.insert(bus, kS, 0x1000, kRam, true, false, false);
  tlb.insert(bus, kS, 0x1000, kRam + 0x5000, true, true, false);
  const TlbL2Entry* l2 = tlb.lookup_l2(bus, kS, 0x1000);
  ASSERT_NE(l2, nullptr);
  EXPECT_EQ(l2->ppage, kRam + 0x5000);
  EXPECT_TRUE(l2->can_write);
}

TEST_F(Tlb, L2HoldsManyPages) {
  // Sequential pages filling half of the L2: FxHash spreads them, so none is evicted.
  constexpr unsigned kPages = SoftTlb::kL2Size / 2;
  for (unsigned i = 0; i < kPages; ++i) {
    tlb.insert(bus, kU, uint64_t{i} << kPageBits, kRam + ((i % 1024) << kPageBits), true, false,
               false);
  }
  for (unsigned i = 0; i < kPages; ++i) {
    const TlbL2Entry* l2 = tlb.lookup_l2(bus, kU, uint64_t{i} << kPageBits);
    ASSERT_NE(l2, nullptr) << i;
    EXPECT_EQ(l2->ppage, kRam + ((i % 1024) << kPageBits));
  }
}

TEST_F(Tlb, FlushPageDropsEveryModeAndLevel) {
  for (TlbMode m : {kU, kS, kM}) {
    tlb.insert(bus, m, 0x3000, kRam, true, true, true);
    tlb.insert(bus, m, 0x4000, kRam + 0x1000, true, true, true);
  }
  std::vector<uint64_t> hooked;
  tlb.set_page_flush_hook([&](uint64_t vpage) { hooked.push_back(vpage); });
  const uint64_t flushes = tlb.flushes;
  const uint64_t page_flushes = tlb.page_flushes;
  tlb.flush_page(0x3abc);
  // One page: counted as such and reported to the hook, not as a full flush (which would
  // empty every cache keyed by virtual address).
  EXPECT_EQ(tlb.flushes, flushes);
  EXPECT_EQ(tlb.page_flushes, page_flushes + 1);
  EXPECT_EQ(hooked, std::vector<uint64_t>{0x3000});
  for (TlbMode m : {kU, kS, kM}) {
    const TlbEntry& e = tlb.l1(m, 0x3000);
    EXPECT_EQ(e.tag_read, kTlbNoTag);
    EXPECT_EQ(e.tag_write, kTlbNoTag);
    EXPECT_EQ(e.tag_exec, kTlbNoTag);
    EXPECT_EQ(tlb.lookup_l2(bus, m, 0x3000), nullptr);
    EXPECT_EQ(tlb.l1(m, 0x4000).tag_read, 0x4000u);
    EXPECT_NE(tlb.lookup_l2(bus, m, 0x4000), nullptr);
  }
}

TEST_F(Tlb, FlushPageKeepsOtherPageInSameL1Slot) {
  uint64_t other = 0x3000 + SoftTlb::kL1Size * kPageSize;
  tlb.insert(bus, kS, 0x3000, kRam, true, false, false);
  tlb.insert(bus, kS, other, kRam + 0x1000, true, false, false);  // now owns the L1 slot
  tlb.flush_page(0x3000);
  EXPECT_EQ(tlb.l1(kS, other).tag_read, other);
  EXPECT_EQ(tlb.lookup_l2(bus, kS, 0x3000), nullptr);
}

TEST_F(Tlb, FlushAll) {
  for (TlbMode m : {kU, kS, kM}) tlb.insert(bus, m, 0x3000, kRam, true, true, true);
  uint64_t flushes = tlb.flushes;
  tlb.flush_all();
  EXPECT_EQ(tlb.flushes, flushes + 1);
  for (TlbMode m : {kU, kS, kM}) {
    EXPECT_EQ(tlb.l1(m, 0x3000).tag_read, kTlbNoTag);
    EXPECT_EQ(tlb.lookup_l2(bus, m, 0x3000), nullptr);
  }
}

TEST_F(Tlb, RevokeWrite) {
  // Two virtual pages (in two modes) map the same physical page; a third maps another.
  tlb.insert(bus, kS, 0x1000, kRam + 0x7000, true, true, true);
  tlb.insert(bus, kU, 0x2000, kRam + 0x7000, true, true, false);
  tlb.insert(bus, kS, 0x3000, kRam + 0x8000, true, true, false);
  bus.mark_code_page(kRam + 0x7000);
  tlb.revoke_write(kRam + 0x7000);

  EXPECT_EQ(tlb.l1(kS, 0x1000).tag_write, kTlbNoTag);
  EXPECT_EQ(tlb.l1(kS, 0x1000).tag_read, 0x1000u);  // reads and fetches stay fast
  EXPECT_EQ(tlb.l1(kS, 0x1000).tag_exec, 0x1000u);
  EXPECT_EQ(tlb.l1(kU, 0x2000).tag_write, kTlbNoTag);
  EXPECT_EQ(tlb.l1(kS, 0x3000).tag_write, 0x3000u);

  // An L1 refill from the L2 does not bring the write path back (the L2 keeps the PTE's
  // permission; the code page is what denies the fast path).
  const TlbL2Entry* l2 = tlb.lookup_l2(bus, kU, 0x2000);
  ASSERT_NE(l2, nullptr);
  EXPECT_EQ(tlb.l1(kU, 0x2000).tag_write, kTlbNoTag);
  EXPECT_EQ(tlb.l1(kU, 0x2000).tag_read, 0x2000u);
  l2 = tlb.lookup_l2(bus, kS, 0x3000);
  ASSERT_NE(l2, nullptr);
  EXPECT_TRUE(l2->can_write);
}

TEST_F(Tlb, RevokeWriteReachesEntriesEvictedFromL1) {
  tlb.insert(bus, kS, 0x1000, kRam + 0x7000, true, true, false);
  tlb.insert(bus, kS, 0x1000 + SoftTlb::kL1Size * kPageSize, kRam, true, true, false);
  bus.mark_code_page(kRam + 0x7000);
  tlb.revoke_write(kRam + 0x7000);
  const TlbL2Entry* l2 = tlb.lookup_l2(bus, kS, 0x1000);  // refills the L1 entry
  ASSERT_NE(l2, nullptr);
  EXPECT_EQ(tlb.l1(kS, 0x1000).tag_write, kTlbNoTag);
  EXPECT_EQ(tlb.l1(kS, 0x1000).tag_read, 0x1000u);
}

// flush_all empties the L2 at once (a new generation): nothing inserted before it hits,
// and entries inserted after it do.
TEST_F(Tlb, FlushAllEmptiesTheL2) {
  tlb.insert(bus, kS, 0x1000, kRam, true, true, false);
  tlb.insert(bus, kU, 0x2000, kRam + 0x1000, true, false, false);
  tlb.flush_all();
  EXPECT_EQ(tlb.lookup_l2(bus, kS, 0x1000), nullptr);
  EXPECT_EQ(tlb.lookup_l2(bus, kU, 0x2000), nullptr);
  EXPECT_EQ(tlb.l1(kS, 0x1000).tag_read, kTlbNoTag);
  tlb.insert(bus, kS, 0x3000, kRam + 0x2000, true, false, false);
  tlb.flush_all();
  tlb.insert(bus, kS, 0x1000, kRam + 0x5000, true, false, false);
  const TlbL2Entry* l2 = tlb.lookup_l2(bus, kS, 0x1000);
  ASSERT_NE(l2, nullptr);
  EXPECT_EQ(l2->ppage, kRam + 0x5000);
  EXPECT_EQ(tlb.lookup_l2(bus, kS, 0x3000), nullptr);
}

TEST(TlbEntryLayout, OffsetsForJit) {
  EXPECT_EQ(kTlbTagReadOffset, 0u);
  EXPECT_EQ(kTlbTagWriteOffset, 8u);
  EXPECT_EQ(kTlbTagExecOffset, 16u);
  EXPECT_EQ(kTlbAddendOffset, 24u);
}

}  // namespace
}  // namespace tiervm

namespace tiervm {
namespace {

TEST(SoftTlbSuperpage, FlushPageInsideASuperpageDropsAllItsPieces) {
  Bus bus;
  bus.map_ram(0x80000000, 8ull << 20);
  SoftTlb tlb;
  // Two 4 KiB pieces of one 2 MiB leaf at virtual 0x40000000, and an unrelated 4 KiB page.
  tlb.insert(bus, TlbMode::S, 0x40000000, 0x80000000, true, true, false, 21);
  tlb.insert(bus, TlbMode::S, 0x40001000, 0x80001000, true, true, false, 21);
  tlb.insert(bus, TlbMode::S, 0x50000000, 0x80400000, true, false, false, 12);
  // sfence.vma of an address in the superpage's other half must drop both pieces.
  bool hooked = false;
  tlb.set_page_flush_hook([&](uint64_t) { hooked = true; });
  const uint64_t flushes = tlb.flushes;
  tlb.flush_page(0x40100000);
  EXPECT_EQ(tlb.lookup_l2(bus, TlbMode::S, 0x40000000), nullptr);
  EXPECT_EQ(tlb.lookup_l2(bus, TlbMode::S, 0x40001000), nullptr);
  // That is a full flush: caches keyed by virtual address must drop everything too (the
  // leaf spans more than the one page the hook would name).
  EXPECT_EQ(tlb.flushes, flushes + 1);
  EXPECT_FALSE(hooked);
}

TEST(SoftTlbSuperpage, FlushPageOutsideSuperpagesIsExact) {
  Bus bus;
  bus.map_ram(0x80000000, 8ull << 20);
  SoftTlb tlb;
  tlb.insert(bus, TlbMode::S, 0x40000000, 0x80000000, true, true, false, 21);
  tlb.insert(bus, TlbMode::S, 0x50000000, 0x80400000, true, false, false, 12);
  tlb.insert(bus, TlbMode::S, 0x50001000, 0x80401000, true, false, false, 12);
  tlb.flush_page(0x50000000);
  EXPECT_EQ(tlb.lookup_l2(bus, TlbMode::S, 0x50000000), nullptr);
  EXPECT_NE(tlb.lookup_l2(bus, TlbMode::S, 0x50001000), nullptr);
  EXPECT_NE(tlb.lookup_l2(bus, TlbMode::S, 0x40000000), nullptr);
}

}  // namespace
}  // namespace tiervm
