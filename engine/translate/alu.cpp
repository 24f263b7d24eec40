// RV64I integer computational instructions (unprivileged spec, sections 2.4 and 5.2).
#include <array>

#include "engine/translate/emit_util.h"

namespace tiervm {

namespace {

using emit::reg_imm;
using emit::reg_reg;

void lui(IrBuilder& b, const DecodedInsn& d) {
  b.mov_imm(IrBuilder::xw(d.rd), d.imm);
}

void auipc(IrBuilder& b, const DecodedInsn& d) {
  b.op(IrOp::PcRel, IrBuilder::xw(d.rd), 0, 0, b.insn_offset() + d.imm);
}

constexpr std::array kRows = {
    InsnDef{Ext::I, "-------------------------0110111", "lui", "rd,imm_u", lui},
    InsnDef{Ext::I, "-------------------------0010111", "auipc", "rd,imm_u", auipc},
    InsnDef{Ext::I, "-----------------000-----0010011", "addi", "rd,rs1,imm_i",
            reg_imm<IrOp::AddImm>},
    InsnDef{Ext::I, "-----------------010-----0010011", "slti", "rd,rs1,imm_i",
            reg_imm<IrOp::LtImm>},
    InsnDef{Ext::I, "-----------------011-----0010011", "sltiu", "rd,rs1,imm_i",
            reg_imm<IrOp::LtuImm>},
    InsnDef{Ext::I, "-----------------100-----0010011", "xori", "rd,rs1,imm_i",
            reg_imm<IrOp::XorImm>},
    InsnDef{Ext::I, "-----------------110-----0010011", "ori", "rd,rs1,imm_i",
            reg_imm<IrOp::OrImm>},
    InsnDef{Ext::I, "-----------------111-----0010011", "andi", "rd,rs1,imm_i",
            reg_imm<IrOp::AndImm>},
    InsnDef{Ext::I, "000000-----------001-----0010011", "slli", "rd,rs1,shamt6",
            reg_imm<IrOp::ShlImm>},
    InsnDef{Ext::I, "000000-----------101-----0010011", "srli", "rd,rs1,shamt6",
            reg_imm<IrOp::ShrImm>},
    InsnDef{Ext::I, "010000-----------101-----0010011", "srai", "rd,rs1,shamt6",
            reg_imm<IrOp::SarImm>},
    InsnDef{Ext::I, "0000000----------000-----0110011", "add", "rd,rs1,rs2", reg_reg<IrOp::Add>},
    InsnDef{Ext::I, "0100000----------000-----0110011", "sub", "rd,rs1,rs2", reg_reg<IrOp::Sub>},
    InsnDef{Ext::I, "0000000----------001-----0110011", "sll", "rd,rs1,rs2", reg_reg<IrOp::Shl>},
    InsnDef{Ext::I, "0000000----------010-----0110011", "slt", "rd,rs1,rs2", reg_reg<IrOp::Lt>},
    InsnDef{Ext::I, "0000000----------011-----0110011", "sltu", "rd,rs1,rs2", reg_reg<IrOp::Ltu>},
    InsnDef{Ext::I, "0000000----------100-----0110011", "xor", "rd,rs1,rs2", reg_reg<IrOp::Xor>},
    InsnDef{Ext::I, "0000000----------101-----0110011", "srl", "rd,rs1,rs2", reg_reg<IrOp::Shr>},
    InsnDef{Ext::I, "0100000----------101-----0110011", "sra", "rd,rs1,rs2", reg_reg<IrOp::Sar>},
    InsnDef{Ext::I, "0000000----------110-----0110011", "or", "rd,rs1,rs2", reg_reg<IrOp::Or>},
    InsnDef{Ext::I, "0000000----------111-----0110011", "and", "rd,rs1,rs2", reg_reg<IrOp::And>},
    InsnDef{Ext::I, "-----------------000-----0011011", "addiw", "rd,rs1,imm_i",
            reg_imm<IrOp::AddWImm>},
    InsnDef{Ext::I, "0000000----------001-----0011011", "slliw", "rd,rs1,shamt5",
            reg_imm<IrOp::ShlWImm>},
    InsnDef{Ext::I, "0000000----------101-----0011011", "srliw", "rd,rs1,shamt5",
            reg_imm<IrOp::ShrWImm>},
    InsnDef{Ext::I, "0100000----------101-----0011011", "sraiw", "rd,rs1,shamt5",
            reg_imm<IrOp::SarWImm>},
    InsnDef{Ext::I, "0000000----------000-----0111011", "addw", "rd,rs1,rs2", reg_reg<IrOp::AddW>},
    InsnDef{Ext::I, "0100000----------000-----0111011", "subw", "rd,rs1,rs2", reg_reg<IrOp::SubW>},
    InsnDef{Ext::I, "0000000----------001-----0111011", "sllw", "rd,rs1,rs2", reg_reg<IrOp::ShlW>},
    InsnDef{Ext::I, "0000000----------101-----0111011", "srlw", "rd,rs1,rs2", reg_reg<IrOp::ShrW>},
    InsnDef{Ext::I, "0100000----------101-----0111011", "sraw", "rd,rs1,rs2", reg_reg<IrOp::SarW>},
};

}  // namespace

std::span<const InsnDef> alu_insns() {
  return kRows;
}

}  // namespace tiervm
