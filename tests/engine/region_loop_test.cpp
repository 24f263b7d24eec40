// Loops inside one tier-2 region keep instret in a register and check only the exit
// request on each back edge (engine/jit/llvm_lowering.cpp): what they must still do
// exactly, on every tier. Helpers that read the counters see the retired count, and the
// dispatcher's instruction limit stops a loop within one pass.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
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

// A region's slow paths call C++ helpers through thunks that keep every host register
// (engine/jit/llvm_lowering.cpp, cold_call), and keep the f registers in host XMM
// registers. Here every pass takes an FP slow path (an inexact subnormal product: the
// soft-float helper rounds it and raises UF and NX) with a dozen integer and f registers
// live across it: all hold their values after 20 passes, a NaN's payload and a NaN-boxed
// single bit for bit.
TEST_P(RegionLoop, SlowPathCallsKeepEveryLiveRegister) {
  TestMachine m(tier());
  load(m, {"fmul.d ft0, ft1, ft2", "fadd.d fs0, fs0, fs1", "fsgnj.d fs2, fs3, fs3",
           "fsgnj.s fs5, fs4, fs4", "add s2, s2, s3", "add s4, s4, s5", "add s6, s6, s7",
           "add s8, s8, s9", "add s10, s10, s11", "add a3, a3, a4", "add a5, a5, a6",
           "add t3, t3, t4", "add t5, t5, t6", "addi t2, t2, -1", "bne t2, zero, .-56", "j ."});
  m.hart.s.mstatus |= uint64_t{1} << mstatus::FS_SHIFT;  // FS Initial
  constexpr unsigned kPasses = 20;
  // x18-x27 (s2-s11), x13-x16 (a3-a6), x28-x31 (t3-t6): a distinct start and step each.
  const unsigned sums[] = {18, 20, 22, 24, 26, 13, 15, 28, 30};
  for (unsigned r : sums) {
    m.set_x(r, 0x1000 * r);
    m.set_x(r + 1, 3 * r + 1);
  }
  m.set_x(7, kPasses);
  m.set_f(1, 0x1ED0000000000001);   // ft1 = 2^-530 (1 + 2^-52)
  m.set_f(2, 0x20B8000000000000);   // ft2 = 1.5 2^-500
  m.set_f(8, 0);                    // fs0 = +0.0
  m.set_f(9, 0x3FF0000000000000);   // fs1 = 1.0
  m.set_f(19, 0x7FF4000000000ABC);  // fs3: a signalling NaN with a payload
  m.set_f(20, 0xFFFFFFFF7FC01234);  // fs4: a boxed single quiet NaN with a payload
  m.run(kPasses * 15 + 50);
  EXPECT_EQ(m.pc(), kRamBase + 60);
  EXPECT_EQ(m.x(7), 0u);
  for (unsigned r : sums) {
    EXPECT_EQ(m.x(r), 0x1000 * r + kPasses * (3 * r + 1)) << "x" << r;
    EXPECT_EQ(m.x(r + 1), 3 * r + 1) << "x" << r + 1;
  }
  // The host's product (SSE, round to nearest even, no flush to zero): 1.5 2^-1030 rounded
  // to a subnormal's 44 bits.
  const double product = std::bit_cast<double>(uint64_t{0x1ED0000000000001}) *
                         std::bit_cast<double>(uint64_t{0x20B8000000000000});
  EXPECT_EQ(m.f(0), std::bit_cast<uint64_t>(product));
  EXPECT_EQ(m.f(0), 0x0000180000000000u);
  EXPECT_EQ(m.f(8), 0x4034000000000000u);  // 20.0
  EXPECT_EQ(m.f(9), 0x3FF0000000000000u);
  EXPECT_EQ(m.f(18), 0x7FF4000000000ABCu);
  EXPECT_EQ(m.f(21), 0xFFFFFFFF7FC01234u);
  EXPECT_EQ(m.f(1), 0x1ED0000000000001u);
  EXPECT_EQ(m.f(2), 0x20B8000000000000u);
  EXPECT_EQ(m.hart.s.fflags, 0x3u);                        // UF, NX
  EXPECT_EQ(m.hart.s.mstatus & mstatus::FS, mstatus::FS);  // Dirty
  EXPECT_TRUE(m.ran_compiled());
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
