#pragma once

// Internals shared by the soft-float sources: format parameters, unpacking to a common
// form, and the single rounding routine every operation ends in.

#include <bit>
#include <cstdint>
#include <type_traits>

#include "engine/fp/ieee754.h"

namespace tiervm::fp::detail {

using u128 = unsigned __int128;

// An IEEE binary interchange format: binary32 (F32) or binary64 (F64).
template <unsigned Bits, unsigned ExpBits>
struct Format {
  using Storage = std::conditional_t<Bits == 32, uint32_t, uint64_t>;
  static constexpr unsigned kBits = Bits;
  static constexpr unsigned kFracBits = Bits - 1 - ExpBits;  // 23 / 52
  static constexpr unsigned kPrecision = kFracBits + 1;      // 24 / 53
  static constexpr int kBias = (1 << (ExpBits - 1)) - 1;     // 127 / 1023
  static constexpr int kMaxBiasedExp = (1 << ExpBits) - 1;   // inf and NaN
  static constexpr Storage kSign = Storage{1} << (Bits - 1);
  static constexpr Storage kFracMask = (Storage{1} << kFracBits) - 1;
  static constexpr Storage kInf = Storage(kMaxBiasedExp) << kFracBits;
  static constexpr Storage kQuietBit = Storage{1} << (kFracBits - 1);
  static constexpr Storage kCanonicalNaN = kInf | kQuietBit;
  static constexpr Storage kMaxFinite = kInf - 1;
};
using F32 = Format<32, 8>;
using F64 = Format<64, 11>;
static_assert(F32::kCanonicalNaN == kCanonicalNaN32 && F64::kCanonicalNaN == kCanonicalNaN64);

enum class Kind : uint8_t { Zero, Finite, Inf, QNaN, SNaN };

// A value in a format-independent form. For Finite values the significand is normalized
// with its leading one at bit kSigTop (subnormal inputs too) and the value is
// sig * 2^(exp - kSigTop). The bits below the format's precision are zero on input; in
// results, bit 0 is "sticky": the OR of every bit of the exact result below it.
inline constexpr int kSigTop = 62;
struct Unpacked {
  Kind kind = Kind::Zero;
  bool sign = false;
  int32_t exp = 0;
  uint64_t sig = 0;
};

inline bool is_nan(const Unpacked& u) {
  return u.kind == Kind::QNaN || u.kind == Kind::SNaN;
}

template <class F>
Unpacked unpack(typename F::Storage bits) {
  Unpacked u;
  u.sign = (bits & F::kSign) != 0;
  const int e = static_cast<int>((bits >> F::kFracBits) & F::kMaxBiasedExp);
  const uint64_t frac = bits & F::kFracMask;
  if (e == F::kMaxBiasedExp) {
    u.kind = frac == 0 ? Kind::Inf : (frac & F::kQuietBit) ? Kind::QNaN : Kind::SNaN;
  } else if (e == 0) {
    if (frac != 0) {
      // Subnormal: frac * 2^(1 - bias - fracbits); normalize.
      const uint64_t sig = frac << (kSigTop - F::kFracBits);
      const int shift = std::countl_zero(sig) - (63 - kSigTop);
      u.kind = Kind::Finite;
      u.sig = sig << shift;
      u.exp = 1 - F::kBias - shift;
    }
  } else {
    u.kind = Kind::Finite;
    u.sig = (frac | (uint64_t{1} << F::kFracBits)) << (kSigTop - F::kFracBits);
    u.exp = e - F::kBias;
  }
  return u;
}

// x >> n with every shifted-out one ORed into bit 0 (any n).
inline uint64_t shift_right_jam(uint64_t x, unsigned n) {
  if (n == 0) return x;
  if (n >= 64) return x != 0;
  return (x >> n) | ((x << (64 - n)) != 0);
}
inline u128 shift_right_jam(u128 x, unsigned n) {
  if (n == 0) return x;
  if (n >= 128) return x != 0;
  return (x >> n) | static_cast<u128>((x << (128 - n)) != 0);
}

// sig >> drop rounded to an integer by `rm`; `inexact` tells whether bits were dropped.
// 1 <= drop <= 63.
inline uint64_t round_shift(uint64_t sig, unsigned drop, bool sign, Rm rm, bool& inexact) {
  const uint64_t rest = sig & ((uint64_t{1} << drop) - 1);
  const uint64_t half = uint64_t{1} << (drop - 1);
  uint64_t r = sig >> drop;
  inexact = rest != 0;
  switch (rm) {
    case Rm::RNE:
      r += rest > half || (rest == half && (r & 1));
      break;
    case Rm::RTZ:
      break;
    case Rm::RDN:
      r += inexact && sign;
      break;
    case Rm::RUP:
      r += inexact && !sign;
      break;
    case Rm::RMM:
      r += rest >= half;
      break;
  }
  return r;
}

template <class F>
typename F::Storage signed_zero(bool sign) {
  return sign ? F::kSign : 0;
}
template <class F>
typename F::Storage signed_inf(bool sign) {
  return signed_zero<F>(sign) | F::kInf;
}

// Rounds sig * 2^(exp - kSigTop) (sig normalized, bit 0 sticky) to format F by env.rm,
// raising NX, UF (tininess after rounding) and OF.
template <class F>
typename F::Storage round_pack(bool sign, int32_t exp, uint64_t sig, Env& env) {
  using S = typename F::Storage;
  constexpr unsigned kDrop = kSigTop - F::kFracBits;
  const S sign_bits = signed_zero<F>(sign);
  int32_t biased = exp + F::kBias;
  bool inexact = false;
  if (biased >= 1) {
    uint64_t r = round_shift(sig, kDrop, sign, env.rm, inexact);
    if (r >> F::kPrecision) {  // rounded up to the next binade: r == 2^precision
      r >>= 1;
      ++biased;
    }
    if (biased >= F::kMaxBiasedExp) {
      env.flags |= fflag::OF | fflag::NX;
      const bool to_inf = env.rm == Rm::RNE || env.rm == Rm::RMM || (env.rm == Rm::RUP && !sign) ||
                          (env.rm == Rm::RDN && sign);
      return sign_bits | (to_inf ? F::kInf : F::kMaxFinite);
    }
    if (inexact) env.flags |= fflag::NX;
    // r carries the hidden bit, which adds one to the (biased - 1) exponent field.
    return sign_bits + ((S(biased - 1) << F::kFracBits) + S(r));
  }
  // Below the normal range. Tiny after rounding: the value rounded to full precision with
  // an unbounded exponent is still below 2^emin; only biased == 0 can round up out of it.
  bool tiny = true;
  if (biased == 0) {
    bool unused;
    tiny = (round_shift(sig, kDrop, sign, env.rm, unused) >> F::kPrecision) == 0;
  }
  const uint64_t shifted = shift_right_jam(sig, static_cast<unsigned>(1 - biased));
  // A subnormal field; rounding up to 2^fracbits carries into the exponent field,
  // giving the smallest normal number, which is the correctly rounded result.
  const uint64_t r = round_shift(shifted, kDrop, sign, env.rm, inexact);
  if (inexact) env.flags |= fflag::NX | (tiny ? fflag::UF : 0);
  return sign_bits | S(r);
}

// Rounds a value whose significand is not normalized (sig != 0, any bit may lead).
template <class F>
typename F::Storage normalize_round_pack(bool sign, int32_t exp, uint64_t sig, Env& env) {
  if (sig >> 63) return round_pack<F>(sign, exp + 1, shift_right_jam(sig, 1), env);
  const int shift = std::countl_zero(sig) - (63 - kSigTop);
  return round_pack<F>(sign, exp - shift, sig << shift, env);
}

// NaN result of an operation with a NaN operand: canonical, NV if any operand is sNaN.
inline void note_snan(const Unpacked& u, Env& env) {
  if (u.kind == Kind::SNaN) env.flags |= fflag::NV;
}

}  // namespace tiervm::fp::detail
