#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/jit/compile_job.h"

namespace tiervm {

// The background compiler thread: two queues (tier-1 jobs go first, in batches, so cold
// code never waits behind an O2 region), finished results waiting for the hart, and
// modules to free. The hart submits and collects; the worker only calls `compile` and
// `release`, which must not touch hart-thread state.
class CompileWorker {
 public:
  using CompileFn = std::function<std::vector<CompileResult>(std::vector<CompileJob>&)>;
  using ReleaseFn = std::function<void(uint64_t module)>;

  CompileWorker(CompileFn compile, ReleaseFn release, uint32_t batch_size);
  ~CompileWorker();  // stops after the batch in progress
  CompileWorker(const CompileWorker&) = delete;
  CompileWorker& operator=(const CompileWorker&) = delete;

  void submit(CompileJob job);
  // Modules nobody uses any more: freed on the worker, between batches.
  void release(const std::vector<uint64_t>& modules);
  // True when results wait; cheap (one load), for the hart's poll.
  bool has_results() const { return ready_.load(std::memory_order_acquire); }
  std::vector<CompileResult> take_results();
  size_t queue_length() const;
  // True while a batch compiles (an O2 region may outlast a policy tick).
  bool busy() const { return busy_.load(std::memory_order_relaxed); }

 private:
  void run();

  CompileFn compile_;
  ReleaseFn release_fn_;
  uint32_t batch_size_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<CompileJob> fast_queue_;        // tier 1
  std::deque<CompileJob> optimizing_queue_;  // tier 2
  std::vector<CompileResult> done_;
  std::vector<uint64_t> release_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> busy_{false};
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace tiervm
