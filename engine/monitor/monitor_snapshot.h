#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/jit/jit_tier.h"
#include "engine/monitor/symbol_table.h"

namespace tiervm {

// Compile-time histogram bins: bin i counts compilations of [2^i, 2^(i+1)) microseconds
// (bin 0 also takes everything under 1 us, the last bin everything above).
inline constexpr unsigned kCompileHistogramBins = 20;

// What the monitor knows of one guest block (by guest-physical start address; all
// translations of the address are summed).
// Harts the monitor tells apart (Machine::kMaxHarts).
inline constexpr unsigned kMonitorMaxHarts = 8;

struct BlockProfile {
  uint64_t paddr = 0;
  uint64_t pc = 0;       // the virtual pc it last ran at (symbols are virtual)
  uint64_t samples = 0;  // slice-boundary samples that landed on it
  std::array<uint32_t, kMonitorMaxHarts> samples_by_hart{};  // of those, by the hart sampled
  uint64_t tier0_execs = 0;       // CachedBlock::exec_count when last sampled (stops at tier-up)
  uint64_t compile_ns_last = 0;   // LLVM time of its last compilation (its batch share)
  uint64_t compile_ns_total = 0;  // over every compilation
  uint32_t guest_insns = 0;
  uint32_t vector_insns = 0;  // of those, vector instructions (is_vector_insn)
  uint32_t guest_bytes = 0;
  uint32_t host_bytes = 0;  // size of its live compiled code (the region's, for a tier-2 entry)
  uint32_t times_compiled = 0;
  uint32_t times_invalidated = 0;
  Tier tier = Tier::Interpreter;  // of the live translation (Interpreter when none is live)
  uint8_t chainable_exits = 0;    // static exits into the same page (JitTier can chain these)
  uint8_t chained_exits = 0;      // of those, exits whose successor is compiled (linked)
  bool live = false;              // a translation is in the code cache now
};

// One point of the rate history (one per ~100 ms of wall time).
struct RateSample {
  double t = 0;  // seconds since the monitor started
  double mips = 0;
  double traps_per_s = 0;
  double interrupts_per_s = 0;
  double native_share = 0;  // share of the period's samples that landed on compiled code
};

struct CompileRecord {
  double t = 0;  // seconds since the monitor started (when the code was installed)
  uint64_t paddr = 0;
  uint64_t pc = 0;
  uint64_t ns = 0;
  uint32_t guest_insns = 0;
  Tier tier = Tier::Interpreter;
};

// One virtio device's activity since boot (dashboard).
struct DeviceCounters {
  std::string kind;            // "blk", "console", "rng", "net"
  unsigned slot = 0;           // virtio-mmio slot (0x10001000 + slot * 0x1000, irq slot + 1)
  uint64_t notifications = 0;  // the driver's queue notifications
  uint64_t interrupts = 0;     // used-buffer interrupts raised
  uint64_t bytes_to_guest = 0;
  uint64_t bytes_from_guest = 0;
};

// One hart (--smp): what it is doing and how fast it goes.
struct HartCounters {
  unsigned id = 0;
  const char* state = "running";  // "running", "wfi" (asleep in wfi)
  char priv = 'M';                // privilege mode: M, S or U
  uint64_t pc = 0;
  uint64_t instructions = 0;
  double mips_recent = 0;  // over the last history period
  // The hart's own engine: every hart has its executor, soft TLB, code cache and JIT.
  uint64_t traps = 0;
  uint64_t interrupts = 0;
  uint64_t blocks_executed = 0;
  uint64_t tlb_l1_misses = 0;
  uint64_t code_blocks = 0;
  uint64_t blocks_compiled = 0;  // by its JIT, all tiers
  uint64_t samples = 0;          // slice-boundary samples taken on it (idle ones included)
};

// Everything the dashboard and the reports show, copied out of the monitor at one moment
// on the machine's thread: immutable, shared between threads by shared_ptr.
struct MonitorSnapshot {
  uint64_t sequence = 0;
  uint32_t machine_id = 0;
  bool enabled = false;
  double uptime_s = 0;  // wall time since the monitor started

  uint64_t instructions = 0;
  double mips_recent = 0;   // over the last history period
  double mips_average = 0;  // instructions / uptime
  uint64_t blocks_executed = 0;
  uint64_t traps = 0;
  uint64_t interrupts = 0;
  double traps_per_s = 0;  // over the last history period
  double interrupts_per_s = 0;

  // The totals below (traps, TLB, code cache, JIT counters) are summed over all harts;
  // harts[] has each hart's own.
  // Sampling: one sample per slice (Machine::run), attributed to the block at the pc of
  // the hart that ran the slice.
  uint64_t samples = 0;
  uint64_t samples_idle = 0;        // the hart was waiting in wfi
  uint64_t samples_unresolved = 0;  // pc not in the jump cache / L1 TLB, or block gone
  std::array<uint64_t, kTierCount> samples_by_tier{};
  // Time split estimate: executor time per slice, attributed to the sampled block's tier.
  double hart_run_s = 0;  // inside Executor::run
  std::array<double, kTierCount> run_s_by_tier{};
  double run_s_unresolved = 0;
  double compile_s = 0;  // LLVM time on the compiler thread (JitStats::compile_ns)

  // Soft TLB counters (slow paths only: L1 hits are not counted).
  uint64_t tlb_l1_misses = 0;
  uint64_t tlb_l2_hits = 0;
  uint64_t tlb_l2_misses = 0;
  uint64_t tlb_flushes = 0;         // every flush: whole TLB or one page
  uint64_t tlb_page_flushes = 0;    // of those, the ones of one page (sfence.vma with an address)
  uint64_t tlb_l1_resizes = 0;      // L1 arrays grown or shrunk with the working set
  uint64_t tlb_l1_max_entries = 0;  // the largest L1 array now (any hart, any mode)

  size_t code_blocks = 0;
  size_t code_max_blocks = 0;
  uint64_t code_evicted = 0;     // cold blocks evicted when the cache was full
  uint64_t code_host_bytes = 0;  // compiled code the cached blocks use
  uint64_t translations = 0;
  uint64_t code_lookups = 0;        // CodeCache::get calls (jump-cache misses)
  uint64_t code_revalidations = 0;  // stale jump-cache entries reused after a TLB flush
  uint64_t invalidations = 0;
  bool jit_enabled = false;
  size_t compile_queue = 0;
  JitStats jit{};
  std::vector<DeviceCounters> devices;  // the virtio devices present, by slot
  std::vector<HartCounters> harts;      // every hart, by id
  uint64_t jit_counted_entries = 0;     // JitTier::counted_entries(): entries incl. chained ones
  uint64_t events_dropped = 0;

  std::vector<BlockProfile> blocks;     // every block sampled or compiled, unordered
  std::vector<RateSample> history;      // oldest first
  std::vector<CompileRecord> compiles;  // the most recent, oldest first
  std::array<std::array<uint64_t, kCompileHistogramBins>, kTierCount> compile_histogram{};
  std::shared_ptr<const SymbolTable> symbols;  // never null
};

// Histogram bin of a compilation that took `ns`.
unsigned compile_histogram_bin(uint64_t ns);

}  // namespace tiervm
