// The JIT tier's parts, each on its own: the link registry, module reference counts, the
// background compile worker and region forming.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "engine/code_cache.h"
#include "engine/jit/compile_worker.h"
#include "engine/jit/link_registry.h"
#include "engine/jit/module_refs.h"
#include "engine/jit/region_builder.h"
#include "engine/jit/tier_up_policy.h"
#include "tests/engine/asm_util.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

uint32_t code_a(Hart*, HartState*) {
  return 0;
}
uint32_t code_b(Hart*, HartState*) {
  return 1;
}

const BlockKey kA(0x8000'0000, {true});
const BlockKey kB(0x8000'0010, {true});
const BlockKey kC(0x8000'0020, {true});

TEST(LinkRegistry, LinksToCompiledTargetsAndRetargetsEveryPredecessor) {
  LinkRegistry links;
  ChainSlot* a_to_c = links.new_slot();
  ChainSlot* b_to_c = links.new_slot();
  EXPECT_FALSE(links.add(kA, kC, a_to_c, nullptr));  // C not compiled yet
  EXPECT_EQ(a_to_c->fn.load(), nullptr);
  EXPECT_TRUE(links.add(kB, kC, b_to_c, &code_a));
  EXPECT_EQ(b_to_c->fn.load(), &code_a);
  // C is (re)compiled: both predecessors jump to the new code.
  EXPECT_EQ(links.retarget(kC, &code_b), 2u);
  EXPECT_EQ(a_to_c->fn.load(), &code_b);
  EXPECT_EQ(b_to_c->fn.load(), &code_b);
}

TEST(LinkRegistry, DroppingATargetUnlinksItsPredecessorsAndForgetsItsExits) {
  LinkRegistry links;
  ChainSlot* a_to_b = links.new_slot();
  ChainSlot* b_to_c = links.new_slot();
  links.add(kA, kB, a_to_b, &code_a);
  links.add(kB, kC, b_to_c, &code_b);
  EXPECT_EQ(links.drop(kB), 1u);  // one live link into B broken
  EXPECT_EQ(a_to_b->fn.load(), nullptr);
  // B's own exit towards C is forgotten: recompiling C no longer writes B's old slot.
  EXPECT_EQ(links.retarget(kC, &code_a), 0u);
  EXPECT_EQ(b_to_c->fn.load(), &code_b);
  // A dropped block that is dropped again breaks nothing.
  EXPECT_EQ(links.drop(kB), 0u);
}

TEST(ModuleRefs, AModuleDiesWithItsLastUser) {
  ModuleRefs refs;
  refs.ref(7);
  refs.ref(7);
  refs.ref(9);
  refs.ref(0);  // "no module": not counted
  EXPECT_EQ(refs.live(), 2u);
  refs.unref(7);
  EXPECT_FALSE(refs.has_dead());
  refs.unref(7);
  refs.unref(0);
  ASSERT_TRUE(refs.has_dead());
  EXPECT_EQ(refs.take_dead(), std::vector<uint64_t>{7});
  EXPECT_FALSE(refs.has_dead());
  EXPECT_EQ(refs.live(), 1u);
  refs.unref(7);  // unknown now: ignored, not dead twice
  EXPECT_FALSE(refs.has_dead());
}

// Tier-1 jobs are compiled before a tier-2 job queued earlier, in batches, on the worker.
TEST(CompileWorker, CompilesFastJobsFirstInBatchesAndReleasesModules) {
  std::vector<std::vector<Tier>> batches;
  std::mutex released_mutex;  // the worker writes `released` while the test reads it
  std::vector<uint64_t> released;
  std::mutex gate;
  gate.lock();  // holds the worker inside its first batch until every job is queued
  bool first = true;
  CompileWorker worker(
      [&](std::vector<CompileJob>& jobs) {
        if (first) {
          first = false;
          std::lock_guard<std::mutex> hold(gate);
        }
        std::vector<Tier> tiers;
        std::vector<CompileResult> out;
        for (const CompileJob& j : jobs) {
          tiers.push_back(j.tier);
          CompileResult r;
          r.tier = j.tier;
          out.push_back(r);
        }
        batches.push_back(tiers);
        return out;
      },
      [&](uint64_t m) {
        std::lock_guard<std::mutex> lock(released_mutex);
        released.push_back(m);
      },
      2);
  auto job = [](Tier t) {
    CompileJob j;
    j.tier = t;
    return j;
  };
  worker.submit(job(Tier::Fast));  // taken at once, waits at the gate
  while (worker.queue_length() != 0) std::this_thread::yield();
  worker.submit(job(Tier::Optimized));
  for (int i = 0; i < 3; ++i) worker.submit(job(Tier::Fast));
  EXPECT_EQ(worker.queue_length(), 4u);
  gate.unlock();
  std::vector<CompileResult> results;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (results.size() < 5 && std::chrono::steady_clock::now() < deadline) {
    if (worker.has_results()) {
      for (CompileResult& r : worker.take_results()) results.push_back(std::move(r));
    }
    std::this_thread::yield();
  }
  ASSERT_EQ(results.size(), 5u);
  worker.release({3, 4});
  auto released_now = [&] {
    std::lock_guard<std::mutex> lock(released_mutex);
    return released;
  };
  while (released_now().size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(released_now(), (std::vector<uint64_t>{3, 4}));
  const std::vector<std::vector<Tier>> want = {
      {Tier::Fast}, {Tier::Fast, Tier::Fast}, {Tier::Fast}, {Tier::Optimized}};
  EXPECT_EQ(batches, want);
}

// A region is the entry plus compiled blocks reached through static exits in its page.
TEST(RegionBuilder, FollowsCompiledSamePageSuccessors) {
  TestMachine m;
  // 0x00: beq x0, x0, +0x10 (taken -> 0x10, fallthrough 0x04)
  // 0x04: j . ; 0x10: j 0x1000 (another page: not followed)
  m.put({0x00000863, kJumpSelf});
  m.put({0x7f10006f}, kRamBase + 0x10);
  CodeCache& cache = m.exec.code_cache();
  CachedBlock* entry = cache.get(kRamBase, kRamBase, {true});
  CachedBlock* taken = cache.get(kRamBase + 0x10, kRamBase + 0x10, {true});
  CachedBlock* fall = cache.get(kRamBase + 4, kRamBase + 4, {true});
  ASSERT_NE(entry, nullptr);
  // Only compiled blocks join: with none compiled the region is the entry alone.
  EXPECT_EQ(form_region(cache, *entry, 8).size(), 1u);
  taken->native = &code_a;
  fall->native = &code_a;
  const auto region = form_region(cache, *entry, 8);
  ASSERT_EQ(region.size(), 3u);
  EXPECT_EQ(region[0], entry);
  EXPECT_EQ(region[1], taken);
  EXPECT_EQ(region[2], fall);
  EXPECT_EQ(form_region(cache, *entry, 2).size(), 2u);
}

// Under translation an exit into another page joins through `cross_page`, which names the
// block the exit's virtual pc maps to (here, 0x10's `j 0x1000` leads to a block at 0x3000
// of another physical page); a Jump's one static exit is all it has.
TEST(RegionBuilder, FollowsAnExitIntoAnotherPageThroughCrossPage) {
  TestMachine m;
  m.put({0x00000863, kJumpSelf});
  m.put({0x7f10006f}, kRamBase + 0x10);
  m.put({kJumpSelf}, kRamBase + 0x3000);
  CodeCache& cache = m.exec.code_cache();
  CachedBlock* entry = cache.get(kRamBase, kRamBase, {true});
  CachedBlock* taken = cache.get(kRamBase + 0x10, kRamBase + 0x10, {true});
  CachedBlock* fall = cache.get(kRamBase + 4, kRamBase + 4, {true});
  CachedBlock* far = cache.get(kRamBase + 0x3000, kRamBase + 0x3000, {true});
  for (CachedBlock* b : {taken, fall, far}) b->native = &code_a;
  std::vector<std::pair<const CachedBlock*, int64_t>> asked;
  const CrossPageTarget cross = [&](const CachedBlock& from, int64_t offset) -> const CachedBlock* {
    asked.emplace_back(&from, offset);
    return far;
  };
  const auto region = form_region(cache, *entry, 8, false, {}, cross);
  ASSERT_EQ(region.size(), 4u);
  EXPECT_EQ(region[3], far);
  // Asked once, for the one exit that leaves the page.
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].first, taken);
  EXPECT_EQ(asked[0].second, 0x1000 - 0x10);
  // Without it (or with nothing there) the exit stays out.
  EXPECT_EQ(form_region(cache, *entry, 8).size(), 3u);
  const CrossPageTarget none = [](const CachedBlock&, int64_t) -> const CachedBlock* {
    return nullptr;
  };
  EXPECT_EQ(form_region(cache, *entry, 8, false, {}, none).size(), 3u);
}

// Past its block limit a region grows while its loop stays small: here a loop of 20
// compiled one-instruction blocks (`j .+4`, the last back to the first) gives 8 blocks at
// a limit of 8, 16 when up to 16 blocks of at most 96 instructions may join, and 10 when
// at most 10 instructions may.
TEST(RegionBuilder, GrowsPastTheBlockLimitWhileSmall) {
  TestMachine m;
  constexpr unsigned kBlocks = 20;
  const std::vector<uint32_t> words = assemble({"j .+4", "j .-76"});
  ASSERT_EQ(words.size(), 2u);
  CodeCache& cache = m.exec.code_cache();
  for (unsigned k = 0; k < kBlocks; ++k) {
    m.put({k + 1 < kBlocks ? words[0] : words[1]}, kRamBase + 4 * k);
  }
  for (unsigned k = 0; k < kBlocks; ++k) {
    CachedBlock* b = cache.get(kRamBase + 4 * k, kRamBase + 4 * k, {true});
    ASSERT_NE(b, nullptr);
    ASSERT_EQ(b->ir.guest_count(), 1u);
    b->native = &code_a;
  }
  const CachedBlock* entry = cache.find(cache.get(kRamBase, kRamBase, {true})->key);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(form_region(cache, *entry, 8).size(), 8u);
  const auto grown = form_region(cache, *entry, 8, false, {16, 96});
  ASSERT_EQ(grown.size(), 16u);
  for (unsigned k = 0; k < 16; ++k) EXPECT_EQ(grown[k]->ir.start_pc, kRamBase + 4 * k);
  EXPECT_EQ(form_region(cache, *entry, 8, false, {16, 10}).size(), 10u);
}

// An inner loop's region takes its enclosing loop's blocks before the paths that leave:
//   A 0x00: j E              (outer loop head)
//   E 0x10: bne t0, zero, E  (the entry: an inner loop)
//   F 0x14: beq t1, zero, X0 (leaves the outer loop)
//   G 0x18: j A
//   X 0x40..: a chain of ten `j .+4` blocks
// Breadth first, the region's first four blocks would be E, F, X0 and G.
TEST(RegionBuilder, TakesTheEnclosingLoopBeforeTheExits) {
  TestMachine m;
  const std::vector<uint32_t> w =
      assemble({"j .+16", "bne t0, zero, .", "beq t1, zero, .+44", "j .-24", "j .+4"});
  ASSERT_EQ(w.size(), 5u);
  m.put({w[0]}, kRamBase);
  m.put({w[1], w[2], w[3]}, kRamBase + 0x10);
  for (unsigned k = 0; k < 10; ++k) m.put({w[4]}, kRamBase + 0x40 + 4 * k);
  CodeCache& cache = m.exec.code_cache();
  std::vector<uint64_t> pcs = {0x00, 0x10, 0x14, 0x18};
  for (unsigned k = 0; k < 10; ++k) pcs.push_back(0x40 + 4 * k);
  for (uint64_t pc : pcs) {
    CachedBlock* b = cache.get(kRamBase + pc, kRamBase + pc, {true});
    ASSERT_NE(b, nullptr);
    b->native = &code_a;
  }
  const CachedBlock* e = cache.find(cache.get(kRamBase + 0x10, kRamBase + 0x10, {true})->key);
  ASSERT_NE(e, nullptr);
  auto starts = [](const std::vector<const CachedBlock*>& blocks) {
    std::vector<uint64_t> out;
    out.reserve(blocks.size());
    for (const CachedBlock* b : blocks) out.push_back(b->ir.start_pc - kRamBase);
    return out;
  };
  EXPECT_EQ(starts(form_region(cache, *e, 4)), (std::vector<uint64_t>{0x10, 0x14, 0x18, 0x00}));
  // Room for more: the exit path fills it, breadth first.
  EXPECT_EQ(starts(form_region(cache, *e, 6)),
            (std::vector<uint64_t>{0x10, 0x14, 0x40, 0x18, 0x44, 0x00}));
}

}  // namespace
}  // namespace tiervm::test

