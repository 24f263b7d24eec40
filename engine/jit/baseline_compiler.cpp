#include "engine/jit/baseline_compiler.h"

#include <array>
#include <climits>
#include <cstring>
#include <iterator>
#include <vector>

#include "engine/code_cache.h"
#include "engine/hart_state.h"
#include "engine/ir_eval.h"
#include "engine/jit/stencil.h"

namespace tiervm {

namespace {

uint64_t slot_offset(uint8_t slot) {
  return kStateSlotOffset + 8 * uint64_t{slot};
}

// The stencils of each IR op, in engine/ir_ops.inc's order: the immediate in 64 bits, and
// in a 32-bit field the code sign-extends.
struct OpStencils {
  const Stencil* imm64;
  const Stencil* imm32;
};
constexpr OpStencils kOpStencils[] = {
#define TIERVM_IR_OP(name, text, operands) {&stencils::k##name, &stencils::k##name##_imm32},
#include "engine/ir_ops.inc"
};
static_assert(std::size(kOpStencils) == static_cast<size_t>(IrOp::Count));

// The out-of-line body of a Call or FP op (stencils.cpp, call_body), or nullptr. An FP op
// has one per rounding mode the host fast path can follow (RNE, RTZ for the conversions
// to integers, dynamic); with any other the
// helper (the Call body) does the whole op.
const Stencil* body_stencil(const IrInsn& i) {
  const uint64_t rm = static_cast<uint64_t>(i.imm) & 7;
  switch (i.op) {
    case IrOp::Call:
      return &stencils::kbody_call;
#define TIERVM_IR_OP(name, text, operands)
#define TIERVM_IR_FP(name, text, operands)                                     \
  case IrOp::name:                                                             \
    if (!ir_fp_uses_rm(IrOp::name) || rm == 0) return &stencils::kbody_##name; \
    if (rm == 1) return &stencils::kbody_##name##_rtz;                         \
    return rm == 7 ? &stencils::kbody_##name##_dyn : &stencils::kbody_call;
#include "engine/ir_ops.inc"
    default:
      return nullptr;
  }
}

// The argument of an out-of-line body (the BODY_ARG hole): slot indices and WHERE.
static_assert(kSlotCount <= 128, "slot indices are packed in 7 bits");
uint64_t body_arg(const IrInsn& i, uint64_t where) {
  return uint64_t{i.dst} | uint64_t{i.a} << 7 | uint64_t{i.b} << 14 | uint64_t{i.c} << 21 |
         where << 32;
}

bool fits_imm32(int64_t imm) {
  return imm >= INT32_MIN && imm <= INT32_MAX;
}

const Stencil& op_stencil(const IrInsn& i) {
  const OpStencils& s = kOpStencils[static_cast<size_t>(i.op)];
  return fits_imm32(i.imm) ? *s.imm32 : *s.imm64;
}

// ---- The register cache (stencils.cpp): kCacheRegs host registers hold slots within a
// block. Register stencils exist per assignment of registers to operands (reg_ops.inc).
constexpr unsigned kCacheRegs = 3;
enum class RegShape : uint8_t { None, Binary, Unary, Dest, Load, Store };
struct RegForm {
  RegShape shape = RegShape::None;
  const Stencil* const* variants = nullptr;
};
#define TIERVM_RS(name) &stencils::k##name
#define TIERVM_RB3(op, d, a) \
  TIERVM_RS(r##op##_##d##a##0), TIERVM_RS(r##op##_##d##a##1), TIERVM_RS(r##op##_##d##a##2)
#define TIERVM_RB9(op, d) TIERVM_RB3(op, d, 0), TIERVM_RB3(op, d, 1), TIERVM_RB3(op, d, 2)
#define TIERVM_R3(op, x) \
  TIERVM_RS(r##op##_##x##0), TIERVM_RS(r##op##_##x##1), TIERVM_RS(r##op##_##x##2)
#define TIERVM_RBS3(op, d) \
  TIERVM_RS(r##op##_##d##0s), TIERVM_RS(r##op##_##d##1s), TIERVM_RS(r##op##_##d##2s)
// Binary: d * 9 + a * 3 + b, then b in its slot: 27 + d * 3 + a.
#define TIERVM_REG_BINARY(op)                                                    \
  constexpr const Stencil* kReg##op[] = {TIERVM_RB9(op, 0),  TIERVM_RB9(op, 1),  \
                                         TIERVM_RB9(op, 2),  TIERVM_RBS3(op, 0), \
                                         TIERVM_RBS3(op, 1), TIERVM_RBS3(op, 2)};
#define TIERVM_REG_UNARY(op) \
  constexpr const Stencil* kReg##op[] = {TIERVM_R3(op, 0), TIERVM_R3(op, 1), TIERVM_R3(op, 2)};
#define TIERVM_REG_DEST(op)                                                          \
  constexpr const Stencil* kReg##op[] = {TIERVM_RS(r##op##_0), TIERVM_RS(r##op##_1), \
                                         TIERVM_RS(r##op##_2)};
#define TIERVM_REG_LOAD(op, type) TIERVM_REG_UNARY(op)
#define TIERVM_REG_STORE(op, type) TIERVM_REG_UNARY(op)
#include "engine/jit/stencils/reg_ops.inc"
constexpr std::array<RegForm, static_cast<size_t>(IrOp::Count)> kRegForms = [] {
  std::array<RegForm, static_cast<size_t>(IrOp::Count)> f{};
#define TIERVM_REG_FORM(op, shape) f[static_cast<size_t>(IrOp::op)] = {RegShape::shape, kReg##op};
#define TIERVM_REG_BINARY(op) TIERVM_REG_FORM(op, Binary)
#define TIERVM_REG_UNARY(op) TIERVM_REG_FORM(op, Unary)
#define TIERVM_REG_DEST(op) TIERVM_REG_FORM(op, Dest)
#define TIERVM_REG_LOAD(op, type) TIERVM_REG_FORM(op, Load)
#define TIERVM_REG_STORE(op, type) TIERVM_REG_FORM(op, Store)
#include "engine/jit/stencils/reg_ops.inc"
#undef TIERVM_REG_FORM
  return f;
}();
#undef TIERVM_RS
#undef TIERVM_RB3
#undef TIERVM_RB9
#undef TIERVM_RBS3
#undef TIERVM_R3
constexpr const Stencil* kFill[kCacheRegs] = {&stencils::kfill_0, &stencils::kfill_1,
                                              &stencils::kfill_2};
constexpr const Stencil* kSpill[kCacheRegs] = {&stencils::kspill_0, &stencils::kspill_1,
                                               &stencils::kspill_2};

// The register form an op runs in, or None (its slot stencil). Float registers are not
// cached: the FP ops that use them read and write slots (out-of-line bodies), so a cached
// float register would only add fills and write-backs.
RegShape reg_shape(const IrInsn& i) {
  const RegForm& f = kRegForms[static_cast<size_t>(i.op)];
  if (f.shape == RegShape::None || !fits_imm32(i.imm)) return RegShape::None;
  auto is_float = [](uint8_t slot) { return slot >= kSlotF0 && slot < kSlotTemp0; };
  const IrOpInfo& info = ir_op_info(i.op);
  if ((info.has(kIrDst) && is_float(i.dst)) || (info.has(kIrA) && is_float(i.a)) ||
      (info.has(kIrB) && is_float(i.b))) {
    return RegShape::None;
  }
  return f.shape;
}

// Branch exits by how the taken and fallthrough edges leave (chain slot or lookup), for a
// condition in a slot and for each compare fused into the exit.
struct BranchStencils {
  const Stencil* cc;
  const Stencil* cl;
  const Stencil* lc;
  const Stencil* ll;
  const Stencil* sc;  // the taken edge is the block itself (a self-loop)
  const Stencil* sl;
};
#define TIERVM_BRANCH(prefix)                                                           \
  BranchStencils {                                                                      \
    &stencils::k##prefix##_cc, &stencils::k##prefix##_cl, &stencils::k##prefix##_lc,    \
        &stencils::k##prefix##_ll, &stencils::k##prefix##_sc, &stencils::k##prefix##_sl \
  }
constexpr BranchStencils kBranchOnSlot = TIERVM_BRANCH(exit_branch);
constexpr std::pair<IrOp, BranchStencils> kFusedBranches[] = {
    {IrOp::Eq, TIERVM_BRANCH(exit_Eq)},   {IrOp::Ne, TIERVM_BRANCH(exit_Ne)},
    {IrOp::Lt, TIERVM_BRANCH(exit_Lt)},   {IrOp::Ge, TIERVM_BRANCH(exit_Ge)},
    {IrOp::Ltu, TIERVM_BRANCH(exit_Ltu)}, {IrOp::Geu, TIERVM_BRANCH(exit_Geu)},
};
#undef TIERVM_BRANCH

// The compare a Branch exit can absorb: the block's last op, writing the condition into a
// temporary (temporaries never outlive their block, so no one else reads it).
const BranchStencils* fused_branch(const IrBlock& b) {
  if (b.exit.kind != IrExit::Branch || b.insns.empty()) return nullptr;
  const IrInsn& last = b.insns.back();
  if (last.dst != b.exit.cond || last.dst < kSlotTemp0 || last.dst == kSlotSink) return nullptr;
  for (const auto& [op, stencils] : kFusedBranches) {
    if (op == last.op) return &stencils;
  }
  return nullptr;
}

using HoleValues = uint64_t[static_cast<size_t>(Hole::Count)];

uint64_t& at(HoleValues& v, Hole h) {
  return v[static_cast<size_t>(h)];
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
    if (h.hole == Hole::IMM32 && h.reloc != kAbs64 && h.reloc != kRel32) {
      // The stencil sign-extends the field itself (or the instruction does): the low 32
      // bits are the value, whichever extension the relocation names.
      const uint32_t r32 = static_cast<uint32_t>(r);
      std::memcpy(field, &r32, 4);
      continue;
    }
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

// The memory thunk of a load or store (BaselineCompiler::thunk_load_): log2 of its size
// (the slow path returns the raw bytes; the stencil extends them); 0 for any other op.
size_t mem_thunk(IrOp op) {
  switch (op) {
    case IrOp::Load16S:
    case IrOp::Load16U:
    case IrOp::Store16:
      return 1;
    case IrOp::Load32S:
    case IrOp::Load32U:
    case IrOp::Store32:
      return 2;
    case IrOp::Load64:
    case IrOp::Store64:
      return 3;
    default:
      return 0;
  }
}

// A taken edge back to the block's own start: with a chain slot (which says whether the
// block is still valid), the back edge jumps to the block itself.
bool self_loop(const IrTerminator& e) {
  return (e.kind == IrExit::Jump || e.kind == IrExit::Branch) && e.taken_offset == 0;
}

const Stencil& exit_stencil(const IrTerminator& e, bool taken_slot, bool fall_slot,
                            const BranchStencils* fused) {
  switch (e.kind) {
    case IrExit::Jump:
      if (self_loop(e) && taken_slot) return stencils::kexit_jump_self;
      return taken_slot ? stencils::kexit_jump_chain : stencils::kexit_jump_lookup;
    case IrExit::Branch: {
      const BranchStencils& b = fused ? *fused : kBranchOnSlot;
      if (self_loop(e) && taken_slot) return fall_slot ? *b.sc : *b.sl;
      if (taken_slot) return fall_slot ? *b.cc : *b.cl;
      return fall_slot ? *b.lc : *b.ll;
    }
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

// One piece of a block's code: an op's stencil, or a cache register's fill or write-back.
constexpr uint16_t kNoInsn = 0xffff;
struct Step {
  const Stencil* stencil;
  uint16_t insn;  // index in IrBlock::insns, kNoInsn for a fill or write-back
  uint8_t slot;   // the slot a fill reads or a write-back writes
};

// When each value an op reads or writes is read next (an index in IrBlock::insns; the
// number of ops for the block's exit), kNever when it is not read again in the block.
constexpr uint16_t kNever = 0xffff;
struct NextReads {
  uint16_t a, b, c, d;
};

// Which slot each cache register holds (kNoSlot: none) where a plan starts or ends, its
// values clean: equal to their slots.
constexpr uint8_t kNoSlot = 0xff;
using CacheState = std::array<uint8_t, kCacheRegs>;
constexpr CacheState kEmptyCache = {kNoSlot, kNoSlot, kNoSlot};

// The register allocation of a block: straight-line code, so one pass backward finds each
// value's next read and one pass forward assigns the cache registers, evicting the value
// read last (Belady). A guest register written in a register is written back before
// anything that can trap (loads, stores, out-of-line calls: a trap must see the guest state
// exact) and at the exit; a temporary only when a slot stencil or the exit reads it (they
// die with their block). Ops without a register stencil run their slot stencil after their
// cached operands are written back; it keeps the cache registers, but an out-of-line body
// clobbers them, so the cache is written back and emptied before one.
// `entry`: what the registers hold when the plan starts. Returns what they hold at the
// exit: the guest registers the block leaves in them (a self-loop can keep those).
CacheState plan_block(const IrBlock& block, size_t ops, bool fused, const CacheState& entry,
                      std::vector<Step>& steps) {
  thread_local std::vector<NextReads> next;
  next.resize(ops);
  const uint16_t end = static_cast<uint16_t>(ops);
  std::array<uint16_t, kSlotCount> read_at;
  read_at.fill(kNever);
  const IrTerminator& e = block.exit;
  if (fused) {
    read_at[block.insns[ops].a] = end;
    read_at[block.insns[ops].b] = end;
  } else if (e.kind == IrExit::Branch) {
    read_at[e.cond] = end;
  } else if (e.kind == IrExit::Indirect) {
    read_at[e.target] = end;
  }
  for (size_t n = ops; n-- > 0;) {
    const IrInsn& i = block.insns[n];
    const IrOpInfo& info = ir_op_info(i.op);
    NextReads& x = next[n];
    x.d = kNever;
    if (info.has(kIrDst)) {
      x.d = read_at[i.dst];
      read_at[i.dst] = kNever;  // the value before this op is not read after it
    }
    x.a = info.has(kIrA) ? read_at[i.a] : kNever;
    x.b = info.has(kIrB) ? read_at[i.b] : kNever;
    x.c = info.has(kIrC) ? read_at[i.c] : kNever;
    const auto here = static_cast<uint16_t>(n);
    if (info.has(kIrA)) read_at[i.a] = here;
    if (info.has(kIrB)) read_at[i.b] = here;
    if (info.has(kIrC)) read_at[i.c] = here;
  }

  constexpr uint8_t kNoReg = 0xff;
  std::array<uint8_t, kSlotCount> where;  // the register holding a slot, or kNoReg
  where.fill(kNoReg);
  CacheState held = entry;
  bool dirty[kCacheRegs] = {};
  uint16_t next_read[kCacheRegs] = {};
  for (unsigned r = 0; r < kCacheRegs; ++r) {
    if (held[r] == kNoSlot) continue;
    where[held[r]] = static_cast<uint8_t>(r);
    next_read[r] = read_at[held[r]];  // its first read in the block
  }
  auto guest = [](uint8_t slot) { return slot < kSlotTemp0; };
  auto spill = [&](unsigned r) {
    steps.push_back({kSpill[r], kNoInsn, held[r]});
    dirty[r] = false;
  };
  // Whether the slot must get r's value before r is reused.
  auto needs_store = [&](unsigned r) {
    return dirty[r] && (guest(held[r]) || next_read[r] != kNever);
  };
  auto drop = [&](unsigned r) {
    if (held[r] == kNoSlot) return;
    if (needs_store(r)) spill(r);
    where[held[r]] = kNoReg;
    held[r] = kNoSlot;
    dirty[r] = false;
  };
  // A register for a new value, not one of `busy`: a free one, else the one whose value
  // is read last (a clean one among equals).
  auto pick = [&](unsigned busy) {
    unsigned best = 0;
    int best_score = -1;
    for (unsigned r = 0; r < kCacheRegs; ++r) {
      if ((busy & (1u << r)) != 0) continue;
      const int score = held[r] == kNoSlot ? INT_MAX : next_read[r] * 2 + (needs_store(r) ? 0 : 1);
      if (score > best_score) {
        best = r;
        best_score = score;
      }
    }
    return best;
  };
  auto operand = [&](uint8_t slot, unsigned& busy) -> unsigned {
    unsigned r = where[slot];
    if (r == kNoReg) {
      r = pick(busy);
      drop(r);
      steps.push_back({kFill[r], kNoInsn, slot});
      held[r] = slot;
      where[slot] = static_cast<uint8_t>(r);
    }
    busy |= 1u << r;
    return r;
  };
  auto write_back_guests = [&] {
    for (unsigned r = 0; r < kCacheRegs; ++r) {
      if (dirty[r] && guest(held[r])) spill(r);
    }
  };

  for (size_t n = 0; n < ops; ++n) {
    const IrInsn& i = block.insns[n];
    const NextReads& x = next[n];
    const auto insn = static_cast<uint16_t>(n);
    const RegShape shape = reg_shape(i);
    if (shape == RegShape::None) {
      const IrOpInfo& info = ir_op_info(i.op);
      const uint8_t reads[] = {info.has(kIrA) ? i.a : kNoSlot, info.has(kIrB) ? i.b : kNoSlot,
                               info.has(kIrC) ? i.c : kNoSlot};
      const uint16_t read_next[] = {x.a, x.b, x.c};
      for (uint8_t slot : reads) {
        if (slot != kNoSlot && where[slot] != kNoReg && dirty[where[slot]]) spill(where[slot]);
      }
      if (body_stencil(i) != nullptr) {
        write_back_guests();
        for (unsigned r = 0; r < kCacheRegs; ++r) drop(r);
      } else {
        if (ir_op_accesses_memory(i.op)) write_back_guests();
        for (size_t k = 0; k < 3; ++k) {
          if (reads[k] != kNoSlot && where[reads[k]] != kNoReg)
            next_read[where[reads[k]]] = read_next[k];
        }
        if (info.has(kIrDst) && where[i.dst] != kNoReg) {
          const unsigned r = where[i.dst];
          where[i.dst] = kNoReg;
          held[r] = kNoSlot;
          dirty[r] = false;
        }
      }
      steps.push_back({&op_stencil(i), insn, 0});
      continue;
    }
    unsigned busy = 0;
    unsigned ra = 0;
    unsigned rb = 0;
    if (shape != RegShape::Dest) ra = operand(i.a, busy);
    // Operand b of a binary op that is not cached and not read again stays in its slot.
    const bool b_in_slot =
        shape == RegShape::Binary && where[i.b] == kNoReg && x.b == kNever && i.b != i.a;
    const bool b_in_reg = (shape == RegShape::Binary && !b_in_slot) || shape == RegShape::Store;
    if (b_in_reg) rb = operand(i.b, busy);
    if (shape != RegShape::Dest) next_read[ra] = x.a;
    if (b_in_reg) next_read[rb] = x.b;
    unsigned rd = 0;
    if (shape != RegShape::Store) {
      if (where[i.dst] != kNoReg) {
        rd = where[i.dst];  // its old value dies here
      } else {
        rd = pick(0);
        drop(rd);
      }
    }
    if (shape == RegShape::Load || shape == RegShape::Store) write_back_guests();
    const Stencil* const* v = kRegForms[static_cast<size_t>(i.op)].variants;
    switch (shape) {
      case RegShape::Binary:
        steps.push_back({b_in_slot ? v[27 + rd * 3 + ra] : v[rd * 9 + ra * 3 + rb], insn, 0});
        break;
      case RegShape::Unary:
      case RegShape::Load:
        steps.push_back({v[rd * 3 + ra], insn, 0});
        break;
      case RegShape::Dest:
        steps.push_back({v[rd], insn, 0});
        break;
      case RegShape::Store:
        steps.push_back({v[ra * 3 + rb], insn, 0});
        break;
      case RegShape::None:
        break;
    }
    if (shape != RegShape::Store && i.dst != kSlotSink) {
      held[rd] = i.dst;
      where[i.dst] = static_cast<uint8_t>(rd);
      dirty[rd] = true;
      next_read[rd] = x.d;
    }
  }
  for (unsigned r = 0; r < kCacheRegs; ++r) {
    if (needs_store(r)) spill(r);
    if (!guest(held[r])) held[r] = kNoSlot;  // a dead temporary or nothing
  }
  return held;
}

// A self-loop keeps guest registers in the cache across its back edge when a plan that
// starts with them cached ends with the same ones cached (found by planning again from the
// previous plan's end, twice at most). Then the block loads them (fills) and the loop's
// head, where the back edge jumps, is behind the fills. Returns the number of fills in
// front of the loop (`steps` holds them, then the loop's plan), or -1 when `steps` holds a
// plan from an empty cache.
int plan_loop(const IrBlock& block, size_t ops, bool fused, std::vector<Step>& steps) {
  thread_local std::vector<Step> loop;
  CacheState want = plan_block(block, ops, fused, kEmptyCache, steps);
  for (int round = 0; round < 2 && want != kEmptyCache; ++round) {
    loop.clear();
    const CacheState got = plan_block(block, ops, fused, want, loop);
    if (got == want) {
      steps.clear();
      for (unsigned r = 0; r < kCacheRegs; ++r) {
        if (want[r] != kNoSlot) steps.push_back({kFill[r], kNoInsn, want[r]});
      }
      const int fills = static_cast<int>(steps.size());
      steps.insert(steps.end(), loop.begin(), loop.end());
      return fills;
    }
    want = got;
  }
  return -1;
}

}  // namespace

BaselineCompiler::BaselineCompiler(size_t arena_bytes) : arena_(arena_bytes) {
  if (!arena_.ok()) {
    error_ = arena_.error();
    return;
  }
  auto place = [&](const Stencil& st, uint64_t target, uint64_t size, uint64_t& exec) {
    const CodeArena::Span span = arena_.allocate(st.size);
    HoleValues v{};
    at(v, Hole::TARGET) = target;
    at(v, Hole::SIZE) = size;
    if (span.exec == nullptr || !emit(st, span.write, span.exec, v)) return false;
    exec = reinterpret_cast<uint64_t>(span.exec);
    return true;
  };
  bool placed = place(stencils::kthunk_lookup, reinterpret_cast<uint64_t>(&tiervm_jit_lookup), 0,
                      thunk_lookup_) &&
                place(stencils::kthunk_trap, 0, 0, thunk_trap_);
  for (size_t k = 0; k < kMemThunks; ++k) {
    const uint64_t size = uint64_t{1} << k;
    placed = placed &&
             place(stencils::kthunk_load, reinterpret_cast<uint64_t>(&tiervm_jit_load_at), size,
                   thunk_load_[k]) &&
             place(stencils::kthunk_store, reinterpret_cast<uint64_t>(&tiervm_jit_store_at), size,
                   thunk_store_[k]);
  }
  if (!placed) {
    error_ = "no room for the baseline tier's thunks";
    return;
  }
  ok_ = true;
}

BaselineCompiler::Code BaselineCompiler::compile(const IrBlock& block, ChainSlot* taken,
                                                 ChainSlot* fallthrough, uint64_t* counter) {
  if (!ok_) return {};
  const BranchStencils* fused = fused_branch(block);
  const Stencil& exit = exit_stencil(block.exit, taken != nullptr, fallthrough != nullptr, fused);
  // The fused compare is the exit's: its op is not copied.
  const size_t ops = block.insns.size() - (fused ? 1 : 0);
  thread_local std::vector<Step> steps;
  steps.clear();
  // A self-loop with a chain slot jumps back to its head: past the fills of what it keeps.
  int loop_fills = -1;
  if (self_loop(block.exit) && taken != nullptr) {
    loop_fills = plan_loop(block, ops, fused != nullptr, steps);
  } else {
    plan_block(block, ops, fused != nullptr, kEmptyCache, steps);
  }
  size_t size = exit.size + (counter != nullptr ? stencils::kcount_entry.size : 0);
  for (const Step& step : steps) size += step.stencil->size;
  const CodeArena::Span span = arena_.allocate(size);
  if (span.exec == nullptr) return {};

  HoleValues v{};
  at(v, Hole::LOOKUP_FN) = thunk_lookup_;
  static const ExitCache kNoExits;  // never filled: every probe misses
  at(v, Hole::EXIT_CACHE) = reinterpret_cast<uint64_t>(
      exit_cache_ != nullptr && exits_may_probe(block) ? exit_cache_ : &kNoExits);
  at(v, Hole::TRAP_FN) = thunk_trap_;
  at(v, Hole::COUNTER) = reinterpret_cast<uint64_t>(counter);
  at(v, Hole::COUNT) = block.guest_count();
  const IrTerminator& e = block.exit;
  at(v, Hole::TAKEN) = static_cast<uint64_t>(e.taken_offset);
  at(v, Hole::FALL) = static_cast<uint64_t>(e.fallthrough_offset);
  at(v, Hole::TAKEN_SLOT) = reinterpret_cast<uint64_t>(taken);
  at(v, Hole::FALL_SLOT) = reinterpret_cast<uint64_t>(fallthrough);

  // Byte offset of guest instruction `index` from the block's start (trap pcs).
  auto guest_offset = [&](uint16_t index) -> uint64_t {
    return index < block.guest_offsets.size() ? block.guest_offsets[index] : 0;
  };
  uint8_t* w = span.write;
  const uint8_t* x = span.exec;
  bool fits = true;
  auto put = [&](const Stencil& st) {
    fits = emit(st, w, x, v) && fits;
    w += st.size;
    x += st.size;
  };
  // The fills a self-loop's body expects, then its head: the entry counter counts every
  // iteration.
  const size_t head = loop_fills < 0 ? 0 : static_cast<size_t>(loop_fills);
  for (size_t k = 0; k < steps.size(); ++k) {
    if (k == head) {
      at(v, Hole::SELF) = reinterpret_cast<uint64_t>(x);
      if (counter != nullptr) put(stencils::kcount_entry);
    }
    const Step& step = steps[k];
    if (step.insn == kNoInsn) {
      at(v, Hole::A) = slot_offset(step.slot);
      at(v, Hole::D) = slot_offset(step.slot);
      put(*step.stencil);
      continue;
    }
    const IrInsn& i = block.insns[step.insn];
    at(v, Hole::D) = slot_offset(i.dst);
    at(v, Hole::A) = slot_offset(i.a);
    at(v, Hole::B) = slot_offset(i.b);
    at(v, Hole::C) = slot_offset(i.c);
    at(v, Hole::IMM) = static_cast<uint64_t>(i.imm);
    at(v, Hole::IMM32) = static_cast<uint32_t>(i.imm);  // op_stencil: used when it fits
    at(v, Hole::HELPER) = reinterpret_cast<uint64_t>(i.helper);
    at(v, Hole::INDEX) = i.guest_index;
    at(v, Hole::GUEST_OFF) = guest_offset(i.guest_index);
    at(v, Hole::WHERE) = at(v, Hole::GUEST_OFF) | uint64_t{i.guest_index} << 16;
    const size_t mem = mem_thunk(i.op);
    at(v, Hole::LOAD_FN) = thunk_load_[mem];
    at(v, Hole::STORE_FN) = thunk_store_[mem];
    if (const Stencil* body = body_stencil(i)) {
      at(v, Hole::BODY_ARG) = body_arg(i, at(v, Hole::WHERE));
      at(v, Hole::CALL_FN) = body_thunk(*body, reinterpret_cast<uint64_t>(i.helper));
      if (at(v, Hole::CALL_FN) == 0) fits = false;
    }
    put(*step.stencil);
  }
  if (head == steps.size()) {  // no op stencils (an empty block, or a fused compare alone)
    at(v, Hole::SELF) = reinterpret_cast<uint64_t>(x);
    if (counter != nullptr) put(stencils::kcount_entry);
  }
  at(v, Hole::A) = slot_offset(e.kind == IrExit::Indirect ? e.target : e.cond);
  if (fused) {
    at(v, Hole::A) = slot_offset(block.insns.back().a);
    at(v, Hole::B) = slot_offset(block.insns.back().b);
  }
  at(v, Hole::CAUSE) = e.trap.cause;
  at(v, Hole::TVAL) = e.trap.tval;
  at(v, Hole::INDEX) = e.trap_index;
  at(v, Hole::GUEST_OFF) = guest_offset(e.trap_index);
  at(v, Hole::WHERE) = at(v, Hole::GUEST_OFF) | uint64_t{e.trap_index} << 16;
  put(exit);
  if (!fits) {
    arena_.free(span.exec, size);
    return {};
  }
  return {reinterpret_cast<JitFn>(const_cast<uint8_t*>(span.exec)), static_cast<uint32_t>(size)};
}

uint64_t BaselineCompiler::body_thunk(const Stencil& body, uint64_t helper) {
  const auto key = std::make_pair(&body, helper);
  if (const auto it = bodies_.find(key); it != bodies_.end()) return it->second;
  HoleValues v{};
  if (&body != &stencils::kbody_call) {
    // An FP body: its helper is the Call body of the same helper.
    at(v, Hole::CALL_FN) = body_thunk(stencils::kbody_call, helper);
    if (at(v, Hole::CALL_FN) == 0) return 0;
  }
  at(v, Hole::HELPER) = helper;
  const CodeArena::Span span = arena_.allocate(body.size);
  if (span.exec == nullptr || !emit(body, span.write, span.exec, v)) return 0;
  return bodies_[key] = reinterpret_cast<uint64_t>(span.exec);
}

void BaselineCompiler::release(Code code) {
  arena_.free(reinterpret_cast<const uint8_t*>(code.fn), code.bytes);
}

}  // namespace tiervm
