#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "engine/executor.h"
#include "engine/hart.h"
#include "mem/bus.h"
#include "tests/common/tiers.h"

namespace tiervm::test {

inline constexpr uint64_t kRamBase = 0x8000'0000;
inline constexpr uint64_t kRamSize = 1 << 20;

// A hart with 1 MiB of RAM at 0x80000000 and no devices, reset in M-mode at the RAM base.
// Programs are instruction words; end them with `j .` (0x0000006f) and run a bounded
// number of instructions. `tier` 0 interprets; 1 and 2 compile every block before it runs.
struct TestMachine {
  Bus bus;
  Hart hart;
  Executor exec;

  explicit TestMachine(unsigned tier = 0) : hart(init_bus(bus), 0), exec(hart) {
    hart.reset(kRamBase);
    if (tier > 0) exec.enable_jit(all_code_at(tier));
  }

  static Bus& init_bus(Bus& b) {
    b.map_ram(kRamBase, kRamSize);
    return b;
  }

  void put(std::initializer_list<uint32_t> words, uint64_t at = kRamBase) {
    for (uint32_t w : words) {
      bus.write(at, 4, w);
      at += 4;
    }
  }
  void put16(std::initializer_list<uint16_t> halves, uint64_t at = kRamBase) {
    for (uint16_t h : halves) {
      bus.write(at, 2, h);
      at += 2;
    }
  }
  void write64(uint64_t at, uint64_t v) { bus.write(at, 8, v); }
  uint64_t read64(uint64_t at) {
    uint64_t v = 0;
    bus.read(at, 8, v);
    return v;
  }
  // Runs at least `n` instructions' worth of blocks (block granularity).
  void run(uint64_t n) { exec.run(hart.s.instret + n); }

  uint64_t x(unsigned i) const { return hart.s.x(i); }
  void set_x(unsigned i, uint64_t v) { hart.s.set_x(i, v); }
  uint64_t f(unsigned i) const { return hart.s.f(i); }
  void set_f(unsigned i, uint64_t v) { hart.s.set_f(i, v); }
  uint64_t pc() const { return hart.s.pc; }
  // On tiers 1 and 2: compiled code ran (the check would otherwise test the interpreter).
  bool ran_compiled() const { return exec.jit() == nullptr || exec.jit()->stats().native_runs > 0; }
};

inline constexpr uint32_t kJumpSelf = 0x0000006f;  // j .

// A test suite that runs on every tier: TEST_P(Suite, Name) with `TestMachine m(tier())`,
// and TIERVM_ON_EVERY_TIER(Suite) once in the file.
class OnEveryTier : public ::testing::TestWithParam<unsigned> {
 protected:
  unsigned tier() const { return GetParam(); }
};

#define TIERVM_ON_EVERY_TIER(suite)                                             \
  INSTANTIATE_TEST_SUITE_P(Tiers, suite, ::testing::Values(0u, 1u, 2u, 3u),     \
                           [](const ::testing::TestParamInfo<unsigned>& info) { \
                             return "Tier" + std::to_string(info.param);        \
                           })

}  // namespace tiervm::test
