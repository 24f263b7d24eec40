#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/block_key.h"
#include "engine/ir.h"
#include "engine/jit/baseline_compiler.h"
#include "engine/jit/compile_job.h"
#include "engine/jit/compile_worker.h"
#include "engine/jit/jit_abi.h"
#include "engine/jit/jit_config.h"
#include "engine/jit/link_registry.h"
#include "engine/jit/module_refs.h"
#include "engine/jit/region_builder.h"
#include "engine/jit/tier_up_policy.h"
#include "engine/tier.h"

namespace tiervm {

class CodeCache;
struct CachedBlock;
class LlvmBackend;
class EventBus;

// Tier 1 and tier 2. Tier 1 counts tier-0 executions and compiles warm blocks: with the
// baseline tier (copy-and-patch) at once on the hart's thread, or with LLVM's fast pipeline
// on a background thread (the hart keeps interpreting meanwhile; the code is installed on
// the hart's thread). It links static exits to compiled successors in the
// same physical page (a registry of links, so a dropped block is unlinked from every
// predecessor). Tier-1 code counts its own entries; every few milliseconds the tier
// policy turns the counts into EWMA hotness, and hot blocks are recompiled at O2 as
// regions with their warm same-page successors, then swapped in for the tier-1 code.
class JitTier {
 public:
  JitTier(CodeCache& cache, JitConfig config);
  ~JitTier();
  // Joins the compile worker (the destructor does too); nothing is compiled after it.
  void stop_worker() { worker_.reset(); }
  JitTier(const JitTier&) = delete;
  JitTier& operator=(const JitTier&) = delete;

  // The executor calls this before interpreting `block`.
  void note_execution(CachedBlock& block);
  // Installs finished compilations and runs the tier-2 policy now and then; cheap when
  // there is nothing to do. Hart thread only.
  void poll() {
    if (worker_ && worker_->has_results()) adopt(worker_->take_results());
    if (modules_.has_dead()) release_dead_modules();
    if (!dropped_baseline_.empty()) release_dropped_baseline();
    if (flush_requested_) flush_for_space();
    if ((++polls_ & 255) == 0 && !config_.synchronous) maybe_tick();
  }
  void set_event_bus(EventBus* events) { events_ = events; }
  // Called on the hart's thread whenever compiled code starts to run for the block (or
  // the region entered) at virtual `guest_pc`: `bytes` of host code at `code` (the host
  // profiler's map, engine/monitor/perf_map.h). Empty: nothing is called.
  using CodeHook =
      std::function<void(uint64_t guest_pc, const void* code, uint32_t bytes, Tier tier)>;
  void set_code_hook(CodeHook hook) { code_hook_ = std::move(hook); }
  const JitStats& stats() const { return stats_; }
  JitStats& stats() { return stats_; }
  const JitConfig& config() const { return config_; }
  const TierPolicy& policy() const { return tier_up_.policy(); }
  size_t queue_length() const;
  // Entries into compiled blocks counted by the code itself (tier-2 profiling counters;
  // 0 without tier 2). Minus native_runs, that is the number of chained transitions.
  uint64_t counted_entries() const;

