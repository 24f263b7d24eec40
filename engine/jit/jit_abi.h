#pragma once

#include <atomic>
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

// A patchable exit of a compiled block (dynarmic's "link" / QEMU's goto_tb slot): the
// code loads `fn` and, when set, tail-calls it. The JIT tier's registry records every
// slot by its target so a block can be unlinked when its page is written.
struct ChainSlot {
  std::atomic<JitFn> fn{nullptr};
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
