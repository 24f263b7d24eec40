#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tiervm {

struct IrBlock;

enum class TierPolicyMode : uint8_t {
  Ewma,    // promote when EWMA hotness passes the adaptive threshold
  Learned  // ...and the online model predicts the promotion pays back its compile time
};

// Every knob of tier-up decisions, in one place (the CLI and the library API map onto it).
struct TierPolicyConfig {
  TierPolicyMode mode = TierPolicyMode::Ewma;
  double ewma_alpha = 0.3;           // weight of the newest rate sample
  double tier2_threshold = 200'000;  // initial EWMA executions/s for tier 2
  double min_threshold = 2'000;      // the adaptive threshold stays within these
  double max_threshold = 50'000'000;
  double compile_budget = 0.10;  // compile time per unit of guest run time (10 ms/100 ms)
  unsigned max_promotions_per_tick = 4;
  // Host time saved per guest instruction by tier 2 over tier 1, used to turn observed
  // executions into a payback estimate (measured with tests/bench compile + interp
  // benchmarks on compute loops; see docs/performance.md).
  double saved_ns_per_insn = 0.1;
  // How long a promoted block is expected to stay hot: its measured rate over this horizon
  // decides the payback label the learned model trains on.
  double payback_horizon_seconds = 5.0;
};

// The features the learned model sees for one block (or region entry).
struct BlockFeatures {
  double length = 0;       // guest instructions
  double mem_ratio = 0;    // loads+stores / length
  double branches = 0;     // conditional exits (0 or 1)
  double loop = 0;         // an exit returns to the block itself
  double fp_ratio = 0;     // helper calls (FP, CSR, AMO) / length
  double log_hotness = 0;  // log10 of EWMA executions/s
};
BlockFeatures features_of(const IrBlock& block, double hotness);

// Online logistic regression (SGD, L2), dependency-free: P(promotion pays back).
class PaybackModel {
 public:
  static constexpr size_t kFeatures = 7;  // bias + the six BlockFeatures
  double predict(const BlockFeatures& f) const;
  void learn(const BlockFeatures& f, bool paid_back);
  uint64_t samples() const { return samples_; }
  const std::array<double, kFeatures>& weights() const { return w_; }

 private:
  static std::array<double, kFeatures> vec(const BlockFeatures& f);
  std::array<double, kFeatures> w_{};
  uint64_t samples_ = 0;
  double learning_rate_ = 0.05;
};

// EWMA hotness and the adaptive threshold. Pure bookkeeping: the JIT tier feeds it
// execution counts and compile times and asks which blocks to promote.
class TierPolicy {
 public:
  explicit TierPolicy(TierPolicyConfig config)
      : config_(config), threshold_(config.tier2_threshold) {}

  // hotness' = alpha * (executions / seconds) + (1 - alpha) * hotness
  double update_hotness(double hotness, uint64_t executions, double seconds) const;
  // After a tick of `window_ns` in which the compiler worked `compile_ns` with `queued`
  // jobs waiting: raise the threshold when over budget or backlogged, lower it when idle.
  void adapt(uint64_t compile_ns, uint64_t window_ns, size_t queued);
  // Priority of promoting a block: hotness x estimated speedup / estimated compile cost.
  static double priority(const BlockFeatures& f, double hotness);
  bool should_promote(const BlockFeatures& f, double hotness) const;

  double threshold() const { return threshold_; }
  const TierPolicyConfig& config() const { return config_; }
  PaybackModel& model() { return model_; }
  const PaybackModel& model() const { return model_; }

 private:
  TierPolicyConfig config_;
  double threshold_;
  PaybackModel model_;
};

}  // namespace tiervm
