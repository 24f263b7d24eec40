#include "engine/translate/vector_inline.h"

#include <unordered_map>

#include "engine/decoder.h"

namespace tiervm {

namespace {

// Every helper the vector rows outside the configuration rows call: none changes vtype
// (vsetvl, which does, is a configuration row). Found by running each row's emitter.
void add_kept_helpers(std::unordered_map<IrHelper, VInline>& t) {
  for (auto rows :
       {vector_mem_insns(), vector_int_insns(), vector_fixed_insns(), vector_fp_insns()}) {
    for (const InsnDef& row : rows) {
      IrBlock block;
      IrBuilder b(block, TranslateFlags{true});
      b.begin_insn(0, 0);
      DecodedInsn d;
      d.def = &row;
      row.emit(b, d);
      for (const IrInsn& i : block.insns) {
        if (i.op == IrOp::Call && i.helper != nullptr) t.emplace(i.helper, VInline{});
      }
    }
  }
}

}  // namespace

const VInline* vector_inline(IrHelper helper) {
  static const std::unordered_map<IrHelper, VInline> table = [] {
    std::unordered_map<IrHelper, VInline> t;
    for (auto part :
         {vector_config_inline(), vector_int_inline(), vector_mem_inline(), vector_fp_inline()}) {
      for (const VInlineEntry& e : part) t.emplace(e.first, e.second);
    }
    add_kept_helpers(t);  // after the entries above, which it does not replace
    return t;
  }();
  const auto it = table.find(helper);
  return it == table.end() ? nullptr : &it->second;
}

}  // namespace tiervm
