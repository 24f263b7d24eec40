#include "engine/monitor/perf_monitor.h"

#include "devices/virt_board.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <nlohmann/json.hpp>

#include "engine/decoder.h"
#include "engine/event_bus.h"
#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/machine.h"
#include "engine/monitor/report.h"

namespace tiervm {

namespace {

uint64_t now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

double rate(uint64_t count, uint64_t ns) {
  return ns ? static_cast<double>(count) * 1e9 / static_cast<double>(ns) : 0.0;
}

}  // namespace

unsigned compile_histogram_bin(uint64_t ns) {
  const uint64_t us = ns / 1000;
  if (us <= 1) return 0;
  return std::min<unsigned>(static_cast<unsigned>(std::bit_width(us)) - 1,
                            kCompileHistogramBins - 1);
}

PerfMonitor::PerfMonitor(Machine& machine)
    : machine_(machine),
      symbols_(std::make_shared<SymbolTable>(machine.symbols())),
      start_ns_(now_ns()) {
  auto empty = std::make_shared<MonitorSnapshot>();
  empty->symbols = symbols_;
  latest_ = std::move(empty);
  period_start_ns_ = start_ns_;
  period_instret_ = machine.instructions();
}

PerfMonitor::~PerfMonitor() {
  disable();
}

void PerfMonitor::enable() {
  if (enabled_) return;
  enabled_ = true;
  // Rates restart from here: a disabled stretch is not one long period.
  tick(now_ns());
  machine_.set_slice_hook([this](const SliceInfo& s) { on_slice(s); });
  subscription_ = machine_.events().subscribe([this](const Event& e) { on_event(e); });
}

void PerfMonitor::disable() {
  if (!enabled_) return;
  enabled_ = false;
  machine_.set_slice_hook(nullptr);
  machine_.events().unsubscribe(subscription_);
  subscription_ = 0;
}

void PerfMonitor::set_symbols(std::shared_ptr<const SymbolTable> symbols) {
  symbols_ = symbols ? std::move(symbols) : std::make_shared<SymbolTable>();
}

void PerfMonitor::set_publish_interval(double seconds) {
  publish_interval_ns_ = seconds > 0 ? static_cast<uint64_t>(seconds * 1e9) : 0;
}

double PerfMonitor::seconds_since_start(uint64_t ns) const {
  return ns > start_ns_ ? static_cast<double>(ns - start_ns_) / 1e9 : 0.0;
}

BlockProfile& PerfMonitor::profile(uint64_t paddr) {
  auto [it, fresh] = profile_index_.try_emplace(paddr, static_cast<uint32_t>(profiles_.size()));
  if (fresh) {
    profiles_.emplace_back();
    profiles_.back().paddr = paddr;
  }
  return profiles_[it->second];
}

// The block hart `i`'s executor would run at `pc` next, found the way its dispatcher finds
// it (jump cache, then the L1 TLB's exec tag), without side effects: no TLB fill, no
// translation, no trap.
const CachedBlock* PerfMonitor::block_at_pc(unsigned i, uint64_t pc) const {
  Hart& hart = machine_.hart(i);
  CodeCache& cache = machine_.executor(i).code_cache();
  const FetchKey fetch = hart.fetch_key();
  if (const CachedBlock* b = cache.jump_lookup(pc, fetch)) return b;
  const TlbEntry& e = hart.tlb.l1(hart.fetch_mode(), pc);
  if (e.tag_exec != (pc & ~kPageMask)) return nullptr;
  const uint64_t paddr = hart.tlb.l1_ppage(hart.fetch_mode(), pc) | (pc & kPageMask);
  return cache.find(BlockKey(paddr, fetch.flags));
}

void PerfMonitor::note_block(BlockProfile& p, const CachedBlock& b, uint64_t pc, unsigned i) const {
  p.pc = pc;
  p.live = true;
  p.tier = b.running_tier();
  p.guest_insns = b.ir.guest_count();
  p.vector_insns = static_cast<uint32_t>(
      std::count_if(b.ir.guest_words.begin(), b.ir.guest_words.end(), is_vector_insn));
  p.guest_bytes = b.ir.guest_bytes;
  p.tier0_execs = b.exec_count;
  p.host_bytes = b.native ? b.native_bytes : 0;
  // Exits compiled code chains to (CachedBlock::taken_chainable / fallthrough_chainable);
  // a chain is live when both ends are compiled.
  p.chainable_exits = 0;
  p.chained_exits = 0;
  const CodeCache& cache = machine_.executor(i).code_cache();
  auto exit_to = [&](bool chainable, int64_t offset) {
    if (!chainable) return;
    ++p.chainable_exits;
    const CachedBlock* t = cache.find(b.key.offset_by(offset));
    if (b.native && t && t->native) ++p.chained_exits;
  };
  exit_to(b.taken_chainable(), b.ir.exit.taken_offset);
  exit_to(b.fallthrough_chainable(), b.ir.exit.fallthrough_offset);
}

void PerfMonitor::on_slice(const SliceInfo& slice) {
  std::lock_guard<std::recursive_mutex> lock(state_mutex_);
  ++samples_;
  run_ns_ += slice.run_ns;
  const unsigned hart = slice.hart < kMonitorMaxHarts ? slice.hart : 0;
  ++hart_samples_[hart];
  if (machine_.hart_threads()) {
    if (published_.size() < machine_.hart_count()) published_.resize(machine_.hart_count());
    published_[hart] = collect(hart);
  }
  if (slice.why == RunStop::Waiting) {
    ++samples_idle_;
    run_ns_unresolved_ += slice.run_ns;
  } else {
    const uint64_t pc = machine_.hart(hart).s.pc;
    if (const CachedBlock* b = block_at_pc(hart, pc)) {
      BlockProfile& p = profile(b->ir.start_paddr);
      note_block(p, *b, pc, hart);
      ++p.samples;
      ++p.samples_by_hart[hart];
      ++samples_by_tier_[tier_index(p.tier)];
      run_ns_by_tier_[tier_index(p.tier)] += slice.run_ns;
      ++period_samples_;
      if (p.tier != Tier::Interpreter) ++period_native_samples_;
    } else {
      ++samples_unresolved_;
      run_ns_unresolved_ += slice.run_ns;
    }
  }
  const uint64_t now = now_ns();
  if (now - period_start_ns_ >= kHistoryPeriodNs) tick(now);
  if (publish_interval_ns_ && now - last_publish_ns_ >= publish_interval_ns_) {
    last_publish_ns_ = now;
    // With harts on threads this runs on one of them: the others' parts as they published.
    publish(machine_.hart_threads());
  }
}

void PerfMonitor::tick(uint64_t now) {
  uint64_t traps = 0, interrupts = 0;
  for (unsigned i = 0; i < machine_.hart_count(); ++i) {
    traps += machine_.executor(i).traps_taken();
    interrupts += machine_.executor(i).interrupts_taken();
  }
  const uint64_t instret = machine_.instructions();
  const uint64_t ns = now - period_start_ns_;
  if (enabled_ && ns > 0) {
    RateSample r;
    r.t = seconds_since_start(now);
    r.mips = rate(instret - period_instret_, ns) / 1e6;
    r.traps_per_s = rate(traps - period_traps_, ns);
    r.interrupts_per_s = rate(interrupts - period_interrupts_, ns);
    r.native_share = period_samples_ ? static_cast<double>(period_native_samples_) /
                                           static_cast<double>(period_samples_)
                                     : 0.0;
    history_.push_back(r);
    if (history_.size() > kHistoryCapacity) history_.pop_front();
  }
  const unsigned harts = machine_.hart_count();
  period_hart_instret_.resize(harts, 0);
  hart_mips_.resize(harts, 0);
  for (unsigned i = 0; i < harts; ++i) {
    const uint64_t h = machine_.hart_instructions(i);
    if (enabled_ && ns > 0) hart_mips_[i] = rate(h - period_hart_instret_[i], ns) / 1e6;
    period_hart_instret_[i] = h;
  }
  period_start_ns_ = now;
  period_instret_ = instret;
  period_traps_ = traps;
  period_interrupts_ = interrupts;
  period_samples_ = 0;
  period_native_samples_ = 0;
}

void PerfMonitor::on_event(const Event& e) {
  std::lock_guard<std::recursive_mutex> lock(state_mutex_);
  switch (e.kind) {
    case EventKind::BlockCompiled: {
      BlockProfile& p = profile(e.paddr);
      p.pc = e.pc;
      p.live = true;
      p.tier = e.tier;
      // A tier-2 event counts the guest instructions of its whole region.
      if (e.tier != Tier::Optimized) p.guest_insns = e.guest_insns;
      p.compile_ns_last = e.compile_ns;
      p.compile_ns_total += e.compile_ns;
      p.host_bytes = e.host_bytes;
      ++p.times_compiled;
      ++histogram_[tier_index(e.tier)][compile_histogram_bin(e.compile_ns)];
      compiles_.push_back(
          {seconds_since_start(e.time_ns), e.paddr, e.pc, e.compile_ns, e.guest_insns, e.tier});
      if (compiles_.size() > kCompileCapacity) compiles_.pop_front();
      break;
    }
    case EventKind::BlockInvalidated: {
      BlockProfile& p = profile(e.paddr);
      if (p.pc == 0) p.pc = e.pc;
      ++p.times_invalidated;
      p.live = false;
      p.tier = Tier::Interpreter;
      p.chained_exits = 0;
      break;
    }
    default:
      break;
  }
}

static_assert(kMonitorMaxHarts == MachineConfig::kMaxHarts);

PerfMonitor::HartPart PerfMonitor::collect(unsigned i) const {
  const Hart& hart = machine_.hart(i);
  const HartState& hs = hart.s;
  Executor& ex = machine_.executor(i);
  const SoftTlb& tlb = hart.tlb;
  const CodeCache& cache = ex.code_cache();
  HartPart part;
  HartCounters& h = part.h;
  h.id = i;
  h.state = hs.waiting ? "wfi" : "running";
  h.priv = hs.priv == Priv::M ? 'M' : hs.priv == Priv::S ? 'S' : 'U';
  h.pc = hs.pc;
  h.traps = ex.traps_taken();
  h.interrupts = ex.interrupts_taken();
  h.blocks_executed = ex.blocks_executed();
  h.tlb_l1_misses = tlb.l1_misses;
  h.code_blocks = cache.block_count();
  part.tlb_l2_hits = tlb.l2_hits;
  part.tlb_l2_misses = tlb.l2_misses;
  part.tlb_flushes = tlb.flushes;
  part.tlb_page_flushes = tlb.page_flushes;
  part.tlb_l1_resizes = tlb.l1_resizes;
  for (unsigned m = 0; m < kTlbModes; ++m) {
    part.tlb_l1_max_entries =
        std::max<uint64_t>(part.tlb_l1_max_entries, tlb.l1_size(static_cast<TlbMode>(m)));
  }
  part.code_max_blocks = cache.max_blocks();
  part.code_evicted = cache.evicted();
  part.code_host_bytes = cache.native_bytes();
  part.translations = cache.translations();
  part.code_lookups = cache.lookups();
  part.code_revalidations = cache.revalidations();
  part.invalidations = cache.invalidations();
  if (const JitTier* jit = ex.jit()) {
    h.blocks_compiled = jit->stats().blocks_compiled;
    part.jit_enabled = true;
    part.jit = jit->stats();
    part.compile_queue = jit->queue_length();
    part.jit_counted_entries = jit->counted_entries();
  }
  return part;
}

MonitorSnapshot PerfMonitor::capture() const {
  return capture(false);
}

MonitorSnapshot PerfMonitor::capture(bool published) const {
  std::lock_guard<std::recursive_mutex> lock(state_mutex_);
  MonitorSnapshot s;
  const uint64_t now = now_ns();
  s.sequence = sequence_;
  s.machine_id = machine_.events().machine_id();
  s.enabled = enabled_;
  s.uptime_s = seconds_since_start(now);
  s.instructions = machine_.instructions();
  s.mips_average = s.uptime_s > 0 ? static_cast<double>(s.instructions) / s.uptime_s / 1e6 : 0;
  if (!history_.empty()) {
    s.mips_recent = history_.back().mips;
    s.traps_per_s = history_.back().traps_per_s;
    s.interrupts_per_s = history_.back().interrupts_per_s;
  }
  VirtBoard& board = machine_.board();
  for (unsigned slot = 0; slot < virt::kVirtioCount; ++slot) {
    const VirtioMmio& mmio = board.virtio_slot(slot);
    const VirtioDevice* d = mmio.device();
    if (d == nullptr) continue;
    s.devices.push_back({d->kind(), slot, mmio.notifications.load(std::memory_order_relaxed),
                         mmio.interrupts.load(std::memory_order_relaxed),
                         d->stats.bytes_to_guest.load(std::memory_order_relaxed),
                         d->stats.bytes_from_guest.load(std::memory_order_relaxed)});
  }
  // Every hart has its own executor, TLB, code cache and JIT: the totals are their sums.
  for (unsigned i = 0; i < machine_.hart_count(); ++i) {
    HartPart part;
    if (!published) {
      part = collect(i);
    } else if (i < published_.size()) {
      part = published_[i];
    }
    HartCounters& h = part.h;
    h.id = i;
    h.instructions = machine_.hart_instructions(i);
    h.mips_recent = i < hart_mips_.size() ? hart_mips_[i] : 0;
    h.samples = i < kMonitorMaxHarts ? hart_samples_[i] : 0;

    s.blocks_executed += h.blocks_executed;
    s.traps += h.traps;
    s.interrupts += h.interrupts;
    s.tlb_l1_misses += h.tlb_l1_misses;
    s.tlb_l2_hits += part.tlb_l2_hits;
    s.tlb_l2_misses += part.tlb_l2_misses;
    s.tlb_flushes += part.tlb_flushes + part.tlb_page_flushes;
    s.tlb_page_flushes += part.tlb_page_flushes;
    s.tlb_l1_resizes += part.tlb_l1_resizes;
    s.tlb_l1_max_entries = std::max(s.tlb_l1_max_entries, part.tlb_l1_max_entries);
    s.code_blocks += h.code_blocks;
    s.code_max_blocks += part.code_max_blocks;
    s.code_evicted += part.code_evicted;
    s.code_host_bytes += part.code_host_bytes;
    s.translations += part.translations;
    s.code_lookups += part.code_lookups;
    s.code_revalidations += part.code_revalidations;
    s.invalidations += part.invalidations;
    if (part.jit_enabled) {
      if (!s.jit_enabled) {
        s.jit_enabled = true;
        s.jit = part.jit;
      } else {
        s.jit += part.jit;
      }
      s.compile_queue += part.compile_queue;
      s.jit_counted_entries += part.jit_counted_entries;
    }
    s.harts.push_back(h);
  }
  s.compile_s = static_cast<double>(s.jit.compile_ns) / 1e9;

  s.samples = samples_;
  s.samples_idle = samples_idle_;
  s.samples_unresolved = samples_unresolved_;
  s.samples_by_tier = samples_by_tier_;
  s.hart_run_s = static_cast<double>(run_ns_) / 1e9;
  for (unsigned t = 0; t < kTierCount; ++t) {
    s.run_s_by_tier[t] = static_cast<double>(run_ns_by_tier_[t]) / 1e9;
  }
  s.run_s_unresolved = static_cast<double>(run_ns_unresolved_) / 1e9;
  s.events_dropped = machine_.events().dropped();

  s.blocks = profiles_;
  s.history.assign(history_.begin(), history_.end());
  s.compiles.assign(compiles_.begin(), compiles_.end());
  s.compile_histogram = histogram_;
  s.symbols = symbols_;
  return s;
}

std::string PerfMonitor::report(size_t top_n) const {
  return monitor_report_text(capture(), 0, top_n);
}

nlohmann::json PerfMonitor::to_json(size_t top_n) const {
  return monitor_report_json(capture(), 0, top_n);
}

void PerfMonitor::publish() {
  publish(false);
}

void PerfMonitor::publish(bool published) {
  ++sequence_;
  auto snap = std::make_shared<const MonitorSnapshot>(capture(published));
  std::lock_guard<std::mutex> lock(latest_mutex_);
  latest_ = std::move(snap);
}

std::shared_ptr<const MonitorSnapshot> PerfMonitor::latest() const {
  std::lock_guard<std::mutex> lock(latest_mutex_);
  return latest_;
}

}  // namespace tiervm
