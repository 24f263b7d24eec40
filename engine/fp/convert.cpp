// Soft-float conversions between the two formats and to/from integers (F and D
// extensions, "Conversion and Move Instructions").

#include <limits>
#include <type_traits>

#include "engine/fp/ieee754.h"
#include "engine/fp/unpacked.h"

namespace tiervm::fp {
namespace {

using detail::F32;
using detail::F64;
using detail::is_nan;
using detail::Kind;
using detail::kSigTop;
using detail::note_snan;
using detail::round_shift;
using detail::unpack;
using detail::Unpacked;

template <class From, class To>
typename To::Storage convert_float(typename From::Storage bits, Env& env) {
  const Unpacked a = unpack<From>(bits);
  switch (a.kind) {
    case Kind::QNaN:
    case Kind::SNaN:
      note_snan(a, env);
      return To::kCanonicalNaN;
    case Kind::Inf:
      return detail::signed_inf<To>(a.sign);
    case Kind::Zero:
      return detail::signed_zero<To>(a.sign);
    case Kind::Finite:
      break;
  }
  return detail::round_pack<To>(a.sign, a.exp, a.sig, env);
}

// Float to integer: round to an integral value by env.rm, then clip to Int's range.
// Out-of-range inputs, infinities and NaN raise NV and no NX; NaN gives Int's maximum.
template <class F, class Int>
Int to_int(typename F::Storage bits, Env& env) {
  constexpr Int kMax = std::numeric_limits<Int>::max();
  constexpr Int kMin = std::numeric_limits<Int>::min();
  const Unpacked a = unpack<F>(bits);
  if (is_nan(a)) {
    env.flags |= fflag::NV;
    return kMax;
  }
  if (a.kind == Kind::Zero) return 0;
  auto invalid = [&] {
    env.flags |= fflag::NV;
    return a.sign ? kMin : kMax;
  };
  if (a.kind == Kind::Inf || a.exp > 63) return invalid();  // |value| >= 2^64
  uint64_t mag;
  bool inexact = false;
  if (a.exp >= kSigTop) {
    mag = a.sig << (a.exp - kSigTop);
  } else {
    unsigned drop = static_cast<unsigned>(kSigTop - a.exp);
    uint64_t sig = a.sig;
    if (drop > 63) {  // |value| < 1/2: only the sticky bit matters
      sig = 1;
      drop = 63;
    }
    mag = round_shift(sig, drop, a.sign, env.rm, inexact);
  }
  Int result;
  if constexpr (std::is_signed_v<Int>) {
    const uint64_t limit = static_cast<uint64_t>(kMax) + (a.sign ? 1 : 0);
    if (mag > limit) return invalid();
    result = static_cast<Int>(a.sign ? 0 - mag : mag);
  } else {
    if (a.sign && mag != 0) return invalid();
    if (mag > kMax) return invalid();
    result = static_cast<Int>(mag);
  }
  if (inexact) env.flags |= fflag::NX;
  return result;
}

template <class F>
typename F::Storage from_int(bool negative, uint64_t mag, Env& env) {
  if (mag == 0) return 0;
  return detail::normalize_round_pack<F>(negative, kSigTop, mag, env);
}

template <class F, class Int>
typename F::Storage from_int(Int v, Env& env) {
  if constexpr (std::is_signed_v<Int>) {
    const uint64_t u = static_cast<uint64_t>(static_cast<int64_t>(v));
    return from_int<F>(v < 0, v < 0 ? 0 - u : u, env);
  } else {
    return from_int<F>(false, v, env);
  }
}

}  // namespace

uint64_t f32_to_f64(uint32_t a, Env& env) {
  return convert_float<F32, F64>(a, env);
}
uint32_t f64_to_f32(uint64_t a, Env& env) {
  return convert_float<F64, F32>(a, env);
}
int32_t f32_to_i32(uint32_t a, Env& env) {
  return to_int<F32, int32_t>(a, env);
}
uint32_t f32_to_u32(uint32_t a, Env& env) {
  return to_int<F32, uint32_t>(a, env);
}
int64_t f32_to_i64(uint32_t a, Env& env) {
  return to_int<F32, int64_t>(a, env);
}
uint64_t f32_to_u64(uint32_t a, Env& env) {
  return to_int<F32, uint64_t>(a, env);
}
int32_t f64_to_i32(uint64_t a, Env& env) {
  return to_int<F64, int32_t>(a, env);
}
uint32_t f64_to_u32(uint64_t a, Env& env) {
  return to_int<F64, uint32_t>(a, env);
}
int64_t f64_to_i64(uint64_t a, Env& env) {
  return to_int<F64, int64_t>(a, env);
}
uint64_t f64_to_u64(uint64_t a, Env& env) {
  return to_int<F64, uint64_t>(a, env);
}
uint32_t i32_to_f32(int32_t a, Env& env) {
  return from_int<F32>(a, env);
}
uint32_t u32_to_f32(uint32_t a, Env& env) {
  return from_int<F32>(a, env);
}
uint32_t i64_to_f32(int64_t a, Env& env) {
  return from_int<F32>(a, env);
}
uint32_t u64_to_f32(uint64_t a, Env& env) {
  return from_int<F32>(a, env);
}
uint64_t i32_to_f64(int32_t a, Env& env) {
  return from_int<F64>(a, env);
}
uint64_t u32_to_f64(uint32_t a, Env& env) {
  return from_int<F64>(a, env);
}
uint64_t i64_to_f64(int64_t a, Env& env) {
  return from_int<F64>(a, env);
}
uint64_t u64_to_f64(uint64_t a, Env& env) {
  return from_int<F64>(a, env);
}

}  // namespace tiervm::fp
