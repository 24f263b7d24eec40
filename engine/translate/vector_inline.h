#pragma once

// What the LLVM tiers may emit in line for a vector instruction's helper
// (engine/jit/llvm_lowering.cpp, issue 19 item 2). Every vector instruction stays one IR
// Call to its helper, which defines it: the interpreter and the baseline tier call it, and
// so does LLVM code wherever the inline form does not apply. A helper listed here also says
// which element operation it performs, so that where vtype is known when the code is
// compiled (after a vsetvli/vsetivli earlier in the same block), the LLVM tiers can run the
// elements as host vector operations instead. The differential tests run the same programs
// through the helpers (tier 0) and through the inline code (tier 2) and compare.

#include <cstdint>
#include <span>
#include <utility>

#include "engine/ir.h"

namespace tiervm {

enum class VInlineKind : uint8_t {
  Keep,        // another vector instruction: leaves vtype as it is (or traps)
  Vset,        // vsetvli / vsetivli: vtype from the instruction word
  Binary,      // single-width integer element operation (h_binary)
  Widen,       // widening integer element operation (h_widen)
  Move,        // vmv.v.v/x/i (h_merge, unmasked form)
  Extend,      // vzext/vsext.vf2/4/8 (h_extend): factor in `eew`, sign in `signed_a`
  FBinary,     // single-width FP arithmetic and multiply-add (h_fbinary)
  UnitLoad,    // vle<eew>.v (nf = 1)
  UnitStore,   // vse<eew>.v (nf = 1)
  WholeLoad,   // vl<nf>re<eew>.v
  WholeStore,  // vs<nf>r.v
};

// The element operations, named as the helpers' operation structs are
// (engine/translate/vector_int.cpp): d is vd's element, a vs2's, b the second operand.
enum class VElemOp : uint8_t {
  Add,
  Sub,
  Rsub,
  And,
  Or,
  Xor,
  Sll,
  Srl,
  Sra,
  Minu,
  Maxu,
  Min,
  Max,
  Mul,
  Macc,
  Nmsac,
  Madd,
  Nmsub,
  WAdd,
  WSub,
  WMul,
  WMacc,
  // FP (engine/translate/vector_fp.cpp): a is vs2's element, b vs1's or f[rs1], d vd's.
  FAdd,
  FSub,
  FRsub,
  FMul,
  FDiv,
  FRdiv,
  FMacc,   // +(b * a) + d
  FNmacc,  // -(b * a) - d
  FMsac,   // +(b * a) - d
  FNmsac,  // -(b * a) + d
  FMadd,   // +(b * d) + a
  FNmadd,  // -(b * d) - a
  FMsub,   // +(b * d) - a
  FNmsub,  // -(b * d) + a
};

// The second operand: vs1, x[rs1], simm5, uimm5 (engine/translate/vector_run.h Src).
enum class VOperand : uint8_t { V, X, I, U };

struct VInline {
  VInlineKind kind = VInlineKind::Keep;
  VElemOp op = VElemOp::Add;
  VOperand src = VOperand::V;
  bool signed_a = false;  // widening: vs2's elements sign-extended
  bool signed_b = false;  // widening: the second operand's
  bool wide_a = false;    // widening .w forms: vs2 is already 2 * SEW wide
  uint8_t eew = 0;        // loads and stores: the element width in bits
};

using VInlineEntry = std::pair<IrHelper, VInline>;

// The inline description of `helper`, or nullptr for a helper that is not a vector
// instruction listed here (its call may change vtype).
const VInline* vector_inline(IrHelper helper);

// The entries of each vector file (engine/translate/vector_*.cpp).
std::span<const VInlineEntry> vector_config_inline();
std::span<const VInlineEntry> vector_int_inline();
std::span<const VInlineEntry> vector_mem_inline();
std::span<const VInlineEntry> vector_fp_inline();

}  // namespace tiervm
