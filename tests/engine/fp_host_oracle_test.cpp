// Randomized differential test of the soft-float library against an independent IEEE 754
// implementation: the host FPU. RNE, RTZ, RDN and RUP run on the host under fesetround;
// RMM (which x86 lacks) for binary32 is built from the host's double result, which is
// exact enough: for + - * / sqrt of binary32 operands, rounding first to binary64 is
// innocuous (53 >= 2*24 + 2, Figueroa 1995), so the double is on the same side of every
// binary32 midpoint as the exact result, or on it exactly when the exact result is.
//
// Underflow flags are compared only when the host detects tininess after rounding as
// RISC-V does (x86 SSE does: Intel SDM vol. 1, 4.9.1.5).
#include <gtest/gtest.h>

#include <math.h>
#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "engine/fp/ieee754.h"

namespace tiervm::fp {
namespace {

using namespace fflag;

enum class Op { Add, Sub, Mul, Div, Sqrt, Fma };
constexpr Op kOps[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Sqrt, Op::Fma};
constexpr Rm kHostModes[] = {Rm::RNE, Rm::RTZ, Rm::RDN, Rm::RUP};
constexpr int kIterations = 40000;

constexpr bool kHostTinyAfterRounding = !std::numeric_limits<double>::tinyness_before;

int host_mode(Rm rm) {
  switch (rm) {
    case Rm::RTZ:
      return FE_TOWARDZERO;
    case Rm::RDN:
      return FE_DOWNWARD;
    case Rm::RUP:
      return FE_UPWARD;
    default:
      return FE_TONEAREST;
  }
}

uint32_t host_flags() {
  const int e = std::fetestexcept(FE_ALL_EXCEPT);
  return (e & FE_INEXACT ? NX : 0) | (e & FE_UNDERFLOW ? UF : 0) | (e & FE_OVERFLOW ? OF : 0) |
         (e & FE_DIVBYZERO ? DZ : 0) | (e & FE_INVALID ? NV : 0);
}

// Operands and results go through volatiles so that the compiler neither folds the
// operation nor moves it across the fenv calls (g++ has no FENV_ACCESS pragma).
template <class Float>
Float host_op(Op op, Float a, Float b, Float c, int mode, uint32_t& flags) {
  static volatile Float va, vb, vc, vr;
  std::fesetround(mode);
  std::feclearexcept(FE_ALL_EXCEPT);
  va = a;
  vb = b;
  vc = c;
  switch (op) {
    case Op::Add:
      vr = va + vb;
      break;
    case Op::Sub:
      vr = va - vb;
      break;
    case Op::Mul:
      vr = va * vb;
      break;
    case Op::Div:
      vr = va / vb;
      break;
    case Op::Sqrt:
      vr = std::sqrt(static_cast<Float>(va));
      break;
    case Op::Fma:
      vr = std::fma(static_cast<Float>(va), static_cast<Float>(vb), static_cast<Float>(vc));
      break;
  }
  const Float r = vr;
  flags = host_flags();
  std::fesetround(FE_TONEAREST);
  return r;
}

// A call through a volatile pointer reaches libm's rint, which honours the rounding mode;
// g++'s inline expansion of std::rint assumes round-to-nearest.
double (*volatile host_rint)(double) = static_cast<double (*)(double)>(&::rint);

template <class Float>
Float host_convert(double d, int mode) {
  static volatile double vd;
  static volatile Float vr;
  std::fesetround(mode);
  vd = d;
  vr = static_cast<Float>(vd);
  const Float r = vr;
  std::fesetround(FE_TONEAREST);
  return r;
}

uint32_t soft_op(Op op, uint32_t a, uint32_t b, uint32_t c, Env& env) {
  switch (op) {
    case Op::Add:
      return f32_add(a, b, env);
    case Op::Sub:
      return f32_sub(a, b, env);
    case Op::Mul:
      return f32_mul(a, b, env);
    case Op::Div:
      return f32_div(a, b, env);
    case Op::Sqrt:
      return f32_sqrt(a, env);
    case Op::Fma:
      return f32_fma(a, b, c, env);
  }
  return 0;
}
uint64_t soft_op(Op op, uint64_t a, uint64_t b, uint64_t c, Env& env) {
  switch (op) {
    case Op::Add:
      return f64_add(a, b, env);
    case Op::Sub:
      return f64_sub(a, b, env);
    case Op::Mul:
      return f64_mul(a, b, env);
    case Op::Div:
      return f64_div(a, b, env);
    case Op::Sqrt:
      return f64_sqrt(a, env);
    case Op::Fma:
      return f64_fma(a, b, c, env);
  }
  return 0;
}

// Random operands biased towards what breaks soft-float: extreme and equal exponents,
// subnormals, short or all-ones significands (ties, carries), specials.
template <class Bits>
class Gen {
 public:
  static constexpr unsigned kTotal = sizeof(Bits) * 8;
  static constexpr unsigned kFrac = kTotal == 32 ? 23 : 52;
  static constexpr unsigned kMaxExp = kTotal == 32 ? 255 : 2047;
  static constexpr unsigned kBias = kMaxExp / 2;

