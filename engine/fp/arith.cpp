// Soft-float add, subtract, multiply, divide, square root and fused multiply-add
// (see ieee754.h for why software). Each operation computes its exact result to at
// least precision + 2 bits with a sticky bit and rounds once in round_pack.

#include <bit>
#include <cmath>
#include <utility>

#include "engine/fp/ieee754.h"
#include "engine/fp/unpacked.h"

namespace tiervm::fp {
namespace {

using detail::F32;
using detail::F64;
using detail::is_nan;
using detail::Kind;
using detail::note_snan;
using detail::round_pack;
using detail::shift_right_jam;
using detail::signed_inf;
using detail::signed_zero;
using detail::u128;
using detail::unpack;
using detail::Unpacked;

// Exact zero result of x + y with x == -y (IEEE 754-2008 6.3): +0, or -0 when rounding
// down.
template <class F>
typename F::Storage cancellation_zero(const Env& env) {
  return signed_zero<F>(env.rm == Rm::RDN);
}

template <class F>
typename F::Storage add(typename F::Storage a_bits, typename F::Storage b_bits, bool negate_b,
                        Env& env) {
  Unpacked a = unpack<F>(a_bits);
  Unpacked b = unpack<F>(b_bits);
  if (is_nan(a) || is_nan(b)) {
    note_snan(a, env);
    note_snan(b, env);
    return F::kCanonicalNaN;
  }
  b.sign ^= negate_b;
  if (a.kind == Kind::Inf) {
    if (b.kind == Kind::Inf && a.sign != b.sign) {
      env.flags |= fflag::NV;
      return F::kCanonicalNaN;
    }
    return signed_inf<F>(a.sign);
  }
  if (b.kind == Kind::Inf) return signed_inf<F>(b.sign);
  if (b.kind == Kind::Zero) {
    if (a.kind != Kind::Zero) return a_bits;
    return a.sign == b.sign ? signed_zero<F>(a.sign) : cancellation_zero<F>(env);
  }
  if (a.kind == Kind::Zero) return (b_bits & ~F::kSign) | signed_zero<F>(b.sign);

  // Both finite and non-zero: make |a| >= |b|.
  if (a.exp < b.exp || (a.exp == b.exp && a.sig < b.sig)) std::swap(a, b);
  // Input significands have at least 10 zero low bits, so alignment shifts of up to 10
  // are exact; longer ones leave the difference within one bit of normalized, so the
  // sticky bit stays below the rounding position.
  const uint64_t b_sig = shift_right_jam(b.sig, static_cast<unsigned>(a.exp - b.exp));
  if (a.sign == b.sign) {
    return detail::normalize_round_pack<F>(a.sign, a.exp, a.sig + b_sig, env);
  }
  const uint64_t diff = a.sig - b_sig;
  if (diff == 0) return cancellation_zero<F>(env);
  return detail::normalize_round_pack<F>(a.sign, a.exp, diff, env);
}

template <class F>
typename F::Storage mul(typename F::Storage a_bits, typename F::Storage b_bits, Env& env) {
  const Unpacked a = unpack<F>(a_bits);
  const Unpacked b = unpack<F>(b_bits);
  if (is_nan(a) || is_nan(b)) {
    note_snan(a, env);
    note_snan(b, env);
    return F::kCanonicalNaN;
  }
  const bool sign = a.sign != b.sign;
  if (a.kind == Kind::Inf || b.kind == Kind::Inf) {
    if (a.kind == Kind::Zero || b.kind == Kind::Zero) {
      env.flags |= fflag::NV;
      return F::kCanonicalNaN;
    }
    return signed_inf<F>(sign);
  }
  if (a.kind == Kind::Zero || b.kind == Kind::Zero) return signed_zero<F>(sign);
  // p in [2^124, 2^126), value p * 2^(a.exp + b.exp - 124).
  const u128 p = static_cast<u128>(a.sig) * b.sig;
  if (p >> 125) {
    return round_pack<F>(sign, a.exp + b.exp + 1, static_cast<uint64_t>(shift_right_jam(p, 63)),
                         env);
  }
  return round_pack<F>(sign, a.exp + b.exp, static_cast<uint64_t>(shift_right_jam(p, 62)), env);
}

template <class F>
typename F::Storage div(typename F::Storage a_bits, typename F::Storage b_bits, Env& env) {
  const Unpacked a = unpack<F>(a_bits);
  const Unpacked b = unpack<F>(b_bits);
  if (is_nan(a) || is_nan(b)) {
    note_snan(a, env);
    note_snan(b, env);
    return F::kCanonicalNaN;
  }
  const bool sign = a.sign != b.sign;
  if (a.kind == Kind::Inf) {
    if (b.kind == Kind::Inf) {
      env.flags |= fflag::NV;
      return F::kCanonicalNaN;
    }
    return signed_inf<F>(sign);
  }
  if (b.kind == Kind::Inf) return signed_zero<F>(sign);
  if (b.kind == Kind::Zero) {
    if (a.kind == Kind::Zero) {
      env.flags |= fflag::NV;
      return F::kCanonicalNaN;
    }
    env.flags |= fflag::DZ;
    return signed_inf<F>(sign);
  }
  if (a.kind == Kind::Zero) return signed_zero<F>(sign);
  // a.sig / b.sig is in (1/2, 2), so q = floor(a.sig * 2^63 / b.sig) is in [2^62, 2^64) and
  // the quotient is (q + rem/b.sig) * 2^(a.exp - b.exp - 63).
  const u128 n = static_cast<u128>(a.sig) << 63;
  const uint64_t q = static_cast<uint64_t>(n / b.sig);
  const bool sticky = n % b.sig != 0;
  if (q >> 63) {
    return round_pack<F>(sign, a.exp - b.exp, (q >> 1) | (q & 1) | sticky, env);
  }
  return round_pack<F>(sign, a.exp - b.exp - 1, q | sticky, env);
}

// floor(sqrt(n)) for n < 2^126.
uint64_t isqrt(u128 n) {
  // The host estimate is good to about 2^-52 relative; one Newton step makes it good to
  // about one unit, and the loops make it exact. Host rounding mode does not matter.
  uint64_t r = static_cast<uint64_t>(std::sqrt(static_cast<double>(n)));
  if (r == 0) r = 1;
  r = static_cast<uint64_t>((static_cast<u128>(r) + n / r) / 2);
  while (static_cast<u128>(r) * r > n) --r;
  while (static_cast<u128>(r + 1) * (r + 1) <= n) ++r;
  return r;
}

template <class F>
typename F::Storage sqrt(typename F::Storage a_bits, Env& env) {
  const Unpacked a = unpack<F>(a_bits);
  if (is_nan(a)) {
    note_snan(a, env);
    return F::kCanonicalNaN;
  }
  if (a.kind == Kind::Zero) return a_bits;  // sqrt(-0) = -0
  if (a.sign) {
    env.flags |= fflag::NV;
    return F::kCanonicalNaN;
  }
  if (a.kind == Kind::Inf) return a_bits;
  // value = a.sig * 2^(exp - 62) = n * 2^(e - 124) with e even, n in [2^124, 2^126):
  // sqrt = sqrt(n) * 2^(e/2 - 62), sqrt(n) in [2^62, 2^63).
  int32_t e = a.exp;
  u128 n;
  if (e & 1) {
    n = static_cast<u128>(a.sig) << 63;
    e -= 1;
  } else {
    n = static_cast<u128>(a.sig) << 62;
  }
  const uint64_t r = isqrt(n);
  const bool sticky = static_cast<u128>(r) * r != n;
  return round_pack<F>(false, e / 2, r | sticky, env);
}

template <class F>
typename F::Storage fma(typename F::Storage a_bits, typename F::Storage b_bits,
                        typename F::Storage c_bits, Env& env) {
  const Unpacked a = unpack<F>(a_bits);
  const Unpacked b = unpack<F>(b_bits);
  const Unpacked c = unpack<F>(c_bits);
  const bool inf_times_zero = (a.kind == Kind::Inf && b.kind == Kind::Zero) ||
                              (a.kind == Kind::Zero && b.kind == Kind::Inf);
  if (is_nan(a) || is_nan(b) || is_nan(c)) {
    note_snan(a, env);
    note_snan(b, env);
    note_snan(c, env);
    // F extension: NV for inf * 0 even when the addend is a quiet NaN.
    if (inf_times_zero) env.flags |= fflag::NV;
    return F::kCanonicalNaN;
  }
  if (inf_times_zero) {
    env.flags |= fflag::NV;
    return F::kCanonicalNaN;
  }
  const bool p_sign = a.sign != b.sign;
  if (a.kind == Kind::Inf || b.kind == Kind::Inf) {
    if (c.kind == Kind::Inf && c.sign != p_sign) {
      env.flags |= fflag::NV;
      return F::kCanonicalNaN;
    }
    return signed_inf<F>(p_sign);
  }
  if (c.kind == Kind::Inf) return c_bits;
  if (a.kind == Kind::Zero || b.kind == Kind::Zero) {
    if (c.kind != Kind::Zero) return c_bits;
    return p_sign == c.sign ? signed_zero<F>(p_sign) : cancellation_zero<F>(env);
  }

  // Exact product p * 2^(p_exp - 125) with p in [2^125, 2^126). Its low 20 bits are zero.
  u128 p = static_cast<u128>(a.sig) * b.sig;
  int32_t p_exp = a.exp + b.exp;
  if (p >> 125) {
    ++p_exp;
  } else {
    p <<= 1;
  }
  if (c.kind == Kind::Zero) {
    return round_pack<F>(p_sign, p_exp, static_cast<uint64_t>(shift_right_jam(p, 63)), env);
  }

  // Addend in the same form: its low 63 bits are zero. The operand with the larger
  // magnitude has a zero bit 0, so a sticky bit from aligning the other one makes the sum
  // odd and keeps it off every rounding boundary (as in add).
  struct Term {
    bool sign;
    int32_t exp;
    u128 sig;
  };
  Term x{p_sign, p_exp, p};
  Term y{c.sign, c.exp, static_cast<u128>(c.sig) << 63};
  if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) std::swap(x, y);
  const u128 y_sig = shift_right_jam(y.sig, static_cast<unsigned>(x.exp - y.exp));
  u128 sum;
  int32_t exp = x.exp;
  if (x.sign == y.sign) {
    sum = x.sig + y_sig;
    if (sum >> 126) {
      sum = shift_right_jam(sum, 1);
      ++exp;
    }
  } else {
    sum = x.sig - y_sig;
    if (sum == 0) return cancellation_zero<F>(env);
    const uint64_t hi = static_cast<uint64_t>(sum >> 64);
    const int lz = hi ? std::countl_zero(hi) : 64 + std::countl_zero(static_cast<uint64_t>(sum));
    const int shift = lz - 2;  // leading one to bit 125
    sum <<= shift;
    exp -= shift;
  }
  return round_pack<F>(x.sign, exp, static_cast<uint64_t>(shift_right_jam(sum, 63)), env);
}

}  // namespace

