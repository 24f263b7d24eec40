#pragma once

#include <cstdint>
#include <cstring>

// Guest RAM is shared by the hart threads without atomics, as in QEMU's MTTCG: the guest's
// plain loads and stores race exactly as its own code makes them race (RVWMO), and
// compiled code, which makes most of them, is never instrumented. These are the C++
// accesses to it (the interpreter, helpers through Hart::load/store, the bus, instruction
// fetch). Under ThreadSanitizer they are left uninstrumented, so that what it reports on
// a multi-hart run is tiervm's own state (scripts/tsan); atomics on guest RAM (AMOs, LR/SC)
// stay instrumented.
#if defined(__SANITIZE_THREAD__)
#define TIERVM_GUEST_RAM_ACCESS __attribute__((no_sanitize("thread")))
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TIERVM_GUEST_RAM_ACCESS __attribute__((no_sanitize("thread")))
#endif
#endif
#ifndef TIERVM_GUEST_RAM_ACCESS
#define TIERVM_GUEST_RAM_ACCESS
#endif

namespace tiervm {

// `size` (1, 2, 4 or 8) bytes of guest RAM at `p`, little-endian, zero-extended.
TIERVM_GUEST_RAM_ACCESS inline uint64_t ram_read(const void* p, unsigned size) {
  switch (size) {
    case 1: {
      uint8_t v;
      std::memcpy(&v, p, 1);
      return v;
    }
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

// The low `size` (1, 2, 4 or 8) bytes of `value` into guest RAM at `p`.
TIERVM_GUEST_RAM_ACCESS inline void ram_write(void* p, unsigned size, uint64_t value) {
  switch (size) {
    case 1: {
      const auto v = static_cast<uint8_t>(value);
      std::memcpy(p, &v, 1);
      return;
    }
    case 2: {
      const auto v = static_cast<uint16_t>(value);
      std::memcpy(p, &v, 2);
      return;
    }
    case 4: {
      const auto v = static_cast<uint32_t>(value);
      std::memcpy(p, &v, 4);
      return;
    }
    default:
      std::memcpy(p, &value, 8);
      return;
  }
}

}  // namespace tiervm
