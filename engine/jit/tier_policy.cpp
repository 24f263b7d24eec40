#include "engine/jit/tier_policy.h"

#include <algorithm>
#include <cmath>

#include "engine/ir.h"

namespace tiervm {

BlockFeatures features_of(const IrBlock& block, double hotness) {
  BlockFeatures f;
  const double n = std::max(1u, block.guest_count());
  unsigned mem = 0, calls = 0;
  for (const IrInsn& i : block.insns) {
    if (ir_op_accesses_memory(i.op)) ++mem;
    if (i.op == IrOp::Call) ++calls;
  }
  f.length = n;
  f.mem_ratio = mem / n;
  f.branches = block.exit.kind == IrExit::Branch ? 1 : 0;
  const bool self_taken = (block.exit.kind == IrExit::Jump || block.exit.kind == IrExit::Branch) &&
                          block.exit.taken_offset == 0;
  f.loop = self_taken ? 1 : 0;
  f.fp_ratio = calls / n;
  f.log_hotness = std::log10(std::max(1.0, hotness));
  return f;
}

std::array<double, PaybackModel::kFeatures> PaybackModel::vec(const BlockFeatures& f) {
  // Scaled to similar ranges so one learning rate fits all weights.
  return {1.0, f.length / 64.0, f.mem_ratio, f.branches, f.loop, f.fp_ratio, f.log_hotness / 7.0};
}

double PaybackModel::predict(const BlockFeatures& f) const {
  const auto x = vec(f);
  double z = 0;
  for (size_t k = 0; k < kFeatures; ++k) z += w_[k] * x[k];
  return 1.0 / (1.0 + std::exp(-z));
}

void PaybackModel::learn(const BlockFeatures& f, bool paid_back) {
  const auto x = vec(f);
  const double err = (paid_back ? 1.0 : 0.0) - predict(f);
  constexpr double kL2 = 1e-4;
  for (size_t k = 0; k < kFeatures; ++k) w_[k] += learning_rate_ * (err * x[k] - kL2 * w_[k]);
  ++samples_;
}

double TierPolicy::update_hotness(double hotness, uint64_t executions, double seconds) const {
  if (seconds <= 0) return hotness;
  const double rate = static_cast<double>(executions) / seconds;
  return config_.ewma_alpha * rate + (1.0 - config_.ewma_alpha) * hotness;
}

void TierPolicy::adapt(uint64_t compile_ns, uint64_t window_ns, size_t queued) {
  if (window_ns == 0) return;
  const double used = static_cast<double>(compile_ns) / static_cast<double>(window_ns);
  if (used > config_.compile_budget || queued > 2 * config_.max_promotions_per_tick) {
    threshold_ *= 1.5;
  } else if (queued == 0 && used < config_.compile_budget / 2) {
    threshold_ /= 1.2;
  }
  threshold_ = std::clamp(threshold_, config_.min_threshold, config_.max_threshold);
}

double TierPolicy::priority(const BlockFeatures& f, double hotness) {
  // Loops gain most from keeping registers in host registers; memory-heavy code gains from
  // redundant TLB probes removed; helper calls gain nothing.
  const double speedup = 1.0 + 0.6 * f.loop + 0.3 * f.mem_ratio - 0.5 * f.fp_ratio;
  const double cost = 1.0 + f.length / 16.0;
  return hotness * std::max(0.1, speedup) / cost;
}

bool TierPolicy::should_promote(const BlockFeatures& f, double hotness) const {
  if (hotness < threshold_) return false;
  if (config_.mode == TierPolicyMode::Ewma) return true;
  // Until the model has seen some outcomes it defers to the threshold.
  return model_.samples() < 16 || model_.predict(f) >= 0.5;
}

}  // namespace tiervm
