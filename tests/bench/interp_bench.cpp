// Execution speed in guest MIPS: a hand-written compute loop on the bare engine (Bus +
// Hart + Executor, as tests/engine/test_machine.h) and a built rom on the whole virt
// machine, each on tier 0 (the IR interpreter) and tier 1 (LLVM, compiled before the
// timed part).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>

#include "engine/machine.h"
#include "tests/bench/guest_code.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using namespace bench;

// 11 instructions: ALU, multiply, a store and a load, a taken branch.
std::vector<uint32_t> compute_loop() {
  return {add(a1, a1, a0), xor_(a2, a2, a1), slli(a3, a1, 3),    sub(a2, a2, a3),
          mul(a4, a2, a1), sd(a4, sp, 0),    ld(a5, sp, 0),      add(a6, a6, a5),
          srli(a7, a6, 7), addi(a0, a0, -1), bne(a0, zero, -40), jal(zero, 0)};
}
const std::vector<const char*> kLoopNames = {"add", "xor", "slli", "sub",  "mul", "sd",
                                             "ld",  "add", "srli", "addi", "bne", "jal"};

constexpr uint64_t kInsnsPerIteration = 1'000'000;

void BM_Interp_Loop(benchmark::State& state) {
  const bool jit = state.range(0) != 0;
  const std::vector<uint32_t> code = compute_loop();
  if (std::string bad = check_names(code, kLoopNames); !bad.empty()) {
    state.SkipWithError(bad.c_str());
    return;
  }
  test::TestMachine m;
  for (size_t i = 0; i < code.size(); ++i) m.bus.write(test::kRamBase + 4 * i, 4, code[i]);
  m.set_x(sp, test::kRamBase + test::kRamSize / 2);
  m.set_x(a0, uint64_t{1} << 62);  // never reaches zero
  if (jit) {
    JitConfig c;
    c.tier1_threshold = 1;
    c.synchronous = true;
    m.exec.enable_jit(c);
  }
  m.run(10'000);  // warm up: translated (and compiled)
  uint64_t insns = 0;
  for (auto _ : state) {
    const uint64_t before = m.hart.s.instret;
    m.run(kInsnsPerIteration);
    insns += m.hart.s.instret - before;
  }
  state.SetItemsProcessed(static_cast<int64_t>(insns));  // items/s = guest instructions/s
  if (jit && m.exec.jit()->stats().blocks_compiled == 0) state.SkipWithError("nothing compiled");
}
BENCHMARK(BM_Interp_Loop)->ArgName("jit")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A built bench rom, start to exit, on a fresh virt machine per iteration (boot included:
// negligible next to the rom's ~10^7 instructions). Real time: on tier 1 the LLVM thread
// works too, and that work is part of the price.
void BM_Interp_Rom(benchmark::State& state, const char* rom) {
  const std::string path = std::string(TIERVM_BINARY_DIR) + "/roms/bench/" + rom;
  if (!std::filesystem::exists(path)) {
    state.SkipWithError((path + " is not built (target bench_roms)").c_str());
    return;
  }
  const unsigned tier = static_cast<unsigned>(state.range(0));
  uint64_t insns = 0;
  for (auto _ : state) {
    MachineConfig config;
    config.image = path;
    config.max_tier = tier;
    std::string error;
    std::unique_ptr<Machine> m = Machine::create(config, error);
    if (!m) {
      state.SkipWithError(error.c_str());
      return;
    }
    m->set_console([](uint8_t) {}, [](int, const std::function<bool(uint8_t)>&) { return true; });
    const MachineExit exit = m->run({0, 120});
    if (exit.kind != MachineExit::Kind::Poweroff || exit.code != 0) {
      state.SkipWithError(("the rom failed, exit code " + std::to_string(exit.code)).c_str());
      return;
    }
    insns += m->instructions();
  }
  state.SetItemsProcessed(static_cast<int64_t>(insns));  // items/s = guest instructions/s
}
BENCHMARK_CAPTURE(BM_Interp_Rom, crc32, "crc32_small.elf")
    ->ArgName("tier")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Interp_Rom, bytecode, "bytecode_small.elf")
    ->ArgName("tier")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tiervm
