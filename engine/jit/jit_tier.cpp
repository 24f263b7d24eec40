#include "engine/jit/jit_tier.h"

#include <algorithm>
#include <cstdio>

#include "engine/code_cache.h"
#include "engine/event_bus.h"
#include "engine/jit/llvm_backend.h"
#include "mem/bus.h"

namespace tiervm {

namespace {

using SteadyClock = std::chrono::steady_clock;

// How long a promoted block is watched before its payback label is decided.
constexpr auto kLabelDelay = std::chrono::milliseconds(500);

}  // namespace

JitTier::JitTier(CodeCache& cache, JitConfig config)
    : cache_(cache),
      config_(config),
      backend_(std::make_unique<LlvmBackend>()),
      policy_(config.policy),
      tier1_threshold_(config.tier1_threshold) {
  cache_.set_drop_hook([this](CachedBlock& b) { on_drop(b); });
  if (!config_.synchronous) thread_ = std::thread([this] { worker(); });
  stats_.tier2_threshold = policy_.threshold();
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
  return fast_queue_.size() + optimizing_queue_.size();
}

uint64_t JitTier::counted_entries() const {
  uint64_t sum = 0;
  for (uint64_t c : counters_) sum += c;
  return sum;
}

ChainSlot* JitTier::new_slot() {
  return &slots_.emplace_back();
}
uint64_t* JitTier::new_counter() {
  return &counters_.emplace_back(0);
}

JitTier::Member JitTier::make_member(const CachedBlock& block) {
  Member m;
  m.ir = std::make_unique<IrBlock>(block.ir);
  m.key = block.key;
  m.id = block.id;
  // Static exits into the same physical page can be chained: every virtual mapping of
  // this block's page maps the target the same way. Other exits go through the
  // dispatcher (and its jump cache).
  const IrTerminator& e = block.ir.exit;
  if ((e.kind == IrExit::Jump || e.kind == IrExit::Branch) && block.key.same_page(e.taken_offset)) {
    m.taken = new_slot();
  }
  if (e.kind == IrExit::Branch && block.key.same_page(e.fallthrough_offset)) {
    m.fallthrough = new_slot();
  }
  return m;
}

void JitTier::note_execution(CachedBlock& block) {
  ++stats_.interpreted_runs;
  if (block.compile_queued || !block.ir.cacheable || ++block.exec_count < tier1_threshold_) {
    return;
  }
  if (compiling_off_.load(std::memory_order_relaxed)) return;
  block.compile_queued = true;
  Job job;
  job.members.push_back(make_member(block));
  job.counter = config_.tier2 ? new_counter() : nullptr;
  job.tier = Tier::Fast;
  submit(std::move(job));
}

void JitTier::submit(Job job) {
  if (compiling_off_.load(std::memory_order_relaxed)) return;
  if (config_.synchronous) {
    std::vector<Job> jobs;
    jobs.push_back(std::move(job));
    adopt(compile(jobs));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    (job.tier == Tier::Optimized ? optimizing_queue_ : fast_queue_).push_back(std::move(job));
  }
  wake_.notify_one();
}

std::vector<JitTier::Done> JitTier::compile(std::vector<Job>& jobs) {
  // Jobs queued before compiling stopped are dropped (their blocks stay in tier 0).
  if (compiling_off_.load(std::memory_order_relaxed)) return {};
  std::vector<JitJob> batch;
  for (const Job& j : jobs) {
    JitJob jj;
    for (const Member& m : j.members) jj.members.push_back({m.ir.get(), m.taken, m.fallthrough});
    jj.key = j.members.front().key;
    jj.counter = j.counter;
    jj.region = j.tier == Tier::Optimized;
    batch.push_back(std::move(jj));
  }
  const Tier tier = jobs.front().tier;
  std::string error;
  const auto t0 = SteadyClock::now();
  std::vector<JitResult> results = backend_->compile(
      batch, tier == Tier::Optimized ? JitOptLevel::Optimize : JitOptLevel::Fast, error);
  const uint64_t ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - t0).count());
  std::vector<Done> out;
  for (size_t n = 0; n < jobs.size(); ++n) {
    Done d;
    d.tier = tier;
    if (n < results.size()) {
      d.fn = results[n].fn;
      d.module = results[n].module;
      d.host_bytes = results[n].host_bytes;
    }
    d.compile_ns = ns / jobs.size();
    d.first_of_batch = n == 0;
    d.counter = jobs[n].counter;
    for (const Member& m : jobs[n].members) {
      d.members.emplace_back(m.key, m.id);
      d.guest_insns += m.ir->guest_count();
      if (m.taken) d.exits.emplace_back(m.key.offset_by(m.ir->exit.taken_offset), m.taken);
      if (m.fallthrough) {
        d.exits.emplace_back(m.key.offset_by(m.ir->exit.fallthrough_offset), m.fallthrough);
      }
    }
    out.push_back(std::move(d));
  }
  // Out of memory for code (the next compile would fail too), or failing again and
  // again: stop compiling for good, and say so once.
  constexpr uint32_t kMaxFailedBatches = 8;
  if (error.empty()) {
    failed_batches_ = 0;
  } else if (backend_->out_of_memory()) {
    if (!compiling_off_.exchange(true)) {
      std::fprintf(stderr,
                   "tiervm: warning: out of memory for JIT code; continuing in the interpreter\n");
    }
  } else if (++failed_batches_ >= kMaxFailedBatches) {
    if (!compiling_off_.exchange(true)) {
      std::fprintf(stderr,
                   "tiervm: warning: JIT compiles keep failing (%s); continuing in the "
                   "interpreter\n",
                   error.c_str());
    }
  } else {
    std::fprintf(stderr, "tiervm: jit: %s\n", error.c_str());
  }
  return out;
}

