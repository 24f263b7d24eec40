#include "engine/jit/jit_tier.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "engine/code_cache.h"
#include "engine/event_bus.h"
#include "engine/hart.h"
#include "engine/jit/llvm_backend.h"
#include "engine/jit/region_builder.h"
#include "mem/bus.h"

namespace tiervm {

namespace {

using SteadyClock = std::chrono::steady_clock;

// CPU time of the calling thread.
uint64_t thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000000u + static_cast<uint64_t>(t.tv_nsec);
}

uint64_t ns_since(SteadyClock::time_point t0) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - t0).count());
}

// O2 time tier 2 may spend before the compile budget applies: the first hot loops of a
// program get their regions at once.
constexpr double kTier2AllowanceNs = 100e6;

// Appends (target key, chain slot) for each exit of the block at `key` that has a slot.
void add_exit_links(std::vector<std::pair<BlockKey, ChainSlot*>>& out, BlockKey key,
                    const IrTerminator& exit, ChainSlot* taken, ChainSlot* fallthrough) {
  if (taken) out.emplace_back(key.offset_by(exit.taken_offset), taken);
  if (fallthrough) out.emplace_back(key.offset_by(exit.fallthrough_offset), fallthrough);
}

constexpr const char* kOutOfCodeMemory =
    "tiervm: warning: out of memory for JIT code; continuing in the interpreter\n";

}  // namespace

JitTier::JitTier(CodeCache& cache, JitConfig config)
    : cache_(cache),
      config_(config),
      baseline_(config_.tier1 == Tier::Baseline ? std::make_unique<BaselineCompiler>() : nullptr),
      tier_up_(config_) {
  if (baseline_ && !baseline_->ok()) {
    // No executable memory at all (what LLVM would need too): blocks run in tier 0.
    std::fputs(kOutOfCodeMemory, stderr);
    ++stats_.compile_failures;
    compiling_off_ = true;
    baseline_.reset();
  }
  // LLVM (and its start-up cost) only when a tier uses it.
  if (config_.tier1 == Tier::Fast || config_.tier2) backend_ = std::make_unique<LlvmBackend>();
  if (baseline_) baseline_->set_exit_cache(cache_.exit_cache());
  cache_.set_drop_hook([this](CachedBlock& b) { on_drop(b); });
  if (!config_.synchronous && backend_) {
    worker_ = std::make_unique<CompileWorker>(
        [this](std::vector<CompileJob>& jobs) { return compile(jobs); },
        [this](uint64_t module) { backend_->release(module); }, config_.batch_size);
  }
  stats_.tier2_threshold = tier_up_.policy().threshold();
}

JitTier::~JitTier() {
  cache_.set_drop_hook(nullptr);
  worker_.reset();  // joins the worker before the backend it uses goes away
}

size_t JitTier::queue_length() const {
  return worker_ ? worker_->queue_length() : 0;
}

uint64_t JitTier::counted_entries() const {
  uint64_t sum = 0;
  for (uint64_t c : counters_) sum += c;
  return sum;
}

uint64_t* JitTier::new_counter() {
  return &counters_.emplace_back(0);
}

void JitTier::note_cross_page_exits(const CachedBlock& block,
                                    const std::vector<const CachedBlock*>& members,
                                    const CrossPageTarget& cross_page, CompileMember& m) {
  const StaticExits exits = static_exits(block);
  for (size_t x = 0; x < exits.count; ++x) {
    if (block.key.same_page(exits.offsets[x])) continue;
    const CachedBlock* t = cross_page(block, exits.offsets[x]);
    if (t == nullptr || std::find(members.begin(), members.end(), t) == members.end()) continue;
    // RAM only (code runs from nowhere else), whose host pointers never move.
    const uint8_t* host = cache_.hart().bus.host_ptr(t->key.page(), kPageSize, false);
    if (host == nullptr) continue;
    m.cross[x] = {t->key.paddr(), reinterpret_cast<uintptr_t>(host)};
  }
}

CompileMember JitTier::make_member(const CachedBlock& block) {
  CompileMember m;
  m.ir = std::make_unique<IrBlock>(block.ir);
  m.key = block.key;
  m.id = block.id;
  if (block.taken_chainable()) m.taken = links_.new_slot();
  if (block.fallthrough_chainable()) m.fallthrough = links_.new_slot();
  return m;
}

