// Loops inside one tier-2 region keep instret in a register and check only the exit
// request on each back edge (engine/jit/llvm_lowering.cpp): what they must still do
// exactly, on every tier. Helpers that read the counters see the retired count, and the
// dispatcher's instruction limit stops a loop within one pass.
#include <gtest/gtest.h>

#include <vector>

#include "tests/engine/asm_util.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using test::assemble;
using test::kRamBase;
using test::OnEveryTier;
using test::TestMachine;

class RegionLoop : public OnEveryTier {
 protected:
  void load(TestMachine& m, const std::vector<std::string>& lines) {
    const std::vector<uint32_t> words = assemble(lines);
    ASSERT_EQ(words.size(), lines.size());
    for (size_t i = 0; i < words.size(); ++i) m.put({words[i]}, kRamBase + 4 * i);
  }
};

// instret counts the instructions retired before the reading one (unprivileged spec,
// "Zicntr"): in the fifth pass 1 + 3 * 4 of them.
TEST_P(RegionLoop, InstretReadInTheLoopCountsEveryPass) {
  TestMachine m(tier());
  load(m, {"addi t2, t2, -1", "csrr a0, instret", "bne t2, zero, .-8", "j ."});
  m.set_x(7, 5);
  m.run(40);
  EXPECT_EQ(m.x(10), 13u);
  EXPECT_EQ(m.x(7), 0u);
  EXPECT_TRUE(m.ran_compiled());
}

// The same with the counter read through mcycle, whose helper reads instret too, in a
// loop of two blocks (the read ends neither).
TEST_P(RegionLoop, CycleReadInATwoBlockLoop) {
  TestMachine m(tier());
  load(m, {"addi t2, t2, -1", "beq t2, zero, .+12", "csrr a0, mcycle", "j .-12", "j ."});
  m.set_x(7, 4);
  m.run(60);
  // Passes 1-3 run all four instructions, pass 4 the first two; the last read is in
  // pass 3, after 2 * 4 + 2 instructions.
  EXPECT_EQ(m.x(10), 10u);
  EXPECT_EQ(m.pc(), kRamBase + 16);
}

// A loop of a million passes under a limit of 1000 instructions: the hart stops within
// one pass of the limit, at the loop's head, with its registers matching the count.
TEST_P(RegionLoop, InstructionLimitStopsTheLoopWithinAPass) {
  TestMachine m(tier());
  load(m, {"addi t2, t2, -1", "addi a0, a0, 3", "bne t2, zero, .-8", "j ."});
  m.set_x(7, 1000000);
  m.run(1000);
  const uint64_t instret = m.hart.s.instret;
  EXPECT_GE(instret, 1000u);
  EXPECT_LT(instret, 1003u);
  EXPECT_EQ(instret % 3, 0u);
  EXPECT_EQ(m.pc(), kRamBase);
  EXPECT_EQ(m.x(10), instret);
  EXPECT_EQ(m.x(7), 1000000 - instret / 3);
}

// Tier 2's compile cost is also counted in the compiling thread's CPU time, which the
// compile budget charges: at most the wall time the same compiles took.
TEST(RegionCompileCost, CpuTimeIsCountedAndAtMostTheWallTime) {
  TestMachine m(2);
  std::vector<uint32_t> words = assemble({"addi t2, t2, -1", "bne t2, zero, .-4", "j ."});
  ASSERT_EQ(words.size(), 3u);
  for (size_t i = 0; i < words.size(); ++i) m.put({words[i]}, kRamBase + 4 * i);
  m.set_x(7, 100);
  m.run(300);
  const JitStats& js = m.exec.jit()->stats();
  ASSERT_GT(js.regions_compiled, 0u);
  EXPECT_GT(js.tier2_compile_cpu_ns, 0u);
  EXPECT_LE(js.tier2_compile_cpu_ns, js.tier2_compile_ns + 1000000);  // clock granularity
}

TIERVM_ON_EVERY_TIER(RegionLoop);

}  // namespace
}  // namespace tiervm
