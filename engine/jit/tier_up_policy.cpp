#include "engine/jit/tier_up_policy.h"

#include <algorithm>

#include "engine/code_cache.h"

namespace tiervm {

namespace {

// How long a promoted block is watched before its payback label is decided.
constexpr auto kLabelDelay = std::chrono::milliseconds(500);

}  // namespace

TierUpPolicy::TierUpPolicy(const JitConfig& config)
    : config_(config), policy_(config.policy), tier1_threshold_(config.tier1_threshold) {}

void TierUpPolicy::watch(BlockKey key, uint64_t* counter) {
  Hot& h = hot_[key];
  h = Hot{};
  h.counter = counter;
  h.last_count = *counter;
}

void TierUpPolicy::promoted(BlockKey key, Fallback fallback) {
  Hot& h = hot_[key];
  h.tier1 = fallback;
  h.promoted = true;
}

void TierUpPolicy::promotion_stale(BlockKey key) {
  if (auto h = hot_.find(key); h != hot_.end()) h->second.promoted = false;
}

void TierUpPolicy::region_installed(BlockKey key, uint64_t compile_ns) {
  Hot& h = hot_[key];
  h.installed = Clock::now();
  h.count_at_install = h.counter ? *h.counter : 0;
  h.tier2_compile_ns = compile_ns;
  h.labelled = false;
}

std::optional<TierUpPolicy::Fallback> TierUpPolicy::revert(BlockKey key) {
  auto h = hot_.find(key);
  if (h == hot_.end()) return std::nullopt;
  h->second.promoted = false;
  h->second.labelled = true;
  return h->second.tier1;
}

bool TierUpPolicy::due(Clock::time_point now) const {
  return std::chrono::duration<double>(now - last_tick_).count() >= config_.tick_seconds;
}

void TierUpPolicy::label_outcomes(Clock::time_point now, const CodeCache& cache, JitStats& stats) {
  const double saved = policy_.config().saved_ns_per_insn;
  for (auto& [key, h] : hot_) {
    if (h.labelled || now - h.installed < kLabelDelay || h.counter == nullptr) continue;
    h.labelled = true;
    const CachedBlock* b = cache.find(key);
    if (b == nullptr) continue;
    // Paid back when the block, running at the rate measured since the swap for the
    // policy's payback horizon, saves (instructions x saving per instruction) more than
    // compiling it cost.
    const double seconds = std::chrono::duration<double>(now - h.installed).count();
    const double rate = static_cast<double>(*h.counter - h.count_at_install) / seconds;
    const double saved_ns =
        rate * policy_.config().payback_horizon_seconds * b->ir.guest_count() * saved;
    const bool paid = saved_ns > static_cast<double>(h.tier2_compile_ns);
    const bool predicted = policy_.model().predict(h.features) >= 0.5;
    ++stats.model_labels;
    if (predicted == paid) ++stats.model_correct;
    if (paid) ++stats.threshold_correct;
    policy_.model().learn(h.features, paid);
  }
}

std::vector<BlockKey> TierUpPolicy::tick(Clock::time_point now, const CodeCache& cache,
                                         uint64_t total_compile_ns, size_t queued, bool busy,
                                         JitStats& stats) {
  const double dt = std::chrono::duration<double>(now - last_tick_).count();
  ++stats.policy_ticks;
  const uint64_t window_ns = static_cast<uint64_t>(dt * 1e9);
  last_tick_ = now;
  const uint64_t compile_ns = total_compile_ns - compile_ns_at_tick_;
  compile_ns_at_tick_ = total_compile_ns;
  // Tier 1 obeys the same compile-time budget: during a boot, where code is cold, the
  // threshold climbs so that LLVM only sees code that runs often enough to pay back. A
  // batch still compiling counts as the whole window (an O2 region can outlast a tick).
  const double used = busy ? 1.0 : static_cast<double>(compile_ns) / static_cast<double>(window_ns);
  const double budget = policy_.config().compile_budget;
  if (used > budget || queued > config_.batch_size) {
    tier1_threshold_ =
        static_cast<uint32_t>(std::min<uint64_t>(uint64_t{tier1_threshold_} * 2, 1'000'000));
  } else if (queued == 0 && used < budget / 2) {
    tier1_threshold_ = std::max(config_.tier1_threshold, tier1_threshold_ * 2 / 3);
  }
  stats.tier1_threshold = tier1_threshold_;
  if (!config_.tier2) return {};
  policy_.adapt(busy ? window_ns : compile_ns, window_ns, queued);
  stats.tier2_threshold = policy_.threshold();
  label_outcomes(now, cache, stats);

  std::vector<std::pair<double, BlockKey>> candidates;
  for (auto& [key, h] : hot_) {
    if (h.counter == nullptr) continue;
    const uint64_t count = *h.counter;
    h.hotness = policy_.update_hotness(h.hotness, count - h.last_count, dt);
    h.last_count = count;
    if (h.promoted) continue;
    const CachedBlock* b = cache.find(key);
    if (b == nullptr || b->tier != Tier::Fast) continue;
    const BlockFeatures f = features_of(b->ir, h.hotness);
    if (!policy_.should_promote(f, h.hotness)) continue;
    h.features = f;
    candidates.emplace_back(TierPolicy::priority(f, h.hotness), key);
  }
  // Hottest first; ties in the order of the keys' addresses, so runs are reproducible.
  std::sort(candidates.begin(), candidates.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second.paddr() > y.second.paddr();
  });
  const size_t n = std::min<size_t>(candidates.size(), policy_.config().max_promotions_per_tick);
  std::vector<BlockKey> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(candidates[i].second);
  return out;
}

}  // namespace tiervm
