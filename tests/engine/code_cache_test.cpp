#include "engine/code_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "engine/jit/jit_tier.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

constexpr uint32_t kNop = 0x00000013;  // addi zero, zero, 0

// Blocks at 0x100-byte steps, each "nop; j ." so every one is a separate translation.
void put_blocks(TestMachine& m, unsigned n) {
  for (unsigned i = 0; i < n; ++i) m.put({kNop, kJumpSelf}, kRamBase + 0x100 * i);
}

TEST(CodeCache, ReachingTheBoundEvictsTheBlocksThatRanLongestAgo) {
  TestMachine m;
  put_blocks(m, 5);
  CodeCache cache(m.hart, 4);
  // Blocks 0..3 last ran in the order 2, 0, 3, 1 (the dispatcher's stamps).
  const uint64_t last_run[4] = {20, 40, 10, 30};
  for (unsigned i = 0; i < 4; ++i) {
    const uint64_t pc = kRamBase + 0x100 * i;
    CachedBlock* b = cache.get(pc, pc, {true});
    ASSERT_NE(b, nullptr);
    b->last_run = last_run[i];
  }
  EXPECT_EQ(cache.block_count(), 4u);
  EXPECT_EQ(cache.capacity_flushes(), 0u);
  const uint64_t fifth = kRamBase + 0x400;
  CachedBlock* b = cache.get(fifth, fifth, {true});
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->ir.start_pc, fifth);
  EXPECT_EQ(cache.capacity_flushes(), 1u);
  EXPECT_EQ(cache.evicted(), 2u);
  EXPECT_EQ(cache.block_count(), 3u);  // the two most recently run, and the new one
  auto cached = [&](unsigned i) {
    return cache.find(BlockKey(kRamBase + 0x100 * i, {true})) != nullptr;
  };
  EXPECT_FALSE(cached(0));
  EXPECT_TRUE(cached(1));
  EXPECT_FALSE(cached(2));
  EXPECT_TRUE(cached(3));
  // An evicted block comes back on its next use, and a write to its page still finds the
  // blocks that stayed.
  ASSERT_NE(cache.get(kRamBase, kRamBase, {true}), nullptr);
  m.bus.write(kRamBase + 0x304, 4, kNop);
  EXPECT_FALSE(cached(3));
  EXPECT_TRUE(cached(0));
}

// Compiled code belongs to LLVM modules; once no block uses a module it is freed from the
// dispatcher (never while code may still run).
TEST(CodeCache, DroppedBlocksFreeTheirCompiledCode) {
  TestMachine m;
  // A loop of two blocks in one page: x1 counts down from 200, then `j .`.
  m.put({0x0c800093,  // addi x1, x0, 200
         0xfff08093,  // loop: addi x1, x1, -1
         0x00008463,  // beq  x1, x0, +8
         0xff9ff06f,  // j loop
         kJumpSelf});
  JitConfig config;
  config.tier1 = Tier::Fast;
  config.synchronous = true;
  config.tier1_threshold = 1;
  m.exec.enable_jit(config);
  m.run(1000);
  ASSERT_EQ(m.x(1), 0u);
  const JitStats& stats = m.exec.jit()->stats();
  ASSERT_GE(stats.blocks_compiled, 2u);
  EXPECT_GT(stats.modules_live, 0u);
  EXPECT_EQ(stats.modules_released, 0u);
  // Keys carry the FP state; the hart comes out of reset with mstatus.FS = Off.
  ASSERT_FALSE(m.hart.fp_enabled());
  auto find = [&](uint64_t paddr) { return m.exec.code_cache().find(BlockKey(paddr, {false})); };
  const CachedBlock* loop = find(kRamBase + 4);
  ASSERT_NE(loop, nullptr);
  ASSERT_NE(loop->native, nullptr);
  EXPECT_GT(loop->native_bytes, 0u);  // the size LLVM reported for the function
  const uint64_t live = stats.modules_live;

  // Rewriting the loop (same words) drops its three blocks; `j .` at +0x10 stays compiled.
  m.put({0x0c800093, 0xfff08093, 0x00008463, 0xff9ff06f}, kRamBase);
  EXPECT_EQ(find(kRamBase + 4), nullptr);
  ASSERT_NE(find(kRamBase + 0x10), nullptr);
  EXPECT_EQ(stats.modules_live, 1u);  // synchronous mode compiles one block per module
  EXPECT_EQ(live, 4u);
  m.exec.jit()->poll();  // what the dispatcher does before the next block
  EXPECT_EQ(stats.modules_released, live - stats.modules_live);
}

