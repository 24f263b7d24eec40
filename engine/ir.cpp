#include "engine/ir.h"

#include <array>
#include <cstdio>

#include "engine/decoder.h"

namespace tiervm {

namespace {

constexpr std::array<const char*, static_cast<size_t>(IrOp::Count)> kOpNames = {
    "movi",  "mov",   "pcrel", "add",   "addi",  "sub",    "and",   "andi",  "or",     "ori",
    "xor",   "xori",  "shl",   "shli",  "shr",   "shri",   "sar",   "sari",  "addw",   "addwi",
    "subw",  "shlw",  "shlwi", "shrw",  "shrwi", "sarw",   "sarwi", "eq",    "ne",     "lt",
    "ge",    "ltu",   "geu",   "lti",   "ltui",  "select", "mul",   "mulh",  "mulhsu", "mulhu",
    "mulw",  "div",   "divu",  "rem",   "remu",  "divw",   "divuw", "remw",  "remuw",  "sextb",
    "sexth", "sextw", "zextb", "zexth", "zextw", "clz",    "ctz",   "cpop",  "clzw",   "ctzw",
    "cpopw", "rol",   "ror",   "rori",  "rolw",  "rorw",   "rorwi", "min",   "max",    "minu",
    "maxu",  "orcb",  "rev8",  "ld8s",  "ld8u",  "ld16s",  "ld16u", "ld32s", "ld32u",  "ld64",
    "st8",   "st16",  "st32",  "st64",  "call",
};

std::string slot_name(unsigned s) {
  if (s < kSlotF0) return xreg_name(s - kSlotX0);
  if (s < kSlotTemp0) return freg_name(s - kSlotF0);
  if (s == kSlotSink) return "_";
  return "t" + std::to_string(s - kSlotTemp0);
}

}  // namespace

const char* ir_op_name(IrOp op) {
  auto i = static_cast<size_t>(op);
  return i < kOpNames.size() ? kOpNames[i] : "?";
}

void IrBuilder::begin_insn(uint16_t offset, uint32_t word) {
  index_ = static_cast<uint16_t>(block_.guest_offsets.size());
  offset_ = offset;
  next_temp_ = kSlotTemp0;
  block_.guest_offsets.push_back(offset);
  block_.guest_words.push_back(word);
  started_ = true;
}

uint8_t IrBuilder::temp() {
  // 62 temporaries per guest instruction is far more than any emitter uses; running out
  // is a bug in an emitter, caught by the decoder tests.
  if (next_temp_ >= kSlotSink) return kSlotSink - 1;
  return next_temp_++;
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
  block_.insns.push_back(i);
}

void IrBuilder::call(IrHelper h, uint8_t dst, uint8_t a, uint8_t b, uint8_t c, int64_t imm) {
  op(IrOp::Call, dst, a, b, imm, c);
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
    if (i.guest_index != last_guest) {
      last_guest = i.guest_index;
      uint64_t pc = block.start_pc + block.guest_offsets[i.guest_index];
      std::snprintf(buf, sizeof buf, "; %016llx  %s\n", static_cast<unsigned long long>(pc),
                    disassemble(block.guest_words[i.guest_index], pc).c_str());
      out += buf;
    }
    std::snprintf(buf, sizeof buf, "  %-3s = %-6s %s, %s, %s, %lld\n", slot_name(i.dst).c_str(),
                  ir_op_name(i.op), slot_name(i.a).c_str(), slot_name(i.b).c_str(),
                  slot_name(i.c).c_str(), static_cast<long long>(i.imm));
    out += buf;
  }
  const IrTerminator& e = block.exit;
  switch (e.kind) {
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
