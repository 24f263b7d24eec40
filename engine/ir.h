#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/block_key.h"
#include "engine/hart_state.h"

namespace tiervm {

class Hart;

// A helper called from IR: the semantics of instructions too rich for primitive ops (FP,
// CSRs, AMOs, system instructions) are written once as C++ helpers that every tier calls.
// A helper that traps calls state.raise(...) and its return value is ignored; the tier
// then rolls back to the instruction (precise trap).
using IrHelper = uint64_t (*)(Hart& hart, uint64_t a, uint64_t b, uint64_t c, int64_t imm);

// Primitive IR operations on 64-bit slots, one per line of engine/ir_ops.inc (which gives
// their semantics). `dst`, `a`, `b`, `c` are slot indices; `imm` is a signed 64-bit
// immediate.
enum class IrOp : uint8_t {
#define TIERVM_IR_OP(name, text, operands) name,
#include "engine/ir_ops.inc"
  Count  // number of ops, not an op
};

// What an op reads and writes: bits of IrOpInfo::operands.
enum IrOperand : uint8_t { kIrDst = 1, kIrA = 2, kIrB = 4, kIrC = 8, kIrImm = 16 };

// One op's line of engine/ir_ops.inc.
struct IrOpInfo {
  const char* name;
  uint8_t operands;   // IrOperand bits
  uint8_t mem_bytes;  // bytes a load or store accesses; 0 for the other ops
  bool mem_signed;    // a load that sign-extends
  bool store;
  bool fp_host;  // a TIERVM_IR_FP op: host fast path, IrInsn::helper otherwise

  constexpr bool has(IrOperand o) const { return (operands & o) != 0; }
};

namespace ir_detail {
// IrOperand bits of an operand string such as "dai".
constexpr uint8_t operand_bits(const char* s) {
  uint8_t bits = 0;
  for (; *s != 0; ++s) {
    switch (*s) {
      case 'd':
        bits |= kIrDst;
        break;
      case 'a':
        bits |= kIrA;
        break;
      case 'b':
        bits |= kIrB;
        break;
      case 'c':
        bits |= kIrC;
        break;
      case 'i':
        bits |= kIrImm;
        break;
      default:
        throw "unknown operand letter in engine/ir_ops.inc";  // a compile error
    }
  }
  return bits;
}

inline constexpr IrOpInfo kOps[] = {
#define TIERVM_IR_OP(name, text, operands) {text, operand_bits(operands), 0, false, false, false},
#define TIERVM_IR_LOAD(name, text, type) \
  {text, operand_bits("dai"), sizeof(type), std::is_signed_v<type>, false, false},
#define TIERVM_IR_STORE(name, text, type) \
  {text, operand_bits("abi"), sizeof(type), false, true, false},
#define TIERVM_IR_FP(name, text, operands) {text, operand_bits(operands), 0, false, false, true},
#include "engine/ir_ops.inc"
};
static_assert(std::size(kOps) == static_cast<size_t>(IrOp::Count));
}  // namespace ir_detail

constexpr const IrOpInfo& ir_op_info(IrOp op) {
  return ir_detail::kOps[static_cast<size_t>(op)];
}
constexpr const char* ir_op_name(IrOp op) {
  return op < IrOp::Count ? ir_op_info(op).name : "?";
}
// A load or a store: faults trap precisely at the op's guest instruction.
constexpr bool ir_op_accesses_memory(IrOp op) {
  return ir_op_info(op).mem_bytes != 0;
}
// An op that calls IrInsn::helper (always, or off its fast path): it may trap and has
// side effects on the hart.
constexpr bool ir_op_calls_helper(IrOp op) {
  return op == IrOp::Call || (op < IrOp::Count && ir_op_info(op).fp_host);
}

// One IR instruction. `guest_index` is the index of the guest instruction it belongs to,
// used to make traps precise (pc, instret).
struct IrInsn {
  IrOp op = IrOp::MovImm;
  uint8_t dst = kSlotSink;
  uint8_t a = 0;
  uint8_t b = 0;
  uint8_t c = 0;
  uint16_t guest_index = 0;
  int64_t imm = 0;
  IrHelper helper = nullptr;
};

// How a block ends (dynarmic-style terminals). Targets are byte offsets from the block's
// start pc, so one block serves every virtual mapping of its physical page.
enum class IrExit : uint8_t {
  None,      // no terminator yet: not a valid block (verify_block reports it)
  Jump,      // pc = block_pc + taken_offset
  Branch,    // pc = block_pc + (slot[cond] ? taken_offset : fallthrough_offset)
  Indirect,  // pc = slot[target]
  Return,    // back to the dispatcher at block_pc + fallthrough_offset: state changed
             // (CSR write, fence.i, sfence.vma, wfi ...) so lookups and checks must rerun
  Trap,      // raise trap at guest instruction `trap_index` (illegal insn, fetch fault)
};

struct IrTerminator {
  IrExit kind = IrExit::None;
  uint8_t cond = 0;    // slot, Branch
  uint8_t target = 0;  // slot, Indirect
  int64_t taken_offset = 0;
  int64_t fallthrough_offset = 0;
  Trap trap{};              // Trap
  uint16_t trap_index = 0;  // Trap: guest instruction index that traps
  // Trap: trap.tval is an offset from the block's pc. A fetch fault's tval is a virtual
  // address, and a block serves every virtual mapping of its physical page.
  bool tval_pc_relative = false;
};

// A translated guest block: straight-line IR (no internal control flow) plus terminator.
struct IrBlock {
  uint64_t start_pc = 0;  // virtual pc it was translated at (informational)
  uint64_t start_paddr = 0;
  std::vector<IrInsn> insns;
  std::vector<uint16_t> guest_offsets;  // byte offset of each guest instruction
  std::vector<uint32_t> guest_words;    // raw instruction bits (for printing)
  IrTerminator exit;
  uint32_t guest_bytes = 0;  // total length of the guest code
  bool cacheable = true;     // false for a single step, a breakpoint, a fetch fault past the page
  // A block of one instruction that straddles a page boundary: the physical address its
  // second half was fetched from (the next page's start), else 0. The code cache keeps it
  // only while the next page still maps there.
  uint64_t straddle_paddr = 0;
  // Why translation failed, empty when it did not: an emitter bug (such as running out of
  // temporaries), which verify_block reports. The failed instruction's IR is dropped and
  // the block ends in an illegal-instruction trap there.
  std::string error;
  // Pure data: what a tier executes. How it is executed (tier, compiled code, counters)
  // lives in the code cache's record (engine/code_cache.h CachedBlock).

