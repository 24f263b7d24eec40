// A tier-2 region may be entered at any member that ran its own tier-1 code when the
// region was installed (engine/jit/jit_tier.cpp, enter_at_members): the dispatcher and
// the chains of other code then enter the region at that member's pc. What must hold on
// every tier, and on test tier 4 (tests/common/tiers.h), where every other block is
// promoted at once so later regions take earlier tier-1 blocks in as member entries:
// the results of a loop nest entered at members, in one run or resumed anywhere by the
// dispatcher's limit, and after a store rewrites a member's code.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/code_cache.h"
#include "tests/engine/asm_util.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using test::assemble;
using test::kRamBase;
using test::TestMachine;

// Three rounds (s2) of two passes (s1) of an inner loop of four (t2) that adds 1 to a0.
// Compiled in the order B0, P, Q, L, T, E on tier 4, T's region takes in Q and L, and L
// (still tier 1 then) becomes a member entry: Q's own region and the dispatcher enter T's
// region there. After each round the store at [11] writes t3 to t4.
const std::vector<std::string> kNest = {
    "li s2, 3",            // 0: B0
    "j .+4",               // 1
    "li s1, 2",            // 2: P (0x08)
    "j .+4",               // 3
    "li t2, 4",            // 4: Q (0x10)
    "j .+4",               // 5
    "addi t2, t2, -1",     // 6: L (0x18)
    "addi a0, a0, 1",      // 7
    "bne t2, zero, .-8",   // 8
    "addi s1, s1, -1",     // 9: T
    "bne s1, zero, .-24",  // 10 -> Q
    "sw t3, 0(t4)",        // 11: E
    "nop",                 // 12
    "addi s2, s2, -1",     // 13
    "bne s2, zero, .-48",  // 14 -> P
    "j .",                 // 15
};
constexpr uint64_t kScratch = kRamBase + 0x800;
constexpr uint64_t kLoopEnd = kRamBase + 15 * 4;

class RegionEntry : public ::testing::TestWithParam<unsigned> {
 protected:
  unsigned tier() const { return GetParam(); }
  static void load(TestMachine& m, const std::vector<std::string>& lines) {
    const std::vector<uint32_t> words = assemble(lines);
    ASSERT_EQ(words.size(), lines.size());
    for (size_t i = 0; i < words.size(); ++i) m.put({words[i]}, kRamBase + 4 * i);
  }
  // kNest, its store writing `t3` to `t4`.
  static void load_nest(TestMachine& m, uint64_t t3, uint64_t t4) {
    load(m, kNest);
    m.set_x(28, t3);
    m.set_x(29, t4);
  }
  // On tier 4, regions were entered at members (the test's point).
  void expect_member_entries(TestMachine& m) const {
    if (tier() != kMemberEntryTier) return;
    EXPECT_GT(m.exec.jit()->stats().region_member_entries, 0u);
  }
};

TEST_P(RegionEntry, ALoopNestEnteredAtMembersCountsEveryPass) {
  TestMachine m(tier());
  load_nest(m, 0, kScratch);
  m.run(2000);
  EXPECT_EQ(m.pc(), kLoopEnd);
  EXPECT_EQ(m.x(10), 3u * 2u * 4u);
  EXPECT_EQ(m.x(7), 0u);
  EXPECT_EQ(m.x(9), 0u);
  EXPECT_EQ(m.x(18), 0u);
  // 2 + 3 * (2 + 2 * (2 + 4 * 3 + 2) + 4) instructions, then `j .` spins.
  EXPECT_GE(m.hart.s.instret, 2u + 3u * (2u + 2u * 16u + 4u));
  EXPECT_TRUE(m.ran_compiled());
  expect_member_entries(m);
}

// The dispatcher's limit stops the nest after every few instructions: each resume enters
// compiled code at whatever block the hart stopped before, members included. Registers
// and instret stay exact throughout.
TEST_P(RegionEntry, ResumedAnywhereByTheLimit) {
  TestMachine m(tier());
  load_nest(m, 0, kScratch);
  for (int i = 0; i < 60 && m.pc() != kLoopEnd; ++i) m.run(3);
  EXPECT_EQ(m.pc(), kLoopEnd);
  EXPECT_EQ(m.x(10), 24u);
  EXPECT_EQ(m.hart.s.instret, 2u + 3u * (2u + 2u * 16u + 4u));
  expect_member_entries(m);
}