void JitTier::worker() {
  while (true) {
    std::vector<Job> jobs;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] {
        return stopping_ || !fast_queue_.empty() || !optimizing_queue_.empty() || !release_.empty();
      });
      if (stopping_) return;
      if (!release_.empty()) {
        std::vector<uint64_t> dead;
        dead.swap(release_);
        lock.unlock();
        for (uint64_t m : dead) backend_->release(m);
        continue;
      }
      if (!fast_queue_.empty()) {
        while (!fast_queue_.empty() && jobs.size() < config_.batch_size) {
          jobs.push_back(std::move(fast_queue_.front()));
          fast_queue_.pop_front();
        }
      } else {
        jobs.push_back(std::move(optimizing_queue_.front()));
        optimizing_queue_.pop_front();
      }
    }
    busy_.store(true, std::memory_order_relaxed);
    std::vector<Done> done = compile(jobs);
    busy_.store(false, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (Done& d : done) done_.push_back(std::move(d));
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
  adopt(done);
}

void JitTier::adopt(const std::vector<Done>& done) {
  // Every result holds a reference to its module before any is installed: the blocks of
  // one batch share a module, and a stale first result must not free the code of the
  // ones installed after it.
  for (const Done& d : done) {
    stats_.compile_ns += d.compile_ns;
    if (d.tier == Tier::Optimized) stats_.tier2_compile_ns += d.compile_ns;
    if (d.first_of_batch) ++stats_.compile_batches;
    if (d.module != 0) ++module_refs_[d.module];
  }
  for (const Done& d : done) {
    if (!install(d)) unref_module(d.module);
  }
  stats_.modules_live = module_refs_.size();
}

void JitTier::unref_module(uint64_t module) {
  if (module == 0) return;
  auto it = module_refs_.find(module);
  if (it == module_refs_.end() || --it->second != 0) return;
  module_refs_.erase(it);
  dead_modules_.push_back(module);
  stats_.modules_live = module_refs_.size();
}

void JitTier::release_dead_modules() {
  stats_.modules_released += dead_modules_.size();
  if (config_.synchronous) {
    for (uint64_t m : dead_modules_) backend_->release(m);
    dead_modules_.clear();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    release_.insert(release_.end(), dead_modules_.begin(), dead_modules_.end());
  }
  dead_modules_.clear();
  wake_.notify_one();
}

void JitTier::link(ChainSlot* slot, BlockKey target_key) {
  incoming_.emplace(target_key, slot);
  if (CachedBlock* target = cache_.find(target_key); target && target->native) {
    slot->fn.store(target->native, std::memory_order_release);
    ++stats_.links_made;
  }
}

