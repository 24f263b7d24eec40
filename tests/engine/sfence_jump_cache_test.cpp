// sfence.vma with an address flushes one page (priv spec 4.2.1): the soft TLB drops that
// page's translations and the jump cache (virtual pc -> block) that page's entries, while
// everything cached for other pages stays.
#include <gtest/gtest.h>

#include <cstdint>

#include "engine/code_cache.h"
#include "engine/hart.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

constexpr uint32_t kNop = 0x00000013;  // addi zero, zero, 0
constexpr FetchKey kFetch{TlbMode::S, TranslateFlags{true}};

// sfence.vma rs1, rs2 (priv spec 4.2.1: funct7 0001001, SYSTEM).
constexpr uint32_t sfence_vma(unsigned rs1, unsigned rs2) {
  return (0x09u << 25) | (rs2 << 20) | (rs1 << 15) | 0x73u;
}

// Two blocks in one virtual page and one in the next, cached in the jump cache under the
// virtual pcs (as if mapped 0x10000 -> RAM).
struct JumpCacheFixture {
  TestMachine m;
  CodeCache& cache = m.exec.code_cache();
  static constexpr uint64_t kPageA = 0x10000;
  static constexpr uint64_t kPageB = 0x11000;
  CachedBlock* a0 = nullptr;
  CachedBlock* a1 = nullptr;
  CachedBlock* b0 = nullptr;

  JumpCacheFixture() {
    // One dispatcher round first: it applies the reset's TLB flush to the jump cache.
    m.put({kJumpSelf}, kRamBase + 0x9000);
    m.hart.s.pc = kRamBase + 0x9000;
    m.run(1);
    m.put({kNop, kJumpSelf}, kRamBase + 0x100);
    m.put({kNop, kJumpSelf}, kRamBase + 0xf00);
    m.put({kNop, kJumpSelf}, kRamBase + 0x1100);
    a0 = insert(kPageA + 0x100, kRamBase + 0x100);
    a1 = insert(kPageA + 0xf00, kRamBase + 0xf00);
    b0 = insert(kPageB + 0x100, kRamBase + 0x1100);
  }
  CachedBlock* insert(uint64_t pc, uint64_t paddr) {
    CachedBlock* block = cache.get(pc, paddr, kFetch.flags);
    cache.jump_insert(pc, kFetch, block);
    return block;
  }
};

TEST(SfenceJumpCache, DropPageRemovesOnlyThatPagesEntries) {
  JumpCacheFixture f;
  ASSERT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageA + 0x100, kFetch), f.a0);
  f.cache.drop_jump_page(JumpCacheFixture::kPageA + 0x234);  // any address in the page
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageA + 0x100, kFetch), nullptr);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageA + 0xf00, kFetch), nullptr);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageB + 0x100, kFetch), f.b0);
  // The blocks themselves are keyed by physical address and stay cached.
  EXPECT_NE(f.cache.find(BlockKey(kRamBase + 0x100, kFetch.flags)), nullptr);
}

TEST(SfenceJumpCache, EntriesInsertedAfterADropAreFoundAndDroppedAgain) {
  JumpCacheFixture f;
  f.cache.drop_jump_page(JumpCacheFixture::kPageA);
  f.insert(JumpCacheFixture::kPageA + 0x100, kRamBase + 0x100);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageA + 0x100, kFetch), f.a0);
  // A slot reused by another pc of the same page, then a drop: nothing of the page stays.
  f.insert(JumpCacheFixture::kPageA + 0x100, kRamBase + 0xf00);
  f.cache.drop_jump_page(JumpCacheFixture::kPageA);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageA + 0x100, kFetch), nullptr);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageB + 0x100, kFetch), f.b0);
}

TEST(SfenceJumpCache, FullFlushDropsEveryPage) {
  JumpCacheFixture f;
  f.cache.flush_jump_cache();
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageA + 0x100, kFetch), nullptr);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageB + 0x100, kFetch), nullptr);
  // Entries made after a full flush are dropped by page again.
  f.insert(JumpCacheFixture::kPageB + 0x100, kRamBase + 0x1100);
  f.cache.drop_jump_page(JumpCacheFixture::kPageB);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageB + 0x100, kFetch), nullptr);
}

