#include "engine/jit/baseline_compiler.h"

#include <climits>
#include <cstring>
#include <iterator>

#include "engine/hart_state.h"
#include "engine/jit/stencil.h"

namespace tiervm {

namespace {

// The stencil of each IR op, in engine/ir_ops.inc's order.
constexpr const Stencil* kOpStencils[] = {
#define TIERVM_IR_OP(name, text, operands) &stencils::k##name,
#include "engine/ir_ops.inc"
};
static_assert(std::size(kOpStencils) == static_cast<size_t>(IrOp::Count));

using HoleValues = uint64_t[static_cast<size_t>(Hole::Count)];

uint64_t& at(HoleValues& v, Hole h) {
  return v[static_cast<size_t>(h)];
}

uint64_t slot_offset(uint8_t slot) {
  return kStateSlotOffset + 8 * uint64_t{slot};
}

// Copies `st` to `w` (which runs at `x`) and fills its holes; the CONTINUE hole jumps to
// the code right behind it. False when a value does not fit its field.
bool emit(const Stencil& st, uint8_t* w, const uint8_t* x, const HoleValues& v) {
  std::memcpy(w, st.code, st.size);
  const uint64_t next = reinterpret_cast<uint64_t>(x + st.size);
  for (uint32_t k = 0; k < st.hole_count; ++k) {
    const StencilHole& h = st.holes[k];
    const uint64_t value = h.hole == Hole::CONTINUE ? next : v[static_cast<size_t>(h.hole)];
    const uint64_t r = value + static_cast<uint64_t>(static_cast<int64_t>(h.addend));
    uint8_t* field = w + h.offset;
    switch (h.reloc) {
      case kAbs64:
        std::memcpy(field, &r, 8);
        break;
      case kAbs32: {
        if (r > UINT32_MAX) return false;
        const uint32_t r32 = static_cast<uint32_t>(r);
        std::memcpy(field, &r32, 4);
        break;
      }
      case kAbs32S:
      case kRel32: {
        const int64_t d = h.reloc == kAbs32S
                              ? static_cast<int64_t>(r)
                              : static_cast<int64_t>(r - reinterpret_cast<uint64_t>(x + h.offset));
        if (d < INT32_MIN || d > INT32_MAX) return false;
        const int32_t d32 = static_cast<int32_t>(d);
        std::memcpy(field, &d32, 4);
        break;
      }
    }
  }
  return true;
}

const Stencil& exit_stencil(const IrTerminator& e, bool taken_slot, bool fall_slot) {
  switch (e.kind) {
    case IrExit::Jump:
      return taken_slot ? stencils::kexit_jump_chain : stencils::kexit_jump_lookup;
    case IrExit::Branch:
      if (taken_slot) return fall_slot ? stencils::kexit_branch_cc : stencils::kexit_branch_cl;
      return fall_slot ? stencils::kexit_branch_lc : stencils::kexit_branch_ll;
    case IrExit::Indirect:
      return stencils::kexit_indirect;
    case IrExit::Trap:
      return e.tval_pc_relative ? stencils::kexit_trap_pc_tval : stencils::kexit_trap;
    case IrExit::None:  // an invalid block (verify_block), run as a Return like tier 0
    case IrExit::Return:
      break;
  }
  return stencils::kexit_return;
}

}  // namespace

BaselineCompiler::BaselineCompiler(size_t arena_bytes) : arena_(arena_bytes) {
  if (!arena_.ok()) {
    error_ = arena_.error();
    return;
  }
  struct Thunk {
    const Stencil& stencil;
    uint64_t target;
    uint64_t* exec;
  };
  const Thunk thunks[] = {
      {stencils::kthunk_load, reinterpret_cast<uint64_t>(&tiervm_jit_load), &thunk_load_},
      {stencils::kthunk_store, reinterpret_cast<uint64_t>(&tiervm_jit_store), &thunk_store_},
      {stencils::kthunk_lookup, reinterpret_cast<uint64_t>(&tiervm_jit_lookup), &thunk_lookup_},
      {stencils::kthunk_call, 0, &thunk_call_},
  };
  for (const Thunk& t : thunks) {
    const CodeArena::Span span = arena_.allocate(t.stencil.size);
    HoleValues v{};
    at(v, Hole::TARGET) = t.target;
    if (span.exec == nullptr || !emit(t.stencil, span.write, span.exec, v)) {
      error_ = "no room for the baseline tier's thunks";
      return;
    }
    *t.exec = reinterpret_cast<uint64_t>(span.exec);
  }
  ok_ = true;
}

BaselineCompiler::Code BaselineCompiler::compile(const IrBlock& block, ChainSlot* taken,
                                                 ChainSlot* fallthrough, uint64_t* counter) {
  if (!ok_) return {};
  const Stencil& exit = exit_stencil(block.exit, taken != nullptr, fallthrough != nullptr);
  size_t size = exit.size + (counter != nullptr ? stencils::kcount_entry.size : 0);
  for (const IrInsn& i : block.insns) size += kOpStencils[static_cast<size_t>(i.op)]->size;
  const CodeArena::Span span = arena_.allocate(size);
  if (span.exec == nullptr) return {};

  HoleValues v{};
  at(v, Hole::LOAD_FN) = thunk_load_;
  at(v, Hole::STORE_FN) = thunk_store_;
  at(v, Hole::LOOKUP_FN) = thunk_lookup_;
  at(v, Hole::CALL_FN) = thunk_call_;
  at(v, Hole::COUNTER) = reinterpret_cast<uint64_t>(counter);
  at(v, Hole::COUNT) = block.guest_count();
  const IrTerminator& e = block.exit;
  at(v, Hole::TAKEN) = static_cast<uint64_t>(e.taken_offset);
  at(v, Hole::FALL) = static_cast<uint64_t>(e.fallthrough_offset);
  at(v, Hole::TAKEN_SLOT) = reinterpret_cast<uint64_t>(taken);
  at(v, Hole::FALL_SLOT) = reinterpret_cast<uint64_t>(fallthrough);

  uint8_t* w = span.write;
  const uint8_t* x = span.exec;
  bool fits = true;
  auto put = [&](const Stencil& st) {
    fits = emit(st, w, x, v) && fits;
    w += st.size;
    x += st.size;
  };
  if (counter != nullptr) put(stencils::kcount_entry);
  for (const IrInsn& i : block.insns) {
    at(v, Hole::D) = slot_offset(i.dst);
    at(v, Hole::A) = slot_offset(i.a);
    at(v, Hole::B) = slot_offset(i.b);
    at(v, Hole::C) = slot_offset(i.c);
    at(v, Hole::IMM) = static_cast<uint64_t>(i.imm);
    at(v, Hole::HELPER) = reinterpret_cast<uint64_t>(i.helper);
    at(v, Hole::INDEX) = i.guest_index;
    at(v, Hole::GUEST_OFF) =
        i.guest_index < block.guest_offsets.size() ? block.guest_offsets[i.guest_index] : 0;
    put(*kOpStencils[static_cast<size_t>(i.op)]);
  }
  at(v, Hole::A) = slot_offset(e.kind == IrExit::Indirect ? e.target : e.cond);
  at(v, Hole::CAUSE) = e.trap.cause;
  at(v, Hole::TVAL) = e.trap.tval;
  at(v, Hole::INDEX) = e.trap_index;
  at(v, Hole::GUEST_OFF) =
      e.trap_index < block.guest_offsets.size() ? block.guest_offsets[e.trap_index] : 0;
  put(exit);
  if (!fits) {
    arena_.free(span.exec, size);
    return {};
  }
  return {reinterpret_cast<JitFn>(const_cast<uint8_t*>(span.exec)), static_cast<uint32_t>(size)};
}

void BaselineCompiler::release(Code code) {
  arena_.free(reinterpret_cast<const uint8_t*>(code.fn), code.bytes);
}

}  // namespace tiervm
