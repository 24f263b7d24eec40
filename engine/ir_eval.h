#pragma once

// The semantics of the primitive IR ops, inline so the interpreter's dispatch switch and
// this switch fold together. Every tier uses it: the interpreter directly, compiled code
// through tiervm_jit_eval for the ops it does not lower inline.
#include <bit>
#include <climits>
#include <cstdint>

#include "engine/ir.h"

namespace tiervm {

namespace ir_eval_detail {
inline uint64_t sx32(uint64_t v) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
}
inline int64_t s64(uint64_t v) {
  return static_cast<int64_t>(v);
}
inline uint64_t orc_b(uint64_t v) {
  uint64_t r = 0;
  for (unsigned i = 0; i < 8; ++i) {
    if ((v >> (i * 8)) & 0xff) r |= uint64_t{0xff} << (i * 8);
  }
  return r;
}
}  // namespace ir_eval_detail

[[gnu::always_inline]] inline uint64_t eval_alu_inline(IrOp op, uint64_t a, uint64_t b, uint64_t c,
                                                       int64_t imm) {
  using namespace ir_eval_detail;
  const uint64_t ui = static_cast<uint64_t>(imm);
  switch (op) {
    case IrOp::MovImm:
      return ui;
    case IrOp::Mov:
      return a;
    case IrOp::Add:
      return a + b;
    case IrOp::AddImm:
      return a + ui;
    case IrOp::Sub:
      return a - b;
    case IrOp::And:
      return a & b;
    case IrOp::AndImm:
      return a & ui;
    case IrOp::Or:
      return a | b;
    case IrOp::OrImm:
      return a | ui;
    case IrOp::Xor:
      return a ^ b;
    case IrOp::XorImm:
      return a ^ ui;
    case IrOp::Shl:
      return a << (b & 63);
    case IrOp::ShlImm:
      return a << (ui & 63);
    case IrOp::Shr:
      return a >> (b & 63);
    case IrOp::ShrImm:
      return a >> (ui & 63);
    case IrOp::Sar:
      return static_cast<uint64_t>(s64(a) >> (b & 63));
    case IrOp::SarImm:
      return static_cast<uint64_t>(s64(a) >> (ui & 63));
    case IrOp::AddW:
      return sx32(a + b);
    case IrOp::AddWImm:
      return sx32(a + ui);
    case IrOp::SubW:
      return sx32(a - b);
    case IrOp::ShlW:
      return sx32(static_cast<uint32_t>(a) << (b & 31));
    case IrOp::ShlWImm:
      return sx32(static_cast<uint32_t>(a) << (ui & 31));
    case IrOp::ShrW:
      return sx32(static_cast<uint32_t>(a) >> (b & 31));
    case IrOp::ShrWImm:
      return sx32(static_cast<uint32_t>(a) >> (ui & 31));
    case IrOp::SarW:
      return sx32(static_cast<uint32_t>(static_cast<int32_t>(a) >> (b & 31)));
    case IrOp::SarWImm:
      return sx32(static_cast<uint32_t>(static_cast<int32_t>(a) >> (ui & 31)));
    case IrOp::Eq:
      return a == b;
    case IrOp::Ne:
      return a != b;
    case IrOp::Lt:
      return s64(a) < s64(b);
    case IrOp::Ge:
      return s64(a) >= s64(b);
    case IrOp::Ltu:
      return a < b;
    case IrOp::Geu:
      return a >= b;
    case IrOp::LtImm:
      return s64(a) < imm;
    case IrOp::LtuImm:
      return a < ui;
    case IrOp::Select:
      return a ? b : c;
    case IrOp::Mul:
      return a * b;
    case IrOp::MulH:
      return static_cast<uint64_t>((static_cast<__int128>(s64(a)) * s64(b)) >> 64);
    case IrOp::MulHSU:
      return static_cast<uint64_t>((static_cast<__int128>(s64(a)) *
                                    static_cast<__int128>(static_cast<unsigned __int128>(b))) >>
                                   64);
    case IrOp::MulHU:
      return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
    case IrOp::MulW:
      return sx32(a * b);
    case IrOp::Div:
      if (b == 0) return ~uint64_t{0};
      if (s64(a) == INT64_MIN && s64(b) == -1) return a;
      return static_cast<uint64_t>(s64(a) / s64(b));
    case IrOp::DivU:
      return b == 0 ? ~uint64_t{0} : a / b;
    case IrOp::Rem:
      if (b == 0) return a;
      if (s64(a) == INT64_MIN && s64(b) == -1) return 0;
      return static_cast<uint64_t>(s64(a) % s64(b));
    case IrOp::RemU:
      return b == 0 ? a : a % b;
    case IrOp::DivW: {
      const int32_t x = static_cast<int32_t>(a), y = static_cast<int32_t>(b);
      if (y == 0) return ~uint64_t{0};
      if (x == INT32_MIN && y == -1) return sx32(static_cast<uint32_t>(x));
      return sx32(static_cast<uint32_t>(x / y));
    }
    case IrOp::DivUW: {
      const uint32_t x = static_cast<uint32_t>(a), y = static_cast<uint32_t>(b);
      return y == 0 ? ~uint64_t{0} : sx32(x / y);
    }
    case IrOp::RemW: {
      const int32_t x = static_cast<int32_t>(a), y = static_cast<int32_t>(b);
      if (y == 0) return sx32(static_cast<uint32_t>(x));
      if (x == INT32_MIN && y == -1) return 0;
      return sx32(static_cast<uint32_t>(x % y));
    }
    case IrOp::RemUW: {
      const uint32_t x = static_cast<uint32_t>(a), y = static_cast<uint32_t>(b);
      return y == 0 ? sx32(x) : sx32(x % y);
    }
    case IrOp::SextB:
      return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(a)));
    case IrOp::SextH:
      return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(a)));
    case IrOp::SextW:
      return sx32(a);
    case IrOp::ZextB:
      return a & 0xff;
    case IrOp::ZextH:
      return a & 0xffff;
    case IrOp::ZextW:
      return a & 0xffffffffu;
    case IrOp::Clz:
      return static_cast<uint64_t>(std::countl_zero(a));
    case IrOp::Ctz:
      return static_cast<uint64_t>(std::countr_zero(a));
    case IrOp::Cpop:
      return static_cast<uint64_t>(std::popcount(a));
    case IrOp::ClzW:
      return static_cast<uint64_t>(std::countl_zero(static_cast<uint32_t>(a)));
    case IrOp::CtzW:
      return static_cast<uint64_t>(std::countr_zero(static_cast<uint32_t>(a)));
    case IrOp::CpopW:
      return static_cast<uint64_t>(std::popcount(static_cast<uint32_t>(a)));
    case IrOp::Rol:
      return std::rotl(a, static_cast<int>(b & 63));
    case IrOp::Ror:
      return std::rotr(a, static_cast<int>(b & 63));
    case IrOp::RorImm:
      return std::rotr(a, static_cast<int>(ui & 63));
    case IrOp::RolW:
      return sx32(std::rotl(static_cast<uint32_t>(a), static_cast<int>(b & 31)));
    case IrOp::RorW:
      return sx32(std::rotr(static_cast<uint32_t>(a), static_cast<int>(b & 31)));
    case IrOp::RorWImm:
      return sx32(std::rotr(static_cast<uint32_t>(a), static_cast<int>(ui & 31)));
    case IrOp::Min:
      return s64(a) < s64(b) ? a : b;
    case IrOp::Max:
      return s64(a) > s64(b) ? a : b;
    case IrOp::MinU:
      return a < b ? a : b;
    case IrOp::MaxU:
      return a > b ? a : b;
    case IrOp::OrcB:
      return orc_b(a);
    case IrOp::Rev8:
      return __builtin_bswap64(a);
    default:
      return 0;
  }
}

}  // namespace tiervm
