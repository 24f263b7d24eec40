#include "engine/executor.h"

#include <cstdio>

#include "engine/decoder.h"
#include "engine/gdb/debug_control.h"
#include "engine/hart.h"
#include "engine/interpreter.h"
#include "engine/translator.h"

namespace tiervm {

namespace {
constexpr uint64_t kExtraIterations = 1024;
}  // namespace

Executor::Executor(Hart& hart) : hart_(hart), cache_(hart) {
  hart_.executor = this;
}

Executor::~Executor() {
  hart_.executor = nullptr;
}

JitFn Executor::lookup_compiled() {
  HartState& s = hart_.s;
  ++code_lookups_;
  // Everything the dispatcher loop would do before entering the next block must be a
  // no-op: no stop or interrupt request (devices set exit_request), limit not reached,
  // no dropped blocks to free, no TLB flush to apply to the jump cache.
  if (!s.may_chain() || s.exit_request.load(std::memory_order_relaxed) != 0 || trace_ ||
      cache_.has_retired() || hart_.tlb.flushes != tlb_generation_) {
    return nullptr;
  }
  // The block that called may have changed the fetch key (sret, mret): entries of the
  // exit cache hold for the key from now on.
  const FetchKey fetch = hart_.fetch_key();
  cache_.set_exit_fetch(fetch);
  CachedBlock* block = cache_.jump_lookup(s.pc, fetch);
  if (block == nullptr || block->native == nullptr) return nullptr;
  block->last_run = ++blocks_executed_;
  // The next exit to this pc finds the code in line.
  cache_.exit_insert(s.pc, block->native);
  return block->native;
}

extern "C" JitFn tiervm_jit_lookup(Hart* hart) {
  return hart->executor->lookup_compiled();
}

void Executor::enable_jit(const JitConfig& config) {
  // The old tier goes first: its destructor detaches its hook from the code cache, which
  // must not happen after the new tier attached its own.
  disable_jit();
  jit_ = std::make_unique<JitTier>(cache_, config);
  jit_->set_event_bus(events_);
  jit_->set_code_hook(code_hook_);
}

void Executor::set_code_hook(JitTier::CodeHook hook) {
  code_hook_ = std::move(hook);
  if (jit_) jit_->set_code_hook(code_hook_);
}

void Executor::disable_jit() {
  if (!jit_) return;
  // Compiled code belongs to the tier being destroyed: every block goes back to tier 0.
  cache_.flush();
  jit_.reset();
}

void Executor::set_event_bus(EventBus* events) {
  events_ = events;
  cache_.set_event_bus(events);
  if (jit_) jit_->set_event_bus(events);
}

void Executor::set_debug(DebugControl* debug) {
  debug_ = debug;
  hart_.debug = debug;
  // Code translated without this debugger's breakpoints (or with a former one's).
  cache_.flush();
  debug_generation_ = debug ? debug->breakpoint_generation() : 0;
}

void Executor::debug_resume() {
  if (debug_ == nullptr || debug_->breakpoint_generation() == debug_generation_) return;
  // Blocks were translated under another set of breakpoints: a block may run through a
  // new one, or end at one that is gone. Dropping everything is what QEMU did for years
  // (tb_flush on breakpoint insertion); gdb removes and reinserts the same breakpoints at
  // every stop, which changes nothing here.
  cache_.flush();
  debug_generation_ = debug_->breakpoint_generation();
}

void Executor::step_instruction() {
  // Every access on the slow path (where watchpoints are checked): an L1 that never hits.
  static const TlbEntry kNoTlb{};
  HartState& s = hart_.s;
  s.exit_request.store(0, std::memory_order_relaxed);
  uint64_t paddr = 0;
  if (!hart_.translate_fetch(s.pc, paddr)) {
    take_trap();
    return;
  }
  const auto block = translate_block(hart_, s.pc, paddr, hart_.fetch_key().flags, true);
  const bool watching = debug_ != nullptr && debug_->watching();
  if (trace_) trace_block(*block, s.pc);
  const bool ok =
      watching ? interpret_block(hart_, *block, &kNoTlb, 0) : interpret_block(hart_, *block);
  if (!ok) take_trap();
}

void Executor::request_code_sync() {
  code_sync_ = true;
  hart_.s.request_exit();
}

void Executor::request_stop() {
  stop_.store(true, std::memory_order_relaxed);
  hart_.s.request_exit();
}

void Executor::take_trap() {
  HartState& s = hart_.s;
  s.trap_pending = false;
  count(traps_);
  if (events_ && events_->active()) {
    Event e;
    e.kind = EventKind::Trap;
    e.pc = s.pc;
    e.cause = s.pending_trap.cause;
    e.tval = s.pending_trap.tval;
    events_->publish(e);
  }
  hart_.take_trap(s.pending_trap);
}

void Executor::trace_block(const IrBlock& block, uint64_t pc) const {
  for (unsigned i = 0; i < block.guest_count(); ++i) {
    const uint64_t ipc = pc + block.guest_offsets[i];
    const uint32_t w = block.guest_words[i];
    std::fprintf(stderr, "%016llx  %0*x  %s\n", static_cast<unsigned long long>(ipc),
                 (w & 3) == 3 ? 8 : 4, (w & 3) == 3 ? w : (w & 0xffff),
                 disassemble(w, ipc).c_str());
  }
}

RunStop Executor::run(uint64_t instret_limit) {
  HartState& s = hart_.s;
  s.instret_limit.store(instret_limit, std::memory_order_relaxed);
  // A guest that traps without retiring anything (e.g. mtvec pointing at unmapped
  // memory) never reaches the limit: bound the dispatcher iterations too, so the caller
  // still sees its timeouts and stop requests.
  uint64_t iterations_left =
      (instret_limit > s.instret ? instret_limit - s.instret : 0) + kExtraIterations;
  while (s.instret < instret_limit && iterations_left-- != 0) {
    if (stop_.load(std::memory_order_relaxed)) return RunStop::Requested;
    // The request is seen: compiled code may chain up to the limit again.
    s.exit_request.store(0, std::memory_order_relaxed);
    s.instret_limit.store(instret_limit, std::memory_order_relaxed);
    if (s.pause_hint) [[unlikely]] {
      s.pause_hint = false;
      if (yield_hints_) return RunStop::Yield;
    }
    if (jit_) jit_->poll();
    if (code_sync_) [[unlikely]] {
      code_sync_ = false;
      hart_.bus.apply_pending(cache_.watcher());
      hart_.bus.sync_code(cache_.watcher());
    }
    if (cache_.has_retired()) cache_.collect();
    if (hart_.tlb.resize_pending()) [[unlikely]] {
      hart_.tlb.apply_resize();
      hart_.update_modes();  // the data L1's new address and mask
    }
    if (hart_.tlb.flushes != tlb_generation_) {
      // Virtual-pc lookups are only valid for the mappings they were made under.
      if (events_ && events_->active()) {
        Event e;
        e.kind = EventKind::TlbFlush;
        e.count = hart_.tlb.flushes - tlb_generation_;
        events_->publish(e);
      }
      tlb_generation_ = hart_.tlb.flushes;
      cache_.flush_jump_cache();
    }
    if (hart_.pending_interrupts() != 0) {
      // wfi with an interrupt pending but globally disabled (a firmware polling loop):
      // the hart goes on at once, but with other harts to run it gives them its turn.
      const bool woke_from_wfi = s.waiting;
      s.waiting = false;
      const uint64_t epc = s.pc;
      if (hart_.take_pending_interrupt()) {
        count(interrupts_);
        if (events_ && events_->active()) {
          Event e;
          e.kind = EventKind::Interrupt;
          e.pc = epc;
          e.cause = (hart_.s.priv == Priv::M ? s.mcause : s.scause) & ~kInterruptBit;
          events_->publish(e);
        }
        continue;
      }
      if (woke_from_wfi && yield_hints_) return RunStop::Yield;
    }
    if (s.waiting) return RunStop::Waiting;
    if (debug_ != nullptr) [[unlikely]] {
      if (debug_->breakpoint_at(s.pc)) return RunStop::Debug;
      if (debug_->watching()) {
        step_instruction();
        if (debug_->has_watch_hit()) return RunStop::Debug;
        continue;
      }
    }

    const uint64_t pc = s.pc;
    const FetchKey fetch = hart_.fetch_key();
    CachedBlock* block = cache_.jump_lookup(pc, fetch);
    if (block == nullptr) {
      uint64_t paddr = 0;
      if (!hart_.translate_fetch(pc, paddr)) {
        take_trap();
        continue;
      }
      block = cache_.jump_revalidate(pc, fetch, paddr);
      if (block == nullptr) {
        block = cache_.get(pc, paddr, fetch.flags);
        if (block->ir.cacheable && !block->straddles()) cache_.jump_insert(pc, fetch, block);
      }
    }
    if (trace_) trace_block(block->ir, pc);
    block->last_run = ++blocks_executed_;
    if (block->native == nullptr && jit_ && !block->straddles()) {
      jit_->note_execution(*block);
    }
    if (block->native != nullptr) {
      if (jit_) ++jit_->stats().native_runs;
      cache_.set_exit_fetch(fetch);
      if (run_jit(block->native, &hart_, &s) == kJitTrap) take_trap();
      continue;
    }
    if (!interpret_block(hart_, block->ir)) take_trap();
  }
  return RunStop::Limit;
}

}  // namespace tiervm
