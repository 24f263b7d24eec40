#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tiervm {

class Hart;
struct HartState;

// The calling convention of compiled blocks: fn(hart, &hart.s). On return s.pc is the
// next pc (or the trapping instruction's pc) and s.instret counts what retired, exactly
// as after interpret_block().
enum JitStatus : uint32_t {
  kJitContinue = 0,  // ran to an exit; the dispatcher continues at s.pc
  kJitTrap = 1,      // s.trap_pending is set; s.pc is the trapping instruction
};
using JitFn = uint32_t (*)(Hart* hart, HartState* state);

// Runs compiled code. Not through UBSan's function-type check (-fsanitize=function, in the
// sanitizer builds): it reads the 8 bytes before the callee, which code at the start of
// its mapping does not have.
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
inline uint32_t
run_jit(JitFn fn, Hart* hart, HartState* state) {
  return fn(hart, state);
}

// A patchable exit of a compiled block (dynarmic's "link" / QEMU's goto_tb slot): the
// code loads `fn` and, when set, tail-calls it. The JIT tier's registry records every
// slot by its target so a block can be unlinked when its page is written.
struct ChainSlot {
  std::atomic<JitFn> fn{nullptr};
};

// A tier-2 region's static exit into another page under translation (JitTier::promote):
// the member it leads to, at `target_paddr`, is the block the exit's virtual pc mapped to
// when the region was formed. The code checks, where it crosses, that the fetch L1 still
// maps that virtual page to `host_page` (the host address of the target's physical page)
// and leaves the region otherwise. target_paddr 0: the exit stays in its page, or leaves.
struct CrossPageExit {
  uint64_t target_paddr = 0;
  uint64_t host_page = 0;
};

// The exit cache: virtual pc -> compiled code, probed inline by compiled code's exits whose
// target is only known at run time (jalr, jumps to another page), so that the common case
// does not call the dispatcher's lookup (QEMU's lookup_and_goto_ptr does call a helper;
// this is its jump cache probed in line). An entry holds when its pc and tag match and
// neither the instruction limit nor an exit request stops the chain. The tag is the
// cache's generation and the fetch key the entry was made under: the owner (CodeCache)
// starts a new generation whenever an entry might name code that is gone or no longer
// what the pc maps to (code dropped or replaced, TLB flushes), and sets `tag` to the
// current generation and fetch key before compiled code runs and in every lookup.
struct ExitCacheEntry {
  uint64_t pc = 1;  // odd: matches no pc
  uint64_t tag = 0;
  JitFn fn = nullptr;
  uint64_t unused = 0;  // 32-byte entries: the index is a shift
};
struct ExitCache {
  static constexpr unsigned kBits = 12;
  static constexpr size_t index(uint64_t pc) {
    return ((pc >> 1) ^ (pc >> (1 + kBits))) & ((size_t{1} << kBits) - 1);
  }
  uint64_t tag = 0;  // the current generation and fetch key
  alignas(64) std::array<ExitCacheEntry, size_t{1} << kBits> entries{};
};

// Slow paths called from compiled code (C ABI, addresses baked in as constants).
extern "C" {
uint64_t tiervm_jit_load(Hart* hart, uint64_t vaddr, uint32_t size_and_sign);
void tiervm_jit_store(Hart* hart, uint64_t vaddr, uint64_t value, uint32_t size);
uint64_t tiervm_jit_eval(uint32_t op, uint64_t a, uint64_t b, uint64_t c, int64_t imm);
// The baseline tier's slow paths: the same, and when the access traps they also move s.pc
// and s.instret to the trapping instruction, `at` = its byte offset from the block's pc |
// its index in the block << 16 (the interpreter's rule). They return a host addend the
// stencil then uses as on a TLB hit: vaddr + addend points at the loaded value (a buffer
// of the hart's thread), or where the stencil's copy of the store lands harmlessly (the
// same buffer; the store is done).
int64_t tiervm_jit_load_at(Hart* hart, uint64_t vaddr, uint32_t size_and_sign, uint32_t at);
int64_t tiervm_jit_store_at(Hart* hart, uint64_t vaddr, uint64_t value, uint32_t size, uint32_t at);
// An exit whose target is only known at run time (jalr, a jump to another page): the
// compiled code of the block at s.pc when the dispatcher could enter it right away (jump
// cache hit, compiled, no pending exit request, instruction limit or TLB flush), else
// nullptr and the code returns to the dispatcher. QEMU's lookup_and_goto_ptr.
JitFn tiervm_jit_lookup(Hart* hart);
}

}  // namespace tiervm
