#include "engine/interpreter.h"

#include <bit>
#include <cstring>

#include "engine/hart.h"
#include "engine/ir_eval.h"
#include "mem/guest_ram.h"

namespace tiervm {

namespace {

// Loads go through the inline L1 probe first: a hit reads host RAM directly.
template <typename T>
inline bool load_mem(Hart& h, const TlbEntry* l1, uint64_t mask, uint64_t va, uint64_t& out) {
  const TlbEntry& e = l1[SoftTlb::l1_index(va, mask)];
  if (e.tag_read == (va & ~kPageMask) && (va & kPageMask) <= kPageSize - sizeof(T)) {
    const auto v =
        static_cast<T>(ram_read(reinterpret_cast<const void*>(va + e.host_addend), sizeof(T)));
    if constexpr (std::is_signed_v<T>) {
      out = static_cast<uint64_t>(static_cast<int64_t>(v));
    } else {
      out = v;
    }
    return true;
  }
  uint64_t v = 0;
  if (!h.load(va, sizeof(T), v)) return false;
  if constexpr (std::is_signed_v<T>) {
    out = static_cast<uint64_t>(static_cast<int64_t>(static_cast<T>(v)));
  } else {
    out = v;
  }
  return true;
}

template <typename T>
inline bool store_mem(Hart& h, const TlbEntry* l1, uint64_t mask, uint64_t va, uint64_t value) {
  const TlbEntry& e = l1[SoftTlb::l1_index(va, mask)];
  if (e.tag_write == (va & ~kPageMask) && (va & kPageMask) <= kPageSize - sizeof(T)) {
    ram_write(reinterpret_cast<void*>(va + e.host_addend), sizeof(T), value);
    return true;
  }
  return h.store(va, sizeof(T), value);
}

}  // namespace

uint64_t eval_alu(IrOp op, uint64_t a, uint64_t b, uint64_t c, int64_t imm) {
  return eval_alu_inline(op, a, b, c, imm);
}

bool interpret_block(Hart& hart, const IrBlock& block) {
  return interpret_block(hart, block, hart.tlb.l1_array(hart.data_mode()),
                         hart.tlb.l1_mask(hart.data_mode()));
}

bool interpret_block(Hart& hart, const IrBlock& block, const TlbEntry* l1, uint64_t l1_mask) {
  HartState& s = hart.s;
  uint64_t* r = s.slot.data();
  const uint64_t block_pc = s.pc;

  auto fault = [&](uint16_t index) {
    s.pc = block_pc + block.guest_offsets[index];
    s.instret += index;
    r[kSlotX0] = 0;
    return false;
  };

  for (const IrInsn& i : block.insns) {
    const uint64_t a = r[i.a];
    const uint64_t b = r[i.b];
    switch (i.op) {
      case IrOp::PcRel:
        r[i.dst] = block_pc + static_cast<uint64_t>(i.imm);
        break;
        // One case per load and store of engine/ir_ops.inc, each with its access type.
#define TIERVM_IR_OP(name, text, operands)
#define TIERVM_IR_LOAD(name, text, type)                                                \
  case IrOp::name:                                                                      \
    if (!load_mem<type>(hart, l1, l1_mask, a + static_cast<uint64_t>(i.imm), r[i.dst])) \
      return fault(i.guest_index);                                                      \
    break;
#define TIERVM_IR_STORE(name, text, type)                                         \
  case IrOp::name:                                                                \
    if (!store_mem<type>(hart, l1, l1_mask, a + static_cast<uint64_t>(i.imm), b)) \
      return fault(i.guest_index);                                                \
    break;
#include "engine/ir_ops.inc"
#define TIERVM_IR_OP(name, text, operands)
#define TIERVM_IR_FP(name, text, operands)                                       \
  case IrOp::name: {                                                             \
    uint64_t v;                                                                  \
    if (eval_fp_host(IrOp::name, a, b, r[i.c], i.imm, s.fflags, s.frm,           \
                     (s.mstatus & mstatus::FS) == mstatus::FS, v)) {             \
      if (ir_fp_writes_freg(IrOp::name)) s.mstatus |= mstatus::FS | mstatus::SD; \
    } else {                                                                     \
      v = i.helper(hart, a, b, r[i.c], i.imm);                                   \
      if (s.trap_pending) return fault(i.guest_index);                           \
    }                                                                            \
    r[i.dst] = v;                                                                \
    break;                                                                       \
  }
#include "engine/ir_ops.inc"
      case IrOp::Call: {
        const uint64_t v = i.helper(hart, a, b, r[i.c], i.imm);
        if (s.trap_pending) return fault(i.guest_index);
        r[i.dst] = v;
        break;
      }
      default:
        r[i.dst] = eval_alu_inline(i.op, a, b, r[i.c], i.imm);
        break;
    }
  }
  r[kSlotX0] = 0;

  const IrTerminator& e = block.exit;
  switch (e.kind) {
    case IrExit::Jump:
      s.pc = block_pc + static_cast<uint64_t>(e.taken_offset);
      break;
    case IrExit::Branch:
      s.pc = block_pc + static_cast<uint64_t>(r[e.cond] ? e.taken_offset : e.fallthrough_offset);
      break;
    case IrExit::Indirect:
      s.pc = r[e.target];
      break;
    case IrExit::None:  // no terminator: an invalid block (verify_block), run as a Return
    case IrExit::Return:
      s.pc = block_pc + static_cast<uint64_t>(e.fallthrough_offset);
      break;
    case IrExit::Trap: {
      Trap t = e.trap;
      if (e.tval_pc_relative) t.tval += block_pc;
      s.raise(t);
      return fault(e.trap_index);
    }
  }
  s.instret += block.guest_count();
  return true;
}

}  // namespace tiervm