// A full TLB flush (satp write, sfence.vma zero) makes entries stale, not gone: after a
// fresh translation to the same physical address the entry is current again, without a
// code-cache lookup; to another address it is not used.
TEST(SfenceJumpCache, StaleEntryRevalidatesOnlyAgainstTheSamePhysicalAddress) {
  JumpCacheFixture f;
  const uint64_t pc = JumpCacheFixture::kPageA + 0x100;
  f.cache.flush_jump_cache();
  ASSERT_EQ(f.cache.jump_lookup(pc, kFetch), nullptr);
  const uint64_t lookups = f.cache.lookups();
  EXPECT_EQ(f.cache.jump_revalidate(pc, kFetch, kRamBase + 0x2100), nullptr);
  EXPECT_EQ(f.cache.jump_revalidate(pc, FetchKey{TlbMode::U, kFetch.flags}, kRamBase + 0x100),
            nullptr);
  EXPECT_EQ(f.cache.jump_revalidate(pc, kFetch, kRamBase + 0x100), f.a0);
  EXPECT_EQ(f.cache.jump_lookup(pc, kFetch), f.a0);
  EXPECT_EQ(f.cache.revalidations(), 1u);
  EXPECT_EQ(f.cache.lookups(), lookups);
  // A current entry is dropped by page again.
  f.cache.drop_jump_page(JumpCacheFixture::kPageA);
  EXPECT_EQ(f.cache.jump_lookup(pc, kFetch), nullptr);
}

// Dropping code removes its entries for good, and only its entries: a store into block
// a0's bytes leaves a1 and b0 current; a flush of all code leaves nothing to revalidate.
TEST(SfenceJumpCache, DroppedCodeIsNeverRevalidated) {
  JumpCacheFixture f;
  const uint64_t pc = JumpCacheFixture::kPageA + 0x100;
  f.cache.invalidate_range(kRamBase + 0x104, 4);
  EXPECT_EQ(f.cache.jump_lookup(pc, kFetch), nullptr);
  EXPECT_EQ(f.cache.jump_revalidate(pc, kFetch, kRamBase + 0x100), nullptr);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageA + 0xf00, kFetch), f.a1);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageB + 0x100, kFetch), f.b0);

  f.cache.flush_jump_cache();  // stale, still revalidatable...
  f.cache.flush();             // ...until the code is gone
  EXPECT_EQ(f.cache.jump_revalidate(JumpCacheFixture::kPageB + 0x100, kFetch, kRamBase + 0x1100),
            nullptr);
}

// A block entered under a second virtual pc (two mappings of one physical page): its
// drop cannot find every entry by its own pc, so all entries go.
TEST(SfenceJumpCache, DroppingAnAliasedBlockDropsEveryEntry) {
  JumpCacheFixture f;
  const uint64_t alias = 0x40000 + 0x100;
  f.insert(alias, kRamBase + 0x100);
  ASSERT_EQ(f.cache.jump_lookup(alias, kFetch), f.a0);
  f.cache.invalidate_range(kRamBase + 0x100, 4);
  EXPECT_EQ(f.cache.jump_lookup(alias, kFetch), nullptr);
  EXPECT_EQ(f.cache.jump_revalidate(alias, kFetch, kRamBase + 0x100), nullptr);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageB + 0x100, kFetch), nullptr);
  EXPECT_EQ(f.cache.jump_revalidate(JumpCacheFixture::kPageB + 0x100, kFetch, kRamBase + 0x1100),
            nullptr);
}

// The guest instruction: sfence.vma a0 (a0 = an address in page A) in M-mode flushes page A
// from the TLB and the jump cache and keeps page B; sfence.vma zero flushes both.
TEST(SfenceJumpCache, SfenceVmaWithAddressFlushesThatPageOnly) {
  JumpCacheFixture f;
  Hart& hart = f.m.hart;
  hart.tlb.insert(f.m.bus, TlbMode::S, JumpCacheFixture::kPageA, kRamBase, true, false, true);
  hart.tlb.insert(f.m.bus, TlbMode::S, JumpCacheFixture::kPageB, kRamBase + 0x1000, true, false,
                  true);
  const uint64_t code = kRamBase + 0x8000;
  f.m.put({sfence_vma(10, 0), kJumpSelf}, code);
  hart.s.pc = code;
  f.m.set_x(10, JumpCacheFixture::kPageA + 0x10);
  const uint64_t flushes = hart.tlb.flushes;
  f.m.run(1);
  EXPECT_EQ(hart.tlb.flushes, flushes);
  EXPECT_EQ(hart.tlb.page_flushes, 1u);
  EXPECT_EQ(hart.tlb.lookup_l2(f.m.bus, TlbMode::S, JumpCacheFixture::kPageA), nullptr);
  EXPECT_NE(hart.tlb.lookup_l2(f.m.bus, TlbMode::S, JumpCacheFixture::kPageB), nullptr);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageA + 0x100, kFetch), nullptr);
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageB + 0x100, kFetch), f.b0);

  f.m.put({sfence_vma(0, 0), kJumpSelf}, code + 0x100);
  hart.s.pc = code + 0x100;
  f.m.run(1);
  EXPECT_EQ(hart.tlb.flushes, flushes + 1);
  EXPECT_EQ(hart.tlb.lookup_l2(f.m.bus, TlbMode::S, JumpCacheFixture::kPageB), nullptr);
  f.m.run(1);  // the dispatcher applies the full flush to the jump cache between blocks
  EXPECT_EQ(f.cache.jump_lookup(JumpCacheFixture::kPageB + 0x100, kFetch), nullptr);
}

}  // namespace
}  // namespace tiervm::test
