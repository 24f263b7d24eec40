#pragma once

#include "engine/jit/jit_tier.h"

namespace tiervm {

// The JIT configuration that makes `tier` (1 or 2) run everything: each block compiled
// before its first run, and with tier 2 also recompiled at once as an O2 region. Tests run
// every guest-code check on tier 0 (no JIT) and on these.
inline JitConfig all_code_at(unsigned tier) {
  JitConfig config;
  config.tier1_threshold = 0;
  config.synchronous = true;
  config.tier2 = tier >= 2;
  return config;
}

}  // namespace tiervm