  explicit Gen(uint64_t seed) : rng_(seed) {}

  uint64_t below(uint64_t n) { return rng_() % n; }

  Bits frac() {
    const Bits mask = (Bits{1} << kFrac) - 1;
    Bits f = static_cast<Bits>(rng_()) & mask;
    switch (below(5)) {
      case 0:
        return f;
      case 1:
        return f & ~((Bits{1} << below(kFrac)) - 1);  // short significand
      case 2:
        return mask & ~((Bits{1} << below(kFrac)) - 1);  // run of ones
      case 3:
        return (Bits{1} << below(kFrac)) | (below(2) ? Bits{1} : Bits{0});
      default:
        return mask ^ (Bits{1} << below(kFrac));
    }
  }
  Bits pack(bool sign, unsigned exp, Bits f) {
    return (static_cast<Bits>(sign) << (kTotal - 1)) | (static_cast<Bits>(exp) << kFrac) | f;
  }
  Bits any() {
    const bool sign = below(2);
    switch (below(10)) {
      case 0: {
        const Bits specials[] = {0,
                                 pack(0, kMaxExp, 0),
                                 pack(0, kMaxExp, Bits{1} << (kFrac - 1)),
                                 pack(0, kMaxExp, 1),
                                 pack(0, kMaxExp - 1, frac()),
                                 pack(0, 1, 0),
                                 1,
                                 pack(0, kBias, 0)};
        return specials[below(std::size(specials))] | pack(sign, 0, 0);
      }
      case 1:
        return pack(sign, 0, frac());
      case 2:
        return pack(sign, 1 + static_cast<unsigned>(below(40)), frac());
      case 3:
        return pack(sign, kMaxExp - 1 - static_cast<unsigned>(below(40)), frac());
      case 4:
        return pack(sign, 1 + static_cast<unsigned>(below(kMaxExp - 1)), frac());
      default:
        return pack(sign, kBias - 30 + static_cast<unsigned>(below(61)), frac());
    }
  }
  // An operand near `a` in magnitude, for cancellation and alignment cases.
  Bits near(Bits a) {
    const unsigned ea = static_cast<unsigned>((a >> kFrac) & kMaxExp);
    const int delta = static_cast<int>(below(kFrac + 5)) - 2;
    const int e = static_cast<int>(ea) - delta;
    if (e < 0 || e >= static_cast<int>(kMaxExp)) return any();
    return pack(below(2), static_cast<unsigned>(e),
                below(3) ? frac() : (a & ((Bits{1} << kFrac) - 1)));
  }

