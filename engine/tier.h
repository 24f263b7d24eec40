#pragma once

#include <cstddef>
#include <cstdint>

namespace tiervm {

// How a block is executed. Adding a tier is adding an enumerator (and its name).
enum class Tier : uint8_t {
  Interpreter = 0,  // tier 0: the IR interpreter
  Fast = 1,         // tier 1: LLVM's fast pipeline, one block per function
  Optimized = 2,    // tier 2: LLVM O2 on a region of blocks
  Baseline = 3,     // tier 1: copy-and-patch of stencils, on the hart's thread
};
inline constexpr size_t kTierCount = 4;

constexpr unsigned tier_index(Tier t) {
  return static_cast<unsigned>(t);
}
// Short names for reports and the dashboard.
constexpr const char* tier_name(Tier t) {
  switch (t) {
    case Tier::Interpreter:
      return "interp";
    case Tier::Fast:
      return "llvm-fast";
    case Tier::Optimized:
      return "llvm-O2";
    case Tier::Baseline:
      return "baseline";
  }
  return "?";
}

}  // namespace tiervm