void JitTier::note_execution(CachedBlock& block) {
  ++stats_.interpreted_runs;
  if (block.compile_queued || !block.ir.cacheable ||
      ++block.exec_count < tier_up_.tier1_threshold()) {
    return;
  }
  if (baseline_) {
    compile_baseline(block);
    return;
  }
  if (compiling_off_.load(std::memory_order_relaxed)) return;
  block.compile_queued = true;
  CompileJob job;
  job.members.push_back(make_member(block));
  job.counter = config_.tier2 ? new_counter() : nullptr;
  job.tier = Tier::Fast;
  job.exit_cache = cache_.exit_cache();
  job.vlenb = static_cast<uint32_t>(cache_.hart().s.vlenb);
  job.vtype_hint = cache_.hart().s.vtype;
  submit(std::move(job));
}

void JitTier::compile_baseline(CachedBlock& block) {
  const auto t0 = SteadyClock::now();
  ChainSlot* taken = block.taken_chainable() ? links_.new_slot() : nullptr;
  ChainSlot* fallthrough = block.fallthrough_chainable() ? links_.new_slot() : nullptr;
  uint64_t* counter = config_.tier2 ? new_counter() : nullptr;
  const BaselineCompiler::Code code = baseline_->compile(block.ir, taken, fallthrough, counter);
  const uint64_t ns = ns_since(t0);
  if (code.fn == nullptr) {
    // Code memory is full: everything is flushed at the next poll, and compiled again.
    ++stats_.baseline_failures;
    flush_requested_ = true;
    return;
  }
  Code& c = code_[block.key];
  baseline_->release(c.baseline);  // code it replaces (none in practice: one per id)
  c.baseline = code;
  stats_.baseline_compile_ns += ns;
  stats_.compile_ns += ns;
  ++stats_.baseline_blocks;
  stats_.baseline_guest_insns += block.ir.guest_count();
  stats_.baseline_host_bytes += code.bytes;
  stats_.baseline_code_bytes = baseline_->arena().bytes_in_use();
  ++stats_.blocks_compiled;
  stats_.guest_insns_compiled += block.ir.guest_count();
  std::vector<std::pair<BlockKey, ChainSlot*>> exits;
  add_exit_links(exits, block.key, block.ir.exit, taken, fallthrough);
  start_running(block, {code.fn, code.bytes, Tier::Baseline, ns, block.ir.guest_count()}, exits);
  if (counter != nullptr) {
    tier_up_.watch(block.key, counter);
    if (promote_at_once()) promote(block.key);
  }
}

bool JitTier::promote_at_once() {
  if (!config_.synchronous || !config_.tier2) return false;
  return sync_compiled_++ % std::max<uint32_t>(config_.sync_promote_every, 1) == 0;
}

void JitTier::flush_for_space() {
  flush_requested_ = false;
  cache_.flush();              // drops every block
  release_dropped_baseline();  // between blocks: nothing runs the code
}

void JitTier::submit(CompileJob job) {
  if (compiling_off_.load(std::memory_order_relaxed)) return;
  if (worker_) {
    worker_->submit(std::move(job));
    return;
  }
  std::vector<CompileJob> jobs;
  jobs.push_back(std::move(job));
  adopt(compile(jobs));
}