// Blocks compiled in one batch share a module. A batch whose first blocks were dropped
// while LLVM compiled it must not free the module its other blocks now run from.
TEST(CodeCache, AStaleResultDoesNotFreeCodeItsBatchMatesUse) {
  TestMachine m;
  constexpr unsigned kBlocks = 16;  // JitConfig::batch_size: the tail of the chain batches
  // Block i (one per page): addi x1, x1, 1; j <block i + 1>. The last one: j .
  for (unsigned i = 0; i < kBlocks; ++i) {
    const uint64_t at = kRamBase + 0x1000 * i;
    m.put({0x00108093, i + 1 < kBlocks ? 0x7fd0006fu : kJumpSelf}, at);  // jal x0, +4092
  }
  JitConfig config;
  config.tier1_threshold = 1;  // every block queued for tier 1 at its first run
  m.exec.enable_jit(config);
  m.run(2 * kBlocks + 10);
  ASSERT_EQ(m.x(1), kBlocks);
  // Drop the first two blocks while their compilation is (most likely) still running:
  // whichever batches the worker formed, a stale result then comes first in one of them.
  m.put({0x00108093}, kRamBase);
  m.put({0x00108093}, kRamBase + 0x1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the worker finishes
  m.exec.jit()->poll();                                         // installs the results
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // frees what is dead
  m.exec.jit()->poll();
  // The surviving blocks run from their modules, which must still be mapped.
  const JitStats& stats = m.exec.jit()->stats();
  EXPECT_GE(stats.blocks_compiled, kBlocks - 2);
  m.set_x(1, 0);
  m.hart.s.pc = kRamBase + 0x2000;
  m.run(2 * kBlocks + 10);
  EXPECT_EQ(m.x(1), kBlocks - 2);
  EXPECT_GT(stats.native_runs, 0u);
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
  EXPECT_NE(cache.find(BlockKey(kRamBase, {true})), nullptr);
  EXPECT_EQ(cache.find(BlockKey(kRamBase + 0x100, {true})), nullptr);
  EXPECT_TRUE(m.bus.is_code_page(kRamBase));  // the first block still lives there
  m.bus.write(kRamBase, 4, kNop);
  EXPECT_EQ(cache.block_count(), 0u);
  EXPECT_FALSE(m.bus.is_code_page(kRamBase));  // no code left: fast writes again
}

// Compiled loops jump back to their head without a lookup: a dropped block (here by a
// write into it, as a store of the block itself would) makes the hart leave compiled code
// at its next exit. A write that drops nothing leaves the hart alone.
TEST(CodeCache, DroppingABlockAsksTheHartToLeaveCompiledCode) {
  TestMachine m;
  put_blocks(m, 1);
  CodeCache cache(m.hart);
  cache.get(kRamBase, kRamBase, {true});
  HartState& s = m.hart.s;
  s.exit_request.store(0);
  s.instret_limit.store(s.instret + 100);
  m.bus.write(kRamBase + 0x80, 4, kNop);  // same page, no block there
  EXPECT_TRUE(s.may_chain());
  EXPECT_EQ(s.exit_request.load(), 0u);
  m.bus.write(kRamBase + 4, 4, kNop);  // the block's `j .`
  EXPECT_EQ(cache.block_count(), 0u);
  EXPECT_FALSE(s.may_chain());
  EXPECT_NE(s.exit_request.load(), 0u);
}

// native_bytes() is a running sum (monitors on other threads read it): installs and
// replacements add, drops subtract, and a block outside the table (translated per use)
// counts nothing.
TEST(CodeCache, NativeBytesFollowInstallsReplacementsAndDrops) {
  TestMachine m;
  put_blocks(m, 2);
  CodeCache cache(m.hart);
  static uint8_t code[4];
  const auto fn = reinterpret_cast<JitFn>(code);
  CachedBlock* a = cache.get(kRamBase, kRamBase, {true});
  CachedBlock* b = cache.get(kRamBase + 0x100, kRamBase + 0x100, {true});
  EXPECT_EQ(cache.native_bytes(), 0u);
  cache.set_native(*a, fn, 100);
  cache.set_native(*b, fn, 40);
  EXPECT_EQ(cache.native_bytes(), 140u);
  cache.set_native(*a, fn, 300);  // a region replaces a's tier-1 code
  EXPECT_EQ(cache.native_bytes(), 340u);
  m.bus.write(kRamBase + 0x104, 4, kNop);  // drops b
  EXPECT_EQ(cache.native_bytes(), 300u);
  CachedBlock outside;
  outside.key = BlockKey(kRamBase + 0x200, {true});
  cache.set_native(outside, fn, 1000);
  EXPECT_EQ(cache.native_bytes(), 300u);
  cache.flush();
  EXPECT_EQ(cache.native_bytes(), 0u);
}

}  // namespace
}  // namespace tiervm::test
