#include "engine/ir.h"

#include <cstdio>

#include "engine/decoder.h"

namespace tiervm {

namespace {

std::string slot_name(unsigned s) {
  if (s < kSlotF0) return xreg_name(s - kSlotX0);
  if (s < kSlotTemp0) return freg_name(s - kSlotF0);
  if (s == kSlotSink) return "_";
  return "t" + std::to_string(s - kSlotTemp0);
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

// Immediates print in decimal, large ones (addresses, masks) in hex.
std::string imm_text(int64_t imm) {
  if (imm > -4096 && imm < 4096) return std::to_string(imm);
  return hex(static_cast<uint64_t>(imm));
}

// "a0 = addi a1, -1", "st64 sp, a0, 8": the operands the op uses, from engine/ir_ops.inc.
std::string insn_text(const IrInsn& i) {
  const IrOpInfo& info = ir_op_info(i.op);
  std::string out;
  if (info.has(kIrDst)) out = slot_name(i.dst) + " = ";
  out += ir_op_name(i.op);
  const char* sep = " ";
  auto operand = [&](const std::string& text) {
    out += sep;
    out += text;
    sep = ", ";
  };
  if (info.has(kIrA)) operand(slot_name(i.a));
  if (info.has(kIrB)) operand(slot_name(i.b));
  if (info.has(kIrC)) operand(slot_name(i.c));
  if (info.has(kIrImm)) operand(imm_text(i.imm));
  return out;
}

// x0 reads as zero: the idioms built on it (li, mv, not...) and additions of zero become
// moves, so no tier loads x0 or adds nothing. Every op here reads the operands it tests.
void simplify_zero_operands(IrInsn& i) {
  const auto mov = [&i](uint8_t from) {
    i.op = IrOp::Mov;
    i.a = from;
    i.b = 0;
    i.imm = 0;
  };
  const auto mov_imm = [&i](int64_t value) {
    i.op = IrOp::MovImm;
    i.a = 0;
    i.b = 0;
    i.imm = value;
  };
  switch (i.op) {
    case IrOp::AddImm:
    case IrOp::OrImm:
    case IrOp::XorImm:
      if (i.a == kSlotX0) {
        mov_imm(i.imm);
      } else if (i.imm == 0) {
        mov(i.a);
      }
      break;
    case IrOp::AddWImm:
      if (i.a == kSlotX0) mov_imm(static_cast<int32_t>(i.imm));
      break;
    case IrOp::AndImm:
      if (i.a == kSlotX0) mov_imm(0);
      break;
    case IrOp::Add:
    case IrOp::Or:
    case IrOp::Xor:
      if (i.a == kSlotX0) {
        mov(i.b);
      } else if (i.b == kSlotX0) {
        mov(i.a);
      }
      break;
    case IrOp::Sub:
      if (i.b == kSlotX0) mov(i.a);
      break;
    default:
      break;
  }
  if (i.op == IrOp::Mov && i.a == kSlotX0) mov_imm(0);
}

}  // namespace

void IrBuilder::begin_insn(uint16_t offset, uint32_t word) {
  index_ = static_cast<uint16_t>(block_.guest_offsets.size());
  offset_ = offset;
  next_temp_ = kSlotTemp0;
  block_.guest_offsets.push_back(offset);
  block_.guest_words.push_back(word);
  started_ = true;
}

uint8_t IrBuilder::temp() {
  // 63 temporaries per guest instruction is far more than any emitter uses; running out is
  // a bug in an emitter, which the translator turns into an error (ir_verify_test).
  if (next_temp_ < kSlotSink) return next_temp_++;
  if (!out_of_temps_) {
    out_of_temps_ = true;
    const uint64_t pc = block_.start_pc + offset_;
    const std::string insn = index_ < block_.guest_words.size()
                                 ? disassemble(block_.guest_words[index_], pc)
                                 : "guest instruction " + std::to_string(index_);
    block_.error = "the IR of `" + insn + "` at pc " + hex(pc) + " needs more than " +
                   std::to_string(kSlotSink - kSlotTemp0) + " temporaries";
  }
  return kSlotSink;
}

void IrBuilder::op(IrOp o, uint8_t dst, uint8_t a, uint8_t b, int64_t imm, uint8_t c) {
  IrInsn i;
  i.op = o;
  i.dst = dst;
  i.a = a;
  i.b = b;
  i.c = c;
  i.imm = imm;
  i.guest_index = index_;
  simplify_zero_operands(i);
  block_.insns.push_back(i);
}

void IrBuilder::call(IrHelper h, uint8_t dst, uint8_t a, uint8_t b, uint8_t c, int64_t imm) {
  op(IrOp::Call, dst, a, b, imm, c);
  block_.insns.back().helper = h;
}

void IrBuilder::fp(IrOp o, IrHelper h, uint8_t dst, uint8_t a, uint8_t b, int64_t imm, uint8_t c) {
  op(o, dst, a, b, imm, c);
  block_.insns.back().helper = h;
}

void IrBuilder::jump(int64_t offset) {
  block_.exit = {};
  block_.exit.kind = IrExit::Jump;
  block_.exit.taken_offset = offset;
  ended_ = true;
}

void IrBuilder::branch(uint8_t cond, int64_t taken_offset, int64_t fallthrough_offset) {
  block_.exit = {};
  block_.exit.kind = IrExit::Branch;
  block_.exit.cond = cond;
  block_.exit.taken_offset = taken_offset;
  block_.exit.fallthrough_offset = fallthrough_offset;
  ended_ = true;
}

void IrBuilder::indirect(uint8_t target) {
  block_.exit = {};
  block_.exit.kind = IrExit::Indirect;
  block_.exit.target = target;
  ended_ = true;
}

void IrBuilder::ret(int64_t next_offset) {
  block_.exit = {};
  block_.exit.kind = IrExit::Return;
  block_.exit.fallthrough_offset = next_offset;
  ended_ = true;
}

void IrBuilder::trap(Trap t) {
  block_.exit = {};
  block_.exit.kind = IrExit::Trap;
  block_.exit.trap = t;
  block_.exit.trap_index = index_;
  ended_ = true;
}

void IrBuilder::fetch_fault(Cause cause, uint64_t tval_offset) {
  trap(make_trap(cause, tval_offset));
  block_.exit.tval_pc_relative = true;
}

std::string format_ir(const IrBlock& block) {
  std::string out;
  char buf[160] = {};
  int last_guest = -1;
  for (const IrInsn& i : block.insns) {
    if (i.guest_index != last_guest &&
        (i.guest_index >= block.guest_count() || i.guest_index >= block.guest_words.size())) {
      last_guest = i.guest_index;
      out += "; guest instruction " + std::to_string(i.guest_index) + " (not in the block)\n";
    } else if (i.guest_index != last_guest) {
      last_guest = i.guest_index;
      uint64_t pc = block.start_pc + block.guest_offsets[i.guest_index];
      std::snprintf(buf, sizeof buf, "; %016llx  %s\n", static_cast<unsigned long long>(pc),
                    disassemble(block.guest_words[i.guest_index], pc).c_str());
      out += buf;
    }
    out += "  " + insn_text(i) + "\n";
  }
  const IrTerminator& e = block.exit;
  switch (e.kind) {
    case IrExit::None:
      std::snprintf(buf, sizeof buf, "  (no terminator)\n");
      break;
    case IrExit::Jump:
      std::snprintf(buf, sizeof buf, "  jump +%lld\n", static_cast<long long>(e.taken_offset));
      break;
    case IrExit::Branch:
      std::snprintf(buf, sizeof buf, "  branch %s ? +%lld : +%lld\n", slot_name(e.cond).c_str(),
                    static_cast<long long>(e.taken_offset),
                    static_cast<long long>(e.fallthrough_offset));
      break;
    case IrExit::Indirect:
      std::snprintf(buf, sizeof buf, "  indirect %s\n", slot_name(e.target).c_str());
      break;
    case IrExit::Return:
      std::snprintf(buf, sizeof buf, "  return +%lld\n",
                    static_cast<long long>(e.fallthrough_offset));
      break;
    case IrExit::Trap:
      std::snprintf(buf, sizeof buf, "  trap cause=%llu tval=%s%#llx\n",
                    static_cast<unsigned long long>(e.trap.cause), e.tval_pc_relative ? "pc+" : "",
                    static_cast<unsigned long long>(e.trap.tval));
      break;
  }
  out += buf;
  return out;
}

}  // namespace tiervm
