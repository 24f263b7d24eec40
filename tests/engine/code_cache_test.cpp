#include "engine/code_cache.h"

#include <gtest/gtest.h>

#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

constexpr uint32_t kNop = 0x00000013;  // addi zero, zero, 0

// Blocks at 0x100-byte steps, each "nop; j ." so every one is a separate translation.
void put_blocks(TestMachine& m, unsigned n) {
  for (unsigned i = 0; i < n; ++i) m.put({kNop, kJumpSelf}, kRamBase + 0x100 * i);
}

TEST(CodeCache, ReachingTheBoundDropsEverythingAndStartsOver) {
  TestMachine m;
  put_blocks(m, 5);
  CodeCache cache(m.hart, 4);
  for (unsigned i = 0; i < 4; ++i) {
    const uint64_t pc = kRamBase + 0x100 * i;
    ASSERT_NE(cache.get(pc, pc, {true}), nullptr);
  }
  EXPECT_EQ(cache.block_count(), 4u);
  EXPECT_EQ(cache.capacity_flushes(), 0u);
  const uint64_t fifth = kRamBase + 0x400;
  IrBlock* b = cache.get(fifth, fifth, {true});
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->start_pc, fifth);
  EXPECT_EQ(cache.block_count(), 1u);  // the four old blocks were dropped, the new one kept
  EXPECT_EQ(cache.capacity_flushes(), 1u);
  EXPECT_EQ(cache.invalidations(), 4u);
}

TEST(CodeCache, AWriteDropsOnlyTheBlocksItOverlaps) {
  TestMachine m;
  put_blocks(m, 2);  // two blocks in one page
  CodeCache cache(m.hart);
  cache.get(kRamBase, kRamBase, {true});
  cache.get(kRamBase + 0x100, kRamBase + 0x100, {true});
  ASSERT_EQ(cache.block_count(), 2u);
  m.bus.write(kRamBase + 0x104, 4, kNop);  // rewrites the second block's `j .`
  EXPECT_EQ(cache.block_count(), 1u);
  EXPECT_NE(cache.find(CodeCache::key_of(kRamBase, {true})), nullptr);
  EXPECT_EQ(cache.find(CodeCache::key_of(kRamBase + 0x100, {true})), nullptr);
  EXPECT_TRUE(m.bus.is_code_page(kRamBase));  // the first block still lives there
  m.bus.write(kRamBase, 4, kNop);
  EXPECT_EQ(cache.block_count(), 0u);
  EXPECT_FALSE(m.bus.is_code_page(kRamBase));  // no code left: fast writes again
}

}  // namespace
}  // namespace tiervm::test