 private:
  std::mt19937_64 rng_;
};

bool is_nan32(uint32_t x) {
  return (x & 0x7fffffff) > 0x7f800000;
}
bool is_nan64(uint64_t x) {
  return (x & ~(uint64_t{1} << 63)) > 0x7ff0000000000000;
}

template <class Bits, class Float>
void compare_with_host(uint64_t seed) {
  Gen<Bits> gen(seed);
  int failures = 0;
  for (Op op : kOps) {
    for (Rm rm : kHostModes) {
      for (int i = 0; i < kIterations && failures < 20; ++i) {
        const Bits a = gen.any();
        const Bits b = gen.below(3) ? gen.near(a) : gen.any();
        const Bits c = gen.below(2) ? gen.any() : gen.near(a);  // only read by fma
        uint32_t want_flags = 0;
        const Float r = host_op<Float>(op, std::bit_cast<Float>(a), std::bit_cast<Float>(b),
                                       std::bit_cast<Float>(c), host_mode(rm), want_flags);
        Bits want = std::bit_cast<Bits>(r);
        const bool any_nan = sizeof(Bits) == 4 ? is_nan32(a) || is_nan32(b) || is_nan32(c)
                                               : is_nan64(a) || is_nan64(b) || is_nan64(c);
        if (std::isnan(r)) want = sizeof(Bits) == 4 ? Bits(kCanonicalNaN32) : Bits(kCanonicalNaN64);
        Env env{rm, 0};
        const Bits got = soft_op(op, a, b, c, env);
        uint32_t got_flags = env.flags;
        // x86 raises no NV for inf*0 + qNaN, which RISC-V requires: the table tests cover
        // NaN operands of fma.
        if (op == Op::Fma && any_nan) got_flags = want_flags = 0;
        if (!kHostTinyAfterRounding) got_flags &= ~UF, want_flags &= ~UF;
        if (got != want || got_flags != want_flags) {
          ++failures;
          ADD_FAILURE() << std::hex << "op " << static_cast<int>(op) << " rm "
                        << static_cast<int>(rm) << " a=0x" << +a << " b=0x" << +b << " c=0x" << +c
                        << ": got 0x" << +got << " flags " << got_flags << ", host 0x" << +want
                        << " flags " << want_flags;
        }
      }
    }
  }
}

TEST(FpHostOracle, Binary32ArithmeticInFourModes) {
  compare_with_host<uint32_t, float>(1);
}
TEST(FpHostOracle, Binary64ArithmeticInFourModes) {
  compare_with_host<uint64_t, double>(2);
}

// RMM for binary32 + - * / sqrt from the host's double result d (see the file comment):
// the two binary32 neighbours of d come from host directed conversions; the result is the
// one farther from zero when |d| is at or beyond their midpoint, which is exact in double.
uint32_t rmm_from_double(double d, uint32_t& flags) {
  const float toward_zero = host_convert<float>(d, FE_TOWARDZERO);
  const float away = host_convert<float>(d, d < 0 ? FE_DOWNWARD : FE_UPWARD);
  if (toward_zero == away) return std::bit_cast<uint32_t>(toward_zero);
  flags |= NX;
  const double far = std::isinf(away) ? std::copysign(0x1p128, d) : static_cast<double>(away);
  const double mid = (static_cast<double>(toward_zero) + far) / 2;
  if (std::fabs(d) < std::fabs(mid)) return std::bit_cast<uint32_t>(toward_zero);
  if (std::isinf(away)) flags |= OF;
  return std::bit_cast<uint32_t>(away);
}

TEST(FpHostOracle, Binary32RoundToMaxMagnitude) {
  Gen<uint32_t> gen(3);
  int failures = 0;
  for (Op op : {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Sqrt}) {
    for (int i = 0; i < kIterations && failures < 20; ++i) {
      const uint32_t a = gen.any();
      const uint32_t b = gen.below(3) ? gen.near(a) : gen.any();
      uint32_t flags = 0;
      const double d = host_op<double>(op, std::bit_cast<float>(a), std::bit_cast<float>(b), 0,
                                       FE_TONEAREST, flags);
      if (!std::isfinite(d) || flags & (NV | DZ)) continue;  // specials: table tests
      uint32_t want_flags = flags & NX;
      const uint32_t want = rmm_from_double(d, want_flags);
      Env env{Rm::RMM, 0};
      const uint32_t got = soft_op(op, a, b, 0, env);
      if (got != want || (env.flags & ~UF) != want_flags) {
        ++failures;
        ADD_FAILURE() << std::hex << "op " << static_cast<int>(op) << " a=0x" << a << " b=0x" << b
                      << ": got 0x" << got << " flags " << env.flags << ", want 0x" << want
                      << " flags " << want_flags;
      }
    }
  }
}

// Conversions: float-to-float in four modes, integer-to-float in four modes, and
// float-to-integer against rint() plus the spec's saturation table.
TEST(FpHostOracle, ConversionsInFourModes) {
  Gen<uint64_t> gen64(4);
  Gen<uint32_t> gen32(5);
  int failures = 0;
  for (Rm rm : kHostModes) {
    const int mode = host_mode(rm);
    for (int i = 0; i < kIterations && failures < 20; ++i) {
      // fcvt.s.d
      const uint64_t d = gen64.any();
      std::feclearexcept(FE_ALL_EXCEPT);
      const float narrowed = host_convert<float>(std::bit_cast<double>(d), mode);
      const uint32_t want_flags = host_flags();
      const uint32_t want =
          std::isnan(narrowed) ? kCanonicalNaN32 : std::bit_cast<uint32_t>(narrowed);
      Env env{rm, 0};
      const uint32_t got = f64_to_f32(d, env);
      if (got != want || env.flags != want_flags) {
        ++failures;
        ADD_FAILURE() << std::hex << "fcvt.s.d rm " << int(rm) << " 0x" << d << ": got 0x" << got
                      << " flags " << env.flags << ", host 0x" << want << " flags " << want_flags;
      }
      // fcvt.d.l / fcvt.s.lu from random integers of random width.
      const uint64_t v = gen64.below(2) ? gen64.any() : gen64.any() >> gen64.below(64);
      std::feclearexcept(FE_ALL_EXCEPT);
      std::fesetround(mode);
      static volatile int64_t vi;
      static volatile uint64_t vu;
      static volatile double vd;
      static volatile float vf;
      vi = static_cast<int64_t>(v);
      vd = static_cast<double>(vi);
      const uint32_t d_flags = host_flags();
      std::feclearexcept(FE_ALL_EXCEPT);
      vu = v;
      vf = static_cast<float>(vu);
      const uint32_t f_flags = host_flags();
      std::fesetround(FE_TONEAREST);
      Env e1{rm, 0}, e2{rm, 0};
      const uint64_t got_d = i64_to_f64(static_cast<int64_t>(v), e1);
      const uint32_t got_f = u64_to_f32(v, e2);
      if (got_d != std::bit_cast<uint64_t>(static_cast<double>(vd)) || e1.flags != d_flags ||
          got_f != std::bit_cast<uint32_t>(static_cast<float>(vf)) || e2.flags != f_flags) {
        ++failures;
        ADD_FAILURE() << std::hex << "int to float rm " << int(rm) << " 0x" << v;
      }
      // fcvt.w.s and fcvt.lu.d: the integral value from rint() in the same mode, then the
      // spec's clipping (NaN and out of range: NV, no NX).
      const uint32_t s = gen32.any();
      for (bool is_double : {false, true}) {
        const double x = is_double ? std::bit_cast<double>(d) : std::bit_cast<float>(s);
        std::fesetround(mode);
        std::feclearexcept(FE_ALL_EXCEPT);
        vd = x;
        vd = host_rint(vd);
        const double rounded = vd;
        const uint32_t nx = host_flags() & NX;
        std::fesetround(FE_TONEAREST);
        const double lo = is_double ? 0.0 : -0x1p31;
        const double hi = is_double ? 0x1p64 : 0x1p31;  // exclusive
        uint64_t want_i;
        uint32_t want_i_flags = nx;
        if (std::isnan(x) || rounded >= hi) {
          want_i = is_double ? ~uint64_t{0} : uint64_t{0x7fffffff};
          want_i_flags = NV;
        } else if (rounded < lo) {
          want_i = is_double ? 0 : static_cast<uint64_t>(int64_t{-0x80000000ll});
          want_i_flags = NV;
        } else {
          want_i = is_double ? static_cast<uint64_t>(rounded)
                             : static_cast<uint64_t>(static_cast<int64_t>(rounded));
        }
        Env env_i{rm, 0};
        const uint64_t got_i =
            is_double ? f64_to_u64(d, env_i) : static_cast<uint64_t>(int64_t{f32_to_i32(s, env_i)});
        if (got_i != want_i || env_i.flags != want_i_flags) {
          ++failures;
          ADD_FAILURE() << std::hex << (is_double ? "fcvt.lu.d" : "fcvt.w.s") << " rm " << int(rm)
                        << " 0x" << (is_double ? d : s) << ": got 0x" << got_i << " flags "
                        << env_i.flags << ", want 0x" << want_i << " flags " << want_i_flags;
        }
      }
    }
  }
}

}  // namespace
}  // namespace tiervm::fp
