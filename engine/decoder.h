#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tiervm {

class IrBuilder;
struct DecodedInsn;

// Emits the IR of one decoded instruction: the single definition of its semantics.
using IrEmitter = void (*)(IrBuilder& b, const DecodedInsn& d);

// The ISA extension a decoder row belongs to (unprivileged spec naming). The table is the
// one source of truth: misa and the device tree's riscv,isa string are derived from it.
enum class Ext : uint8_t {
  I,
  M,
  A,
  F,
  D,
  Zicsr,
  Zifencei,
  Zba,
  Zbb,
  V,     // RVV 1.0: in misa and riscv,isa only when the machine has --vlen != 0
  Priv,  // privileged architecture (xRET, wfi, sfence.vma): no ISA string entry
};

// One row of the decoder table (dynarmic/Spike style). `ext` names its extension; `pattern` is 32
// characters, MSB first, of '0', '1' or '-' (don't care). `operands` names the fields, comma
// separated, in assembly order; the decoder extracts them and the printer formats them:
//   rd rs1 rs2 rs3 (integer regs)   fd fs1 fs2 fs3 (FP regs)   rm (rounding mode)
//   imm_i imm_s imm_b imm_u imm_j shamt6 shamt5 csr zimm   aq rl (implicit)
//   "imm_i(rs1)" / "imm_s(rs1)" / "(rs1)" for memory operands, "pred,succ" for fence.
//   Vector: vd vs1 vs2 vs3 (vs3 = the vd field of a store) v0 (literal), vm (", v0.t" when
//   bit 25 is clear), simm5 (bits 19:15 signed), uimm5 (bits 19:15 unsigned),
//   vtypei (vsetvli's zimm11 or vsetivli's zimm10, printed as "e32, m1, ta, ma").
struct InsnDef {
  Ext ext;
  const char* pattern;
  const char* name;
  const char* operands;
  IrEmitter emit;
  uint8_t flags = 0;  // kInsn* below
};

// The row deliberately shadows a more general row; the overlap check accepts a pair of
// overlapping rows when the more specific one has this flag.
inline constexpr uint8_t kInsnOverrides = 1;
// The instruction reads or changes state that translation or the dispatcher depends on
// (CSRs, privilege, fences, wfi): it always starts its own block and its emitter ends
// the block (usually with IrBuilder::ret), so instret/cycle reads are exact and the
// dispatcher re-checks interrupts and modes after it.
inline constexpr uint8_t kInsnSerializing = 2;

struct DecodedInsn {
  const InsnDef* def = nullptr;  // nullptr: illegal instruction
  uint32_t word = 0;             // 32-bit form (compressed instructions are expanded)
  uint32_t raw = 0;              // the bits as fetched (16 significant bits if compressed)
  uint8_t length = 4;            // 2 for compressed
  uint8_t rd = 0, rs1 = 0, rs2 = 0, rs3 = 0;
  uint8_t rm = 0;
  uint16_t csr = 0;
  int64_t imm = 0;
};

// Tables of each instruction class, defined next to their emitters in engine/translate/.
std::span<const InsnDef> alu_insns();
std::span<const InsnDef> mem_insns();
std::span<const InsnDef> branch_insns();
std::span<const InsnDef> muldiv_insns();
std::span<const InsnDef> atomic_insns();
std::span<const InsnDef> fp_insns();
std::span<const InsnDef> csr_insns();
std::span<const InsnDef> system_insns();
std::span<const InsnDef> bitmanip_insns();
std::span<const InsnDef> vector_config_insns();
std::span<const InsnDef> vector_mem_insns();
std::span<const InsnDef> vector_int_insns();
std::span<const InsnDef> vector_fixed_insns();
std::span<const InsnDef> vector_fp_insns();

// Expands a 16-bit RVC instruction to its 32-bit equivalent (unprivileged spec, chapter
// 16), or returns 0 when the encoding is reserved/illegal (including the all-zero word).
uint32_t expand_compressed(uint16_t half);

// Decodes a 32-bit instruction, or a 16-bit one when (raw & 3) != 3.
DecodedInsn decode(uint32_t raw);

// All rows of the table, in match order.
std::span<const InsnDef* const> decoder_table();

// Mask/match of a row's pattern (bit set in mask = fixed bit).
struct PatternBits {
  uint32_t mask = 0;
  uint32_t match = 0;
};
PatternBits pattern_bits(const char* pattern);

// The extensions of the decoder table, as misa's extension bits (A..Z = bits 0..25; C for
// the compressed expander; S and U for the privilege modes: priv spec 3.1.1) and as the
// device tree's riscv,isa string ("rv64imafdc_zicsr_zifencei_zba_zbb"). V is a machine
// option (--vlen): misa_extensions() leaves it out (the hart adds it when configured) and
// isa_string includes it ("rv64imafdcv_...") when `vector` is true.
uint64_t misa_extensions();
std::string isa_string(bool vector = false);

// Pairs of rows that match a common word where neither is declared more specific with
// kInsnOverrides, as "name1 / name2" strings. Empty for a sound table.
std::vector<std::string> decoder_overlaps();

// "addi a0, a0, 1"; `pc` resolves branch/jump targets. Illegal words print as
// "illegal 0x...".
std::string disassemble(const DecodedInsn& d, uint64_t pc);
// Whether raw instruction bits are a vector instruction (RVV 1.0 section 5: major opcode
// OP-V, or LOAD-FP/STORE-FP with a vector width: 0, 5, 6, 7), whatever the hart supports.
constexpr bool is_vector_insn(uint32_t raw) {
  const uint32_t opcode = raw & 0x7f;
  const uint32_t width = (raw >> 12) & 7;
  if (opcode == 0x57) return true;
  return (opcode == 0x07 || opcode == 0x27) && (width == 0 || width >= 5);
}
std::string disassemble(uint32_t raw, uint64_t pc);

// ABI names: "zero", "ra", ... and "ft0", ...
const char* xreg_name(unsigned i);
const char* freg_name(unsigned i);

}  // namespace tiervm
