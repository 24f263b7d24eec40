// Control transfer (unprivileged spec, section 2.5). Targets are offsets from the block
// start; link values are pc-relative, so a block is valid at any virtual address. With
// the C extension IALIGN = 16, so jal/branch targets are never misaligned and jalr only
// clears bit 0.
#include <array>

#include "engine/translate/emit_util.h"

namespace tiervm {

namespace {

using emit::next_offset;

void jal(IrBuilder& b, const DecodedInsn& d) {
  b.op(IrOp::PcRel, IrBuilder::xw(d.rd), 0, 0, next_offset(b, d));
  b.jump(b.insn_offset() + d.imm);
}

void jalr(IrBuilder& b, const DecodedInsn& d) {
  // The target is computed before rd is written: rd may equal rs1.
  const uint8_t target = b.temp();
  b.op(IrOp::AddImm, target, IrBuilder::xr(d.rs1), 0, d.imm);
  b.op(IrOp::AndImm, target, target, 0, -2);
  b.op(IrOp::PcRel, IrBuilder::xw(d.rd), 0, 0, next_offset(b, d));
  b.indirect(target);
}

template <IrOp Cmp>
void branch(IrBuilder& b, const DecodedInsn& d) {
  const uint8_t cond = b.temp();
  b.op(Cmp, cond, IrBuilder::xr(d.rs1), IrBuilder::xr(d.rs2));
  b.branch(cond, b.insn_offset() + d.imm, next_offset(b, d));
}

constexpr std::array kRows = {
    InsnDef{Ext::I, "-------------------------1101111", "jal", "rd,imm_j", jal},
    InsnDef{Ext::I, "-----------------000-----1100111", "jalr", "rd,imm_i(rs1)", jalr},
    InsnDef{Ext::I, "-----------------000-----1100011", "beq", "rs1,rs2,imm_b", branch<IrOp::Eq>},
    InsnDef{Ext::I, "-----------------001-----1100011", "bne", "rs1,rs2,imm_b", branch<IrOp::Ne>},
    InsnDef{Ext::I, "-----------------100-----1100011", "blt", "rs1,rs2,imm_b", branch<IrOp::Lt>},
    InsnDef{Ext::I, "-----------------101-----1100011", "bge", "rs1,rs2,imm_b", branch<IrOp::Ge>},
    InsnDef{Ext::I, "-----------------110-----1100011", "bltu", "rs1,rs2,imm_b", branch<IrOp::Ltu>},
    InsnDef{Ext::I, "-----------------111-----1100011", "bgeu", "rs1,rs2,imm_b", branch<IrOp::Geu>},
};

}  // namespace

std::span<const InsnDef> branch_insns() {
  return kRows;
}

}  // namespace tiervm
