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

// ---- The host-FPU fast path of the TIERVM_IR_FP ops (QEMU's "hardfloat" idea). The
// helper (soft-float) defines each op; the host FPU gives the same bits in one instruction
// when nothing unusual can happen:
//   - arithmetic: the rounding mode is RNE (the host's, never changed), NX is already set
//     in fflags (whether this operation is inexact does not matter), the operands are
//     normal or zero (no NaN, infinity or subnormal: no invalid, no payload rules), and the
//     result is finite and above the smallest normal (no overflow, no underflow) or an
//     exact zero;
//   - compares: neither operand is a NaN (no invalid flag, no unordered result).
// Singles must be properly NaN-boxed (anything else reads as the canonical NaN). False
// sends the op to its helper.
namespace ir_eval_detail {
template <typename F>
struct FpBits;
template <>
struct FpBits<double> {
  using U = uint64_t;
  static constexpr U kExpShifted = uint64_t{0x7ff} << 53;  // exponent after dropping the sign
  static constexpr U kMinNormalShifted = uint64_t{1} << 53;
  static bool in(uint64_t reg, U& bits) {
    bits = reg;
    return true;
  }
  static uint64_t out(U bits) { return bits; }
};
template <>
struct FpBits<float> {
  using U = uint32_t;
  static constexpr U kExpShifted = uint32_t{0xff} << 24;
  static constexpr U kMinNormalShifted = uint32_t{1} << 24;
  static bool in(uint64_t reg, U& bits) {
    bits = static_cast<uint32_t>(reg);
    return (reg >> 32) == 0xffffffffu;
  }
  static uint64_t out(U bits) { return uint64_t{bits} | 0xffffffff00000000ull; }
};

// The magnitude's bits with the sign shifted out: zero, normal, and NaN tests are compares.
template <typename F>
typename FpBits<F>::U magnitude(typename FpBits<F>::U bits) {
  return static_cast<typename FpBits<F>::U>(bits << 1);
}
// m - 1 wraps a zero to the top and keeps subnormals below kMinNormalShifted - 1: two
// compares that must both hold (branches, not a flag computed from an `or`).
template <typename F>
bool zero_or_normal(typename FpBits<F>::U bits) {
  using B = FpBits<F>;
  const typename B::U m = magnitude<F>(bits);
  return static_cast<typename B::U>(m - 1) >=
             static_cast<typename B::U>(B::kMinNormalShifted - 1) &&
         m < B::kExpShifted;
}
// A result above the smallest normal and finite: no overflow, no underflow.
template <typename F>
bool normal_above_min(typename FpBits<F>::U bits) {
  const typename FpBits<F>::U m = magnitude<F>(bits);
  return m > FpBits<F>::kMinNormalShifted && m < FpBits<F>::kExpShifted;
}
// The state in which a rounding op may take the host's result: NX already set (whether
// this op is inexact does not matter) and RNE, static or dynamic (rm field 7: frm).
inline bool host_rounding_ok(int64_t imm, uint32_t fflags, uint32_t frm) {
  const uint32_t rm = static_cast<uint32_t>(imm) & 7;
  return (fflags & 1) != 0 && (rm == 7 ? frm : rm) == 0;
}
template <typename F>
bool is_nan(typename FpBits<F>::U bits) {
  return magnitude<F>(bits) > FpBits<F>::kExpShifted;
}

enum class FpKind : uint8_t { Add, Sub, Mul, Div, Sqrt, Eq, Lt, Le };

template <typename F, FpKind kKind>
[[gnu::always_inline]] inline bool fp_host(uint64_t a, uint64_t b, uint64_t& out) {
  using B = FpBits<F>;
  typename B::U xb;
  typename B::U yb;
  if (!B::in(a, xb) || !B::in(b, yb)) return false;
  const F x = std::bit_cast<F>(xb);
  const F y = std::bit_cast<F>(yb);
  if constexpr (kKind == FpKind::Eq || kKind == FpKind::Lt || kKind == FpKind::Le) {
    if (is_nan<F>(xb) || is_nan<F>(yb)) return false;
    out = kKind == FpKind::Eq ? x == y : kKind == FpKind::Lt ? x < y : x <= y;
    return true;
  } else {
    const bool x_zero = magnitude<F>(xb) == 0;
    const bool y_zero = magnitude<F>(yb) == 0;
    F r;
    if constexpr (kKind == FpKind::Sqrt) {
      // sqrt of a negative normal is invalid; sqrt(-0) = -0 exactly.
      if (!zero_or_normal<F>(xb) || (!x_zero && (xb >> (sizeof(F) * 8 - 1)) != 0)) return false;
      if constexpr (sizeof(F) == 4) {
        r = __builtin_sqrtf(x);
      } else {
        r = __builtin_sqrt(x);
      }
    } else {
      if (!zero_or_normal<F>(xb) || !zero_or_normal<F>(yb)) return false;
      if constexpr (kKind == FpKind::Add) r = x + y;
      if constexpr (kKind == FpKind::Sub) r = x - y;
      if constexpr (kKind == FpKind::Mul) r = x * y;
      if constexpr (kKind == FpKind::Div) {
        if (y_zero) return false;  // division by zero raises DZ
        r = x / y;
      }
    }
    const typename B::U rb = std::bit_cast<typename B::U>(r);
    if (normal_above_min<F>(rb)) {
      out = B::out(rb);
      return true;
    }
    // A zero is exact for add/sub (x - x) or with a zero operand of mul/div/sqrt; a zero
    // from two non-zero factors is an underflow and needs the soft path for its flags.
    if (magnitude<F>(rb) != 0) return false;
    const bool exact =
        kKind == FpKind::Add || kKind == FpKind::Sub || x_zero || (kKind == FpKind::Mul && y_zero);
    if (!exact) return false;
    out = B::out(rb);
    return true;
  }
}
}  // namespace ir_eval_detail