 private:
  // The modules holding a block's compiled code.
  struct Code {
    uint64_t tier1 = 0;
    uint64_t region = 0;  // when the block is the entry of an installed tier-2 region
    BaselineCompiler::Code baseline;
  };
  void compile_baseline(CachedBlock& block);
  // The new code of `key` (tier 1 or a tier-2 region) runs from now on: the block points
  // at it, predecessors jump to it, its exits are linked, and the monitor hears of it.
  struct NewCode {
    JitFn fn = nullptr;
    uint32_t bytes = 0;
    Tier tier = Tier::Fast;
    uint64_t compile_ns = 0;
    uint32_t guest_insns = 0;
  };
  void start_running(CachedBlock& block, const NewCode& code,
                     const std::vector<std::pair<BlockKey, ChainSlot*>>& exits);
  CompileMember make_member(const CachedBlock& block);
  // Region members under translation: `m.cross` for `block`'s exits into other pages that
  // lead to members (form_region's `cross_page` gave them).
  void note_cross_page_exits(const CachedBlock& block,
                             const std::vector<const CachedBlock*>& members,
                             const CrossPageTarget& cross_page, CompileMember& m);
  // Compiles now (synchronous mode) or queues for the worker (tier 1 before tier 2).
  void submit(CompileJob job);
  uint64_t* new_counter();
  // Runs LLVM on a batch (on the worker, or on the hart in synchronous mode).
  std::vector<CompileResult> compile(std::vector<CompileJob>& jobs);
  // Installs results (those of one batch share a module), each holding one reference to
  // its module while its code is in use.
  void adopt(const std::vector<CompileResult>& done);
  // False when the result is stale (its block changed meanwhile) or failed.
  bool install(const CompileResult& d);
  void release_dead_modules();
  void release_dropped_baseline();
  void flush_for_space();
  void on_drop(CachedBlock& block);
  // The members of the region just installed (`d`) that may enter it run it from now on.
  void enter_at_members(const CompileResult& d);
  // The members entering the region at `region` run their tier-1 code again (the region
  // goes); `dropped` is being dropped and is left alone.
  void leave_member_entries(BlockKey region, BlockKey dropped);
  void maybe_tick();
  // Synchronous mode with tier 2: whether the block just compiled is promoted now
  // (JitConfig::sync_promote_every).
  bool promote_at_once();
  void promote(BlockKey key);

  CodeCache& cache_;
  JitConfig config_;
  EventBus* events_ = nullptr;
  CodeHook code_hook_;
  std::unique_ptr<LlvmBackend> backend_;
  std::unique_ptr<BaselineCompiler> baseline_;  // when tier 1 is the baseline tier
  // Code of dropped baseline blocks, freed (and poisoned) at the next poll, between blocks:
  // a block that stored into its own bytes is still running when it is dropped.
  std::vector<BaselineCompiler::Code> dropped_baseline_;
  // The baseline tier's code memory is full: the whole cache is flushed at the next poll
  // (QEMU's tb_flush), which frees it.
  bool flush_requested_ = false;
  JitStats stats_;
  TierUpPolicy tier_up_;
  uint64_t polls_ = 0;
  uint64_t sync_compiled_ = 0;  // blocks compiled in synchronous mode
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  // Counters are never freed: compiled code holds their addresses until the tier goes.
  std::deque<uint64_t> counters_;
  LinkRegistry links_;
  ModuleRefs modules_;
  std::unordered_map<BlockKey, Code, BlockKey::Hash> code_;
  // member key -> entry keys of the tier-2 regions that contain it.
  std::unordered_multimap<BlockKey, BlockKey, BlockKey::Hash> region_of_;
  // A region member that runs its region's code (the region entered at the member), and
  // what it ran before.
  struct MemberEntry {
    BlockKey region;  // the region's entry
    JitFn region_fn = nullptr;
    JitFn tier1 = nullptr;
    uint32_t tier1_bytes = 0;
    Tier tier1_tier = Tier::Fast;
  };
  std::unordered_map<BlockKey, MemberEntry, BlockKey::Hash> member_entry_;
  // region entry -> the members given entries when it was installed.
  std::unordered_map<BlockKey, std::vector<BlockKey>, BlockKey::Hash> region_members_;
  // Set for good when the host has no memory for JIT code or compiles keep failing:
  // blocks then run in tier 0 or in the code compiled before.
  std::atomic<bool> compiling_off_{false};
  uint32_t failed_batches_ = 0;  // in a row; the compiling thread's
  // Last: the worker thread stops before anything it uses goes away. Null in
  // synchronous mode.
  std::unique_ptr<CompileWorker> worker_;
};

}  // namespace tiervm
