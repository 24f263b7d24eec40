#pragma once

// The semantics of the primitive IR ops, inline so the interpreter's dispatch switch and
// this switch fold together. Every tier uses it: the interpreter directly, compiled code
// through tiervm_jit_eval for the ops it does not lower inline.
#include <bit>
#include <climits>
#include <cstdint>
#include <type_traits>

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
//     in fflags (whether this operation is inexact does not matter), and the result is
//     finite and normal, or a zero that is exact. Then IEEE 754 fixes the result's bits
//     and no flag but NX can have been raised. The operands need no test: a NaN or an
//     infinity gives a NaN or an infinity (refused), and a subnormal operand is computed
//     exactly (the host's MXCSR does not flush them: DAZ and FTZ stay off);
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
// A finite result above the smallest normal: no overflow, no underflow. (The smallest
// normal itself may be a tiny result rounded up, which raises UF: tininess is judged on
// the result rounded with an unbounded exponent.) One unsigned compare: m - (min + 1) < exp - (min
// + 1).
template <typename F>
bool normal_above_min(typename FpBits<F>::U bits) {
  using U = typename FpBits<F>::U;
  constexpr U kLow = FpBits<F>::kMinNormalShifted + 1;
  return static_cast<U>(magnitude<F>(bits) - kLow) < static_cast<U>(FpBits<F>::kExpShifted - kLow);
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
    F r;
    if constexpr (kKind == FpKind::Sqrt) {
      if constexpr (sizeof(F) == 4) {
        r = __builtin_sqrtf(x);
      } else {
        r = __builtin_sqrt(x);
      }
    }
    if constexpr (kKind == FpKind::Add) r = x + y;
    if constexpr (kKind == FpKind::Sub) r = x - y;
    if constexpr (kKind == FpKind::Mul) r = x * y;
    if constexpr (kKind == FpKind::Div) r = x / y;
    const typename B::U rb = std::bit_cast<typename B::U>(r);
    if (normal_above_min<F>(rb)) [[likely]] {
      out = B::out(rb);
      return true;
    }
    // A zero is exact for add/sub (a sum that rounds to zero is zero) and sqrt (only of
    // +-0); for mul with a zero factor and div with a zero dividend. A zero from two
    // non-zero factors is an underflow and needs the soft path for its flags.
    if (magnitude<F>(rb) != 0) return false;
    bool exact = true;
    if constexpr (kKind == FpKind::Mul) exact = magnitude<F>(xb) == 0 || magnitude<F>(yb) == 0;
    if constexpr (kKind == FpKind::Div) exact = magnitude<F>(xb) == 0;
    if (!exact) return false;
    out = B::out(rb);
    return true;
  }
}

// fma(+-x, y, +-z): the host's fused multiply-add gives the soft-float bits for a result
// above the smallest normal (one rounding on both sides) or a zero with a zero factor
// (then the result is the addend's zero, exactly). A cancellation to zero or a tiny
// result is left to the helper, and so is every case when kInline is false (code built
// without the host's FMA instructions, where the builtin would be a library call).
template <typename F, bool kNegProduct, bool kNegAddend, bool kInline>
[[gnu::always_inline]] inline bool fma_host(uint64_t a, uint64_t b, uint64_t c, uint64_t& out) {
  if constexpr (!kInline) return false;
  using B = FpBits<F>;
  typename B::U xb;
  typename B::U yb;
  typename B::U zb;
  if (!B::in(a, xb) || !B::in(b, yb) || !B::in(c, zb)) return false;
  constexpr typename B::U kSign =
      static_cast<typename B::U>(typename B::U{1} << (sizeof(F) * 8 - 1));
  if constexpr (kNegProduct) xb ^= kSign;
  if constexpr (kNegAddend) zb ^= kSign;
  F r;
  if constexpr (sizeof(F) == 4) {
    r = __builtin_fmaf(std::bit_cast<F>(xb), std::bit_cast<F>(yb), std::bit_cast<F>(zb));
  } else {
    r = __builtin_fma(std::bit_cast<F>(xb), std::bit_cast<F>(yb), std::bit_cast<F>(zb));
  }
  const typename B::U rb = std::bit_cast<typename B::U>(r);
  if (normal_above_min<F>(rb)) [[likely]] {
    out = B::out(rb);
    return true;
  }
  if (magnitude<F>(rb) != 0 || (magnitude<F>(xb) != 0 && magnitude<F>(yb) != 0)) return false;
  out = B::out(rb);
  return true;
}