std::vector<CompileResult> JitTier::compile(std::vector<CompileJob>& jobs) {
  // Jobs queued before compiling stopped are dropped (their blocks stay in tier 0).
  if (compiling_off_.load(std::memory_order_relaxed)) return {};
  std::vector<JitJob> batch;
  for (const CompileJob& j : jobs) {
    JitJob jj;
    for (const CompileMember& m : j.members)
      jj.members.push_back({m.ir.get(), m.taken, m.fallthrough, m.entry_fallback, m.cross});
    jj.key = j.members.front().key;
    jj.counter = j.counter;
    jj.region = j.tier == Tier::Optimized;
    jj.bare_memory = j.bare_memory;
    jj.fallback = j.fallback;
    jj.exit_cache = j.exit_cache;
    jj.vlenb = j.vlenb;
    jj.vtype_hint = j.vtype_hint;
    batch.push_back(std::move(jj));
  }
  const Tier tier = jobs.front().tier;
  std::string error;
  const auto t0 = SteadyClock::now();
  const uint64_t cpu0 = thread_cpu_ns();
  std::vector<JitResult> results = backend_->compile(
      batch, tier == Tier::Optimized ? JitOptLevel::Optimize : JitOptLevel::Fast, error);
  const uint64_t ns = ns_since(t0);
  const uint64_t cpu_ns = thread_cpu_ns() - cpu0;
  std::vector<CompileResult> out;
  for (size_t n = 0; n < jobs.size(); ++n) {
    CompileResult d;
    d.tier = tier;
    if (n < results.size()) {
      d.fn = results[n].fn;
      d.module = results[n].module;
      d.host_bytes = results[n].host_bytes;
    }
    d.compile_ns = ns / jobs.size();
    d.compile_cpu_ns = cpu_ns / jobs.size();
    d.first_of_batch = n == 0;
    d.counter = jobs[n].counter;
    for (const CompileMember& m : jobs[n].members) {
      d.members.emplace_back(m.key, m.id);
      d.entry_fallbacks.push_back(m.entry_fallback);
      d.guest_insns += m.ir->guest_count();
      add_exit_links(d.exits, m.key, m.ir->exit, m.taken, m.fallthrough);
    }
    out.push_back(std::move(d));
  }
  // Out of memory for code (the next compile would fail too), or failing again and
  // again: stop compiling for good, and say so once.
  constexpr uint32_t kMaxFailedBatches = 8;
  if (error.empty()) {
    failed_batches_ = 0;
  } else if (backend_->out_of_memory()) {
    if (!compiling_off_.exchange(true)) std::fputs(kOutOfCodeMemory, stderr);
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

void JitTier::adopt(const std::vector<CompileResult>& done) {
  // Every result holds a reference to its module before any is installed: the blocks of
  // one batch share a module, and a stale first result must not free the code of the
  // ones installed after it.
  for (const CompileResult& d : done) {
    stats_.compile_ns += d.compile_ns;
    if (d.tier == Tier::Optimized) {
      stats_.tier2_compile_ns += d.compile_ns;
      stats_.tier2_compile_cpu_ns += d.compile_cpu_ns;
    }
    if (d.first_of_batch) ++stats_.compile_batches;
    modules_.ref(d.module);
  }
  for (const CompileResult& d : done) {
    if (!install(d)) modules_.unref(d.module);
  }
  stats_.modules_live = modules_.live();
}

void JitTier::release_dropped_baseline() {
  for (const BaselineCompiler::Code& code : dropped_baseline_) baseline_->release(code);
  dropped_baseline_.clear();
  stats_.baseline_code_bytes = baseline_->arena().bytes_in_use();
}

void JitTier::release_dead_modules() {
  const std::vector<uint64_t> dead = modules_.take_dead();
  stats_.modules_released += dead.size();
  stats_.modules_live = modules_.live();
  if (worker_) {
    worker_->release(dead);
  } else if (backend_) {
    for (uint64_t m : dead) backend_->release(m);
  }
}

bool JitTier::install(const CompileResult& d) {
  const BlockKey key = d.members.front().first;
  CachedBlock* block = cache_.find(key);
  if (block == nullptr || block->id != d.members.front().second) return false;  // dropped
  if (d.tier == Tier::Fast) block->compile_queued = false;
  for (const auto& [k, id] : d.members) {
    CachedBlock* m = cache_.find(k);
    if (m == nullptr || m->id != id) {  // a member changed while O2 was busy
      tier_up_.promotion_stale(key);
      return false;
    }
  }
  if (d.fn == nullptr) {
    ++stats_.compile_failures;
    return false;
  }
  Code& code = code_[key];
  uint64_t& slot = d.tier == Tier::Fast ? code.tier1 : code.region;
  modules_.unref(slot);  // a unit it replaces (none in practice: one compile per id and tier)
  slot = d.module;
  if (d.tier == Tier::Fast) {
    ++stats_.blocks_compiled;
    stats_.guest_insns_compiled += d.guest_insns;
  } else {
    ++stats_.regions_compiled;
    stats_.region_blocks += d.members.size();
    if (std::any_of(d.members.begin(), d.members.end(),
                    [&](const auto& m) { return m.first.page() != key.page(); })) {
      ++stats_.regions_spanning_pages;
    }
    for (size_t n = 1; n < d.members.size(); ++n) region_of_.emplace(d.members[n].first, key);
    // Its own region from now on, no longer another's member entry.
    member_entry_.erase(key);
  }
  start_running(*block, {d.fn, d.host_bytes, d.tier, d.compile_ns, d.guest_insns}, d.exits);
  if (d.tier == Tier::Optimized) enter_at_members(d);
  if (d.tier == Tier::Optimized) tier_up_.region_installed(key, d.compile_ns);
  if (d.tier == Tier::Fast && d.counter != nullptr) {
    // The policy watches the entry counter the tier-1 code increments.
    tier_up_.watch(key, d.counter);
    // Synchronous mode (tests, differential runs): every block goes through tier 2 at
    // once, as a region of the compiled blocks around it, so O2 region code is what runs.
    if (promote_at_once()) promote(key);
  }
  return true;
}

void JitTier::start_running(CachedBlock& block, const NewCode& code,
                            const std::vector<std::pair<BlockKey, ChainSlot*>>& exits) {
  // Code it replaces (a region over its tier-1 code) may be named by the exit cache; a
  // first compile cannot be (entries are made from CachedBlock::native).
  if (block.native != nullptr) cache_.invalidate_exits();
  cache_.set_native(block, code.fn, code.bytes);
  if (code_hook_) {
    code_hook_(block.ir.start_pc, reinterpret_cast<const void*>(code.fn), code.bytes, code.tier);
  }
  block.tier = code.tier;
  block.compile_ns = static_cast<uint32_t>(std::min<uint64_t>(code.compile_ns, UINT32_MAX));
  ++block.times_compiled;
  if (events_ && events_->active()) {
    Event e;
    e.kind = EventKind::BlockCompiled;
    e.paddr = block.ir.start_paddr;
    e.pc = block.ir.start_pc;
    e.tier = code.tier;
    e.guest_insns = code.guest_insns;
    e.compile_ns = code.compile_ns;
    e.host_bytes = code.bytes;
    events_->publish(e);
    e.kind = EventKind::TierUp;
    events_->publish(e);
  }
  // Predecessors jump straight to the new code from now on, and our exits are linked.
  stats_.links_made += links_.retarget(block.key, code.fn);
  for (const auto& [target, slot] : exits) {
    const CachedBlock* t = cache_.find(target);
    if (links_.add(block.key, target, slot, t ? t->native : nullptr)) ++stats_.links_made;
  }
}

void JitTier::enter_at_members(const CompileResult& d) {
  const BlockKey region = d.members.front().first;
  for (size_t n = 1; n < d.members.size(); ++n) {
    const JitFn tier1 = n < d.entry_fallbacks.size() ? d.entry_fallbacks[n] : nullptr;
    if (tier1 == nullptr) continue;
    const BlockKey key = d.members[n].first;
    CachedBlock* m = cache_.find(key);  // install checked that it is the one compiled
    // Still running the tier-1 code the region falls back to (not a region of its own).
    if (m == nullptr || m->native != tier1 || m->tier == Tier::Optimized) continue;
    member_entry_[key] = {region, d.fn, tier1, m->native_bytes, m->tier};
    region_members_[region].push_back(key);
    cache_.set_native(*m, d.fn, 0);  // its bytes are the entry's
    m->tier = Tier::Optimized;
    stats_.links_made += links_.retarget(key, d.fn);
    ++stats_.region_member_entries;
  }
  cache_.invalidate_exits();
}

void JitTier::leave_member_entries(BlockKey region, BlockKey dropped) {
  auto it = region_members_.find(region);
  if (it == region_members_.end()) return;
  for (BlockKey key : it->second) {
    auto e = member_entry_.find(key);
    if (e == member_entry_.end() || e->second.region != region) continue;  // moved on
    const MemberEntry was = e->second;
    member_entry_.erase(e);
    CachedBlock* m = key == dropped ? nullptr : cache_.find(key);
    if (m == nullptr || m->native != was.region_fn) continue;
    cache_.set_native(*m, was.tier1, was.tier1_bytes);
    m->tier = was.tier1_tier;
    stats_.links_made += links_.retarget(key, was.tier1);
  }
  region_members_.erase(it);
  cache_.invalidate_exits();
}

void JitTier::on_drop(CachedBlock& block) {
  const BlockKey k = block.key;
  // Unlink every predecessor that jumps here, and forget this block's own exits.
  stats_.links_broken += links_.drop(k);
  tier_up_.forget(k);
  member_entry_.erase(k);
  if (auto c = code_.find(k); c != code_.end()) {
    // Members that entered its region run their own code again.
    if (c->second.region != 0) leave_member_entries(k, k);
    modules_.unref(c->second.tier1);
    modules_.unref(c->second.region);
    // Freed at the next poll, between blocks: a block still running (it stored to its own
    // bytes) finishes in intact code.
    if (baseline_ && c->second.baseline.fn != nullptr) {
      dropped_baseline_.push_back(c->second.baseline);
    }
    code_.erase(c);
  }
  // Regions that contain this block are stale: their entries fall back to tier 1.
  auto [rf, rl] = region_of_.equal_range(k);
  for (auto it = rf; it != rl; ++it) {
    CachedBlock* entry = cache_.find(it->second);
    auto c = code_.find(it->second);
    if (entry == nullptr || c == code_.end() || c->second.region == 0) continue;
    const std::optional<TierUpPolicy::Fallback> tier1 = tier_up_.revert(it->second);
    if (!tier1) continue;
    leave_member_entries(it->second, k);
    cache_.set_native(*entry, tier1->fn, tier1->bytes);
    entry->tier = config_.tier1;
    modules_.unref(c->second.region);
    c->second.region = 0;
    stats_.links_made += links_.retarget(it->second, tier1->fn);
    ++stats_.regions_reverted;
  }
  region_of_.erase(k);
  stats_.modules_live = modules_.live();
}

void JitTier::promote(BlockKey key) {
  CachedBlock* entry = cache_.find(key);
  if (entry == nullptr || entry->native == nullptr) return;
  CompileJob job;
  job.tier = Tier::Optimized;
  job.counter = tier_up_.counter(key);
  job.bare_memory = cache_.hart().s.bare_limit != 0;
  // Lives as long as the region: both go when the entry block is dropped.
  job.fallback = entry->native;
  job.exit_cache = cache_.exit_cache();
  job.vlenb = static_cast<uint32_t>(cache_.hart().s.vlenb);
  job.vtype_hint = cache_.hart().s.vtype;
  // Bare data accesses imply untranslated fetch (M-mode, or satp Bare): a bare region's
  // members may lie in any page, and its code runs only while the hart is still bare.
  // Under translation an exit into another page leads to the block its virtual pc maps to
  // now (the hart's fetch TLB, without a walk), and the region checks that mapping where
  // it crosses.
  const Hart& hart = cache_.hart();
  const CrossPageTarget cross_page = [&](const CachedBlock& from,
                                         int64_t offset) -> const CachedBlock* {
    const uint64_t vpc = from.ir.start_pc + static_cast<uint64_t>(offset);
    const TlbL2Entry* e = hart.tlb.peek_l2(hart.fetch_mode(), vpc & ~kPageMask);
    if (e == nullptr || !e->can_exec) return nullptr;
    return cache_.find(BlockKey(e->ppage | (vpc & kPageMask), from.key.flags()));
  };
  const std::vector<const CachedBlock*> members =
      form_region(cache_, *entry, config_.max_region_blocks, job.bare_memory,
                  {config_.small_region_blocks, config_.small_region_insns},
                  job.bare_memory ? CrossPageTarget{} : cross_page);
  for (const CachedBlock* m : members) {
    job.members.push_back(make_member(*m));
    if (!job.bare_memory) note_cross_page_exits(*m, members, cross_page, job.members.back());
    // The region may be entered at the members that run their own tier-1 code: from the
    // dispatcher, or from a predecessor's chain, code that would run tier 1 runs the
    // region's (a loop entered at its head from outside the region's entry, a return
    // into the loop after a call, a resume after the dispatcher's limit).
    // Only in the entry's page: the region's code finds the member by the pc's offset in
    // the page, and the page from the pc.
    if (m != entry && m->key.page() == entry->key.page() &&
        (m->tier == Tier::Fast || m->tier == Tier::Baseline)) {
      job.members.back().entry_fallback = m->native;
    }
  }
  tier_up_.promoted(key, {entry->native, entry->native_bytes});
  submit(std::move(job));
}

void JitTier::maybe_tick() {
  const auto now = SteadyClock::now();
  if (!tier_up_.due(now)) return;
  const bool busy = worker_ && worker_->busy();
  // The tier-2 budget counts LLVM's time: the baseline tier's is the hart's own.
  const uint64_t llvm_ns = stats_.compile_ns - stats_.baseline_compile_ns;
  const std::vector<BlockKey> hot =
      tier_up_.tick(now, cache_, llvm_ns, queue_length(), busy, stats_);
  // With a baseline tier under it, tier 2 compiles one region at a time: a region queued
  // behind others would be chosen on stale hotness, and during a boot most would never pay
  // back 10-50 ms of O2 (a Linux boot queued 24 of them in 0.6 s). The hottest goes when
  // the compiler is idle.
  if (config_.tier1 == Tier::Baseline && !config_.synchronous) {
    // And within the compile budget over the whole run (a first allowance, then the
    // budget's share of the time since the tier started), so O2 never takes more of a
    // core than that. Counted in the compiler's CPU time: on a loaded host its wall time
    // is mostly waiting for a core, and charging that stopped tier 2 after two or three
    // regions (hash: 2 regions in 2.3 s, most of its hot blocks left in tier 1).
    const double elapsed_ns = static_cast<double>(ns_since(started_));
    const double allowed_ns = kTier2AllowanceNs + config_.policy.compile_budget * elapsed_ns;
    const bool within_budget = static_cast<double>(stats_.tier2_compile_cpu_ns) <= allowed_ns;
    if (within_budget && !busy && queue_length() == 0 && !hot.empty()) promote(hot.front());
    return;
  }
  for (BlockKey key : hot) promote(key);
}

}  // namespace tiervm
