#pragma once

#include <cstdint>
#include <string>
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

// Primitive IR operations on 64-bit slots. `dst`, `a`, `b`, `c` are slot indices; `imm` is
// a signed 64-bit immediate. Comments give the semantics; "W" ops operate on the low 32
// bits and sign-extend the result to 64.
enum class IrOp : uint8_t {
  MovImm,   // dst = imm
  Mov,      // dst = a
  PcRel,    // dst = block_pc + imm (auipc, link addresses: blocks are position independent)
  Add,      // dst = a + b
  AddImm,   // dst = a + imm
  Sub,      // dst = a - b
  And,      // dst = a & b
  AndImm,   // dst = a & imm
  Or,       // dst = a | b
  OrImm,    // dst = a | imm
  Xor,      // dst = a ^ b
  XorImm,   // dst = a ^ imm
  Shl,      // dst = a << (b & 63)
  ShlImm,   // dst = a << (imm & 63)
  Shr,      // dst = a >> (b & 63) logical
  ShrImm,   // dst = a >> (imm & 63) logical
  Sar,      // dst = a >> (b & 63) arithmetic
  SarImm,   // dst = a >> (imm & 63) arithmetic
  AddW,     // dst = sext32(a + b)
  AddWImm,  // dst = sext32(a + imm)
  SubW,     // dst = sext32(a - b)
  ShlW,     // dst = sext32(a << (b & 31))
  ShlWImm,  // dst = sext32(a << (imm & 31))
  ShrW,     // dst = sext32(u32(a) >> (b & 31))
  ShrWImm,  // dst = sext32(u32(a) >> (imm & 31))
  SarW,     // dst = sext32(i32(a) >> (b & 31))
  SarWImm,  // dst = sext32(i32(a) >> (imm & 31))
  Eq,       // dst = a == b
  Ne,       // dst = a != b
  Lt,       // dst = i64(a) < i64(b)
  Ge,       // dst = i64(a) >= i64(b)
  Ltu,      // dst = a < b
  Geu,      // dst = a >= b
  LtImm,    // dst = i64(a) < imm
  LtuImm,   // dst = a < u64(imm)
  Select,   // dst = a ? b : c
  Mul,      // dst = a * b
  MulH,     // dst = (i128(a) * i128(b)) >> 64
  MulHSU,   // dst = (i128(a) * u128(b)) >> 64
  MulHU,    // dst = (u128(a) * u128(b)) >> 64
  MulW,     // dst = sext32(a * b)
  Div,      // RISC-V signed division: x/0 = -1, INT64_MIN/-1 = INT64_MIN
  DivU,     // x/0 = all ones
  Rem,      // x%0 = x, INT64_MIN%-1 = 0
  RemU,     // x%0 = x
  DivW,     // the same rules on 32 bits, sign-extended
  DivUW,
  RemW,
  RemUW,
  SextB,  // dst = sext8(a)
  SextH,  // dst = sext16(a)
  SextW,  // dst = sext32(a)
  ZextB,  // dst = zext8(a)
  ZextH,  // dst = zext16(a)
  ZextW,  // dst = zext32(a)
  Clz,    // dst = count leading zeros of a (64 when a == 0)
  Ctz,    // dst = count trailing zeros (64 when a == 0)
  Cpop,   // dst = popcount(a)
  ClzW,   // on the low 32 bits (32 when zero)
  CtzW,
  CpopW,
  Rol,      // dst = rotl(a, b & 63)
  Ror,      // dst = rotr(a, b & 63)
  RorImm,   // dst = rotr(a, imm & 63)
  RolW,     // dst = sext32(rotl32(a, b & 31))
  RorW,     // dst = sext32(rotr32(a, b & 31))
  RorWImm,  // dst = sext32(rotr32(a, imm & 31))
  Min,      // signed
  Max,
  MinU,
  MaxU,
  OrcB,  // each byte: 0xff if non-zero, else 0
  Rev8,  // byte swap
  // Memory (virtual address = a + imm). Loads write dst; stores write b. A fault traps
  // precisely at this op's guest instruction.
  Load8S,
  Load8U,
  Load16S,
  Load16U,
  Load32S,
  Load32U,
  Load64,
  Store8,
  Store16,
  Store32,
  Store64,
  Call,  // dst = helper(a, b, c, imm) (helper pointer in `helper`)
  Count  // number of ops, not an op
};

const char* ir_op_name(IrOp op);

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
  Jump,      // pc = block_pc + taken_offset
  Branch,    // pc = block_pc + (slot[cond] ? taken_offset : fallthrough_offset)
  Indirect,  // pc = slot[target]
  Return,    // back to the dispatcher at block_pc + fallthrough_offset: state changed
             // (CSR write, fence.i, sfence.vma, wfi ...) so lookups and checks must rerun
  Trap,      // raise trap at guest instruction `trap_index` (illegal insn, fetch fault)
};

struct IrTerminator {
  IrExit kind = IrExit::Return;
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
  bool cacheable = true;     // false when the block straddles a page (fetch per run)
  // Pure data: what a tier executes. How it is executed (tier, compiled code, counters)
  // lives in the code cache's record (engine/code_cache.h CachedBlock).

  unsigned guest_count() const { return static_cast<unsigned>(guest_offsets.size()); }
};

// Emits IR for one guest instruction at a time. Temporaries are allocated per
// instruction and reused by the next.
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
  uint8_t temp();  // a fresh temporary for this guest instruction

  void op(IrOp o, uint8_t dst, uint8_t a = 0, uint8_t b = 0, int64_t imm = 0, uint8_t c = 0);
  void mov_imm(uint8_t dst, int64_t imm) { op(IrOp::MovImm, dst, 0, 0, imm); }
  void call(IrHelper h, uint8_t dst, uint8_t a = 0, uint8_t b = 0, uint8_t c = 0, int64_t imm = 0);

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
};

// Printer for IR, for traces, the dashboard and test failure messages.
std::string format_ir(const IrBlock& block);

}  // namespace tiervm
