// RV64I loads and stores (unprivileged spec, sections 2.6 and 5.3). Address = rs1 + imm;
// a fault traps precisely at the instruction and leaves rd unwritten.
#include <array>

#include "engine/translate/emit_util.h"

namespace tiervm {

namespace {

template <IrOp O>
void load(IrBuilder& b, const DecodedInsn& d) {
  b.op(O, IrBuilder::xw(d.rd), IrBuilder::xr(d.rs1), 0, d.imm);
}

template <IrOp O>
void store(IrBuilder& b, const DecodedInsn& d) {
  b.op(O, kSlotSink, IrBuilder::xr(d.rs1), IrBuilder::xr(d.rs2), d.imm);
}

constexpr std::array kRows = {
    InsnDef{Ext::I, "-----------------000-----0000011", "lb", "rd,imm_i(rs1)", load<IrOp::Load8S>},
    InsnDef{Ext::I, "-----------------001-----0000011", "lh", "rd,imm_i(rs1)", load<IrOp::Load16S>},
    InsnDef{Ext::I, "-----------------010-----0000011", "lw", "rd,imm_i(rs1)", load<IrOp::Load32S>},
    InsnDef{Ext::I, "-----------------011-----0000011", "ld", "rd,imm_i(rs1)", load<IrOp::Load64>},
    InsnDef{Ext::I, "-----------------100-----0000011", "lbu", "rd,imm_i(rs1)", load<IrOp::Load8U>},
    InsnDef{Ext::I, "-----------------101-----0000011", "lhu", "rd,imm_i(rs1)",
            load<IrOp::Load16U>},
    InsnDef{Ext::I, "-----------------110-----0000011", "lwu", "rd,imm_i(rs1)",
            load<IrOp::Load32U>},
    InsnDef{Ext::I, "-----------------000-----0100011", "sb", "rs2,imm_s(rs1)",
            store<IrOp::Store8>},
    InsnDef{Ext::I, "-----------------001-----0100011", "sh", "rs2,imm_s(rs1)",
            store<IrOp::Store16>},
    InsnDef{Ext::I, "-----------------010-----0100011", "sw", "rs2,imm_s(rs1)",
            store<IrOp::Store32>},
    InsnDef{Ext::I, "-----------------011-----0100011", "sd", "rs2,imm_s(rs1)",
            store<IrOp::Store64>},
};

}  // namespace

std::span<const InsnDef> mem_insns() {
  return kRows;
}

}  // namespace tiervm