void JitTier::retarget_incoming(BlockKey key, JitFn fn) {
  auto [first, last] = incoming_.equal_range(key);
  for (auto it = first; it != last; ++it) {
    it->second->fn.store(fn, std::memory_order_release);
    ++stats_.links_made;
  }
}

bool JitTier::install(const Done& d) {
  const BlockKey key = d.members.front().first;
  CachedBlock* block = cache_.find(key);
  if (block == nullptr || block->id != d.members.front().second) return false;  // dropped
  if (d.tier == Tier::Fast) block->compile_queued = false;
  for (const auto& [k, id] : d.members) {
    CachedBlock* m = cache_.find(k);
    if (m == nullptr || m->id != id) {  // a member changed while O2 was busy
      if (auto h = hot_.find(key); h != hot_.end()) h->second.promoted = false;
      return false;
    }
  }
  if (d.fn == nullptr) {
    ++stats_.compile_failures;
    return false;
  }
  Code& code = code_[key];
  uint64_t& slot = d.tier == Tier::Fast ? code.tier1 : code.region;
  unref_module(slot);  // a unit it replaces (none in practice: one compile per id and tier)
  slot = d.module;
  if (d.tier == Tier::Fast) {
    ++stats_.blocks_compiled;
    stats_.guest_insns_compiled += d.guest_insns;
  } else {
    ++stats_.regions_compiled;
    stats_.region_blocks += d.members.size();
    for (size_t n = 1; n < d.members.size(); ++n) region_of_.emplace(d.members[n].first, key);
  }
  block->native = d.fn;
  block->native_bytes = d.host_bytes;
  block->tier = d.tier;
  block->compile_ns = static_cast<uint32_t>(std::min<uint64_t>(d.compile_ns, UINT32_MAX));
  ++block->times_compiled;
  if (d.tier == Tier::Fast && d.counter != nullptr) {
    // The policy watches the entry counter the tier-1 code increments.
    Hot& h = hot_[key];
    h = Hot{};
    h.id = block->id;
    h.counter = d.counter;
    h.last_count = *d.counter;
    // Synchronous mode (tests, differential runs): every block goes through tier 2 at
    // once, as a region of the compiled blocks around it, so O2 region code is what runs.
    if (config_.synchronous && config_.tier2) promote(key);
  }
  if (events_ && events_->active()) {
    Event e;
    e.kind = EventKind::BlockCompiled;
    e.paddr = block->ir.start_paddr;
    e.pc = block->ir.start_pc;
    e.tier = d.tier;
    e.guest_insns = d.guest_insns;
    e.compile_ns = d.compile_ns;
    e.host_bytes = d.host_bytes;
    events_->publish(e);
    e.kind = EventKind::TierUp;
    events_->publish(e);
  }
  // Predecessors jump straight to the new code from now on, and our exits are linked.
  retarget_incoming(key, d.fn);
  std::vector<OutLink>& out = outgoing_[key];
  for (const auto& [target, slot] : d.exits) {
    out.push_back({target, slot});
    link(slot, target);
  }
  if (d.tier == Tier::Optimized) {
    Hot& h = hot_[key];
    h.installed = SteadyClock::now();
    h.count_at_install = h.counter ? *h.counter : 0;
    h.tier2_compile_ns = d.compile_ns;
    h.labelled = false;
  }
  return true;
}

void JitTier::on_drop(CachedBlock& block) {
  const BlockKey k = block.key;
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
  hot_.erase(k);
  if (auto c = code_.find(k); c != code_.end()) {
    unref_module(c->second.tier1);
    unref_module(c->second.region);
    code_.erase(c);
  }
  // Regions that contain this block are stale: their entries fall back to tier 1.
  auto [rf, rl] = region_of_.equal_range(k);
  for (auto it = rf; it != rl; ++it) {
    CachedBlock* entry = cache_.find(it->second);
    auto h = hot_.find(it->second);
    if (entry == nullptr || entry->tier != Tier::Optimized || h == hot_.end()) continue;
    entry->native = h->second.tier1_fn;
    entry->native_bytes = h->second.tier1_bytes;
    entry->tier = Tier::Fast;
    if (auto c = code_.find(it->second); c != code_.end()) {
      unref_module(c->second.region);
      c->second.region = 0;
    }
    h->second.promoted = false;
    h->second.labelled = true;
    retarget_incoming(it->second, h->second.tier1_fn);
    ++stats_.regions_reverted;
  }
  region_of_.erase(k);
}

