// RV64M multiplication and division (unprivileged spec, chapter 7). Division by zero and
// signed overflow results are part of the IR ops' definitions (see engine/ir.h).
#include <array>

#include "engine/translate/emit_util.h"

namespace tiervm {

namespace {

using emit::reg_reg;

constexpr std::array kRows = {
    InsnDef{Ext::M, "0000001----------000-----0110011", "mul", "rd,rs1,rs2", reg_reg<IrOp::Mul>},
    InsnDef{Ext::M, "0000001----------001-----0110011", "mulh", "rd,rs1,rs2", reg_reg<IrOp::MulH>},
    InsnDef{Ext::M, "0000001----------010-----0110011", "mulhsu", "rd,rs1,rs2",
            reg_reg<IrOp::MulHSU>},
    InsnDef{Ext::M, "0000001----------011-----0110011", "mulhu", "rd,rs1,rs2",
            reg_reg<IrOp::MulHU>},
    InsnDef{Ext::M, "0000001----------100-----0110011", "div", "rd,rs1,rs2", reg_reg<IrOp::Div>},
    InsnDef{Ext::M, "0000001----------101-----0110011", "divu", "rd,rs1,rs2", reg_reg<IrOp::DivU>},
    InsnDef{Ext::M, "0000001----------110-----0110011", "rem", "rd,rs1,rs2", reg_reg<IrOp::Rem>},
    InsnDef{Ext::M, "0000001----------111-----0110011", "remu", "rd,rs1,rs2", reg_reg<IrOp::RemU>},
    InsnDef{Ext::M, "0000001----------000-----0111011", "mulw", "rd,rs1,rs2", reg_reg<IrOp::MulW>},
    InsnDef{Ext::M, "0000001----------100-----0111011", "divw", "rd,rs1,rs2", reg_reg<IrOp::DivW>},
    InsnDef{Ext::M, "0000001----------101-----0111011", "divuw", "rd,rs1,rs2",
            reg_reg<IrOp::DivUW>},
    InsnDef{Ext::M, "0000001----------110-----0111011", "remw", "rd,rs1,rs2", reg_reg<IrOp::RemW>},
    InsnDef{Ext::M, "0000001----------111-----0111011", "remuw", "rd,rs1,rs2",
            reg_reg<IrOp::RemUW>},
};

}  // namespace

std::span<const InsnDef> muldiv_insns() {
  return kRows;
}

}  // namespace tiervm
