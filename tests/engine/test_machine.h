#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "engine/executor.h"
#include "engine/hart.h"
#include "mem/bus.h"

namespace tiervm::test {

inline constexpr uint64_t kRamBase = 0x8000'0000;
inline constexpr uint64_t kRamSize = 1 << 20;

// A hart with 1 MiB of RAM at 0x80000000 and no devices, reset in M-mode at the RAM base.
// Programs are instruction words; end them with `j .` (0x0000006f) and run a bounded
// number of instructions.
struct TestMachine {
  Bus bus;
  Hart hart;
  Executor exec;

  TestMachine() : hart(init_bus(bus), 0), exec(hart) { hart.reset(kRamBase); }

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
};

inline constexpr uint32_t kJumpSelf = 0x0000006f;  // j .

}  // namespace tiervm::test