// Integer to float. Exact ones (32-bit integers to double) have no rounding to do; the
// others follow the host's RNE (the caller checked NX and the mode). No overflow: 2^64 is
// far below the largest single.
// (Unsigned 64-bit values go through the signed conversion, which the callers allow below
// 2^63 only: the unsigned one needs a constant pool, which a stencil cannot have.)
template <typename F, typename Int>
[[gnu::always_inline]] inline uint64_t int_to_fp(uint64_t a) {
  using Via = std::conditional_t<std::is_same_v<Int, uint64_t>, int64_t, Int>;
  return FpBits<F>::out(std::bit_cast<typename FpBits<F>::U>(static_cast<F>(static_cast<Via>(a))));
}

// Float to integer, rounding toward zero (the C cast): an operand strictly inside the
// range (NaN fails both compares) truncates to the value the helper gives; its NX is
// already set (the caller checked). W results are sign-extended.
template <typename F, typename Int>
[[gnu::always_inline]] inline bool fp_to_int_rtz(uint64_t a, uint64_t& out) {
  using B = FpBits<F>;
  typename B::U xb;
  if (!B::in(a, xb)) return false;
  // In range: |x| < 2^k (k = 31, 32, 63 or 63 for i32, u32, i64, u64), tested on the
  // exponent bits (an FP constant would need a constant pool, which a stencil cannot
  // have); unsigned also needs x >= 0 (-0 included). NaN and infinity fail. (-2^31 and
  // -2^63 and negative fractions for unsigned are in range but left to the helper.)
  using U = typename FpBits<F>::U;
  constexpr unsigned kBits = std::is_signed_v<Int> || sizeof(Int) == 8 ? sizeof(Int) * 8 - 1 : 32;
  constexpr unsigned kMantissa = sizeof(F) == 4 ? 23 : 52;
  constexpr U kBias = sizeof(F) == 4 ? 127 : 1023;
  constexpr U kLimit = static_cast<U>((kBias + kBits) << (kMantissa + 1));
  const U m = magnitude<F>(xb);
  if (m >= kLimit) return false;
  if constexpr (!std::is_signed_v<Int>) {
    if ((xb >> (sizeof(F) * 8 - 1)) != 0 && m != 0) return false;
  }
  using Via = std::conditional_t<std::is_same_v<Int, uint64_t>, int64_t, Int>;
  const Int v = static_cast<Int>(static_cast<Via>(std::bit_cast<F>(xb)));
  if constexpr (sizeof(Int) == 4) {
    out = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
  } else {
    out = static_cast<uint64_t>(v);
  }
  return true;
}

// minimumNumber/maximumNumber without NaNs: the smaller (larger) value, -0 below +0.
template <typename F, bool kMax>
[[gnu::always_inline]] inline bool min_max_host(uint64_t a, uint64_t b, uint64_t& out) {
  using B = FpBits<F>;
  typename B::U xb;
  typename B::U yb;
  if (!B::in(a, xb) || !B::in(b, yb)) return false;
  if (is_nan<F>(xb) || is_nan<F>(yb)) return false;
  const F x = std::bit_cast<F>(xb);
  const F y = std::bit_cast<F>(yb);
  typename B::U r;
  if (magnitude<F>(xb) == 0 && magnitude<F>(yb) == 0) {
    r = kMax ? (xb & yb) : (xb | yb);  // a sign bit set means -0
  } else {
    r = (kMax ? x > y : x < y) ? xb : yb;
  }
  out = B::out(r);
  return true;
}
}  // namespace ir_eval_detail

