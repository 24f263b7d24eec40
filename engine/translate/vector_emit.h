#pragma once

// What the vector rows (engine/translate/vector_*.cpp) share: every vector instruction is
// one IR Call to a helper that gets x[rs1] and x[rs2] and the instruction word as `imm`
// (it decodes its vector registers and vm from the word, engine/vector.h VFields).

#include "engine/decoder.h"
#include "engine/ir.h"

namespace tiervm::emit {

// An instruction that writes vector state only.
template <IrHelper H>
void vector_call(IrBuilder& b, const DecodedInsn& d) {
  b.call(H, kSlotSink, IrBuilder::xr(d.rs1), IrBuilder::xr(d.rs2), 0, d.word);
}

// One that also writes x[rd] (vsetvl*, vmv.x.s, vcpop.m, vfirst.m): the helper's result.
template <IrHelper H>
void vector_call_x(IrBuilder& b, const DecodedInsn& d) {
  b.call(H, IrBuilder::xw(d.rd), IrBuilder::xr(d.rs1), IrBuilder::xr(d.rs2), 0, d.word);
}

// A .vf form or vfmv.s.f/vfmv.v.f: the helper gets f[rs1] (raw, NaN-boxed or not) as its
// first operand.
template <IrHelper H>
void vector_call_f(IrBuilder& b, const DecodedInsn& d) {
  b.call(H, kSlotSink, IrBuilder::fr(d.rs1), IrBuilder::xr(d.rs2), 0, d.word);
}

// vfmv.f.s: the helper's result is f[rd].
template <IrHelper H>
void vector_call_fw(IrBuilder& b, const DecodedInsn& d) {
  b.call(H, IrBuilder::fr(d.rd), IrBuilder::xr(d.rs1), IrBuilder::xr(d.rs2), 0, d.word);
}

}  // namespace tiervm::emit

// Row patterns of the OP-V major opcode: funct6 | vm | vs2 | vs1/rs1/imm | funct3 | vd.
#define TIERVM_OPV(funct6, funct3) funct6 "-----------" funct3 "-----1010111"
#define TIERVM_OPV_VS1(funct6, vs1, funct3) funct6 "------" vs1 funct3 "-----1010111"
