#pragma once

#include "engine/decoder.h"
#include "engine/ir.h"

namespace tiervm::emit {

// Shapes shared by many rows: one IR op over register or immediate operands.
template <IrOp O>
void reg_reg(IrBuilder& b, const DecodedInsn& d) {
  b.op(O, IrBuilder::xw(d.rd), IrBuilder::xr(d.rs1), IrBuilder::xr(d.rs2));
}

template <IrOp O>
void reg_imm(IrBuilder& b, const DecodedInsn& d) {
  b.op(O, IrBuilder::xw(d.rd), IrBuilder::xr(d.rs1), 0, d.imm);
}

template <IrOp O>
void reg_unary(IrBuilder& b, const DecodedInsn& d) {
  b.op(O, IrBuilder::xw(d.rd), IrBuilder::xr(d.rs1));
}

// Offset of the instruction after the current one, from the block start.
inline int64_t next_offset(const IrBuilder& b, const DecodedInsn& d) {
  return static_cast<int64_t>(b.insn_offset()) + d.length;
}

}  // namespace tiervm::emit
