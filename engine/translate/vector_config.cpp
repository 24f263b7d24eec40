// Vector configuration (RVV 1.0 section 6): vsetvli, vsetivli, vsetvl. Each is a helper
// that applies vsetvl_rule (engine/vector.cpp) and writes vl, vtype, vstart = 0 and x[rd].

#include <cstdint>
#include <span>

#include "engine/decoder.h"
#include "engine/hart.h"
#include "engine/ir.h"
#include "engine/translate/vector_emit.h"
#include "engine/translate/vector_inline.h"
#include "engine/vector.h"

namespace tiervm {

namespace {

enum class VsetForm { Vli, Vili, Vl };

template <VsetForm Form>
uint64_t vset_helper(Hart& hart, uint64_t rs1_value, uint64_t rs2_value, uint64_t, int64_t imm) {
  HartState& s = hart.s;
  const VFields f(imm);
  if (!vector_enabled(s)) return vector_illegal(hart, f.word);
  uint64_t new_vtype = 0;
  AvlKind kind = AvlKind::Value;
  uint64_t avl = rs1_value;
  switch (Form) {
    case VsetForm::Vli:
      new_vtype = vset_zimm(f.word);
      break;
    case VsetForm::Vili:
      new_vtype = vset_zimm(f.word);
      avl = f.vs1;  // uimm5
      break;
    case VsetForm::Vl:
      new_vtype = rs2_value;
      break;
  }
  if (Form != VsetForm::Vili && f.vs1 == 0) kind = f.vd != 0 ? AvlKind::Max : AvlKind::KeepVl;
  const VConfig c = vsetvl_rule(s.vlenb, kind, avl, s.vl, new_vtype);
  s.vl = c.vl;
  s.vtype = c.vtype;
  vector_end(s);
  return c.vl;
}

const InsnDef kRows[] = {
    {Ext::V, "0----------------111-----1010111", "vsetvli", "rd,rs1,vtypei",
     emit::vector_call_x<vset_helper<VsetForm::Vli>>},
    {Ext::V, "11---------------111-----1010111", "vsetivli", "rd,uimm5,vtypei",
     emit::vector_call_x<vset_helper<VsetForm::Vili>>},
    {Ext::V, "1000000----------111-----1010111", "vsetvl", "rd,rs1,rs2",
     emit::vector_call_x<vset_helper<VsetForm::Vl>>},
};

// vsetvl takes vtype from a register: not listed, so the LLVM tiers forget vtype after it.
const VInlineEntry kInline[] = {
    {&vset_helper<VsetForm::Vli>, {VInlineKind::Vset}},
    {&vset_helper<VsetForm::Vili>, {VInlineKind::Vset}},
};

}  // namespace

std::span<const InsnDef> vector_config_insns() {
  return kRows;
}

std::span<const VInlineEntry> vector_config_inline() {
  return kInline;
}

}  // namespace tiervm
