// The one mapping from machine options to the JIT configuration, used at boot and by the
// dashboard's tier switch (which once dropped --jit-threshold and --tier-policy).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>

#include "engine/jit/jit_tier.h"
#include "engine/machine.h"

namespace tiervm {
namespace {

TEST(JitConfigFor, UnsetThresholdKeepsTheJitDefaults) {
  MachineConfig machine;
  const JitConfig c = jit_config_for(machine, 2);
  EXPECT_EQ(c.tier1, Tier::Baseline);
  EXPECT_EQ(c.tier1_threshold, JitConfig::kDefaultBaselineThreshold);
  EXPECT_FALSE(c.synchronous);
  EXPECT_TRUE(c.tier2);
  EXPECT_EQ(c.policy.mode, TierPolicyMode::Ewma);
  machine.tier1 = Tier::Fast;
  EXPECT_EQ(jit_config_for(machine, 1).tier1, Tier::Fast);
  EXPECT_EQ(jit_config_for(machine, 1).tier1_threshold, JitConfig::kDefaultFastThreshold);
}

TEST(JitConfigFor, ThresholdAndPolicySurviveEveryTierChoice) {
  MachineConfig machine;
  machine.jit_threshold = 7;
  machine.learned_policy = true;
  for (unsigned tiers : {1u, 2u}) {
    const JitConfig c = jit_config_for(machine, tiers);
    EXPECT_EQ(c.tier1_threshold, 7u) << tiers;
    EXPECT_FALSE(c.synchronous) << tiers;
    EXPECT_EQ(c.tier2, tiers == 2) << tiers;
    EXPECT_EQ(c.policy.mode, TierPolicyMode::Learned) << tiers;
  }
}

// LLVM fast compiles on its own thread: threshold 0 makes it compile on the hart's, before
// each block's first run.
TEST(JitConfigFor, ThresholdZeroCompilesEveryBlockBeforeItRuns) {
  MachineConfig machine;
  machine.jit_threshold = 0;
  machine.tier1 = Tier::Fast;
  const JitConfig c = jit_config_for(machine, 1);
  EXPECT_EQ(c.tier1_threshold, 0u);
  EXPECT_TRUE(c.synchronous);
  EXPECT_FALSE(c.tier2);
}

// The baseline tier always compiles on the hart's thread; tier 2 still waits for heat on
// its background thread instead of compiling every block at O2.
TEST(JitConfigFor, ThresholdZeroWithTheBaselineTierKeepsTier2Background) {
  MachineConfig machine;
  machine.jit_threshold = 0;
  const JitConfig c = jit_config_for(machine, 2);
  EXPECT_EQ(c.tier1, Tier::Baseline);
  EXPECT_EQ(c.tier1_threshold, 0u);
  EXPECT_FALSE(c.synchronous);
  EXPECT_TRUE(c.tier2);
}

// Every counter is summed (a field missing from operator+= stays 0 here), the thresholds
// are the left side's. Filled bytewise so no field list is repeated in the test.
TEST(JitStatsSum, AddsEveryCounterAndKeepsTheThresholds) {
  JitStats sum;
  std::memset(static_cast<void*>(&sum), 0, sizeof sum);
  sum.tier2_threshold = 7.5;
  sum.tier1_threshold = 3;
  JitStats x;
  std::memset(static_cast<void*>(&x), 0x01, sizeof x);
  sum += x;
  sum += x;
  EXPECT_EQ(sum.tier2_threshold, 7.5);
  EXPECT_EQ(sum.tier1_threshold, 3u);
  JitStats twice;
  std::memset(static_cast<void*>(&twice), 0x02, sizeof twice);
  const auto same = [&](size_t from, size_t to) {
    return std::memcmp(reinterpret_cast<const char*>(&sum) + from,
                       reinterpret_cast<const char*>(&twice) + from, to - from) == 0;
  };
  EXPECT_TRUE(same(0, offsetof(JitStats, tier2_threshold)));
  EXPECT_TRUE(same(offsetof(JitStats, model_labels), sizeof(JitStats)));
  EXPECT_EQ(sum.model_labels, 0x0202020202020202u);
}

}  // namespace
}  // namespace tiervm