uint32_t f32_add(uint32_t a, uint32_t b, Env& env) {
  return add<F32>(a, b, false, env);
}
uint32_t f32_sub(uint32_t a, uint32_t b, Env& env) {
  return add<F32>(a, b, true, env);
}
uint32_t f32_mul(uint32_t a, uint32_t b, Env& env) {
  return mul<F32>(a, b, env);
}
uint32_t f32_div(uint32_t a, uint32_t b, Env& env) {
  return div<F32>(a, b, env);
}
uint32_t f32_sqrt(uint32_t a, Env& env) {
  return sqrt<F32>(a, env);
}
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, Env& env) {
  return fma<F32>(a, b, c, env);
}
uint64_t f64_add(uint64_t a, uint64_t b, Env& env) {
  return add<F64>(a, b, false, env);
}
uint64_t f64_sub(uint64_t a, uint64_t b, Env& env) {
  return add<F64>(a, b, true, env);
}
uint64_t f64_mul(uint64_t a, uint64_t b, Env& env) {
  return mul<F64>(a, b, env);
}
uint64_t f64_div(uint64_t a, uint64_t b, Env& env) {
  return div<F64>(a, b, env);
}
uint64_t f64_sqrt(uint64_t a, Env& env) {
  return sqrt<F64>(a, env);
}
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, Env& env) {
  return fma<F64>(a, b, c, env);
}

}  // namespace tiervm::fp
