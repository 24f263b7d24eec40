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
#include "engine/hart_state.h"
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
// the handler's instructions, so instret keeps moving. Instruction fetch faults (causes 1
// and 12) jump to `fetch_fault_exit` instead (within 4 KiB of the handler; t6 is lost):
// resuming 2 bytes past an unmapped pc only faults again, one trap per 2 bytes of address
// space, which was most of the work of some inputs. Installed at `at`, the harnesses
// point mtvec there.
inline constexpr uint64_t kSkipHandlerBytes = 44;
inline void install_skip_handler(Bus& bus, uint64_t at, uint64_t fetch_fault_exit) {
  constexpr uint32_t kT6 = 31, kMscratch = 0x340, kMepc = 0x341, kMcause = 0x342;
  const auto to_exit = [&](uint64_t from) { return static_cast<int64_t>(fetch_fault_exit - from); };
  const uint32_t code[] = {
      rv::csr(1, 0, kMscratch, kT6),            // csrw mscratch, t6
      rv::csr(2, kT6, kMcause, 0),              // csrr t6, mcause
      rv::addi(kT6, kT6, -1),                   //
      rv::branch(0, kT6, 0, to_exit(at + 12)),  // beqz t6, exit (fetch access fault)
      rv::addi(kT6, kT6, -11),                  //
      rv::branch(0, kT6, 0, to_exit(at + 20)),  // beqz t6, exit (fetch page fault)
      rv::csr(2, kT6, kMepc, 0),                // csrr t6, mepc
      rv::addi(kT6, kT6, 2),                    //
      rv::csr(1, 0, kMepc, kT6),                // csrw mepc, t6
      rv::csr(2, kT6, kMscratch, 0),            // csrr t6, mscratch
      rv::kMret,
  };
  static_assert(sizeof code == kSkipHandlerBytes);
  bus.load_image(at, {reinterpret_cast<const uint8_t*>(code), sizeof code});
}

// Fills RAM from `from` (rounded up to 4 bytes) to `to` with `j target` words, one per
// word, computed once for [base, to). A program that runs off its end or jumps into unused
// RAM then reaches `target` within two instructions (entered between two words, the upper
// half of a `jal` is one 16-bit instruction, or an illegal one that traps and resumes 2
// bytes on) instead of trapping on every zero parcel (c.unimp), each at a new block to
// translate (and compile, for the JIT): that was most of the work of most inputs.
class JumpFill {
 public:
  JumpFill(uint64_t base, uint64_t to, uint64_t target) : base_(base) {
    for (uint64_t a = base; a + 4 <= to; a += 4) {
      const uint32_t w = rv::jal(0, static_cast<int64_t>(target - a));
      const auto* p = reinterpret_cast<const uint8_t*>(&w);
      bytes_.insert(bytes_.end(), p, p + 4);
    }
  }
  void apply(Bus& bus, uint64_t from) const {
    from = std::max(base_, (from + 3) & ~uint64_t{3});
    const uint64_t end = base_ + bytes_.size();
    if (from < end) bus.load_image(from, {bytes_.data() + (from - base_), end - from});
  }

 private:
  uint64_t base_;
  std::vector<uint8_t> bytes_;
};

// With TIERVM_FUZZ_DIGEST set, a harness prints one line per input: a hash of the hart's
// architectural state and RAM after the run. Running a corpus in two orders and comparing
// the lines checks that the state reused between inputs is fully reset (an input must
// behave the same whether it runs first or after others).
inline bool digest_enabled() {
  static const bool on = std::getenv("TIERVM_FUZZ_DIGEST") != nullptr;
  return on;
}
inline uint64_t fnv1a(uint64_t h, const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}
inline uint64_t state_digest(const HartState& s, const uint8_t* ram, size_t ram_size) {
  uint64_t h = 0xcbf29ce484222325ull;
  auto add = [&h](const auto& v) { h = fnv1a(h, &v, sizeof v); };
  h = fnv1a(h, s.slot.data(), sizeof s.slot);
  add(s.pc);
  add(s.priv);
  for (uint64_t v : {s.mstatus,    s.medeleg,      s.mideleg,        s.mie,        s.mip,
                     s.mtvec,      s.mscratch,     s.mepc,           s.mcause,     s.mtval,
                     s.mcounteren, s.menvcfg,      s.stvec,          s.sscratch,   s.sepc,
                     s.scause,     s.stval,        s.satp,           s.scounteren, s.senvcfg,
                     s.instret,    s.cycle_offset, s.instret_offset, s.mip_all()}) {
    add(v);
  }
  add(s.fflags);
  add(s.frm);
  add(s.reservation_valid);
  add(s.waiting);
  return fnv1a(h, ram, ram_size);
}
// One line: a hash of the input, of the final state, and the instructions it retired.
inline void print_digest(const uint8_t* data, size_t size, uint64_t digest, uint64_t instret) {
  std::fprintf(stderr, "digest %016llx %016llx %llu\n",
               static_cast<unsigned long long>(fnv1a(0xcbf29ce484222325ull, data, size)),
               static_cast<unsigned long long>(digest), static_cast<unsigned long long>(instret));
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
