// Cost of a block transition: a ring of 64 two-instruction blocks (addi; jal to the next
// block) run on tier 0 and on tier 1. On tier 1 the blocks of the ring either share a
// page, so every exit is chained (compiled code tail-calls the next block), or sit on 64
// different pages, so every exit returns to the dispatcher (the tier only chains within a
// page). Same instructions, same number of transitions: the difference is the price of
// the dispatcher. Cross-page blocks are 4 KiB + 8 bytes apart, not 4 KiB: the
// dispatcher's jump cache is indexed by pc bits 1..12, and blocks 4 KiB apart would share
// two of its entries, which would measure conflict misses instead.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "tests/bench/guest_code.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using namespace bench;

constexpr unsigned kBlocks = 64;
constexpr uint64_t kInsnsPerIteration = 1'000'000;

void BM_BlockChaining(benchmark::State& state) {
  const bool jit = state.range(0) != 0;
  const bool cross_page = state.range(1) != 0;
  const uint64_t spacing = cross_page ? kPageSize + 8 : 8;
  test::TestMachine m;
  if (kBlocks * spacing > test::kRamSize) {
    state.SkipWithError("ring larger than the test machine's RAM");
    return;
  }
  for (unsigned i = 0; i < kBlocks; ++i) {
    const uint64_t at = test::kRamBase + i * spacing;
    const int32_t to_next = i + 1 < kBlocks ? static_cast<int32_t>(spacing) - 4
                                            : -static_cast<int32_t>(i * spacing) - 4;
    const std::vector<uint32_t> block = {addi(a0, a0, 1), jal(zero, to_next)};
    if (std::string bad = check_names(block, {"addi", "jal"}); !bad.empty()) {
      state.SkipWithError(bad.c_str());
      return;
    }
    m.bus.write(at, 4, block[0]);
    m.bus.write(at + 4, 4, block[1]);
  }
  if (jit) {
    JitConfig c;
    c.tier1_threshold = 1;
    c.synchronous = true;
    m.exec.enable_jit(c);
  }
  m.run(100'000);  // warm up: every block translated, compiled and linked
  const uint64_t a0_before = m.x(a0);
  uint64_t insns = 0;
  for (auto _ : state) {
    const uint64_t before = m.hart.s.instret;
    m.run(kInsnsPerIteration);
    insns += m.hart.s.instret - before;
  }
  // Each block adds 1 to a0 and retires 2 instructions.
  const uint64_t transitions = insns / 2;
  if (m.x(a0) - a0_before != transitions) state.SkipWithError("the ring computed a wrong a0");
  using benchmark::Counter;
  state.counters["per_transition"] =
      Counter(static_cast<double>(transitions), Counter::kIsRate | Counter::kInvert);
  if (jit) {
    state.counters["links"] = Counter(static_cast<double>(m.exec.jit()->stats().links_made));
    state.counters["dispatches"] = Counter(static_cast<double>(m.exec.blocks_executed()));
  }
  state.SetItemsProcessed(static_cast<int64_t>(insns / 2));
}
// Arguments: jit (0 = tier 0, 1 = tier 1), cross_page (0 = one page, 1 = a page per block).
BENCHMARK(BM_BlockChaining)
    ->ArgNames({"jit", "cross_page"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tiervm
