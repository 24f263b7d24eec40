// A 32-bit instruction in the last two bytes of a page (its second half on the next page)
// is translated once and kept while the next page maps where its second half came from
// (the cases where that mapping changes are tests/engine/fetch_fault_test.cpp and
// roms/isa/straddle.S). Before, a loop over such an instruction translated it on
// every pass. A store into either half drops it like any code.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "engine/hart.h"
#include "tests/engine/asm_util.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

constexpr unsigned kA0 = 10, kA1 = 11;
constexpr uint64_t kLoop = kRamBase + 0xffa;  // the addi a0 at 0xffe straddles 0x1000
constexpr uint64_t kPasses = 50;

// Writes `words` from `at` (2-byte aligned) as 16-bit halves.
void put_halves(TestMachine& m, const std::vector<uint32_t>& words, uint64_t at) {
  for (uint32_t w : words) {
    m.put16({static_cast<uint16_t>(w), static_cast<uint16_t>(w >> 16)}, at);
    at += 4;
  }
}

class StraddleCache : public testing::TestWithParam<unsigned> {};

TEST_P(StraddleCache, LoopTranslatesTheStraddlingInstructionOnce) {
  TestMachine m(GetParam());
  const std::vector<uint32_t> code = assemble({
      "addi a1, zero, 50",
      "addi a0, a0, 1",  // 0xffe: straddles the page boundary
      "addi a1, a1, -1",
      "bne a1, zero, .-8",
      "jal zero, .",
  });
  put_halves(m, code, kLoop);
  m.hart.s.pc = kLoop;
  m.run(1 + 3 * kPasses);
  EXPECT_EQ(m.x(kA0), kPasses);
  EXPECT_EQ(m.x(kA1), 0u);
  // One translation per block: the first, the straddler, the rest of the loop, `j .`
  // (a few more at most for tiers that split differently), never one per pass.
  EXPECT_LT(m.exec.code_cache().translations(), 8u);

  // The second half rewritten (addi a0, a0, 16 has 0x0105 there): the next run sees it.
  m.put16({0x0105}, kRamBase + 0x1000);
  m.hart.s.pc = kLoop;
  m.set_x(kA0, 0);
  m.run(1 + 3 * kPasses);
  EXPECT_EQ(m.x(kA0), 16 * kPasses);
}

INSTANTIATE_TEST_SUITE_P(Tiers, StraddleCache, testing::Values(0u, 3u),
                         [](const auto& info) { return "tier" + std::to_string(info.param); });

}  // namespace
}  // namespace tiervm::test
