#pragma once

#include <cstdint>

namespace tiervm {

// Exception and interrupt cause codes (priv spec 1.12, table 3.6).
enum class Cause : uint64_t {
  InsnMisaligned = 0,
  InsnAccess = 1,
  IllegalInsn = 2,
  Breakpoint = 3,
  LoadMisaligned = 4,
  LoadAccess = 5,
  StoreMisaligned = 6,
  StoreAccess = 7,
  EcallU = 8,
  EcallS = 9,
  EcallM = 11,
  InsnPage = 12,
  LoadPage = 13,
  StorePage = 15,
};

inline constexpr uint64_t kInterruptBit = uint64_t{1} << 63;

// Interrupt numbers (bit positions in mip/mie).
enum class Irq : unsigned { SSI = 1, MSI = 3, STI = 5, MTI = 7, SEI = 9, MEI = 11 };
inline constexpr uint64_t irq_bit(Irq i) {
  return uint64_t{1} << static_cast<unsigned>(i);
}

// A guest trap as a value: raised by instruction semantics, taken by the hart.
struct Trap {
  uint64_t cause = 0;  // with kInterruptBit for interrupts
  uint64_t tval = 0;
};

inline Trap make_trap(Cause c, uint64_t tval = 0) {
  return {static_cast<uint64_t>(c), tval};
}

}  // namespace tiervm
