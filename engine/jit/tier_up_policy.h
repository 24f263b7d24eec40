#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "engine/block_key.h"
#include "engine/jit/jit_abi.h"
#include "engine/jit/jit_config.h"
#include "engine/jit/tier_policy.h"

namespace tiervm {

class CodeCache;

// When blocks move up a tier. It adapts the tier-1 threshold to the compile-time budget,
// watches the entry counters of tier-1 code, turns them into EWMA hotness every tick and
// names the blocks to recompile as tier-2 regions (TierPolicy decides, with the learned
// payback model when asked), and labels each promotion with whether it paid back, for the
// model to learn. Hart thread only.
class TierUpPolicy {
 public:
  using Clock = std::chrono::steady_clock;
  // The tier-1 code a region entry goes back to when its region is dropped.
  struct Fallback {
    JitFn fn = nullptr;
    uint32_t bytes = 0;
  };

  explicit TierUpPolicy(const JitConfig& config);

  uint32_t tier1_threshold() const { return tier1_threshold_; }
  const TierPolicy& policy() const { return policy_; }

  // A tier-1 block whose code counts its entries in `*counter` is watched from now on.
  void watch(BlockKey key, uint64_t* counter);
  void forget(BlockKey key);
  // The entry counter of a watched block (nullptr when it has none).
  uint64_t* counter(BlockKey key) const;
  size_t watched() const { return hot_.size(); }
  // A region entered at `key` was queued; `fallback` is the tier-1 code it replaces.
  void promoted(BlockKey key, Fallback fallback);
  // The region came back stale (a member changed meanwhile): it may be promoted again.
  void promotion_stale(BlockKey key);
  // The region was installed: its payback is measured from now.
  void region_installed(BlockKey key, uint64_t compile_ns);
  // The region was dropped: the tier-1 code to go back to, when the block is watched.
  std::optional<Fallback> revert(BlockKey key);

  // True when a tick is due (every JitConfig::tick_seconds).
  bool due(Clock::time_point now) const;
  // Adapts the thresholds to the compile time spent since the last tick (`total_compile_ns`
  // is the running total, `busy` says the compiler is in a batch now, `queued` how many jobs
  // wait), labels promotions whose payback is known, and returns the blocks to promote,
  // hottest first. Updates the policy's counters in `stats`.
  std::vector<BlockKey> tick(Clock::time_point now, const CodeCache& cache,
                             uint64_t total_compile_ns, size_t queued, bool busy, JitStats& stats);

 private:
  // A watched block. Every tick reads every counter: with the baseline tier that is every
  // compiled block (tens of thousands in a Linux boot), so they sit in a dense array and
  // only blocks hot enough to pass the threshold are looked at further.
  struct Hot {
    BlockKey key;
    uint64_t* counter = nullptr;
    uint64_t last_count = 0;
    double hotness = 0;
    bool promoted = false;  // queued for or running tier 2
  };
  // A block promoted (or about to be): its fallback and the learned policy's bookkeeping,
  // from promotion until its payback label is known.
  struct Promotion {
    Fallback tier1;
    BlockFeatures features{};
    uint64_t count_at_install = 0;
    uint64_t tier2_compile_ns = 0;
    Clock::time_point installed{};
    bool labelled = true;
  };
  Hot* find(BlockKey key);
  Hot& entry(BlockKey key);  // found or added (without a counter)
  void label_outcomes(Clock::time_point now, const CodeCache& cache, JitStats& stats);

  JitConfig config_;
  TierPolicy policy_;
  uint32_t tier1_threshold_;  // adapts like the tier-2 threshold, from the configured floor
  Clock::time_point last_tick_ = Clock::now();
  uint64_t compile_ns_at_tick_ = 0;
  std::vector<Hot> hot_;
  std::unordered_map<BlockKey, uint32_t, BlockKey::Hash> index_;  // key -> hot_ position
  std::unordered_map<BlockKey, Promotion, BlockKey::Hash> promotions_;
};

}  // namespace tiervm
