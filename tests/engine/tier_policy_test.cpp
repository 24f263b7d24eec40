#include "engine/jit/tier_policy.h"

#include <gtest/gtest.h>

#include <random>

namespace tiervm {
namespace {

TierPolicyConfig config() {
  TierPolicyConfig c;
  c.ewma_alpha = 0.25;
  c.tier2_threshold = 1000;
  c.min_threshold = 100;
  c.max_threshold = 100'000;
  c.compile_budget = 0.10;
  return c;
}

struct HotnessCase {
  double before;
  uint64_t executions;
  double seconds;
  double after;  // alpha * executions / seconds + (1 - alpha) * before
};

TEST(TierPolicy, HotnessIsAnExponentiallyWeightedRate) {
  const TierPolicy p(config());
  const HotnessCase cases[] = {
      {0, 1000, 0.5, 500},      // 0.25 * 2000
      {800, 0, 1.0, 600},       // cools down: 0.75 * 800
      {1000, 1000, 1.0, 1000},  // steady state
      {0, 0, 0, 0},             // no time passed: unchanged
  };
  for (const auto& c : cases) {
    EXPECT_DOUBLE_EQ(p.update_hotness(c.before, c.executions, c.seconds), c.after)
        << c.before << " " << c.executions << " " << c.seconds;
  }
}

TEST(TierPolicy, ThresholdRisesOverBudgetAndFallsWhenIdle) {
  TierPolicy p(config());
  p.adapt(20'000'000, 100'000'000, 0);  // 20 % of the window compiling: over budget
  EXPECT_DOUBLE_EQ(p.threshold(), 1500);
  p.adapt(1'000'000, 100'000'000, 0);  // 1 %, nothing queued: idle
  EXPECT_DOUBLE_EQ(p.threshold(), 1250);
  p.adapt(6'000'000, 100'000'000, 0);  // within budget, above half of it: unchanged
  EXPECT_DOUBLE_EQ(p.threshold(), 1250);
  p.adapt(0, 100'000'000, 100);  // backlog: rises even without compile time
  EXPECT_DOUBLE_EQ(p.threshold(), 1875);
  for (int i = 0; i < 100; ++i) p.adapt(0, 100'000'000, 0);
  EXPECT_DOUBLE_EQ(p.threshold(), 100);  // clamped at the floor
}

TEST(TierPolicy, PriorityFavoursHotLoopsAndCheapRegions) {
  BlockFeatures loop{8, 0.25, 1, 1, 0, 0};
  BlockFeatures straight = loop;
  straight.loop = 0;
  BlockFeatures big = loop;
  big.length = 64;
  EXPECT_GT(TierPolicy::priority(loop, 1000), TierPolicy::priority(straight, 1000));
  EXPECT_GT(TierPolicy::priority(loop, 1000), TierPolicy::priority(big, 1000));
  EXPECT_GT(TierPolicy::priority(loop, 2000), TierPolicy::priority(loop, 1000));
}

TEST(TierPolicy, EwmaModePromotesExactlyAboveTheThreshold) {
  const TierPolicy p(config());
  const BlockFeatures f{};
  EXPECT_FALSE(p.should_promote(f, 999));
  EXPECT_TRUE(p.should_promote(f, 1000));
}

TEST(PaybackModel, LearnsASeparableRuleAndBeatsTheConstantGuess) {
  // Ground truth: promotions pay back for loops, not for straight-line blocks. Train
  // online, then check on held-out samples.
  PaybackModel m;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  auto sample = [&] {
    BlockFeatures f;
    f.length = 4 + 40 * u(rng);
    f.mem_ratio = u(rng);
    f.branches = u(rng) < 0.5 ? 1 : 0;
    f.loop = u(rng) < 0.5 ? 1 : 0;
    f.fp_ratio = 0.2 * u(rng);
    f.log_hotness = 3 + 3 * u(rng);
    return f;
  };
  for (int i = 0; i < 4000; ++i) {
    const BlockFeatures f = sample();
    m.learn(f, f.loop > 0.5);
  }
  int correct = 0, total = 0, majority = 0;
  for (int i = 0; i < 1000; ++i) {
    const BlockFeatures f = sample();
    const bool truth = f.loop > 0.5;
    correct += (m.predict(f) >= 0.5) == truth;
    majority += truth;
    ++total;
  }
  EXPECT_GT(correct, 950);                                   // learned the rule
  EXPECT_GT(correct, std::max(majority, total - majority));  // beats any constant guess
  EXPECT_EQ(m.samples(), 4000u);
}

TEST(TierPolicy, LearnedModeDefersToTheThresholdUntilTrained) {
  TierPolicyConfig c = config();
  c.mode = TierPolicyMode::Learned;
  TierPolicy p(c);
  BlockFeatures straight{8, 0.25, 1, 0, 0, 4};
  EXPECT_TRUE(p.should_promote(straight, 5000));  // untrained: threshold only
  for (int i = 0; i < 200; ++i) p.model().learn(straight, false);
  EXPECT_FALSE(p.should_promote(straight, 5000));  // the model now says it won't pay
  EXPECT_FALSE(p.should_promote(straight, 10));    // and the threshold still applies
}

}  // namespace
}  // namespace tiervm