// An FP op writes an f register (FS becomes Dirty) unless it is a compare.
constexpr bool ir_fp_writes_freg(IrOp op) {
  return op != IrOp::FEqD && op != IrOp::FLtD && op != IrOp::FLeD && op != IrOp::FEqS &&
         op != IrOp::FLtS && op != IrOp::FLeS;
}

// The fast path of a TIERVM_IR_FP op: true with the result in `out`, false when the op
// must go to its helper. `fflags` and `frm` are the hart's.
[[gnu::always_inline]] inline bool eval_fp_host(IrOp op, uint64_t a, uint64_t b, int64_t imm,
                                                uint32_t fflags, uint32_t frm, uint64_t& out) {
  using namespace ir_eval_detail;
  if (ir_fp_writes_freg(op) && !host_rounding_ok(imm, fflags, frm)) return false;
  switch (op) {
    case IrOp::FAddD:
      return fp_host<double, FpKind::Add>(a, b, out);
    case IrOp::FSubD:
      return fp_host<double, FpKind::Sub>(a, b, out);
    case IrOp::FMulD:
      return fp_host<double, FpKind::Mul>(a, b, out);
    case IrOp::FDivD:
      return fp_host<double, FpKind::Div>(a, b, out);
    case IrOp::FSqrtD:
      return fp_host<double, FpKind::Sqrt>(a, a, out);
    case IrOp::FAddS:
      return fp_host<float, FpKind::Add>(a, b, out);
    case IrOp::FSubS:
      return fp_host<float, FpKind::Sub>(a, b, out);
    case IrOp::FMulS:
      return fp_host<float, FpKind::Mul>(a, b, out);
    case IrOp::FDivS:
      return fp_host<float, FpKind::Div>(a, b, out);
    case IrOp::FSqrtS:
      return fp_host<float, FpKind::Sqrt>(a, a, out);
    case IrOp::FEqD:
      return fp_host<double, FpKind::Eq>(a, b, out);
    case IrOp::FLtD:
      return fp_host<double, FpKind::Lt>(a, b, out);
    case IrOp::FLeD:
      return fp_host<double, FpKind::Le>(a, b, out);
    case IrOp::FEqS:
      return fp_host<float, FpKind::Eq>(a, b, out);
    case IrOp::FLtS:
      return fp_host<float, FpKind::Lt>(a, b, out);
    case IrOp::FLeS:
      return fp_host<float, FpKind::Le>(a, b, out);
    default:
      return false;
  }
}

}  // namespace tiervm