// An FP op writes an f register (FS becomes Dirty) unless it is a compare or a conversion
// to an integer.
constexpr bool ir_fp_writes_freg(IrOp op) {
  switch (op) {
    case IrOp::FEqD:
    case IrOp::FLtD:
    case IrOp::FLeD:
    case IrOp::FEqS:
    case IrOp::FLtS:
    case IrOp::FLeS:
    case IrOp::FCvtWD:
    case IrOp::FCvtWUD:
    case IrOp::FCvtLD:
    case IrOp::FCvtLUD:
    case IrOp::FCvtWS:
    case IrOp::FCvtWUS:
    case IrOp::FCvtLS:
    case IrOp::FCvtLUS:
      return false;
    default:
      return true;
  }
}

// An FP op whose immediate carries a rounding mode (the others ignore it).
constexpr bool ir_fp_uses_rm(IrOp op) {
  switch (op) {
    case IrOp::FEqD:
    case IrOp::FLtD:
    case IrOp::FLeD:
    case IrOp::FEqS:
    case IrOp::FLtS:
    case IrOp::FLeS:
    case IrOp::FMinD:
    case IrOp::FMaxD:
    case IrOp::FMinS:
    case IrOp::FMaxS:
    case IrOp::FSgnjS:
    case IrOp::FSgnjnS:
    case IrOp::FSgnjxS:
      return false;
    default:
      return true;
  }
}

