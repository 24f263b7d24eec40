#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>

namespace tiervm {

// The machine's timebase, as QEMU's virt: mtime counts at 10 MHz (riscv_aclint
// RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ), and /cpus/timebase-frequency says so.
inline constexpr uint64_t kTimebaseHz = 10'000'000;

// A source of timebase ticks for the CLINT's mtime. Monotonic: never goes backwards.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual uint64_t now_ticks() = 0;
};

// Host monotonic time, in 10 MHz ticks since construction.
class HostClock final : public Clock {
 public:
  HostClock() : start_(std::chrono::steady_clock::now()) {}
  uint64_t now_ticks() override {
    auto elapsed = std::chrono::steady_clock::now() - start_;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
    return static_cast<uint64_t>(ns) / (1'000'000'000 / kTimebaseHz);
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Time derived from something the caller counts, e.g. retired instructions for
// --deterministic runs, so that a run's timer interrupts do not depend on host speed.
class FunctionClock final : public Clock {
 public:
  explicit FunctionClock(std::function<uint64_t()> ticks) : ticks_(std::move(ticks)) {}
  uint64_t now_ticks() override { return ticks_(); }

 private:
  std::function<uint64_t()> ticks_;
};

// A clock that only moves when told to (tests).
class ManualClock final : public Clock {
 public:
  uint64_t now_ticks() override { return ticks_; }
  void set(uint64_t ticks) { ticks_ = ticks; }
  void advance(uint64_t ticks) { ticks_ += ticks; }

 private:
  uint64_t ticks_ = 0;
};

}  // namespace tiervm
