#pragma once

#include <atomic>
#include <cstdint>

#include <memory>

#include "engine/code_cache.h"
#include "engine/event_bus.h"
#include "engine/jit/jit_tier.h"

namespace tiervm {

class Hart;
class DebugControl;

// Why Executor::run returned.
enum class RunStop : uint8_t {
  Limit,      // the instruction limit was reached
  Waiting,    // the hart executed wfi and no interrupt is pending
  Requested,  // request_stop() was called (device exit, UI, signal)
  Debug,      // an attached debugger's breakpoint or watchpoint (DebugControl) was hit
  Yield       // a spinning hart gives its turn away (set_yield_hints)
};

// The dispatcher: finds the block for the current pc (jump cache, then TLB + code cache,
// translating on a miss), runs it on tier 0, takes traps and interrupts at block
// boundaries.
class Executor {
 public:
  explicit Executor(Hart& hart);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs until s.instret >= instret_limit (checked at block boundaries), wfi, or a stop
  // request.
  RunStop run(uint64_t instret_limit);
  void request_stop();
  void clear_stop() { stop_.store(false, std::memory_order_relaxed); }
  // fence.i with harts on threads: the block ends in the dispatcher, which then runs the
  // code changes other harts queued for this one and Bus::sync_code (dropping code from
  // inside a helper could drop the very block that called it).
  void request_code_sync();

  CodeCache& code_cache() { return cache_; }
  // Turns on tier 1 (LLVM) for warm blocks; without it every block runs on tier 0.
  void enable_jit(const JitConfig& config);
  // Back to tier 0 only (drops all translated code). Call between blocks.
  void disable_jit();
  // Joins the JIT's compile worker, if any (Machine::leak_code_on_destruction).
  void stop_background_work() {
    if (jit_) jit_->stop_worker();
  }
  JitTier* jit() { return jit_.get(); }
  const JitTier* jit() const { return jit_.get(); }
  uint64_t blocks_executed() const { return blocks_executed_; }
  // Other threads (the monitor on another hart's thread) read these two.
  uint64_t traps_taken() const { return traps_.load(std::memory_order_relaxed); }
  uint64_t interrupts_taken() const { return interrupts_.load(std::memory_order_relaxed); }
  // Told of all compiled code from now on, of this JIT tier and of later ones.
  void set_code_hook(JitTier::CodeHook hook);
  // Publishes traps, interrupts and TLB flushes (and, through the cache and the JIT,
  // compilations and invalidations) to `events`; nullptr turns that off.
  void set_event_bus(EventBus* events);
  // With other harts taking turns on this thread, a spinning hart gives its turn away
  // (the run ends with RunStop::Yield) instead of spinning through its slice: at `pause`
  // (Linux's cpu_relax in spin-wait loops), and at a wfi that an interrupt pending but
  // disabled (mstatus.xIE) wakes at once (a firmware polling loop).
  void set_yield_hints(bool on) { yield_hints_ = on; }
  // Prints each executed instruction (pc, bits, disassembly) to stderr.
  void set_trace(bool on) {
    trace_ = on;
    cache_.invalidate_exits();  // compiled code's exits would not trace
  }
  // Attaches a debugger's breakpoints and watchpoints (nullptr detaches). With none
  // attached the only cost is one test of a pointer per dispatcher iteration.
  void set_debug(DebugControl* debug);
  DebugControl* debug() { return debug_; }
  // Before the guest runs again under a debugger: drops compiled code when the set of
  // breakpoints changed since code was translated (blocks end before breakpoints).
  void debug_resume();
  // Runs exactly one guest instruction in the interpreter, taking the trap it raises (the
  // hart then stands at the handler), no interrupts (QEMU's default for gdb's step).
  void step_instruction();
  // tiervm_jit_lookup: the dispatcher's fast path, called from compiled code when the
  // exit cache (CodeCache::exit_cache) did not hold the target.
  JitFn lookup_compiled();
  // Calls of lookup_compiled() so far (exits the exit cache did not serve).
  uint64_t code_lookups() const { return code_lookups_; }

 private:
  void take_trap();
  void trace_block(const IrBlock& block, uint64_t pc) const;

  Hart& hart_;
  CodeCache cache_;
  DebugControl* debug_ = nullptr;
  uint64_t debug_generation_ = 0;  // breakpoint set the cached code was translated under
  std::unique_ptr<JitTier> jit_;
  EventBus* events_ = nullptr;
  JitTier::CodeHook code_hook_;
  std::atomic<bool> stop_{false};
  bool code_sync_ = false;  // request_code_sync()
  bool trace_ = false;
  bool yield_hints_ = false;
  uint64_t blocks_executed_ = 0;
  uint64_t code_lookups_ = 0;
  // Written by the hart's thread only (a relaxed load and store, no locked add).
  std::atomic<uint64_t> traps_{0};
  std::atomic<uint64_t> interrupts_{0};
  static void count(std::atomic<uint64_t>& c) {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  uint64_t tlb_generation_ = 0;
};

}  // namespace tiervm