// The fast path of a TIERVM_IR_FP op: true with the result in `out`, false when the op
// must go to its helper. `fflags`, `frm` are the hart's, `fs_dirty` whether mstatus.FS is
// Dirty (a conversion to an integer that is inexact marks it, as its helper would).
// kInlineFma false leaves the fused multiply-adds to their helper (code built without the
// host's FMA instructions, where the builtin would be a library call: the stencils).
template <bool kInlineFma = true>
[[gnu::always_inline]] inline bool eval_fp_host(IrOp op, uint64_t a, uint64_t b, uint64_t c,
                                                int64_t imm, uint32_t fflags, uint32_t frm,
                                                bool fs_dirty, uint64_t& out) {
  using namespace ir_eval_detail;
  const uint32_t rm = static_cast<uint32_t>(imm) & 7;
  const uint32_t mode = rm == 7 ? frm : rm;
  switch (op) {
    // Exact: no rounding, no flag; a dynamic rm still needs a valid frm (else the helper
    // raises the illegal instruction).
    case IrOp::FCvtDW:
      if (mode > 4) return false;
      out = int_to_fp<double, int32_t>(a);
      return true;
    case IrOp::FCvtDWU:
      if (mode > 4) return false;
      out = int_to_fp<double, uint32_t>(a);
      return true;
    case IrOp::FCvtDS: {
      uint32_t xb;
      if (mode > 4 || !FpBits<float>::in(a, xb) || is_nan<float>(xb)) return false;
      out = std::bit_cast<uint64_t>(static_cast<double>(std::bit_cast<float>(xb)));
      return true;
    }
    // No rounding: sign injection of boxed singles, min/max of non-NaNs.
    case IrOp::FSgnjS:
    case IrOp::FSgnjnS:
    case IrOp::FSgnjxS: {
      if ((a >> 32) != 0xffffffffu || (b >> 32) != 0xffffffffu) return false;
      uint64_t sign = b & 0x80000000u;
      if (op == IrOp::FSgnjnS) sign ^= 0x80000000u;
      if (op == IrOp::FSgnjxS) sign ^= a & 0x80000000u;
      out = (a & ~uint64_t{0x80000000u}) | sign;
      return true;
    }
    case IrOp::FMinD:
      return min_max_host<double, false>(a, b, out);
    case IrOp::FMaxD:
      return min_max_host<double, true>(a, b, out);
    case IrOp::FMinS:
      return min_max_host<float, false>(a, b, out);
    case IrOp::FMaxS:
      return min_max_host<float, true>(a, b, out);
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
      break;
  }
  // Float to integer: truncation (rm RTZ) with NX already set and FS already Dirty.
  switch (op) {
    case IrOp::FCvtWD:
    case IrOp::FCvtWUD:
    case IrOp::FCvtLD:
    case IrOp::FCvtLUD:
    case IrOp::FCvtWS:
    case IrOp::FCvtWUS:
    case IrOp::FCvtLS:
    case IrOp::FCvtLUS:
      if (mode != 1 || (fflags & 1) == 0 || !fs_dirty) return false;
      break;
    default:
      if (!host_rounding_ok(imm, fflags, frm)) return false;
      break;
  }
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
    case IrOp::FMAddD:
      return fma_host<double, false, false, kInlineFma>(a, b, c, out);
    case IrOp::FMSubD:
      return fma_host<double, false, true, kInlineFma>(a, b, c, out);
    case IrOp::FNMSubD:
      return fma_host<double, true, false, kInlineFma>(a, b, c, out);
    case IrOp::FNMAddD:
      return fma_host<double, true, true, kInlineFma>(a, b, c, out);
    case IrOp::FMAddS:
      return fma_host<float, false, false, kInlineFma>(a, b, c, out);
    case IrOp::FMSubS:
      return fma_host<float, false, true, kInlineFma>(a, b, c, out);
    case IrOp::FNMSubS:
      return fma_host<float, true, false, kInlineFma>(a, b, c, out);
    case IrOp::FNMAddS:
      return fma_host<float, true, true, kInlineFma>(a, b, c, out);
    case IrOp::FCvtDL:
      out = int_to_fp<double, int64_t>(a);
      return true;
    case IrOp::FCvtDLU:
      if ((a >> 63) != 0) return false;
      out = int_to_fp<double, uint64_t>(a);
      return true;
    case IrOp::FCvtSW:
      out = int_to_fp<float, int32_t>(a);
      return true;
    case IrOp::FCvtSWU:
      out = int_to_fp<float, uint32_t>(a);
      return true;
    case IrOp::FCvtSL:
      out = int_to_fp<float, int64_t>(a);
      return true;
    case IrOp::FCvtSLU:
      if ((a >> 63) != 0) return false;
      out = int_to_fp<float, uint64_t>(a);
      return true;
    case IrOp::FCvtSD: {
      // Narrowing: refused unless the single is above its smallest normal or an exact zero
      // (NaN and infinity included in the refusal).
      const float r = static_cast<float>(std::bit_cast<double>(a));
      const uint32_t rb = std::bit_cast<uint32_t>(r);
      if (!normal_above_min<float>(rb) && !(magnitude<float>(rb) == 0 && (a << 1) == 0)) {
        return false;
      }
      out = FpBits<float>::out(rb);
      return true;
    }
    case IrOp::FCvtWD:
      return fp_to_int_rtz<double, int32_t>(a, out);
    case IrOp::FCvtWUD:
      return fp_to_int_rtz<double, uint32_t>(a, out);
    case IrOp::FCvtLD:
      return fp_to_int_rtz<double, int64_t>(a, out);
    case IrOp::FCvtLUD:
      return fp_to_int_rtz<double, uint64_t>(a, out);
    case IrOp::FCvtWS:
      return fp_to_int_rtz<float, int32_t>(a, out);
    case IrOp::FCvtWUS:
      return fp_to_int_rtz<float, uint32_t>(a, out);
    case IrOp::FCvtLS:
      return fp_to_int_rtz<float, int64_t>(a, out);
    case IrOp::FCvtLUS:
      return fp_to_int_rtz<float, uint64_t>(a, out);
    default:
      return false;
  }
}

}  // namespace tiervm
