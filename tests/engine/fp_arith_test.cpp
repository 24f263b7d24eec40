// Soft-float arithmetic: one line per case, expected values and flags from IEEE 754-2008
// and the RISC-V F/D chapters (worked out by hand in the comments, not from a run).
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

#include "engine/fp/ieee754.h"

namespace tiervm::fp {
namespace {

using namespace fflag;
constexpr uint32_t NONE = 0;

enum class Op { Add, Sub, Mul, Div, Sqrt, Fma };

constexpr uint32_t f32(float f) {
  return std::bit_cast<uint32_t>(f);
}
constexpr uint64_t f64(double d) {
  return std::bit_cast<uint64_t>(d);
}

constexpr uint32_t kQNaN32 = 0x7fc00000;
constexpr uint32_t kQNaNPayload32 = 0x7fc12345;
constexpr uint32_t kSNaN32 = 0x7f800001;
constexpr uint32_t kInf32 = 0x7f800000;
constexpr uint32_t kNegInf32 = 0xff800000;
constexpr uint32_t kMax32 = 0x7f7fffff;
constexpr uint32_t kNegMax32 = 0xff7fffff;
constexpr uint32_t kMinNormal32 = 0x00800000;  // 2^-126
constexpr uint32_t kMinSub32 = 0x00000001;     // 2^-149
constexpr uint32_t kNegZero32 = 0x80000000;

constexpr uint64_t kQNaN64 = 0x7ff8000000000000;
constexpr uint64_t kSNaN64 = 0x7ff0000000000001;
constexpr uint64_t kInf64 = 0x7ff0000000000000;
constexpr uint64_t kMax64 = 0x7fefffffffffffff;
constexpr uint64_t kMinNormal64 = 0x0010000000000000;  // 2^-1022
constexpr uint64_t kMinSub64 = 1;                      // 2^-1074
constexpr uint64_t kNegZero64 = 0x8000000000000000;

template <class T>
struct Case {
  const char* name;
  Op op;
  T a, b, c;
  Rm rm;
  T expect;
  uint32_t flags;
};

const Case<uint32_t> kF32Cases[] = {
    // 1 + 2^-24 is exactly half an ulp above 1: ties go to even (1) or away (1 + 2^-23).
    {"fadd.s 1 + 2^-24 RNE", Op::Add, f32(1), f32(0x1p-24f), 0, Rm::RNE, f32(1), NX},
    {"fadd.s 1 + 2^-24 RTZ", Op::Add, f32(1), f32(0x1p-24f), 0, Rm::RTZ, f32(1), NX},
    {"fadd.s 1 + 2^-24 RDN", Op::Add, f32(1), f32(0x1p-24f), 0, Rm::RDN, f32(1), NX},
    {"fadd.s 1 + 2^-24 RUP", Op::Add, f32(1), f32(0x1p-24f), 0, Rm::RUP, 0x3f800001, NX},
    {"fadd.s 1 + 2^-24 RMM", Op::Add, f32(1), f32(0x1p-24f), 0, Rm::RMM, 0x3f800001, NX},
    // 1 + 1.5 ulp: the tie is between 1+ulp (odd) and 1+2ulp (even).
    {"fadd.s 1 + 3*2^-24 RNE", Op::Add, f32(1), f32(0x3p-24f), 0, Rm::RNE, 0x3f800002, NX},
    {"fadd.s 1 + 3*2^-24 RTZ", Op::Add, f32(1), f32(0x3p-24f), 0, Rm::RTZ, 0x3f800001, NX},
    {"fadd.s 1 + 3*2^-24 RMM", Op::Add, f32(1), f32(0x3p-24f), 0, Rm::RMM, 0x3f800002, NX},
    {"fadd.s 1 + 2^-25 RMM (below tie)", Op::Add, f32(1), f32(0x1p-25f), 0, Rm::RMM, f32(1), NX},
    {"fadd.s 1 + 2^-25 RUP", Op::Add, f32(1), f32(0x1p-25f), 0, Rm::RUP, 0x3f800001, NX},
    // Negative ties: RDN and RMM go to the larger magnitude.
    {"fadd.s -1 - 2^-24 RNE", Op::Add, f32(-1), f32(-0x1p-24f), 0, Rm::RNE, f32(-1), NX},
    {"fadd.s -1 - 2^-24 RTZ", Op::Add, f32(-1), f32(-0x1p-24f), 0, Rm::RTZ, f32(-1), NX},
    {"fadd.s -1 - 2^-24 RDN", Op::Add, f32(-1), f32(-0x1p-24f), 0, Rm::RDN, 0xbf800001, NX},
    {"fadd.s -1 - 2^-24 RUP", Op::Add, f32(-1), f32(-0x1p-24f), 0, Rm::RUP, f32(-1), NX},
    {"fadd.s -1 - 2^-24 RMM", Op::Add, f32(-1), f32(-0x1p-24f), 0, Rm::RMM, 0xbf800001, NX},
    {"fadd.s 1 + 2 exact", Op::Add, f32(1), f32(2), 0, Rm::RNE, f32(3), NONE},
    {"fsub.s 1 - 2^-24 RNE (exact)", Op::Sub, f32(1), f32(0x1p-24f), 0, Rm::RNE, 0x3f7fffff, NONE},
    {"fsub.s 1 - 2^-25 RNE (tie below 1)", Op::Sub, f32(1), f32(0x1p-25f), 0, Rm::RNE, f32(1), NX},
    {"fsub.s 1 - 2^-25 RTZ", Op::Sub, f32(1), f32(0x1p-25f), 0, Rm::RTZ, 0x3f7fffff, NX},
    {"fadd.s 1 + 2^-60 RUP (far operand)", Op::Add, f32(1), f32(0x1p-60f), 0, Rm::RUP, 0x3f800001,
     NX},
    {"fsub.s 1 - 2^-60 RTZ (far operand)", Op::Sub, f32(1), f32(0x1p-60f), 0, Rm::RTZ, 0x3f7fffff,
     NX},
    // Signed zeros (IEEE 754-2008 6.3).
    {"fadd.s +0 + -0 RNE", Op::Add, 0, kNegZero32, 0, Rm::RNE, 0, NONE},
    {"fadd.s +0 + -0 RDN", Op::Add, 0, kNegZero32, 0, Rm::RDN, kNegZero32, NONE},
    {"fadd.s -0 + -0 RNE", Op::Add, kNegZero32, kNegZero32, 0, Rm::RNE, kNegZero32, NONE},
    {"fsub.s 1 - 1 RNE", Op::Sub, f32(1), f32(1), 0, Rm::RNE, 0, NONE},
    {"fsub.s 1 - 1 RDN", Op::Sub, f32(1), f32(1), 0, Rm::RDN, kNegZero32, NONE},
    {"fsub.s -0 - +0 RNE", Op::Sub, kNegZero32, 0, 0, Rm::RNE, kNegZero32, NONE},
    {"fadd.s 5 + -0 keeps 5", Op::Add, f32(5), kNegZero32, 0, Rm::RDN, f32(5), NONE},
    {"fmul.s -0 * 1", Op::Mul, kNegZero32, f32(1), 0, Rm::RNE, kNegZero32, NONE},
    // Overflow: to infinity or to the largest finite number, by mode and sign.
    {"fadd.s max + max RNE", Op::Add, kMax32, kMax32, 0, Rm::RNE, kInf32, OF | NX},
    {"fadd.s max + max RTZ", Op::Add, kMax32, kMax32, 0, Rm::RTZ, kMax32, OF | NX},
    {"fadd.s max + max RDN", Op::Add, kMax32, kMax32, 0, Rm::RDN, kMax32, OF | NX},
    {"fadd.s max + max RUP", Op::Add, kMax32, kMax32, 0, Rm::RUP, kInf32, OF | NX},
    {"fadd.s max + max RMM", Op::Add, kMax32, kMax32, 0, Rm::RMM, kInf32, OF | NX},
    {"fadd.s -max - max RNE", Op::Add, kNegMax32, kNegMax32, 0, Rm::RNE, kNegInf32, OF | NX},
    {"fadd.s -max - max RTZ", Op::Add, kNegMax32, kNegMax32, 0, Rm::RTZ, kNegMax32, OF | NX},
    {"fadd.s -max - max RDN", Op::Add, kNegMax32, kNegMax32, 0, Rm::RDN, kNegInf32, OF | NX},
    {"fadd.s -max - max RUP", Op::Add, kNegMax32, kNegMax32, 0, Rm::RUP, kNegMax32, OF | NX},
    {"fadd.s -max - max RMM", Op::Add, kNegMax32, kNegMax32, 0, Rm::RMM, kNegInf32, OF | NX},
    // max + half an ulp (2^103): overflow exists only if the rounded result is 2^128.
    {"fadd.s max + 2^103 RNE", Op::Add, kMax32, f32(0x1p103f), 0, Rm::RNE, kInf32, OF | NX},
    {"fadd.s max + 2^103 RMM", Op::Add, kMax32, f32(0x1p103f), 0, Rm::RMM, kInf32, OF | NX},
    {"fadd.s max + 2^103 RTZ", Op::Add, kMax32, f32(0x1p103f), 0, Rm::RTZ, kMax32, NX},
    {"fadd.s max + 2^103 RDN", Op::Add, kMax32, f32(0x1p103f), 0, Rm::RDN, kMax32, NX},
    {"fadd.s max + 2^102 RNE", Op::Add, kMax32, f32(0x1p102f), 0, Rm::RNE, kMax32, NX},
    {"fmul.s 2^127 * 2 RTZ", Op::Mul, f32(0x1p127f), f32(2), 0, Rm::RTZ, kMax32, OF | NX},
    // Underflow, tininess after rounding. 2^-126 * (1 - 2^-24) = 2^-126 - 2^-150 is exact
    // with an unbounded exponent, so it is tiny; as a subnormal it is a tie.
    {"fmul.s minnorm * (1-2^-24) RNE", Op::Mul, kMinNormal32, 0x3f7fffff, 0, Rm::RNE, kMinNormal32,
     UF | NX},
    {"fmul.s minnorm * (1-2^-24) RTZ", Op::Mul, kMinNormal32, 0x3f7fffff, 0, Rm::RTZ, 0x007fffff,
     UF | NX},
    {"fmul.s minnorm * (1-2^-24) RUP", Op::Mul, kMinNormal32, 0x3f7fffff, 0, Rm::RUP, kMinNormal32,
     UF | NX},
    // 2^-126 - 2^-151 rounds (unbounded exponent) to 2^-126 in RNE/RUP/RMM: not tiny, so
    // only NX; RTZ/RDN round it to 2^-126 - 2^-150: tiny.
    {"fmadd.s 2^-126 - 2^-151 RNE", Op::Fma, kMinNormal32, f32(-0x1p-25f), kMinNormal32, Rm::RNE,
     kMinNormal32, NX},
    {"fmadd.s 2^-126 - 2^-151 RMM", Op::Fma, kMinNormal32, f32(-0x1p-25f), kMinNormal32, Rm::RMM,
     kMinNormal32, NX},
    {"fmadd.s 2^-126 - 2^-151 RUP", Op::Fma, kMinNormal32, f32(-0x1p-25f), kMinNormal32, Rm::RUP,
     kMinNormal32, NX},
    {"fmadd.s 2^-126 - 2^-151 RTZ", Op::Fma, kMinNormal32, f32(-0x1p-25f), kMinNormal32, Rm::RTZ,
     0x007fffff, UF | NX},
    {"fmadd.s 2^-126 - 2^-151 RDN", Op::Fma, kMinNormal32, f32(-0x1p-25f), kMinNormal32, Rm::RDN,
     0x007fffff, UF | NX},
    // Exact subnormal results raise nothing (underflow needs inexact, 7.5).
    {"fmul.s 2^-126 * 0.5 exact", Op::Mul, kMinNormal32, f32(0.5f), 0, Rm::RNE, 0x00400000, NONE},
    {"fsub.s subnormal difference exact", Op::Sub, 0x00800001, kMinNormal32, 0, Rm::RNE, kMinSub32,
     NONE},
    // 2^-150: half the smallest subnormal.
    {"fmul.s 2^-149 * 0.5 RNE", Op::Mul, kMinSub32, f32(0.5f), 0, Rm::RNE, 0, UF | NX},
    {"fmul.s 2^-149 * 0.5 RMM", Op::Mul, kMinSub32, f32(0.5f), 0, Rm::RMM, kMinSub32, UF | NX},
    {"fmul.s 2^-149 * 0.5 RUP", Op::Mul, kMinSub32, f32(0.5f), 0, Rm::RUP, kMinSub32, UF | NX},
    {"fmul.s 2^-149 * 0.5 RTZ", Op::Mul, kMinSub32, f32(0.5f), 0, Rm::RTZ, 0, UF | NX},
    {"fmul.s 2^-149 * 0.75 RNE", Op::Mul, kMinSub32, f32(0.75f), 0, Rm::RNE, kMinSub32, UF | NX},
    {"fmul.s -2^-149 * 2^-149 RDN", Op::Mul, 0x80000001, kMinSub32, 0, Rm::RDN, 0x80000001,
     UF | NX},
    {"fmul.s -2^-149 * 2^-149 RNE", Op::Mul, 0x80000001, kMinSub32, 0, Rm::RNE, kNegZero32,
     UF | NX},
    {"fmul.s subnormal * 2^30 normal", Op::Mul, kMinSub32, f32(0x1p30f), 0, Rm::RNE, f32(0x1p-119f),
     NONE},
    // Division.
    {"fdiv.s 1 / 3 RNE", Op::Div, f32(1), f32(3), 0, Rm::RNE, 0x3eaaaaab, NX},
    {"fdiv.s 1 / 3 RTZ", Op::Div, f32(1), f32(3), 0, Rm::RTZ, 0x3eaaaaaa, NX},
    {"fdiv.s 1 / 3 RDN", Op::Div, f32(1), f32(3), 0, Rm::RDN, 0x3eaaaaaa, NX},
    {"fdiv.s 1 / 3 RUP", Op::Div, f32(1), f32(3), 0, Rm::RUP, 0x3eaaaaab, NX},
    {"fdiv.s -1 / 3 RDN", Op::Div, f32(-1), f32(3), 0, Rm::RDN, 0xbeaaaaab, NX},
    {"fdiv.s 2 / 3 RNE", Op::Div, f32(2), f32(3), 0, Rm::RNE, 0x3f2aaaab, NX},
    {"fdiv.s 1 / 4 exact", Op::Div, f32(1), f32(4), 0, Rm::RNE, f32(0.25f), NONE},
    {"fdiv.s 1 / 0", Op::Div, f32(1), 0, 0, Rm::RNE, kInf32, DZ},
    {"fdiv.s -1 / +0", Op::Div, f32(-1), 0, 0, Rm::RNE, kNegInf32, DZ},
    {"fdiv.s 1 / -0", Op::Div, f32(1), kNegZero32, 0, Rm::RNE, kNegInf32, DZ},
    {"fdiv.s 0 / 0", Op::Div, 0, 0, 0, Rm::RNE, kQNaN32, NV},
    {"fdiv.s inf / inf", Op::Div, kInf32, kInf32, 0, Rm::RNE, kQNaN32, NV},
    {"fdiv.s inf / 0 (no DZ)", Op::Div, kInf32, 0, 0, Rm::RNE, kInf32, NONE},
    {"fdiv.s 1 / inf", Op::Div, f32(1), kNegInf32, 0, Rm::RNE, kNegZero32, NONE},
    {"fdiv.s max / 0.5 overflow", Op::Div, kMax32, f32(0.5f), 0, Rm::RNE, kInf32, OF | NX},
    {"fdiv.s minnorm / 3 underflow", Op::Div, kMinNormal32, f32(3), 0, Rm::RNE, 0x002aaaab,
     UF | NX},
    // Square root.
    {"fsqrt.s 4", Op::Sqrt, f32(4), 0, 0, Rm::RNE, f32(2), NONE},
    {"fsqrt.s 2 RNE", Op::Sqrt, f32(2), 0, 0, Rm::RNE, 0x3fb504f3, NX},
    {"fsqrt.s 2 RUP", Op::Sqrt, f32(2), 0, 0, Rm::RUP, 0x3fb504f4, NX},
    {"fsqrt.s 2 RTZ", Op::Sqrt, f32(2), 0, 0, Rm::RTZ, 0x3fb504f3, NX},
    {"fsqrt.s 2^-148 (subnormal input)", Op::Sqrt, 0x00000002, 0, 0, Rm::RNE, f32(0x1p-74f), NONE},
    {"fsqrt.s -0", Op::Sqrt, kNegZero32, 0, 0, Rm::RNE, kNegZero32, NONE},
    {"fsqrt.s +inf", Op::Sqrt, kInf32, 0, 0, Rm::RNE, kInf32, NONE},
    {"fsqrt.s -1", Op::Sqrt, f32(-1), 0, 0, Rm::RNE, kQNaN32, NV},
    {"fsqrt.s -inf", Op::Sqrt, kNegInf32, 0, 0, Rm::RNE, kQNaN32, NV},
    {"fsqrt.s -2^-149", Op::Sqrt, 0x80000001, 0, 0, Rm::RNE, kQNaN32, NV},
    {"fsqrt.s qNaN payload", Op::Sqrt, kQNaNPayload32, 0, 0, Rm::RNE, kQNaN32, NONE},
    {"fsqrt.s sNaN", Op::Sqrt, kSNaN32, 0, 0, Rm::RNE, kQNaN32, NV},
    // NaNs: always the canonical NaN, NV only for signaling inputs or invalid operations.
    {"fadd.s qNaN + 1", Op::Add, kQNaNPayload32, f32(1), 0, Rm::RNE, kQNaN32, NONE},
    {"fadd.s -qNaN + 1", Op::Add, 0xffc00000, f32(1), 0, Rm::RNE, kQNaN32, NONE},
    {"fadd.s 1 + sNaN", Op::Add, f32(1), kSNaN32, 0, Rm::RNE, kQNaN32, NV},
    {"fadd.s sNaN + qNaN", Op::Add, kSNaN32, kQNaN32, 0, Rm::RNE, kQNaN32, NV},
    {"fadd.s inf + -inf", Op::Add, kInf32, kNegInf32, 0, Rm::RNE, kQNaN32, NV},
    {"fsub.s inf - inf", Op::Sub, kInf32, kInf32, 0, Rm::RNE, kQNaN32, NV},
    {"fadd.s inf + inf", Op::Add, kInf32, kInf32, 0, Rm::RNE, kInf32, NONE},
    {"fadd.s -inf + max", Op::Add, kNegInf32, kMax32, 0, Rm::RNE, kNegInf32, NONE},
    {"fmul.s 0 * inf", Op::Mul, 0, kInf32, 0, Rm::RNE, kQNaN32, NV},
    {"fmul.s -inf * 2", Op::Mul, kNegInf32, f32(2), 0, Rm::RNE, kNegInf32, NONE},
    {"fmul.s qNaN * 0", Op::Mul, kQNaN32, 0, 0, Rm::RNE, kQNaN32, NONE},
    {"fmul.s sNaN * 1", Op::Mul, kSNaN32, f32(1), 0, Rm::RNE, kQNaN32, NV},
    {"fdiv.s qNaN / 0 (no DZ)", Op::Div, kQNaN32, 0, 0, Rm::RNE, kQNaN32, NONE},
    // Fused multiply-add: one rounding. (1+2^-23)^2 - 1 = 2^-22 + 2^-46, a tie at 2^-22.
    {"fmadd.s (1+2^-23)^2 - 1 RNE", Op::Fma, 0x3f800001, 0x3f800001, f32(-1), Rm::RNE,
     f32(0x1p-22f), NX},
    {"fmadd.s (1+2^-23)^2 - 1 RMM", Op::Fma, 0x3f800001, 0x3f800001, f32(-1), Rm::RMM, 0x34800001,
     NX},
    {"fmadd.s (1+2^-23)^2 - 1 RUP", Op::Fma, 0x3f800001, 0x3f800001, f32(-1), Rm::RUP, 0x34800001,
     NX},
    {"fmadd.s (1+2^-23)^2 - 1 RTZ", Op::Fma, 0x3f800001, 0x3f800001, f32(-1), Rm::RTZ,
     f32(0x1p-22f), NX},
    {"fmadd.s (1+2^-12)(1-2^-12) - 1 exact", Op::Fma, f32(1 + 0x1p-12f), f32(1 - 0x1p-12f), f32(-1),
     Rm::RNE, f32(-0x1p-24f), NONE},
    {"fmadd.s 2 * 3 + 4", Op::Fma, f32(2), f32(3), f32(4), Rm::RNE, f32(10), NONE},
    {"fmadd.s 1 * 1 - 1 RNE", Op::Fma, f32(1), f32(1), f32(-1), Rm::RNE, 0, NONE},
    {"fmadd.s 1 * 1 - 1 RDN", Op::Fma, f32(1), f32(1), f32(-1), Rm::RDN, kNegZero32, NONE},
    {"fmadd.s +0 * -1 + -0", Op::Fma, 0, f32(-1), kNegZero32, Rm::RNE, kNegZero32, NONE},
    {"fmadd.s +0 * 1 + -0 RNE", Op::Fma, 0, f32(1), kNegZero32, Rm::RNE, 0, NONE},
    {"fmadd.s +0 * 1 + -0 RDN", Op::Fma, 0, f32(1), kNegZero32, Rm::RDN, kNegZero32, NONE},
    {"fmadd.s 0 * 1 + 3", Op::Fma, 0, f32(1), f32(3), Rm::RNE, f32(3), NONE},
    {"fmadd.s 1 * 2^-149 + 0 (subnormal product)", Op::Fma, f32(1), kMinSub32, 0, Rm::RNE,
     kMinSub32, NONE},
    {"fmadd.s 2^-100 * 2^-100 + 1 RUP", Op::Fma, f32(0x1p-100f), f32(0x1p-100f), f32(1), Rm::RUP,
     0x3f800001, NX},
    {"fmadd.s -2^-100 * 2^-100 + 1 RTZ", Op::Fma, f32(-0x1p-100f), f32(0x1p-100f), f32(1), Rm::RTZ,
     0x3f7fffff, NX},
    {"fmadd.s max * 2 - max", Op::Fma, kMax32, f32(2), kNegMax32, Rm::RNE, kMax32, NONE},
    {"fmadd.s max * 2 + 0 overflow", Op::Fma, kMax32, f32(2), 0, Rm::RNE, kInf32, OF | NX},
    // F extension: inf * 0 raises NV even when the addend is a quiet NaN.
    {"fmadd.s inf * 0 + qNaN", Op::Fma, kInf32, 0, kQNaN32, Rm::RNE, kQNaN32, NV},
    {"fmadd.s 0 * -inf + 1", Op::Fma, 0, kNegInf32, f32(1), Rm::RNE, kQNaN32, NV},
    {"fmadd.s inf * 1 - inf", Op::Fma, kInf32, f32(1), kNegInf32, Rm::RNE, kQNaN32, NV},
    {"fmadd.s inf * 1 + inf", Op::Fma, kInf32, f32(1), kInf32, Rm::RNE, kInf32, NONE},
    {"fmadd.s 1 * 1 + -inf", Op::Fma, f32(1), f32(1), kNegInf32, Rm::RNE, kNegInf32, NONE},
    {"fmadd.s qNaN * 1 + 1", Op::Fma, kQNaNPayload32, f32(1), f32(1), Rm::RNE, kQNaN32, NONE},
    {"fmadd.s 1 * 1 + sNaN", Op::Fma, f32(1), f32(1), kSNaN32, Rm::RNE, kQNaN32, NV},
};

const Case<uint64_t> kF64Cases[] = {
    {"fadd.d 1 + 2^-53 RNE", Op::Add, f64(1), f64(0x1p-53), 0, Rm::RNE, f64(1), NX},
    {"fadd.d 1 + 2^-53 RTZ", Op::Add, f64(1), f64(0x1p-53), 0, Rm::RTZ, f64(1), NX},
    {"fadd.d 1 + 2^-53 RDN", Op::Add, f64(1), f64(0x1p-53), 0, Rm::RDN, f64(1), NX},
    {"fadd.d 1 + 2^-53 RUP", Op::Add, f64(1), f64(0x1p-53), 0, Rm::RUP, 0x3ff0000000000001, NX},
    {"fadd.d 1 + 2^-53 RMM", Op::Add, f64(1), f64(0x1p-53), 0, Rm::RMM, 0x3ff0000000000001, NX},
    {"fadd.d 1 + 3*2^-53 RNE", Op::Add, f64(1), f64(0x3p-53), 0, Rm::RNE, 0x3ff0000000000002, NX},
    {"fadd.d -1 - 2^-53 RMM", Op::Add, f64(-1), f64(-0x1p-53), 0, Rm::RMM, 0xbff0000000000001, NX},
    {"fsub.d 1 - 1 RDN", Op::Sub, f64(1), f64(1), 0, Rm::RDN, kNegZero64, NONE},
    {"fadd.d max + max RNE", Op::Add, kMax64, kMax64, 0, Rm::RNE, kInf64, OF | NX},
    {"fadd.d max + max RTZ", Op::Add, kMax64, kMax64, 0, Rm::RTZ, kMax64, OF | NX},
    {"fadd.d -max - max RUP", Op::Add, kMax64 | kNegZero64, kMax64 | kNegZero64, 0, Rm::RUP,
     kMax64 | kNegZero64, OF | NX},
    {"fmul.d minnorm * (1-2^-53) RNE", Op::Mul, kMinNormal64, 0x3fefffffffffffff, 0, Rm::RNE,
     kMinNormal64, UF | NX},
    {"fmul.d minnorm * (1-2^-53) RTZ", Op::Mul, kMinNormal64, 0x3fefffffffffffff, 0, Rm::RTZ,
     0x000fffffffffffff, UF | NX},
    {"fmul.d 2^-1074 * 0.5 RNE", Op::Mul, kMinSub64, f64(0.5), 0, Rm::RNE, 0, UF | NX},
    {"fmul.d 2^-1074 * 0.5 RMM", Op::Mul, kMinSub64, f64(0.5), 0, Rm::RMM, kMinSub64, UF | NX},
    {"fmul.d 2^-1022 * 0.5 exact", Op::Mul, kMinNormal64, f64(0.5), 0, Rm::RNE, 0x0008000000000000,
     NONE},
    {"fdiv.d 1 / 3 RNE", Op::Div, f64(1), f64(3), 0, Rm::RNE, 0x3fd5555555555555, NX},
    {"fdiv.d 1 / 3 RUP", Op::Div, f64(1), f64(3), 0, Rm::RUP, 0x3fd5555555555556, NX},
    {"fdiv.d 1 / 0", Op::Div, f64(1), 0, 0, Rm::RNE, kInf64, DZ},
    {"fdiv.d 0 / 0", Op::Div, 0, 0, 0, Rm::RNE, kQNaN64, NV},
    {"fsqrt.d 2 RNE", Op::Sqrt, f64(2), 0, 0, Rm::RNE, 0x3ff6a09e667f3bcd, NX},
    {"fsqrt.d 2 RTZ", Op::Sqrt, f64(2), 0, 0, Rm::RTZ, 0x3ff6a09e667f3bcc, NX},
    {"fsqrt.d 2 RMM", Op::Sqrt, f64(2), 0, 0, Rm::RMM, 0x3ff6a09e667f3bcd, NX},
    {"fsqrt.d 2^-1074", Op::Sqrt, kMinSub64, 0, 0, Rm::RNE, f64(0x1p-537), NONE},
    {"fsqrt.d 9", Op::Sqrt, f64(9), 0, 0, Rm::RNE, f64(3), NONE},
    {"fsqrt.d -1", Op::Sqrt, f64(-1), 0, 0, Rm::RNE, kQNaN64, NV},
    {"fadd.d sNaN + 1", Op::Add, kSNaN64, f64(1), 0, Rm::RNE, kQNaN64, NV},
    {"fadd.d qNaN payload + 1", Op::Add, 0x7ff8000000000123, f64(1), 0, Rm::RNE, kQNaN64, NONE},
    {"fmul.d inf * 0", Op::Mul, kInf64, 0, 0, Rm::RNE, kQNaN64, NV},
    {"fmadd.d (1+2^-52)^2 - 1 RNE", Op::Fma, 0x3ff0000000000001, 0x3ff0000000000001, f64(-1),
     Rm::RNE, f64(0x1p-51), NX},
    {"fmadd.d (1+2^-52)^2 - 1 RMM", Op::Fma, 0x3ff0000000000001, 0x3ff0000000000001, f64(-1),
     Rm::RMM, 0x3cc0000000000001, NX},
    {"fmadd.d 0.1 * 10 - 1 exact residue", Op::Fma, f64(0.1), f64(10), f64(-1), Rm::RNE,
     f64(0x1p-54), NONE},
    {"fmadd.d inf * 0 + qNaN", Op::Fma, kInf64, 0, kQNaN64, Rm::RNE, kQNaN64, NV},
    {"fmadd.d minnorm * -2^-54 + minnorm RNE", Op::Fma, kMinNormal64, f64(-0x1p-54), kMinNormal64,
     Rm::RNE, kMinNormal64, NX},
    {"fmadd.d minnorm * -2^-54 + minnorm RTZ", Op::Fma, kMinNormal64, f64(-0x1p-54), kMinNormal64,
     Rm::RTZ, 0x000fffffffffffff, UF | NX},
};

template <class T>
T run(const Case<T>& c, Env& env) {
  if constexpr (sizeof(T) == 4) {
    switch (c.op) {
      case Op::Add:
        return f32_add(c.a, c.b, env);
      case Op::Sub:
        return f32_sub(c.a, c.b, env);
      case Op::Mul:
        return f32_mul(c.a, c.b, env);
      case Op::Div:
        return f32_div(c.a, c.b, env);
      case Op::Sqrt:
        return f32_sqrt(c.a, env);
      case Op::Fma:
        return f32_fma(c.a, c.b, c.c, env);
    }
  } else {
    switch (c.op) {
      case Op::Add:
        return f64_add(c.a, c.b, env);
      case Op::Sub:
        return f64_sub(c.a, c.b, env);
      case Op::Mul:
        return f64_mul(c.a, c.b, env);
      case Op::Div:
        return f64_div(c.a, c.b, env);
      case Op::Sqrt:
        return f64_sqrt(c.a, env);
      case Op::Fma:
        return f64_fma(c.a, c.b, c.c, env);
    }
  }
  return 0;
}

template <class T, size_t N>
void check(const Case<T> (&cases)[N]) {
  for (const auto& c : cases) {
    Env env{c.rm, 0};
    const T r = run(c, env);
    EXPECT_EQ(r, c.expect) << c.name << std::hex << ": got 0x" << r << " want 0x" << c.expect;
    EXPECT_EQ(env.flags, c.flags) << c.name;
  }
}

TEST(FpArith, Binary32) {
  check(kF32Cases);
}
TEST(FpArith, Binary64) {
  check(kF64Cases);
}

TEST(FpArith, FlagsAccumulate) {
  Env env{Rm::RNE, DZ};
  EXPECT_EQ(f32_add(f32(1), f32(0x1p-24f), env), f32(1));
  EXPECT_EQ(env.flags, DZ | NX);
}

}  // namespace
}  // namespace tiervm::fp
