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

TierUpPolicy::Hot* TierUpPolicy::find(BlockKey key) {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &hot_[it->second];
}

TierUpPolicy::Hot& TierUpPolicy::entry(BlockKey key) {
  if (Hot* h = find(key)) return *h;
  index_.emplace(key, static_cast<uint32_t>(hot_.size()));
  Hot& h = hot_.emplace_back();
  h.key = key;
  return h;
}

void TierUpPolicy::watch(BlockKey key, uint64_t* counter) {
  Hot& h = entry(key);
  h = Hot{};
  h.key = key;
  h.counter = counter;
  h.last_count = *counter;
  promotions_.erase(key);
}

void TierUpPolicy::forget(BlockKey key) {
  promotions_.erase(key);
  auto it = index_.find(key);
  if (it == index_.end()) return;
  const uint32_t pos = it->second;
  index_.erase(it);
  if (pos + 1 != hot_.size()) {
    hot_[pos] = hot_.back();
    index_[hot_[pos].key] = pos;
  }
  hot_.pop_back();
}

uint64_t* TierUpPolicy::counter(BlockKey key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : hot_[it->second].counter;
}

void TierUpPolicy::promoted(BlockKey key, Fallback fallback) {
  entry(key).promoted = true;
  promotions_[key].tier1 = fallback;
}

void TierUpPolicy::promotion_stale(BlockKey key) {
  if (Hot* h = find(key)) h->promoted = false;
}

void TierUpPolicy::region_installed(BlockKey key, uint64_t compile_ns) {
  const Hot& h = entry(key);
  Promotion& p = promotions_[key];
  p.installed = Clock::now();
  p.count_at_install = h.counter ? *h.counter : 0;
  p.tier2_compile_ns = compile_ns;
  p.labelled = false;
}

std::optional<TierUpPolicy::Fallback> TierUpPolicy::revert(BlockKey key) {
  Hot* h = find(key);
  if (h == nullptr) return std::nullopt;
  h->promoted = false;
  Promotion& p = promotions_[key];
  p.labelled = true;
  return p.tier1;
}

bool TierUpPolicy::due(Clock::time_point now) const {
  return std::chrono::duration<double>(now - last_tick_).count() >= config_.tick_seconds;
}

void TierUpPolicy::label_outcomes(Clock::time_point now, const CodeCache& cache, JitStats& stats) {
  const double saved = policy_.config().saved_ns_per_insn;
  for (auto& [key, h] : promotions_) {
    if (h.labelled || now - h.installed < kLabelDelay) continue;
    const uint64_t* counter = this->counter(key);
    if (counter == nullptr) continue;
    h.labelled = true;
    const CachedBlock* b = cache.find(key);
    if (b == nullptr) continue;
    // Paid back when the block, running at the rate measured since the swap for the
    // policy's payback horizon, saves (instructions x saving per instruction) more than
    // compiling it cost.
    const double seconds = std::chrono::duration<double>(now - h.installed).count();
    const double rate = static_cast<double>(*counter - h.count_at_install) / seconds;
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
  if (config_.tier1 == Tier::Baseline) {
    // The baseline tier costs microseconds on the hart's thread: its threshold stays put.
  } else if (used > budget || queued > config_.batch_size) {
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
  const double threshold = policy_.threshold();
  for (Hot& h : hot_) {
    if (h.counter == nullptr) continue;
    const uint64_t count = *h.counter;
    h.hotness = policy_.update_hotness(h.hotness, count - h.last_count, dt);
    h.last_count = count;
    // No policy promotes below the threshold: skip the lookups for the cold majority.
    if (h.promoted || h.hotness < threshold) continue;
    const CachedBlock* b = cache.find(h.key);
    if (b == nullptr || (b->tier != Tier::Fast && b->tier != Tier::Baseline)) continue;
    const BlockFeatures f = features_of(b->ir, h.hotness);
    if (!policy_.should_promote(f, h.hotness)) continue;
    promotions_[h.key].features = f;
    candidates.emplace_back(TierPolicy::priority(f, h.hotness), h.key);
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
