// Zba (address generation) and Zbb (basic bit manipulation), bit-manipulation spec 1.0.0,
// RV64 encodings. Every instruction maps to one or two primitive IR ops.

#include <cstdint>
#include <span>

#include "engine/translate/emit_util.h"

namespace tiervm {

namespace {

using B = IrBuilder;
using emit::reg_imm;
using emit::reg_reg;
using emit::reg_unary;

// shNadd: rd = rs2 + (rs1 << N); with Uw the index is zero-extended from 32 bits first.
template <int N, bool Uw>
void emit_shadd(IrBuilder& b, const DecodedInsn& d) {
  uint8_t index = B::xr(d.rs1);
  if (Uw) {
    const uint8_t t = b.temp();
    b.op(IrOp::ZextW, t, index);
    index = t;
  }
  if (N != 0) {
    const uint8_t t = b.temp();
    b.op(IrOp::ShlImm, t, index, 0, N);
    index = t;
  }
  b.op(IrOp::Add, B::xw(d.rd), index, B::xr(d.rs2));
}

// slli.uw: rd = zext32(rs1) << shamt
void emit_slli_uw(IrBuilder& b, const DecodedInsn& d) {
  const uint8_t t = b.temp();
  b.op(IrOp::ZextW, t, B::xr(d.rs1));
  b.op(IrOp::ShlImm, B::xw(d.rd), t, 0, d.imm);
}

// andn/orn: rd = op(rs1, ~rs2)
template <IrOp Op>
void emit_inverted(IrBuilder& b, const DecodedInsn& d) {
  const uint8_t t = b.temp();
  b.op(IrOp::XorImm, t, B::xr(d.rs2), 0, -1);
  b.op(Op, B::xw(d.rd), B::xr(d.rs1), t);
}

// xnor: rd = ~(rs1 ^ rs2)
void emit_xnor(IrBuilder& b, const DecodedInsn& d) {
  const uint8_t t = b.temp();
  b.op(IrOp::Xor, t, B::xr(d.rs1), B::xr(d.rs2));
  b.op(IrOp::XorImm, B::xw(d.rd), t, 0, -1);
}

const InsnDef kBitmanipInsns[] = {
    // Zba
    {Ext::Zba, "0000100----------000-----0111011", "add.uw", "rd,rs1,rs2", emit_shadd<0, true>},
    {Ext::Zba, "0010000----------010-----0110011", "sh1add", "rd,rs1,rs2", emit_shadd<1, false>},
    {Ext::Zba, "0010000----------100-----0110011", "sh2add", "rd,rs1,rs2", emit_shadd<2, false>},
    {Ext::Zba, "0010000----------110-----0110011", "sh3add", "rd,rs1,rs2", emit_shadd<3, false>},
    {Ext::Zba, "0010000----------010-----0111011", "sh1add.uw", "rd,rs1,rs2", emit_shadd<1, true>},
    {Ext::Zba, "0010000----------100-----0111011", "sh2add.uw", "rd,rs1,rs2", emit_shadd<2, true>},
    {Ext::Zba, "0010000----------110-----0111011", "sh3add.uw", "rd,rs1,rs2", emit_shadd<3, true>},
    {Ext::Zba, "000010-----------001-----0011011", "slli.uw", "rd,rs1,shamt6", emit_slli_uw},
    // Zbb: logical with negate
    {Ext::Zbb, "0100000----------111-----0110011", "andn", "rd,rs1,rs2", emit_inverted<IrOp::And>},
    {Ext::Zbb, "0100000----------110-----0110011", "orn", "rd,rs1,rs2", emit_inverted<IrOp::Or>},
    {Ext::Zbb, "0100000----------100-----0110011", "xnor", "rd,rs1,rs2", emit_xnor},
    // Zbb: counts
    {Ext::Zbb, "011000000000-----001-----0010011", "clz", "rd,rs1", reg_unary<IrOp::Clz>},
    {Ext::Zbb, "011000000000-----001-----0011011", "clzw", "rd,rs1", reg_unary<IrOp::ClzW>},
    {Ext::Zbb, "011000000001-----001-----0010011", "ctz", "rd,rs1", reg_unary<IrOp::Ctz>},
    {Ext::Zbb, "011000000001-----001-----0011011", "ctzw", "rd,rs1", reg_unary<IrOp::CtzW>},
    {Ext::Zbb, "011000000010-----001-----0010011", "cpop", "rd,rs1", reg_unary<IrOp::Cpop>},
    {Ext::Zbb, "011000000010-----001-----0011011", "cpopw", "rd,rs1", reg_unary<IrOp::CpopW>},
    // Zbb: integer minimum/maximum
    {Ext::Zbb, "0000101----------110-----0110011", "max", "rd,rs1,rs2", reg_reg<IrOp::Max>},
    {Ext::Zbb, "0000101----------111-----0110011", "maxu", "rd,rs1,rs2", reg_reg<IrOp::MaxU>},
    {Ext::Zbb, "0000101----------100-----0110011", "min", "rd,rs1,rs2", reg_reg<IrOp::Min>},
    {Ext::Zbb, "0000101----------101-----0110011", "minu", "rd,rs1,rs2", reg_reg<IrOp::MinU>},
    // Zbb: sign and zero extension (zext.h is the RV64 packw encoding with rs2 = 0)
    {Ext::Zbb, "011000000100-----001-----0010011", "sext.b", "rd,rs1", reg_unary<IrOp::SextB>},
    {Ext::Zbb, "011000000101-----001-----0010011", "sext.h", "rd,rs1", reg_unary<IrOp::SextH>},
    {Ext::Zbb, "000010000000-----100-----0111011", "zext.h", "rd,rs1", reg_unary<IrOp::ZextH>},
    // Zbb: rotations (rori takes a 6-bit shamt on RV64, roriw a 5-bit one)
    {Ext::Zbb, "0110000----------001-----0110011", "rol", "rd,rs1,rs2", reg_reg<IrOp::Rol>},
    {Ext::Zbb, "0110000----------001-----0111011", "rolw", "rd,rs1,rs2", reg_reg<IrOp::RolW>},
    {Ext::Zbb, "0110000----------101-----0110011", "ror", "rd,rs1,rs2", reg_reg<IrOp::Ror>},
    {Ext::Zbb, "011000-----------101-----0010011", "rori", "rd,rs1,shamt6", reg_imm<IrOp::RorImm>},
    {Ext::Zbb, "0110000----------101-----0011011", "roriw", "rd,rs1,shamt5",
     reg_imm<IrOp::RorWImm>},
    {Ext::Zbb, "0110000----------101-----0111011", "rorw", "rd,rs1,rs2", reg_reg<IrOp::RorW>},
    // Zbb: byte operations (RV64 encodings)
    {Ext::Zbb, "001010000111-----101-----0010011", "orc.b", "rd,rs1", reg_unary<IrOp::OrcB>},
    {Ext::Zbb, "011010111000-----101-----0010011", "rev8", "rd,rs1", reg_unary<IrOp::Rev8>},
};

}  // namespace

std::span<const InsnDef> bitmanip_insns() {
  return kBitmanipInsns;
}

}  // namespace tiervm
