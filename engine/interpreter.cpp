#include "engine/interpreter.h"

#include <bit>
#include <cstring>

#include "engine/hart.h"
#include "engine/ir_eval.h"

namespace tiervm {

namespace {

// Loads go through the inline L1 probe first: a hit reads host RAM directly.
template <typename T>
inline bool load_mem(Hart& h, const TlbEntry* l1, uint64_t va, uint64_t& out) {
  const TlbEntry& e = l1[SoftTlb::l1_index(va)];
  if (e.tag_read == (va & ~kPageMask) && (va & kPageMask) <= kPageSize - sizeof(T)) {
    T v;
    std::memcpy(&v, reinterpret_cast<const void*>(va + e.host_addend), sizeof(T));
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
inline bool store_mem(Hart& h, const TlbEntry* l1, uint64_t va, uint64_t value) {
  const TlbEntry& e = l1[SoftTlb::l1_index(va)];
  if (e.tag_write == (va & ~kPageMask) && (va & kPageMask) <= kPageSize - sizeof(T)) {
    const T v = static_cast<T>(value);
    std::memcpy(reinterpret_cast<void*>(va + e.host_addend), &v, sizeof(T));
    return true;
  }
  return h.store(va, sizeof(T), value);
}

}  // namespace

uint64_t eval_alu(IrOp op, uint64_t a, uint64_t b, uint64_t c, int64_t imm) {
  return eval_alu_inline(op, a, b, c, imm);
}

bool interpret_block(Hart& hart, const IrBlock& block) {
  HartState& s = hart.s;
  uint64_t* r = s.slot.data();
  const uint64_t block_pc = s.pc;
  const TlbEntry* l1 = hart.tlb.l1_array(hart.data_mode());

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
      case IrOp::Load8S:
        if (!load_mem<int8_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load8U:
        if (!load_mem<uint8_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load16S:
        if (!load_mem<int16_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load16U:
        if (!load_mem<uint16_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load32S:
        if (!load_mem<int32_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load32U:
        if (!load_mem<uint32_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Load64:
        if (!load_mem<uint64_t>(hart, l1, a + static_cast<uint64_t>(i.imm), r[i.dst]))
          return fault(i.guest_index);
        break;
      case IrOp::Store8:
        if (!store_mem<uint8_t>(hart, l1, a + static_cast<uint64_t>(i.imm), b))
          return fault(i.guest_index);
        break;
      case IrOp::Store16:
        if (!store_mem<uint16_t>(hart, l1, a + static_cast<uint64_t>(i.imm), b))
          return fault(i.guest_index);
        break;
      case IrOp::Store32:
        if (!store_mem<uint32_t>(hart, l1, a + static_cast<uint64_t>(i.imm), b))
          return fault(i.guest_index);
        break;
      case IrOp::Store64:
        if (!store_mem<uint64_t>(hart, l1, a + static_cast<uint64_t>(i.imm), b))
          return fault(i.guest_index);
        break;
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