namespace tiervm::test {
namespace {

// LLVM's tier-1 threshold doubles while compiling takes more than the budget, and falls
// back towards the configured floor when the compiler idles.
TEST(TierUpPolicy, Tier1ThresholdFollowsTheCompileBudget) {
  JitConfig config;
  config.tier1 = Tier::Fast;
  config.tier1_threshold = 100;
  config.tier2 = false;
  TierUpPolicy policy(config);
  TestMachine m;
  const auto t0 = TierUpPolicy::Clock::now();
  JitStats stats;
  // 10 ms of compiling in a 10 ms window: over the 10 % budget.
  uint64_t total = 10'000'000;
  EXPECT_TRUE(
      policy.tick(t0 + std::chrono::milliseconds(10), m.exec.code_cache(), total, 0, false, stats)
          .empty());
  EXPECT_EQ(policy.tier1_threshold(), 200u);
  EXPECT_EQ(stats.tier1_threshold, 200u);
  // Idle windows: 200 -> 133 -> 100 (never below the floor).
  for (int i = 2; i <= 4; ++i) {
    policy.tick(t0 + std::chrono::milliseconds(10 * i), m.exec.code_cache(), total, 0, false,
                stats);
  }
  EXPECT_EQ(policy.tier1_threshold(), 100u);
}

// The baseline tier costs microseconds on the hart's thread: its threshold never moves,
// however much LLVM compiles meanwhile.
TEST(TierUpPolicy, BaselineThresholdStaysPut) {
  JitConfig config;
  config.tier1 = Tier::Baseline;
  config.tier1_threshold = 3;
  TierUpPolicy policy(config);
  TestMachine m;
  const auto t0 = TierUpPolicy::Clock::now();
  JitStats stats;
  for (int i = 1; i <= 3; ++i) {
    policy.tick(t0 + std::chrono::milliseconds(10 * i), m.exec.code_cache(),
                uint64_t{10'000'000} * i, 40, true, stats);
  }
  EXPECT_EQ(policy.tier1_threshold(), 3u);
}

// A watched tier-1 block that runs hot is named for promotion once; a dropped region hands
// back the tier-1 code it replaced, and the block may be promoted again.
TEST(TierUpPolicy, PromotesHotBlocksAndRevertsRegions) {
  JitConfig config;
  config.tier2 = true;
  config.policy.tier2_threshold = 1000;  // executions per second
  config.policy.min_threshold = 1000;
  TierUpPolicy policy(config);
  TestMachine m;
  m.put({0x00108093, kJumpSelf});  // addi x1, x1, 1; j .
  CachedBlock* b = m.exec.code_cache().get(kRamBase, kRamBase, {true});
  b->native = &code_a;
  b->tier = Tier::Fast;
  uint64_t counter = 0;
  policy.watch(b->key, &counter);
  const auto t0 = TierUpPolicy::Clock::now();
  JitStats stats;
  counter = 1'000'000;  // a million entries in 10 ms
  auto hot =
      policy.tick(t0 + std::chrono::milliseconds(10), m.exec.code_cache(), 0, 0, false, stats);
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_EQ(hot[0], b->key);
  policy.promoted(b->key, {&code_a, 64});
  counter += 1'000'000;
  EXPECT_TRUE(
      policy.tick(t0 + std::chrono::milliseconds(20), m.exec.code_cache(), 0, 0, false,
                  stats)
          .empty());  // already promoted
  const auto fallback = policy.revert(b->key);
  ASSERT_TRUE(fallback.has_value());
  EXPECT_EQ(fallback->fn, &code_a);
  EXPECT_EQ(fallback->bytes, 64u);
  counter += 1'000'000;
  EXPECT_EQ(policy.tick(t0 + std::chrono::milliseconds(30), m.exec.code_cache(), 0, 0, false, stats)
                .size(),
            1u);
  EXPECT_FALSE(policy.revert(BlockKey(kRamBase + 0x100, {true})).has_value());
}

}  // namespace
}  // namespace tiervm::test