void JitTier::promote(BlockKey key) {
  CachedBlock* entry = cache_.find(key);
  if (entry == nullptr || entry->native == nullptr) return;
  Job job;
  job.tier = Tier::Optimized;
  job.counter = hot_[key].counter;
  // The region: the entry plus warm (tier-1 compiled) blocks reachable through static
  // exits in the same physical page, breadth first.
  std::vector<const CachedBlock*> members = {entry};
  for (size_t n = 0; n < members.size() && members.size() < config_.max_region_blocks; ++n) {
    const CachedBlock& b = *members[n];
    const IrTerminator& exit = b.ir.exit;
    for (int64_t off : {exit.taken_offset, exit.fallthrough_offset}) {
      if (exit.kind != IrExit::Jump && exit.kind != IrExit::Branch) break;
      if (!b.key.same_page(off)) continue;
      const CachedBlock* t = cache_.find(b.key.offset_by(off));
      if (t == nullptr || t->native == nullptr) continue;
      if (std::find(members.begin(), members.end(), t) != members.end()) continue;
      if (members.size() < config_.max_region_blocks) members.push_back(t);
      if (exit.kind == IrExit::Jump) break;
    }
  }
  for (const CachedBlock* m : members) job.members.push_back(make_member(*m));
  Hot& h = hot_[key];
  h.tier1_fn = entry->native;
  h.tier1_bytes = entry->native_bytes;
  h.promoted = true;
  submit(std::move(job));
}

void JitTier::label_outcomes(SteadyClock::time_point now) {
  const double saved = policy_.config().saved_ns_per_insn;
  for (auto& [key, h] : hot_) {
    if (h.labelled || now - h.installed < kLabelDelay || h.counter == nullptr) continue;
    h.labelled = true;
    const CachedBlock* b = cache_.find(key);
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
    ++stats_.model_labels;
    if (predicted == paid) ++stats_.model_correct;
    if (paid) ++stats_.threshold_correct;
    policy_.model().learn(h.features, paid);
  }
}

void JitTier::maybe_tick() {
  const auto now = SteadyClock::now();
  const double dt = std::chrono::duration<double>(now - last_tick_).count();
  if (dt < config_.tick_seconds) return;
  ++stats_.policy_ticks;
  const uint64_t window_ns = static_cast<uint64_t>(dt * 1e9);
  last_tick_ = now;
  const uint64_t compile_ns = stats_.compile_ns - compile_ns_at_tick_;
  const size_t queued = queue_length();
  compile_ns_at_tick_ = stats_.compile_ns;
  // Tier 1 obeys the same compile-time budget: during a boot, where code is cold, the
  // threshold climbs so that LLVM only sees code that runs often enough to pay back.
  const double used = busy_.load(std::memory_order_relaxed)
                          ? 1.0
                          : static_cast<double>(compile_ns) / static_cast<double>(window_ns);
  const double budget = policy_.config().compile_budget;
  if (used > budget || queued > config_.batch_size) {
    tier1_threshold_ =
        static_cast<uint32_t>(std::min<uint64_t>(uint64_t{tier1_threshold_} * 2, 1'000'000));
  } else if (queued == 0 && used < budget / 2) {
    tier1_threshold_ = std::max(config_.tier1_threshold, tier1_threshold_ * 2 / 3);
  }
  stats_.tier1_threshold = tier1_threshold_;
  if (!config_.tier2) return;
  policy_.adapt(busy_.load(std::memory_order_relaxed) ? window_ns : compile_ns, window_ns, queued);
  stats_.tier2_threshold = policy_.threshold();
  label_outcomes(now);

  std::vector<std::pair<double, BlockKey>> candidates;
  for (auto& [key, h] : hot_) {
    if (h.counter == nullptr) continue;
    const uint64_t count = *h.counter;
    h.hotness = policy_.update_hotness(h.hotness, count - h.last_count, dt);
    h.last_count = count;
    if (h.promoted) continue;
    const CachedBlock* b = cache_.find(key);
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
  for (size_t i = 0; i < n; ++i) promote(candidates[i].second);
}

}  // namespace tiervm