  unsigned guest_count() const { return static_cast<unsigned>(guest_offsets.size()); }
};

// Emits IR for one guest instruction at a time. Temporaries are allocated per
// instruction and reused by the next; an instruction that needs more than there are is an
// emitter bug, recorded in the block's `error`.
class IrBuilder {
 public:
  IrBuilder(IrBlock& block, TranslateFlags flags) : block_(block), flags_(flags) {}
  const TranslateFlags& flags() const { return flags_; }

  // Starts a new guest instruction at byte offset `offset` from the block start.
  void begin_insn(uint16_t offset, uint32_t word);
  uint16_t insn_index() const { return index_; }
  uint16_t insn_offset() const { return offset_; }

  // Slot helpers. Writes to x0 are redirected to the sink slot.
  static uint8_t xr(unsigned i) { return static_cast<uint8_t>(kSlotX0 + i); }
  static uint8_t xw(unsigned i) { return i == 0 ? kSlotSink : static_cast<uint8_t>(kSlotX0 + i); }
  static uint8_t fr(unsigned i) { return static_cast<uint8_t>(kSlotF0 + i); }
  // A fresh temporary for this guest instruction. When there is none left it records the
  // error and returns the sink slot, so nothing outside the slots is ever touched.
  uint8_t temp();
  bool out_of_temps() const { return out_of_temps_; }

  void op(IrOp o, uint8_t dst, uint8_t a = 0, uint8_t b = 0, int64_t imm = 0, uint8_t c = 0);
  void mov_imm(uint8_t dst, int64_t imm) { op(IrOp::MovImm, dst, 0, 0, imm); }
  void call(IrHelper h, uint8_t dst, uint8_t a = 0, uint8_t b = 0, uint8_t c = 0, int64_t imm = 0);
  // A TIERVM_IR_FP op whose exact definition (and slow path) is `h`.
  void fp(IrOp o, IrHelper h, uint8_t dst, uint8_t a, uint8_t b = 0, int64_t imm = 0,
          uint8_t c = 0);

  // Terminators end the block.
  void jump(int64_t offset);
  void branch(uint8_t cond, int64_t taken_offset, int64_t fallthrough_offset);
  void indirect(uint8_t target);
  void ret(int64_t next_offset);  // IrExit::Return
  void trap(Trap t);              // at the current guest instruction
  // An instruction fetch fault at the current guest instruction, tval = block pc + offset.
  void fetch_fault(Cause cause, uint64_t tval_offset);
  bool ended() const { return ended_; }
  // True the first time it is asked in a block. FS cannot change inside a block (writes to
  // mstatus are serializing instructions, alone in their block), so one "mark FS dirty"
  // per block, at the first instruction that needs it, is exact.
  bool first_fs_write() {
    const bool first = !fs_written_;
    fs_written_ = true;
    return first;
  }

 private:
  IrBlock& block_;
  TranslateFlags flags_;
  uint16_t index_ = 0;
  uint16_t offset_ = 0;
  uint8_t next_temp_ = kSlotTemp0;
  bool started_ = false;
  bool ended_ = false;
  bool fs_written_ = false;
  bool out_of_temps_ = false;
};

// Printer for IR, for traces, the dashboard and test failure messages.
std::string format_ir(const IrBlock& block);

}  // namespace tiervm
