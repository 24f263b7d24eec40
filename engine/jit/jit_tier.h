#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/ir.h"
#include "engine/jit/jit_abi.h"
#include "mem/fxhash.h"

namespace tiervm {

class CodeCache;
class LlvmBackend;

struct JitConfig {
  // Tier-0 executions before a block is queued for tier 1.
  uint32_t tier1_threshold = 200;
  // Blocks per LLVM module: batching amortises LLVM's per-module cost.
  uint32_t batch_size = 16;
  // Compile on the hart's thread before the block's next run (tests, differential runs)
  // instead of in the background.
  bool synchronous = false;
};

// Counters for the monitor and benchmarks.
struct JitStats {
  uint64_t blocks_compiled = 0;
  uint64_t guest_insns_compiled = 0;
  uint64_t compile_batches = 0;
  uint64_t compile_ns = 0;
  uint64_t compile_failures = 0;
  uint64_t links_made = 0;
  uint64_t links_broken = 0;
  uint64_t native_runs = 0;       // block entries from the dispatcher into compiled code
  uint64_t interpreted_runs = 0;  // blocks run by tier 0
};

// Tier 1: counts tier-0 executions, compiles warm blocks with LLVM's fast pipeline on a
// background thread (the hart keeps interpreting meanwhile), installs the code on the
// hart's thread, and links static exits to compiled successors in the same physical page
// (a registry of links, so a dropped block is unlinked from every predecessor).
class JitTier {
 public:
  JitTier(CodeCache& cache, JitConfig config);
  ~JitTier();
  JitTier(const JitTier&) = delete;
  JitTier& operator=(const JitTier&) = delete;

  // The executor calls this before interpreting `block`.
  void note_execution(IrBlock& block);
  // Installs finished compilations; cheap when there are none.
  void install_ready() {
    if (ready_.load(std::memory_order_acquire)) install_results();
  }
  void set_event_bus(class EventBus* events) { events_ = events; }
  const JitStats& stats() const { return stats_; }
  JitStats& stats() { return stats_; }
  size_t queue_length() const;

 private:
  struct Job {
    std::unique_ptr<IrBlock> ir;  // a copy: the original may be dropped meanwhile
    uint64_t key = 0;
    uint64_t id = 0;
    ChainSlot* taken = nullptr;
    ChainSlot* fallthrough = nullptr;
  };
  struct Done {
    uint64_t key = 0;
    uint64_t id = 0;
    JitFn fn = nullptr;
    uint32_t guest_insns = 0;
    ChainSlot* taken = nullptr;
    ChainSlot* fallthrough = nullptr;
    int64_t taken_offset = 0;
    int64_t fallthrough_offset = 0;
    uint64_t compile_ns = 0;  // this block's share of its batch
  };
  struct OutLink {
    uint64_t target_key;
    ChainSlot* slot;
  };

  Job make_job(IrBlock& block, uint64_t key);
  ChainSlot* new_slot();
  void worker();
  std::vector<Done> compile_batch(std::vector<Job>& jobs);
  void install_results();
  void install(const Done& d);
  void link(ChainSlot* slot, uint64_t target_key);
  void on_drop(IrBlock& block);

  CodeCache& cache_;
  JitConfig config_;
  class EventBus* events_ = nullptr;
  std::unique_ptr<LlvmBackend> backend_;
  JitStats stats_;

  // Chain slots are never freed: compiled code holds their addresses and compiled code
  // itself lives until the tier is destroyed.
  std::deque<ChainSlot> slots_;
  // target key -> slots that jump there; block key -> that block's outgoing links.
  std::unordered_multimap<uint64_t, ChainSlot*, FxHash> incoming_;
  std::unordered_map<uint64_t, std::vector<OutLink>, FxHash> outgoing_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::vector<Done> done_;
  std::atomic<bool> ready_{false};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tiervm
