#pragma once

// Shared pieces of the libFuzzer harnesses (docs/reliability.md).
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/executor.h"
#include "mem/bus.h"
#include "tests/fuzz/rv_encode.h"

namespace tiervm::fuzz {

// An invariant of the code under test does not hold: print it and abort, so libFuzzer
// saves the input as a crash.
#define FUZZ_CHECK(cond, ...)                                                                \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                                     \
      std::fprintf(stderr, "\n");                                                            \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

// Reads an input front to back in little-endian fields, zeros once it is used up. Unlike
// FuzzedDataProvider (which takes integers from the end), the layout is plain, so
// seed_gen.cpp can write meaningful seeds.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  template <typename T>
  T get() {
    T v{};
    const size_t n = pos_ < size_ ? std::min(sizeof(T), size_ - pos_) : 0;
    std::memcpy(&v, data_ + pos_, n);
    pos_ += sizeof(T);
    return v;
  }
  uint8_t u8() { return get<uint8_t>(); }
  uint16_t u16() { return get<uint16_t>(); }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// A machine-mode trap handler that resumes 2 bytes past the trapping instruction
// (mepc += 2), preserving every x register (t6 is parked in mscratch). Random code then
// keeps going after a trap instead of taking the same one again, and every trap retires
// the handler's instructions, so instret keeps moving. Installed at `at`, the harnesses
// point mtvec there.
inline constexpr uint64_t kSkipHandlerBytes = 24;
inline void install_skip_handler(Bus& bus, uint64_t at) {
  constexpr uint32_t kT6 = 31, kMscratch = 0x340, kMepc = 0x341;
  const uint32_t code[] = {
      rv::csr(1, 0, kMscratch, kT6),  // csrw mscratch, t6
      rv::csr(2, kT6, kMepc, 0),      // csrr t6, mepc
      rv::addi(kT6, kT6, 2),          //
      rv::csr(1, 0, kMepc, kT6),      // csrw mepc, t6
      rv::csr(2, kT6, kMscratch, 0),  // csrr t6, mscratch
      rv::kMret,
  };
  static_assert(sizeof code == kSkipHandlerBytes);
  bus.load_image(at, {reinterpret_cast<const uint8_t*>(code), sizeof code});
}

// Stops the harness's executors once an input has run for too long. A guest that keeps
// trapping without retiring an instruction (its trap vector unmapped, or the vector's
// first instruction itself trapping) made Executor::run spin forever (docs/reliability.md,
// finding F1); the harnesses also bound their own loops, since a run that returns without
// progress must not be retried forever. Arm once per input with every executor it uses.
// Set TIERVM_FUZZ_HANG_ABORTS=1 to abort instead (to reproduce F1 or check its fix).
class Watchdog {
 public:
  static Watchdog& instance() {
    static Watchdog* w = new Watchdog();  // never destroyed: its thread runs to exit
    return *w;
  }

  void arm(std::initializer_list<Executor*> execs, int ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    execs_.assign(execs.begin(), execs.end());
    fired_ = false;
    deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  }
  // True when the watchdog had to stop the input.
  bool disarm() {
    std::lock_guard<std::mutex> lock(mutex_);
    execs_.clear();
    return fired_;
  }
  bool fired() {
    std::lock_guard<std::mutex> lock(mutex_);
    return fired_;
  }

 private:
  Watchdog() {
    abort_on_hang_ = std::getenv("TIERVM_FUZZ_HANG_ABORTS") != nullptr;
    std::thread([this] { loop(); }).detach();
  }
  void loop() {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::lock_guard<std::mutex> lock(mutex_);
      if (execs_.empty() || std::chrono::steady_clock::now() < deadline_) continue;
      if (abort_on_hang_) {
        std::fprintf(stderr, "watchdog: the input ran past its wall-time budget (finding F1?)\n");
        std::abort();
      }
      for (Executor* e : execs_) e->request_stop();
      execs_.clear();
      fired_ = true;
    }
  }

  std::mutex mutex_;
  std::vector<Executor*> execs_;
  bool fired_ = false;
  bool abort_on_hang_ = false;
  std::chrono::steady_clock::time_point deadline_{};
};

}  // namespace tiervm::fuzz
