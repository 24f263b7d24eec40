#include "engine/jit/jit_tier.h"

#include <chrono>
#include <cstdio>

#include <algorithm>

#include "engine/code_cache.h"
#include "engine/event_bus.h"
#include "engine/jit/llvm_backend.h"
#include "mem/bus.h"

namespace tiervm {

JitTier::JitTier(CodeCache& cache, JitConfig config)
    : cache_(cache), config_(config), backend_(std::make_unique<LlvmBackend>()) {
  cache_.set_drop_hook([this](IrBlock& b) { on_drop(b); });
  if (!config_.synchronous) thread_ = std::thread([this] { worker(); });
}

JitTier::~JitTier() {
  cache_.set_drop_hook(nullptr);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

size_t JitTier::queue_length() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

ChainSlot* JitTier::new_slot() {
  return &slots_.emplace_back();
}

JitTier::Job JitTier::make_job(IrBlock& block, uint64_t key) {
  Job job;
  job.ir = std::make_unique<IrBlock>(block);
  job.key = key;
  job.id = block.id;
  // Static exits into the same physical page can be chained: every virtual mapping of
  // this block's page maps the target the same way. Other exits go through the
  // dispatcher (and its jump cache).
  auto same_page = [&](int64_t offset) {
    const uint64_t target = block.start_paddr + static_cast<uint64_t>(offset);
    return (target & ~kPageMask) == (block.start_paddr & ~kPageMask);
  };
  if (block.exit.kind == IrExit::Jump || block.exit.kind == IrExit::Branch) {
    if (same_page(block.exit.taken_offset)) job.taken = new_slot();
  }
  if (block.exit.kind == IrExit::Branch && same_page(block.exit.fallthrough_offset)) {
    job.fallthrough = new_slot();
  }
  return job;
}

void JitTier::note_execution(IrBlock& block) {
  ++stats_.interpreted_runs;
  if (block.compile_queued || !block.cacheable || ++block.exec_count < config_.tier1_threshold) {
    return;
  }
  block.compile_queued = true;
  Job job = make_job(block, block.key);
  if (config_.synchronous) {
    std::vector<Job> jobs;
    jobs.push_back(std::move(job));
    for (const Done& d : compile_batch(jobs)) install(d);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
}

std::vector<JitTier::Done> JitTier::compile_batch(std::vector<Job>& jobs) {
  std::vector<JitJob> batch;
  for (const Job& j : jobs) batch.push_back({j.ir.get(), j.key, j.taken, j.fallthrough});
  std::string error;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<JitResult> results = backend_->compile(batch, JitOptLevel::Fast, error);
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  std::vector<Done> out;
  for (size_t n = 0; n < jobs.size(); ++n) {
    Done d;
    d.key = jobs[n].key;
    d.id = jobs[n].id;
    d.fn = n < results.size() ? results[n].fn : nullptr;
    d.guest_insns = jobs[n].ir->guest_count();
    d.taken = jobs[n].taken;
    d.fallthrough = jobs[n].fallthrough;
    d.taken_offset = jobs[n].ir->exit.taken_offset;
    d.fallthrough_offset = jobs[n].ir->exit.fallthrough_offset;
    d.compile_ns = static_cast<uint64_t>(ns) / jobs.size();
    out.push_back(d);
  }
  if (!error.empty()) std::fprintf(stderr, "tiervm: jit: %s\n", error.c_str());
  stats_.compile_ns += static_cast<uint64_t>(ns);
  ++stats_.compile_batches;
  return out;
}

void JitTier::worker() {
  while (true) {
    std::vector<Job> jobs;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      while (!queue_.empty() && jobs.size() < config_.batch_size) {
        jobs.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<Done> done = compile_batch(jobs);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.insert(done_.end(), done.begin(), done.end());
    }
    ready_.store(true, std::memory_order_release);
  }
}

void JitTier::install_results() {
  std::vector<Done> done;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done.swap(done_);
    ready_.store(false, std::memory_order_relaxed);
  }
  for (const Done& d : done) install(d);
}

void JitTier::link(ChainSlot* slot, uint64_t target_key) {
  incoming_.emplace(target_key, slot);
  if (IrBlock* target = cache_.find(target_key); target && target->native) {
    slot->fn.store(target->native, std::memory_order_release);
    ++stats_.links_made;
  }
}

void JitTier::install(const Done& d) {
  IrBlock* block = cache_.find(d.key);
  if (block == nullptr || block->id != d.id) return;  // dropped while compiling
  block->compile_queued = false;
  if (d.fn == nullptr) {
    ++stats_.compile_failures;
    return;
  }
  block->native = d.fn;
  block->tier = 1;
  block->compile_ns = static_cast<uint32_t>(std::min<uint64_t>(d.compile_ns, UINT32_MAX));
  ++block->times_compiled;
  if (events_ && events_->active()) {
    Event e;
    e.kind = EventKind::BlockCompiled;
    e.paddr = block->start_paddr;
    e.pc = block->start_pc;
    e.tier = 1;
    e.a = d.guest_insns;
    e.b = d.compile_ns;
    events_->publish(e);
    e.kind = EventKind::TierUp;
    events_->publish(e);
  }
  ++stats_.blocks_compiled;
  stats_.guest_insns_compiled += d.guest_insns;
  // Predecessors already compiled jump straight here from now on.
  auto [first, last] = incoming_.equal_range(d.key);
  for (auto it = first; it != last; ++it) {
    it->second->fn.store(d.fn, std::memory_order_release);
    ++stats_.links_made;
  }
  // Our own exits: keys are (paddr << 1 | fp flag); the flag carries over.
  std::vector<OutLink>& out = outgoing_[d.key];
  const uint64_t flag = d.key & 1;
  const uint64_t paddr = d.key >> 1;
  if (d.taken) {
    const uint64_t k = ((paddr + static_cast<uint64_t>(d.taken_offset)) << 1) | flag;
    out.push_back({k, d.taken});
    link(d.taken, k);
  }
  if (d.fallthrough) {
    const uint64_t k = ((paddr + static_cast<uint64_t>(d.fallthrough_offset)) << 1) | flag;
    out.push_back({k, d.fallthrough});
    link(d.fallthrough, k);
  }
}

void JitTier::on_drop(IrBlock& block) {
  const uint64_t k = block.key;
  {
    // Unlink every predecessor that jumps here...
    auto [first, last] = incoming_.equal_range(k);
    for (auto it = first; it != last; ++it) {
      if (it->second->fn.exchange(nullptr, std::memory_order_acq_rel) != nullptr) {
        ++stats_.links_broken;
      }
    }
    // ...and forget this block's own exits.
    if (auto out = outgoing_.find(k); out != outgoing_.end()) {
      for (const OutLink& l : out->second) {
        auto [f, e] = incoming_.equal_range(l.target_key);
        for (auto it = f; it != e; ++it) {
          if (it->second == l.slot) {
            incoming_.erase(it);
            break;
          }
        }
      }
      outgoing_.erase(out);
    }
  }
}

}  // namespace tiervm
