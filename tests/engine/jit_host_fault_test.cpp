// The host out of memory for JIT code: compiles fail, the JIT tier says so once on stderr,
// stops compiling, and the guest runs on in tier 0 with the right results. Each case runs
// in a child process (a gtest death test) whose mprotect() refuses executable memory.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <thread>

#include "engine/jit/jit_tier.h"
#include "test_machine.h"
#include "tests/common/no_exec_memory.h"

namespace tiervm {
namespace {

using test::kJumpSelf;
using test::kRamBase;
using test::TestMachine;

constexpr const char* kOneWarning =
    "^tiervm: warning: out of memory for JIT code; continuing in the interpreter\n$";

// Two loops, one after the other (five blocks): x1 counts down from 200, then x2 from 300,
// then `j .`.
void put_loops(TestMachine& m) {
  m.put({0x0c800093,  // addi x1, x0, 200
         0xfff08093,  // loop1: addi x1, x1, -1
         0xfe009ee3,  // bne x1, x0, loop1
         0x12c00113,  // addi x2, x0, 300
         0xfff10113,  // loop2: addi x2, x2, -1
         0xfe011ee3,  // bne x2, x0, loop2
         kJumpSelf});
}

// Exits 0 when the guest's results are right and the tier stopped compiling after at most
// `max_failures` failed blocks, 1 otherwise.
[[noreturn]] void run_without_code_memory(JitConfig config, uint64_t max_failures,
                                          int error = ENOMEM) {
  if (!test::refuse_executable_memory(error)) std::_Exit(3);
  TestMachine m;
  put_loops(m);
  m.exec.enable_jit(config);
  for (int pass = 0; pass < 3; ++pass) {  // the same blocks again: nothing is retried
    m.hart.s.pc = kRamBase;
    for (int slice = 0; slice < 20; ++slice) {
      m.run(100);
      if (!config.synchronous) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  const JitStats& stats = m.exec.jit()->stats();
  const bool ok = m.x(1) == 0 && m.x(2) == 0 && m.pc() == kRamBase + 24 &&
                  stats.blocks_compiled == 0 && stats.compile_failures >= 1 &&
                  stats.compile_failures <= max_failures && stats.interpreted_runs > 1000;
  std::_Exit(ok ? 0 : 1);
}

TEST(JitOutOfMemory, SynchronousTierWarnsOnceAndInterprets) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  JitConfig config;
  config.tier1 = Tier::Fast;
  config.synchronous = true;
  config.tier1_threshold = 0;
  config.tier2 = true;
  EXPECT_EXIT(run_without_code_memory(config, 1), ::testing::ExitedWithCode(0), kOneWarning);
}

TEST(JitOutOfMemory, BackgroundTierWarnsOnceAndInterprets) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  JitConfig config;
  config.tier1 = Tier::Fast;
  config.tier1_threshold = 1;
  config.tier2 = true;
  EXPECT_EXIT(run_without_code_memory(config, 5), ::testing::ExitedWithCode(0), kOneWarning);
}

// The baseline tier finds no executable memory for its code at all: the same one warning,
// and every block in tier 0 (tier 2 too has nothing to run its code in).
TEST(JitOutOfMemory, BaselineTierWarnsOnceAndInterprets) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  JitConfig config;
  config.tier1 = Tier::Baseline;
  config.tier1_threshold = 0;
  config.tier2 = true;
  EXPECT_EXIT(run_without_code_memory(config, 1), ::testing::ExitedWithCode(0), kOneWarning);
}

// Any other failure, again and again (here: executable memory denied by policy), also
// ends compiling, after a line for each of the first failures.
TEST(JitOutOfMemory, CompilesThatKeepFailingEndCompiling) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  JitConfig config;
  config.tier1 = Tier::Fast;
  config.synchronous = true;
  config.tier1_threshold = 0;
  EXPECT_EXIT(run_without_code_memory(config, 8, EACCES), ::testing::ExitedWithCode(0),
              "^(tiervm: jit: [^\n]*Permission denied[^\n]*\n){7}"
              "tiervm: warning: JIT compiles keep failing \\([^\n]*Permission denied[^\n]*\\); "
              "continuing in the interpreter\n$");
}

}  // namespace
}  // namespace tiervm
