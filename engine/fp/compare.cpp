// Comparisons, minimumNumber/maximumNumber and classification, on raw bits.

#include "engine/fp/ieee754.h"
#include "engine/fp/unpacked.h"

namespace tiervm::fp {
namespace {

using detail::F32;
using detail::F64;

template <class F>
bool is_nan(typename F::Storage x) {
  return (x & ~F::kSign) > F::kInf;
}
template <class F>
bool is_snan(typename F::Storage x) {
  return is_nan<F>(x) && (x & F::kQuietBit) == 0;
}
template <class F>
bool both_zero(typename F::Storage a, typename F::Storage b) {
  return ((a | b) & ~F::kSign) == 0;
}

// a < b on non-NaN bit patterns, ordering -0 below +0 (sign-magnitude integer order).
template <class F>
bool less_ordering_zeros(typename F::Storage a, typename F::Storage b) {
  const bool a_neg = (a & F::kSign) != 0;
  const bool b_neg = (b & F::kSign) != 0;
  if (a_neg != b_neg) return a_neg;
  return a != b && (a_neg != (a < b));
}

template <class F>
bool eq(typename F::Storage a, typename F::Storage b, Env& env) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    if (is_snan<F>(a) || is_snan<F>(b)) env.flags |= fflag::NV;
    return false;
  }
  return a == b || both_zero<F>(a, b);
}

template <class F>
bool lt(typename F::Storage a, typename F::Storage b, Env& env) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    env.flags |= fflag::NV;
    return false;
  }
  return !both_zero<F>(a, b) && less_ordering_zeros<F>(a, b);
}

template <class F>
bool le(typename F::Storage a, typename F::Storage b, Env& env) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    env.flags |= fflag::NV;
    return false;
  }
  return both_zero<F>(a, b) || a == b || less_ordering_zeros<F>(a, b);
}

// F extension v2.2: minimumNumber/maximumNumber. One NaN operand gives the other operand,
// two give the canonical NaN; a signaling NaN raises NV even when the result is a number.
template <class F>
typename F::Storage min_max(typename F::Storage a, typename F::Storage b, bool want_max, Env& env) {
  if (is_snan<F>(a) || is_snan<F>(b)) env.flags |= fflag::NV;
  const bool a_nan = is_nan<F>(a);
  const bool b_nan = is_nan<F>(b);
  if (a_nan && b_nan) return F::kCanonicalNaN;
  if (a_nan) return b;
  if (b_nan) return a;
  return less_ordering_zeros<F>(a, b) != want_max ? a : b;
}

template <class F>
uint32_t classify(typename F::Storage x) {
  const bool neg = (x & F::kSign) != 0;
  const auto mag = x & ~F::kSign;
  const auto frac = x & F::kFracMask;
  if (mag == F::kInf) return neg ? 1u << 0 : 1u << 7;
  if (mag > F::kInf) return (frac & F::kQuietBit) ? 1u << 9 : 1u << 8;
  if (mag == 0) return neg ? 1u << 3 : 1u << 4;
  if (mag <= F::kFracMask) return neg ? 1u << 2 : 1u << 5;  // biased exponent 0
  return neg ? 1u << 1 : 1u << 6;
}

}  // namespace

bool f32_eq(uint32_t a, uint32_t b, Env& env) {
  return eq<F32>(a, b, env);
}
bool f32_lt(uint32_t a, uint32_t b, Env& env) {
  return lt<F32>(a, b, env);
}
bool f32_le(uint32_t a, uint32_t b, Env& env) {
  return le<F32>(a, b, env);
}
bool f64_eq(uint64_t a, uint64_t b, Env& env) {
  return eq<F64>(a, b, env);
}
bool f64_lt(uint64_t a, uint64_t b, Env& env) {
  return lt<F64>(a, b, env);
}
bool f64_le(uint64_t a, uint64_t b, Env& env) {
  return le<F64>(a, b, env);
}
uint32_t f32_min(uint32_t a, uint32_t b, Env& env) {
  return min_max<F32>(a, b, false, env);
}
uint32_t f32_max(uint32_t a, uint32_t b, Env& env) {
  return min_max<F32>(a, b, true, env);
}
uint64_t f64_min(uint64_t a, uint64_t b, Env& env) {
  return min_max<F64>(a, b, false, env);
}
uint64_t f64_max(uint64_t a, uint64_t b, Env& env) {
  return min_max<F64>(a, b, true, env);
}
uint32_t f32_classify(uint32_t a) {
  return classify<F32>(a);
}
uint32_t f64_classify(uint64_t a) {
  return classify<F64>(a);
}

}  // namespace tiervm::fp