// The first round's store rewrites the inner loop's add (a member entry on tier 4) to add
// 2: the regions that contain it go, their member entries run their own code again, and
// the last two rounds add 2 per pass: 8 * 1 + 16 * 2.
TEST_P(RegionEntry, AStoreIntoAMemberRunsTheNewCode) {
  TestMachine m(tier());
  const std::vector<uint32_t> add2 = assemble({"addi a0, a0, 2"});
  ASSERT_EQ(add2.size(), 1u);
  load_nest(m, add2[0], kRamBase + 7 * 4);
  m.run(2000);
  EXPECT_EQ(m.pc(), kLoopEnd);
  EXPECT_EQ(m.x(10), 8u + 16u * 2u);
  if (tier() == kMemberEntryTier) {
    EXPECT_GT(m.exec.jit()->stats().regions_reverted, 0u);
  }
  expect_member_entries(m);
}

// Dropping the region's entry T (as a store into it would) takes the region away from its
// member entries too: L runs its own tier-1 code again at once, never the freed region's,
// and a second run of the nest still counts every pass.
TEST_P(RegionEntry, DroppingTheRegionsEntryLeavesItsMemberEntries) {
  TestMachine m(tier());
  load_nest(m, 0, kScratch);
  m.run(2000);
  ASSERT_EQ(m.x(10), 24u);
  CodeCache& cache = m.exec.code_cache();
  auto find = [&](uint64_t offset) {
    CachedBlock* b = cache.find(BlockKey(kRamBase + offset, TranslateFlags{true}));
    return b != nullptr ? b : cache.find(BlockKey(kRamBase + offset, TranslateFlags{false}));
  };
  CachedBlock* t = find(9 * 4);
  CachedBlock* l = find(6 * 4);
  if (tier() == kMemberEntryTier) {
    ASSERT_NE(t, nullptr);
    ASSERT_NE(l, nullptr);
    const JitFn region = t->native;
    EXPECT_EQ(t->running_tier(), Tier::Optimized);
    EXPECT_EQ(l->native, region);  // L enters T's region
    cache.invalidate_range(kRamBase + 9 * 4, 4);
    EXPECT_NE(l->native, nullptr);
    EXPECT_NE(l->native, region);
    EXPECT_EQ(l->running_tier(), Tier::Baseline);
  }
  m.hart.s.pc = kRamBase;
  m.set_x(10, 0);
  m.run(2000);
  EXPECT_EQ(m.pc(), kLoopEnd);
  EXPECT_EQ(m.x(10), 24u);
}

// Regions with member entries, compiled while data accesses were bare, after a locked PMP
// entry made the buffer read-only (priv spec 3.7.1): the store faults precisely, with the
// buffer as the first round left it. (A bare region entered at a member when the hart is
// no longer bare runs that member's tier-1 code: tests/engine/llvm_backend_test.cpp.)
TEST_P(RegionEntry, AStoreFaultsPreciselyOnceNoLongerBare) {
  TestMachine m(tier());
  load(m, {
              "li s2, 3",             // 0
              "j .+4",                // 1
              "li s1, 2",             // 2: P
              "j .+4",                // 3
              "li t2, 4",             // 4: Q
              "j .+4",                // 5
              "sw t1, 0(t0)",         // 6: L (0x18)
              "addi t2, t2, -1",      // 7
              "bne t2, zero, .-8",    // 8
              "addi s1, s1, -1",      // 9: T
              "bne s1, zero, .-24",   // 10 -> Q
              "csrw pmpaddr0, a2",    // 11: E
              "addi a5, zero, 0x91",  // 12: L | NA4 | R
              "csrw pmpcfg0, a5",     // 13
              "addi t1, t1, 1",       // 14
              "addi s2, s2, -1",      // 15
              "bne s2, zero, .-56",   // 16 -> P
              "j .",                  // 17
          });
  const uint64_t handler = kRamBase + 0x800;
  const uint64_t buffer = kRamBase + 0x3000;
  m.put({0x0000006f}, handler);  // j .
  m.hart.s.mtvec = handler;
  m.set_x(5, buffer);        // t0
  m.set_x(6, 0x11);          // t1
  m.set_x(12, buffer >> 2);  // a2: pmpaddr of the buffer (NA4)
  m.run(500);
  constexpr uint64_t kCauseStoreAccess = 7;
  EXPECT_EQ(m.hart.s.mcause, kCauseStoreAccess);
  EXPECT_EQ(m.hart.s.mepc, kRamBase + 6 * 4);
  EXPECT_EQ(m.hart.s.mtval, buffer);
  EXPECT_EQ(m.pc(), handler);
  EXPECT_EQ(m.read64(buffer) & 0xffffffff, 0x11u);
  // The second round's first pass, before its decrement: s2 2, s1 2, t2 4.
  EXPECT_EQ(m.x(18), 2u);
  EXPECT_EQ(m.x(9), 2u);
  EXPECT_EQ(m.x(7), 4u);
  expect_member_entries(m);
}

