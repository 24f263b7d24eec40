#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/monitor/monitor_snapshot.h"
#include "mem/fxhash.h"

namespace tiervm {

class Machine;
struct Event;
struct CachedBlock;
struct SliceInfo;

// The performance monitor of one machine. Enabled, it samples the pc of the hart that ran
// each slice of Machine::run at its end (one sample per slice of 5'000-20'000
// instructions: a hash lookup, nothing per instruction) and attributes it to the block
// there (and to that hart), and listens to the
// event bus for compilations and invalidations. Disabled, it is detached from both and
// costs nothing. Global counters (instructions, TLB, code cache, JIT) are read from the
// machine whenever a snapshot is taken, enabled or not.
//
// Threads: everything except latest() runs on the machine's thread (or while the machine
// is not running), except that with harts on host threads on_slice runs on the hart
// threads (under the machine's slice lock and state_mutex_): a snapshot it publishes then
// takes the other harts' counters as their threads last published them, not live.
// latest() hands the last published snapshot to any thread.
class PerfMonitor {
 public:
  explicit PerfMonitor(Machine& machine);
  ~PerfMonitor();
  PerfMonitor(const PerfMonitor&) = delete;
  PerfMonitor& operator=(const PerfMonitor&) = delete;

  void enable();
  void disable();
  bool enabled() const { return enabled_; }
  // Symbols for the report and the dashboard (default: the loaded ELF's).
  void set_symbols(std::shared_ptr<const SymbolTable> symbols);
  const std::shared_ptr<const SymbolTable>& symbols() const { return symbols_; }
  // Publishes a snapshot every `seconds` of wall time from the slice hook; 0 = only on
  // publish().
  void set_publish_interval(double seconds);

  // A snapshot of now.
  MonitorSnapshot capture() const;
  // The reports of a snapshot of now (engine/monitor/report.h): text with the `top_n`
  // hottest and slowest-to-compile blocks, and the JSON of docs/perf-report.md.
  std::string report(size_t top_n = 20) const;
  nlohmann::json to_json(size_t top_n = 50) const;
  // Captures and makes it the one latest() returns.
  void publish();
  // Thread-safe: the last published snapshot (an empty one before the first).
  std::shared_ptr<const MonitorSnapshot> latest() const;

  // The hooks, public for tests that drive a machine by hand.
  void on_slice(const SliceInfo& slice);
  void on_event(const Event& event);

 private:
  static constexpr size_t kHistoryCapacity = 3000;  // 5 minutes at one sample per 100 ms
  static constexpr size_t kCompileCapacity = 4096;
  static constexpr uint64_t kHistoryPeriodNs = 100'000'000;

  // One hart's part of a snapshot: its counters and its own engine's (executor, TLB, code
  // cache, JIT), read on the thread that runs the hart.
  struct HartPart {
    HartCounters h;
    uint64_t tlb_l2_hits = 0, tlb_l2_misses = 0, tlb_flushes = 0, tlb_page_flushes = 0;
    uint64_t tlb_l1_resizes = 0, tlb_l1_max_entries = 0;
    uint64_t code_max_blocks = 0, code_evicted = 0, code_host_bytes = 0;
    uint64_t translations = 0, code_lookups = 0, code_revalidations = 0, invalidations = 0;
    bool jit_enabled = false;
    JitStats jit;
    uint64_t compile_queue = 0;
    uint64_t jit_counted_entries = 0;
  };
  HartPart collect(unsigned i) const;
  // capture(), with each hart's part as its thread last published it (`published`: the
  // harts run on threads, and this runs on one of them) or read now.
  MonitorSnapshot capture(bool published) const;
  void publish(bool published);

  BlockProfile& profile(uint64_t paddr);
  const CachedBlock* block_at_pc(unsigned i, uint64_t pc) const;
  void note_block(BlockProfile& p, const CachedBlock& b, uint64_t pc, unsigned i) const;
  void tick(uint64_t now_ns);
  double seconds_since_start(uint64_t ns) const;

  Machine& machine_;
  bool enabled_ = false;
  int subscription_ = 0;
  std::shared_ptr<const SymbolTable> symbols_;
  uint64_t start_ns_ = 0;
  uint64_t publish_interval_ns_ = 0;
  uint64_t last_publish_ns_ = 0;
  uint64_t sequence_ = 0;

  std::vector<BlockProfile> profiles_;
  std::unordered_map<uint64_t, uint32_t, FxHash> profile_index_;  // paddr -> profiles_

  uint64_t samples_ = 0;
  uint64_t samples_idle_ = 0;
  uint64_t samples_unresolved_ = 0;
  std::array<uint64_t, kMonitorMaxHarts> hart_samples_{};
  std::array<uint64_t, kTierCount> samples_by_tier_{};
  uint64_t run_ns_ = 0;
  std::array<uint64_t, kTierCount> run_ns_by_tier_{};
  uint64_t run_ns_unresolved_ = 0;

  // History: counters at the start of the current period.
  uint64_t period_start_ns_ = 0;
  uint64_t period_instret_ = 0;
  std::vector<uint64_t> period_hart_instret_;  // per hart, at the start of the period
  std::vector<double> hart_mips_;              // per hart, over the last period
  uint64_t period_traps_ = 0;
  uint64_t period_interrupts_ = 0;
  uint64_t period_samples_ = 0;
  uint64_t period_native_samples_ = 0;
  std::deque<RateSample> history_;
  // With harts on threads: each hart's part as of the end of its last slice, written by
  // its own thread in on_slice, so that a snapshot built on another hart's thread reads
  // no other hart's live state (state_mutex_). Empty parts for harts yet to run a slice.
  std::vector<HartPart> published_;
  std::deque<CompileRecord> compiles_;
  std::array<std::array<uint64_t, kCompileHistogramBins>, kTierCount> histogram_{};

  // The state above: with harts on threads, on_slice runs on the hart threads and on_event
  // on the thread that drains the event bus (recursive: on_slice publishes, which
  // captures).
  mutable std::recursive_mutex state_mutex_;
  mutable std::mutex latest_mutex_;
  std::shared_ptr<const MonitorSnapshot> latest_;
};

}  // namespace tiervm
