#pragma once

#include <cstdint>

#include "engine/jit/tier_policy.h"
#include "engine/tier.h"

namespace tiervm {

struct JitConfig {
  // What compiles tier 1: the baseline tier (copy-and-patch, microseconds per block, on the
  // hart's thread) or LLVM's fast pipeline (background thread).
  Tier tier1 = Tier::Baseline;
  // Tier-0 executions before a block is compiled by tier 1 (0: before its first run).
  uint32_t tier1_threshold = kDefaultBaselineThreshold;
  static constexpr uint32_t kDefaultBaselineThreshold = 32;  // measured: docs/performance.md
  static constexpr uint32_t kDefaultFastThreshold = 200;
  // Blocks per LLVM module: batching amortises LLVM's per-module cost.
  uint32_t batch_size = 16;
  // Compile on the hart's thread before the block's next run (tests, differential runs)
  // instead of in the background. With tier 2 on, every block is then also recompiled at
  // once as a tier-2 region.
  bool synchronous = false;
  // Synchronous mode with tier 2: only every n-th block compiled is recompiled at once; the
  // others run their tier-1 code until a region that contains them is installed, and from
  // then on enter it at their own pc (JitMember::entry_fallback). Tests of member entries
  // use 2.
  uint32_t sync_promote_every = 1;
  // Tier 2: hot regions recompiled with LLVM O2, chosen by `policy`.
  bool tier2 = false;
  TierPolicyConfig policy;
  // How often hotness is sampled (host time).
  double tick_seconds = 0.005;
  // Largest tier-2 region, in blocks; and past it, while the blocks hold at most
  // small_region_insns guest instructions, small_region_blocks (engine/jit/region_builder.h).
  uint32_t max_region_blocks = 8;
  uint32_t small_region_blocks = 16;
  uint32_t small_region_insns = 96;
};

// Counters for the monitor and benchmarks. Hart thread only (the worker's compile times
// reach them through the results it hands over).
struct JitStats {
  uint64_t blocks_compiled = 0;
  uint64_t guest_insns_compiled = 0;
  uint64_t compile_batches = 0;
  uint64_t compile_ns = 0;  // LLVM, both tiers
  // The baseline tier (its blocks and time are also in blocks_compiled and compile_ns).
  uint64_t baseline_blocks = 0;
  uint64_t baseline_guest_insns = 0;
  uint64_t baseline_host_bytes = 0;  // of every block it compiled
  uint64_t baseline_compile_ns = 0;
  uint64_t baseline_code_bytes = 0;  // in use now
  uint64_t baseline_failures = 0;    // code memory full
  uint64_t compile_failures = 0;
  // Compiled code: modules still used by some block, and modules freed since no block
  // (nor a region's fallback) uses them any more.
  uint64_t modules_live = 0;
  uint64_t modules_released = 0;
  uint64_t links_made = 0;
  uint64_t links_broken = 0;
  uint64_t interpreted_runs = 0;  // blocks run by tier 0
  uint64_t native_runs = 0;       // entries into compiled code from the dispatcher
  // Tier 2.
  uint64_t regions_compiled = 0;
  uint64_t region_blocks = 0;  // blocks inside compiled regions
  uint64_t tier2_compile_ns = 0;
  // The compiling thread's CPU time for them: what LLVM took from a core, without the
  // time the thread waited for one (on a loaded host the wall time is several times it).
  uint64_t tier2_compile_cpu_ns = 0;
  uint64_t regions_reverted = 0;  // dropped because a member block was invalidated
  // Members that enter their region's code, as its entry does (JitMember::entry_fallback).
  uint64_t region_member_entries = 0;
  uint64_t regions_spanning_pages = 0;  // regions with members in more than one page
  uint64_t policy_ticks = 0;
  double tier2_threshold = 0;  // the adaptive thresholds now
  uint32_t tier1_threshold = 0;
  // Learned policy: predictions made at promotion vs the measured payback label.
  uint64_t model_labels = 0;
  uint64_t model_correct = 0;
  uint64_t threshold_correct = 0;  // the plain threshold policy predicts "pays" for all

  // Adds another hart's counters (the monitor's machine totals). The adaptive thresholds
  // are not counters: this side's are kept.
  JitStats& operator+=(const JitStats& x) {
    for (auto field : {&JitStats::blocks_compiled,       &JitStats::guest_insns_compiled,
                       &JitStats::compile_batches,       &JitStats::compile_ns,
                       &JitStats::baseline_blocks,       &JitStats::baseline_guest_insns,
                       &JitStats::baseline_host_bytes,   &JitStats::baseline_compile_ns,
                       &JitStats::baseline_code_bytes,   &JitStats::baseline_failures,
                       &JitStats::compile_failures,      &JitStats::modules_live,
                       &JitStats::modules_released,      &JitStats::links_made,
                       &JitStats::links_broken,          &JitStats::interpreted_runs,
                       &JitStats::native_runs,           &JitStats::regions_compiled,
                       &JitStats::region_blocks,         &JitStats::tier2_compile_ns,
                       &JitStats::tier2_compile_cpu_ns,  &JitStats::regions_reverted,
                       &JitStats::region_member_entries, &JitStats::regions_spanning_pages,
                       &JitStats::policy_ticks,          &JitStats::model_labels,
                       &JitStats::model_correct,         &JitStats::threshold_correct}) {
      this->*field += x.*field;
    }
    return *this;
  }
};
// 28 counters and the two thresholds: a field added to JitStats must be added to
// operator+= (or, if it is not a counter, to this count).
static_assert(sizeof(JitStats) == 28 * sizeof(uint64_t) + sizeof(double) + 8,
              "JitStats changed: update JitStats::operator+=");

}  // namespace tiervm
