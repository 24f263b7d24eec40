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
    const auto mode = static_cast<TlbMode>(m);
    EXPECT_EQ(tlb.l1_size(mode), size_t{1} << SoftTlb::kL1MinBits);
    for (size_t i = 0; i < tlb.l1_size(mode); ++i) {
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
  uint64_t conflicting = 0x1000 + tlb.l1_size(kS) * kPageSize;
  ASSERT_EQ(tlb.l1_index(kS, conflicting), tlb.l1_index(kS, 0x1000));
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
  uint64_t other = 0x3000 + tlb.l1_size(kS) * kPageSize;
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
  tlb.insert(bus, kS, 0x1000 + tlb.l1_size(kS) * kPageSize, kRam, true, true, false);
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

// ---- The L1 grows with the working set (and shrinks when flushes find it little used).

class TlbGrowth : public Tlb {
 protected:
  void SetUp() override {
    Tlb::SetUp();
    tlb.set_clock(&now);
    tlb.set_resize_hook([this] { ++hooks; });
  }
  // One fill of a page of its own per call (pages 0x1000 apart from 0x10'0000'0000, each
  // mapped to some RAM page), `insns` instructions after the previous one.
  void fill_pages(TlbMode mode, uint64_t first, uint64_t count, uint64_t insns) {
    for (uint64_t p = first; p < first + count; ++p) {
      now += insns;
      tlb.insert(bus, mode, page(p), kRam + (p % (kRamSize / kPageSize)) * kPageSize, true, true,
                 false);
    }
  }
  static uint64_t page(uint64_t p) { return 0x10'0000'0000 + p * kPageSize; }
  // Whether the L1 (not only the L2) holds page `p` for reads.
  bool in_l1(TlbMode mode, uint64_t p) { return tlb.l1(mode, page(p)).tag_read == page(p); }

  uint64_t now = 1'000'000;
  unsigned hooks = 0;
};

TEST_F(TlbGrowth, AnL1ThatRefillsOftenDoublesAtTheDispatchersNextVisit) {
  const size_t small = size_t{1} << SoftTlb::kL1MinBits;
  // Two L1s' worth of new pages, one per instruction: far more often than the rule's rate.
  fill_pages(kS, 0, 2 * small - 1, 1);
  EXPECT_FALSE(tlb.resize_pending());
  fill_pages(kS, 2 * small - 1, 1, 1);
  ASSERT_TRUE(tlb.resize_pending());
  EXPECT_EQ(hooks, 1u);
  // Nothing moves until the dispatcher applies it: compiled code holds the array.
  const TlbEntry* before = tlb.l1_array(kS);
  EXPECT_EQ(tlb.l1_size(kS), small);
  EXPECT_TRUE(in_l1(kS, 2 * small - 1));
  tlb.apply_resize();
  EXPECT_FALSE(tlb.resize_pending());
  EXPECT_EQ(tlb.l1_size(kS), 2 * small);
  EXPECT_NE(tlb.l1_array(kS), before);
  EXPECT_EQ(tlb.l1_resizes, 1u);
  // The other modes keep their size.
  EXPECT_EQ(tlb.l1_size(kU), small);
  EXPECT_EQ(tlb.l1_size(kM), small);
  // The entries the old L1 held moved with it, host addresses and physical pages too.
  for (uint64_t p = small; p < 2 * small; ++p) {
    ASSERT_TRUE(in_l1(kS, p)) << p;
    const uint64_t ppage = kRam + (p % (kRamSize / kPageSize)) * kPageSize;
    EXPECT_EQ(tlb.l1_ppage(kS, page(p)), ppage);
    EXPECT_EQ(host(kS, page(p) + 8), bus.ram_data() + (ppage - kRam) + 8);
  }
  // Twice as many pages now fit: the first half comes back from the L2 next to them.
  for (uint64_t p = 0; p < small; ++p) {
    EXPECT_FALSE(in_l1(kS, p));
    ASSERT_NE(tlb.lookup_l2(bus, kS, page(p)), nullptr);
  }
  for (uint64_t p = 0; p < 2 * small; ++p) EXPECT_TRUE(in_l1(kS, p)) << p;
}

TEST_F(TlbGrowth, RevokeWriteReachesEveryEntryOfAGrownL1) {
  const size_t small = size_t{1} << SoftTlb::kL1MinBits;
  fill_pages(kS, 0, 2 * small, 1);
  tlb.apply_resize();
  ASSERT_EQ(tlb.l1_size(kS), 2 * small);
  // Page 2 * small - 1 sits in the grown half of the array.
  const uint64_t last = 2 * small - 1;
  const uint64_t ppage = kRam + (last % (kRamSize / kPageSize)) * kPageSize;
  ASSERT_EQ(tlb.l1(kS, page(last)).tag_write, page(last));
  bus.mark_code_page(ppage);
  tlb.revoke_write(ppage);
  EXPECT_EQ(tlb.l1(kS, page(last)).tag_write, kTlbNoTag);
  EXPECT_EQ(tlb.l1(kS, page(last)).tag_read, page(last));
}

TEST_F(TlbGrowth, AnL1ThatRefillsRarelyKeepsItsSize) {
  const size_t small = size_t{1} << SoftTlb::kL1MinBits;
  // Many windows of fills, each a little slower than the rule's rate.
  fill_pages(kS, 0, 8 * small, SoftTlb::kGrowInsnsPerFill + 1);
  EXPECT_FALSE(tlb.resize_pending());
  EXPECT_EQ(hooks, 0u);
  // At the rate itself it grows.
  fill_pages(kS, 0, 4 * small, SoftTlb::kGrowInsnsPerFill - 1);
  EXPECT_TRUE(tlb.resize_pending());
}

TEST_F(TlbGrowth, RefillsOfTheSamePageOrOfMmioDoNotCount) {
  const size_t small = size_t{1} << SoftTlb::kL1MinBits;
  // A code page's stores refill its entry (no write tag) on every store; an MMIO page has
  // no tags and misses on every access. Neither is a working set the L1 cannot hold.
  tlb.insert(bus, kS, page(0), kRam, true, true, false);
  bus.mark_code_page(kRam);
  tlb.revoke_write(kRam);
  tlb.insert(bus, kS, page(1), kMmio, true, true, false);
  for (size_t i = 0; i < 8 * small; ++i) {
    ++now;
    ASSERT_NE(tlb.lookup_l2(bus, kS, page(0)), nullptr);
    ASSERT_NE(tlb.lookup_l2(bus, kS, page(1)), nullptr);
  }
  EXPECT_FALSE(tlb.resize_pending());
  // Two pages that share a slot and take turns in it do count.
  const uint64_t twin = small;  // page(twin) has page(0)'s slot
  tlb.insert(bus, kS, page(twin), kRam + kPageSize, true, true, false);
  for (size_t i = 0; i < small && !tlb.resize_pending(); ++i) {
    ++now;
    ASSERT_NE(tlb.lookup_l2(bus, kS, page(0)), nullptr);
    ASSERT_NE(tlb.lookup_l2(bus, kS, page(twin)), nullptr);
  }
  EXPECT_TRUE(tlb.resize_pending());
}

TEST_F(TlbGrowth, WithoutAClockTheL1KeepsItsSize) {
  SoftTlb plain;
  for (uint64_t p = 0; p < 8 * 256; ++p) {
    plain.insert(bus, kS, page(p), kRam, true, false, false);
  }
  EXPECT_FALSE(plain.resize_pending());
  EXPECT_EQ(plain.l1_size(kS), size_t{1} << SoftTlb::kL1MinBits);
}

TEST_F(TlbGrowth, AnL1GrowsUpToTheL2sReachAndNoFurther) {
  uint64_t next = 0;
  unsigned resizes = 0;
  while (next < 600'000) {
    fill_pages(kU, next, 1024, 1);
    next += 1024;
    if (tlb.resize_pending()) {
      tlb.apply_resize();
      ++resizes;
    }
  }
  EXPECT_EQ(tlb.l1_size(kU), size_t{1} << SoftTlb::kL1MaxBits);
  EXPECT_EQ(resizes, SoftTlb::kL1MaxBits - SoftTlb::kL1MinBits);
  EXPECT_EQ(tlb.l1_size(kS), size_t{1} << SoftTlb::kL1MinBits);
}

TEST_F(TlbGrowth, ALargeL1ShrinksWhenAFlushFindsItLittleUsed) {
  const size_t small = size_t{1} << SoftTlb::kL1MinBits;
  fill_pages(kS, 0, 2 * small, 1);
  tlb.apply_resize();
  ASSERT_EQ(tlb.l1_size(kS), 2 * small);
  // Since the last flush (here: the start) it filled 512 entries, all of it: kept.
  now += SoftTlb::kShrinkAfterInsns;
  tlb.flush_all();
  EXPECT_FALSE(tlb.resize_pending());
  // A flush after fewer fills than an eighth of its entries halves it.
  fill_pages(kS, 0, 2 * small / 8 - 1, 1000);
  tlb.flush_all();
  ASSERT_TRUE(tlb.resize_pending());
  EXPECT_EQ(tlb.l1_size(kS), 2 * small);  // until the dispatcher applies it
  tlb.apply_resize();
  EXPECT_EQ(tlb.l1_size(kS), small);
  // Never below the smallest size.
  now += SoftTlb::kShrinkAfterInsns;
  tlb.flush_all();
  EXPECT_FALSE(tlb.resize_pending());
}

// Flushes soon after a resize (a context switch every few milliseconds) leave the size:
// without that, Linux's L1s grew and shrank back dozens of times a second.
TEST_F(TlbGrowth, AnL1KeepsItsNewSizeForAWhile) {
  const size_t small = size_t{1} << SoftTlb::kL1MinBits;
  fill_pages(kS, 0, 2 * small, 1);
  tlb.apply_resize();
  ASSERT_EQ(tlb.l1_size(kS), 2 * small);
  for (int flush = 0; flush < 10; ++flush) {
    now += SoftTlb::kShrinkAfterInsns / 16;
    tlb.flush_all();
    EXPECT_FALSE(tlb.resize_pending()) << flush;
  }
  now += SoftTlb::kShrinkAfterInsns;
  tlb.flush_all();
  EXPECT_TRUE(tlb.resize_pending());
}

}  // namespace
}  // namespace tiervm