// A loop that calls a leaf function in its page: in a region holding both, the return
// (an indirect jump to a member's pc) branches back into the loop inside the region.
// Stopped by the limit every few instructions, or run through, the count stays exact.
TEST_P(RegionEntry, ALeafCallInsideTheRegionReturnsIntoIt) {
  const std::vector<std::string> program = {
      "li s1, 5",           // 0
      "j .+4",              // 1
      "jal ra, .+16",       // 2: L (0x08) -> F
      "addi s1, s1, -1",    // 3
      "bne s1, zero, .-8",  // 4 -> L
      "j .",                // 5
      "addi a0, a0, 3",     // 6: F (0x18)
      "ret",                // 7
  };
  for (const uint64_t step : {uint64_t{1000}, uint64_t{2}}) {
    TestMachine m(tier());
    load(m, program);
    for (int i = 0; i < 100 && m.pc() != kRamBase + 5 * 4; ++i) m.run(step);
    EXPECT_EQ(m.pc(), kRamBase + 5 * 4) << "step " << step;
    EXPECT_EQ(m.x(10), 15u) << "step " << step;
    EXPECT_EQ(m.x(9), 0u) << "step " << step;
    EXPECT_EQ(m.x(1), kRamBase + 3 * 4) << "step " << step;
    EXPECT_GE(m.hart.s.instret, 2u + 5u * 5u) << "step " << step;
  }
}

// A loop whose body crosses a page boundary (untranslated fetch, M-mode): on tier 2 one
// region holds both halves. Rewriting the second half's first instruction (as a store into
// it would, then dropping the block) takes the region away; the loop goes on with the new
// instruction. Paused and resumed at every instruction before that, so the dispatcher
// enters both halves' code.
TEST_P(RegionEntry, ALoopAcrossAPageBoundary) {
  constexpr uint64_t kLoop = kRamBase + 0xff0;  // L: the first half, in page 0
  constexpr uint64_t kSecond = kRamBase + 0x1000;
  constexpr uint64_t kEnd = kSecond + 8;
  const std::vector<uint32_t> first = assemble({"addi t2, t2, -1", "addi a0, a0, 2", "j .+8"});
  const std::vector<uint32_t> second = assemble({"addi a1, a1, 1", "bne t2, zero, .-20", "j ."});
  const std::vector<uint32_t> patched = assemble({"addi a1, a1, 5"});
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 3u);
  ASSERT_EQ(patched.size(), 1u);
  // A block before the loop, so that on tier 4 the first half stays in tier 1 and the
  // second half's region (spanning both pages) takes it in as a member.
  const std::vector<uint32_t> before = assemble({"addi a2, a2, 1", "j .+4"});
  ASSERT_EQ(before.size(), 2u);
  for (const uint64_t pause : {uint64_t{40}, uint64_t{41}, uint64_t{42}}) {
    TestMachine m(tier());
    m.put({before[0], before[1]}, kLoop - 8);
    for (size_t i = 0; i < first.size(); ++i) m.put({first[i]}, kLoop + 4 * i);
    for (size_t i = 0; i < second.size(); ++i) m.put({second[i]}, kSecond + 4 * i);
    m.hart.s.pc = kLoop - 8;
    m.set_x(7, 100);  // t2
    for (int i = 0; i < 100 && m.hart.s.instret < pause; ++i) m.run(1);
    ASSERT_GE(m.hart.s.instret, pause);
    if (tier() == 2 || tier() == kMemberEntryTier) {
      EXPECT_GT(m.exec.jit()->stats().regions_spanning_pages, 0u);
    }
    // What is left to run: t2 passes, plus this pass's second half if the hart stopped
    // before it.
    const uint64_t a1 = m.x(11);
    const uint64_t left = m.x(7) + (m.pc() == kSecond ? 1 : 0);
    m.put({patched[0]}, kSecond);
    m.exec.code_cache().invalidate_range(kSecond, 4);
    for (int i = 0; i < 100 && m.pc() != kEnd; ++i) m.run(50);
    EXPECT_EQ(m.pc(), kEnd) << "pause " << pause;
    EXPECT_EQ(m.x(10), 200u) << "pause " << pause;
    EXPECT_EQ(m.x(11), a1 + 5 * left) << "pause " << pause;
    EXPECT_EQ(m.x(7), 0u);
    EXPECT_EQ(m.x(12), 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(Tiers, RegionEntry, ::testing::Values(0u, 1u, 2u, 3u, kMemberEntryTier),
                         [](const auto& info) { return "Tier" + std::to_string(info.param); });

}  // namespace
}  // namespace tiervm
