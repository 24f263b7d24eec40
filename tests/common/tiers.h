#pragma once

#include "engine/jit/jit_tier.h"

namespace tiervm {

// Test tiers: 0 interprets; the others compile every block before its first run.
//   1: LLVM's fast pipeline
//   2: the baseline tier, and every block recompiled at once as an LLVM O2 region
//   3: the baseline tier (copy-and-patch) alone
// and, for the suites that name it (not OnEveryTier's):
//   4: tier 2 with every other block recompiled at once; the others are entered through
//      the regions that contain them (member entries)
inline constexpr unsigned kTestTiers = 4;
inline constexpr unsigned kMemberEntryTier = 4;

// The JIT configuration that makes test tier `tier` (1 to 3) run everything. Tests run
// every guest-code check on tier 0 (no JIT) and on these.
inline JitConfig all_code_at(unsigned tier) {
  JitConfig config;
  config.tier1 = tier == 1 ? Tier::Fast : Tier::Baseline;
  config.tier1_threshold = 0;
  config.synchronous = true;
  config.tier2 = tier == 2 || tier == kMemberEntryTier;
  if (tier == kMemberEntryTier) config.sync_promote_every = 2;
  return config;
}

// The tier whose code runs on test tier `tier`.
inline Tier running_tier_of(unsigned tier) {
  constexpr Tier kTiers[kTestTiers + 1] = {Tier::Interpreter, Tier::Fast, Tier::Optimized,
                                           Tier::Baseline, Tier::Optimized};
  return kTiers[tier];
}

}  // namespace tiervm
