// Soft-float conversions, one line per case. Float-to-integer limits and invalid results
// follow the F extension's table "Domains of float-to-integer conversions"; NX is set
// when the rounded result differs from the input and NV is not set.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>

#include "engine/fp/ieee754.h"

namespace tiervm::fp {
namespace {

using namespace fflag;
constexpr uint32_t NONE = 0;

constexpr uint32_t f32(float f) {
  return std::bit_cast<uint32_t>(f);
}
constexpr uint64_t f64(double d) {
  return std::bit_cast<uint64_t>(d);
}

constexpr int64_t kI32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kI32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

enum class ToInt { W, WU, L, LU };

// Float to integer. `in` is binary32 bits when `from_double` is false.
struct ToIntCase {
  const char* name;
  ToInt to;
  bool from_double;
  uint64_t in;
  Rm rm;
  uint64_t expect;  // the integer, as the 64-bit pattern of its type's value
  uint32_t flags;
};

constexpr uint64_t u(int64_t v) {
  return static_cast<uint64_t>(v);
}

const ToIntCase kToInt[] = {
    {"fcvt.w.s 3e9", ToInt::W, false, f32(3e9f), Rm::RNE, u(kI32Max), NV},
    {"fcvt.w.s -3e9", ToInt::W, false, f32(-3e9f), Rm::RNE, u(kI32Min), NV},
    {"fcvt.w.s -1.5 RNE", ToInt::W, false, f32(-1.5f), Rm::RNE, u(-2), NX},
    {"fcvt.w.s -1.5 RTZ", ToInt::W, false, f32(-1.5f), Rm::RTZ, u(-1), NX},
    {"fcvt.w.s -1.5 RDN", ToInt::W, false, f32(-1.5f), Rm::RDN, u(-2), NX},
    {"fcvt.w.s -1.5 RUP", ToInt::W, false, f32(-1.5f), Rm::RUP, u(-1), NX},
    {"fcvt.w.s -1.5 RMM", ToInt::W, false, f32(-1.5f), Rm::RMM, u(-2), NX},
    {"fcvt.w.s 2.5 RNE", ToInt::W, false, f32(2.5f), Rm::RNE, 2, NX},
    {"fcvt.w.s 2.5 RMM", ToInt::W, false, f32(2.5f), Rm::RMM, 3, NX},
    {"fcvt.w.s 2.5 RUP", ToInt::W, false, f32(2.5f), Rm::RUP, 3, NX},
    {"fcvt.w.s 2.5 RDN", ToInt::W, false, f32(2.5f), Rm::RDN, 2, NX},
    {"fcvt.w.s -2.5 RMM", ToInt::W, false, f32(-2.5f), Rm::RMM, u(-3), NX},
    {"fcvt.w.s 0.4 RMM", ToInt::W, false, f32(0.4f), Rm::RMM, 0, NX},
    {"fcvt.w.s 0.5 RNE", ToInt::W, false, f32(0.5f), Rm::RNE, 0, NX},
    {"fcvt.w.s 2^-140 RUP", ToInt::W, false, f32(0x1p-140f), Rm::RUP, 1, NX},
    {"fcvt.w.s -2^-149 RDN", ToInt::W, false, 0x80000001, Rm::RDN, u(-1), NX},
    {"fcvt.w.s -2^-149 RTZ", ToInt::W, false, 0x80000001, Rm::RTZ, 0, NX},
    {"fcvt.w.s -0", ToInt::W, false, 0x80000000, Rm::RNE, 0, NONE},
    {"fcvt.w.s 7 exact", ToInt::W, false, f32(7), Rm::RNE, 7, NONE},
    {"fcvt.w.s 2^31 - 128", ToInt::W, false, f32(2147483520.0f), Rm::RNE, 2147483520, NONE},
    {"fcvt.w.s 2^31", ToInt::W, false, f32(0x1p31f), Rm::RNE, u(kI32Max), NV},
    {"fcvt.w.s -2^31", ToInt::W, false, f32(-0x1p31f), Rm::RNE, u(kI32Min), NONE},
    {"fcvt.w.s qNaN", ToInt::W, false, 0x7fc00000, Rm::RNE, u(kI32Max), NV},
    {"fcvt.w.s -qNaN", ToInt::W, false, 0xffc00000, Rm::RNE, u(kI32Max), NV},
    {"fcvt.w.s sNaN", ToInt::W, false, 0x7f800001, Rm::RNE, u(kI32Max), NV},
    {"fcvt.w.s +inf", ToInt::W, false, 0x7f800000, Rm::RNE, u(kI32Max), NV},
    {"fcvt.w.s -inf", ToInt::W, false, 0xff800000, Rm::RNE, u(kI32Min), NV},
    // The range check applies to the rounded value.
    {"fcvt.w.d 2^31-0.5 RNE -> 2^31", ToInt::W, true, f64(2147483647.5), Rm::RNE, u(kI32Max), NV},
    {"fcvt.w.d 2^31-0.5 RTZ", ToInt::W, true, f64(2147483647.5), Rm::RTZ, u(kI32Max), NX},
    {"fcvt.w.d -2^31-0.5 RTZ", ToInt::W, true, f64(-2147483648.5), Rm::RTZ, u(kI32Min), NX},
    {"fcvt.w.d -2^31-0.5 RNE", ToInt::W, true, f64(-2147483648.5), Rm::RNE, u(kI32Min), NX},
    {"fcvt.w.d -2^31-0.5 RDN", ToInt::W, true, f64(-2147483648.5), Rm::RDN, u(kI32Min), NV},
    {"fcvt.w.d -2^31-0.5 RMM", ToInt::W, true, f64(-2147483648.5), Rm::RMM, u(kI32Min), NV},
    {"fcvt.w.d 1e300", ToInt::W, true, f64(1e300), Rm::RNE, u(kI32Max), NV},
    // Unsigned: a negative value that rounds to 0 is valid (NX only).
    {"fcvt.wu.s -0.5 RTZ", ToInt::WU, false, f32(-0.5f), Rm::RTZ, 0, NX},
    {"fcvt.wu.s -0.5 RNE", ToInt::WU, false, f32(-0.5f), Rm::RNE, 0, NX},
    {"fcvt.wu.s -0.5 RMM", ToInt::WU, false, f32(-0.5f), Rm::RMM, 0, NV},
    {"fcvt.wu.s -0.5 RDN", ToInt::WU, false, f32(-0.5f), Rm::RDN, 0, NV},
    {"fcvt.wu.s -1", ToInt::WU, false, f32(-1), Rm::RTZ, 0, NV},
    {"fcvt.wu.s -0", ToInt::WU, false, 0x80000000, Rm::RNE, 0, NONE},
    {"fcvt.wu.s -inf", ToInt::WU, false, 0xff800000, Rm::RNE, 0, NV},
    {"fcvt.wu.s 2^32-256", ToInt::WU, false, f32(4294967040.0f), Rm::RNE, 0xffffff00, NONE},
    {"fcvt.wu.s 2^32", ToInt::WU, false, f32(0x1p32f), Rm::RNE, 0xffffffff, NV},
    {"fcvt.wu.s 3e9", ToInt::WU, false, f32(3e9f), Rm::RNE, 3000000000, NONE},
    {"fcvt.wu.s NaN", ToInt::WU, false, 0x7fc00000, Rm::RNE, 0xffffffff, NV},
    {"fcvt.wu.d 2^32-0.5 RNE", ToInt::WU, true, f64(4294967295.5), Rm::RNE, 0xffffffff, NV},
    {"fcvt.wu.d 2^32-0.5 RDN", ToInt::WU, true, f64(4294967295.5), Rm::RDN, 0xffffffff, NX},
    {"fcvt.l.d 2^63", ToInt::L, true, f64(0x1p63), Rm::RNE, u(kI64Max), NV},
    {"fcvt.l.d -2^63", ToInt::L, true, f64(-0x1p63), Rm::RNE, u(kI64Min), NONE},
    {"fcvt.l.d 2^63 - 1024", ToInt::L, true, 0x43dfffffffffffff, Rm::RNE, 0x7ffffffffffffc00, NONE},
    {"fcvt.l.d 0.5 RNE", ToInt::L, true, f64(0.5), Rm::RNE, 0, NX},
    {"fcvt.l.d 0.5 RMM", ToInt::L, true, f64(0.5), Rm::RMM, 1, NX},
    {"fcvt.l.d 1e-300 RUP", ToInt::L, true, f64(1e-300), Rm::RUP, 1, NX},
    {"fcvt.l.d -1e-300 RDN", ToInt::L, true, f64(-1e-300), Rm::RDN, u(-1), NX},
    {"fcvt.l.d -1e-300 RTZ", ToInt::L, true, f64(-1e-300), Rm::RTZ, 0, NX},
    {"fcvt.l.d 2^51 + 0.5 RNE", ToInt::L, true, f64(0x1p51 + 0.5), Rm::RNE, 1ull << 51, NX},
    {"fcvt.l.d 2^51 + 1.5 RNE", ToInt::L, true, f64(0x1p51 + 1.5), Rm::RNE, (1ull << 51) + 2, NX},
    {"fcvt.l.d -inf", ToInt::L, true, 0xfff0000000000000, Rm::RNE, u(kI64Min), NV},
    {"fcvt.l.d NaN", ToInt::L, true, 0x7ff8000000000000, Rm::RNE, u(kI64Max), NV},
    {"fcvt.l.s -2^63", ToInt::L, false, f32(-0x1p63f), Rm::RNE, u(kI64Min), NONE},
    {"fcvt.l.s 2^63", ToInt::L, false, f32(0x1p63f), Rm::RNE, u(kI64Max), NV},
    {"fcvt.lu.d 2^64", ToInt::LU, true, f64(0x1p64), Rm::RNE, kU64Max, NV},
    {"fcvt.lu.d 2^64 - 2048", ToInt::LU, true, 0x43efffffffffffff, Rm::RNE, 0xfffffffffffff800,
     NONE},
    {"fcvt.lu.d 2^63", ToInt::LU, true, f64(0x1p63), Rm::RNE, 1ull << 63, NONE},
    {"fcvt.lu.d -1e-300 RTZ", ToInt::LU, true, f64(-1e-300), Rm::RTZ, 0, NX},
    {"fcvt.lu.d -1e-300 RDN", ToInt::LU, true, f64(-1e-300), Rm::RDN, 0, NV},
    {"fcvt.lu.d -inf", ToInt::LU, true, 0xfff0000000000000, Rm::RNE, 0, NV},
    {"fcvt.lu.d NaN", ToInt::LU, true, 0x7ff8000000000000, Rm::RNE, kU64Max, NV},
    {"fcvt.lu.s 1e19", ToInt::LU, false, f32(1e19f), Rm::RNE, 9999999980506447872ull, NONE},
    {"fcvt.lu.s 2^64", ToInt::LU, false, f32(0x1p64f), Rm::RNE, kU64Max, NV},
};

uint64_t to_int(const ToIntCase& c, Env& env) {
  const uint32_t s = static_cast<uint32_t>(c.in);
  switch (c.to) {
    case ToInt::W:
      return u(c.from_double ? f64_to_i32(c.in, env) : f32_to_i32(s, env));
    case ToInt::WU:
      return c.from_double ? f64_to_u32(c.in, env) : f32_to_u32(s, env);
    case ToInt::L:
      return u(c.from_double ? f64_to_i64(c.in, env) : f32_to_i64(s, env));
    case ToInt::LU:
      return c.from_double ? f64_to_u64(c.in, env) : f32_to_u64(s, env);
  }
  return 0;
}

TEST(FpConvert, FloatToInteger) {
  for (const auto& c : kToInt) {
    Env env{c.rm, 0};
    EXPECT_EQ(to_int(c, env), c.expect) << c.name;
    EXPECT_EQ(env.flags, c.flags) << c.name;
  }
}

enum class FromInt { W, WU, L, LU };

// Integer to float; `to_double` selects the destination format.
struct FromIntCase {
  const char* name;
  FromInt from;
  bool to_double;
  uint64_t in;
  Rm rm;
  uint64_t expect;
  uint32_t flags;
};

const FromIntCase kFromInt[] = {
    {"fcvt.s.w 0", FromInt::W, false, 0, Rm::RNE, 0, NONE},
    {"fcvt.s.w -1", FromInt::W, false, u(-1), Rm::RNE, f32(-1), NONE},
    {"fcvt.s.w 2^24+1 RNE", FromInt::W, false, 16777217, Rm::RNE, f32(16777216.0f), NX},
    {"fcvt.s.w 2^24+1 RUP", FromInt::W, false, 16777217, Rm::RUP, f32(16777218.0f), NX},
    {"fcvt.s.w 2^24+1 RMM", FromInt::W, false, 16777217, Rm::RMM, f32(16777218.0f), NX},
    {"fcvt.s.w 2^24+1 RTZ", FromInt::W, false, 16777217, Rm::RTZ, f32(16777216.0f), NX},
    {"fcvt.s.w 2^24+3 RNE", FromInt::W, false, 16777219, Rm::RNE, f32(16777220.0f), NX},
    {"fcvt.s.w -(2^24+1) RDN", FromInt::W, false, u(-16777217), Rm::RDN, f32(-16777218.0f), NX},
    {"fcvt.s.w -(2^24+1) RUP", FromInt::W, false, u(-16777217), Rm::RUP, f32(-16777216.0f), NX},
    {"fcvt.s.w INT32_MIN", FromInt::W, false, u(kI32Min), Rm::RNE, f32(-0x1p31f), NONE},
    {"fcvt.s.w INT32_MAX RTZ", FromInt::W, false, u(kI32Max), Rm::RTZ, f32(2147483520.0f), NX},
    {"fcvt.s.wu 2^32-1 RNE", FromInt::WU, false, 0xffffffff, Rm::RNE, f32(0x1p32f), NX},
    {"fcvt.s.wu 2^32-1 RTZ", FromInt::WU, false, 0xffffffff, Rm::RTZ, f32(4294967040.0f), NX},
    {"fcvt.s.l INT64_MIN", FromInt::L, false, u(kI64Min), Rm::RNE, f32(-0x1p63f), NONE},
    {"fcvt.s.lu 2^64-1 RNE", FromInt::LU, false, kU64Max, Rm::RNE, f32(0x1p64f), NX},
    {"fcvt.s.lu 2^64-1 RTZ", FromInt::LU, false, kU64Max, Rm::RTZ, 0x5f7fffff, NX},
    {"fcvt.s.lu 2^63+1 RUP", FromInt::LU, false, (1ull << 63) + 1, Rm::RUP, 0x5f000001, NX},
    {"fcvt.d.w -1", FromInt::W, true, u(-1), Rm::RNE, f64(-1), NONE},
    {"fcvt.d.w INT32_MIN", FromInt::W, true, u(kI32Min), Rm::RNE, f64(-0x1p31), NONE},
    {"fcvt.d.wu 2^32-1", FromInt::WU, true, 0xffffffff, Rm::RNE, f64(4294967295.0), NONE},
    {"fcvt.d.l INT64_MIN", FromInt::L, true, u(kI64Min), Rm::RNE, f64(-0x1p63), NONE},
    {"fcvt.d.l 2^53+1 RNE", FromInt::L, true, (1ull << 53) + 1, Rm::RNE, f64(0x1p53), NX},
    {"fcvt.d.l 2^53+1 RUP", FromInt::L, true, (1ull << 53) + 1, Rm::RUP, 0x4340000000000001, NX},
    {"fcvt.d.l 2^53+1 RMM", FromInt::L, true, (1ull << 53) + 1, Rm::RMM, 0x4340000000000001, NX},
    {"fcvt.d.l -(2^53+1) RDN", FromInt::L, true, u(-((1ll << 53) + 1)), Rm::RDN, 0xc340000000000001,
     NX},
    {"fcvt.d.lu 2^64-1 RNE", FromInt::LU, true, kU64Max, Rm::RNE, f64(0x1p64), NX},
    {"fcvt.d.lu 2^64-1 RTZ", FromInt::LU, true, kU64Max, Rm::RTZ, 0x43efffffffffffff, NX},
    {"fcvt.d.lu 0", FromInt::LU, true, 0, Rm::RDN, 0, NONE},
};

uint64_t from_int(const FromIntCase& c, Env& env) {
  const auto w = static_cast<uint32_t>(c.in);
  if (c.to_double) {
    switch (c.from) {
      case FromInt::W:
        return i32_to_f64(static_cast<int32_t>(w), env);
      case FromInt::WU:
        return u32_to_f64(w, env);
      case FromInt::L:
        return i64_to_f64(static_cast<int64_t>(c.in), env);
      case FromInt::LU:
        return u64_to_f64(c.in, env);
    }
  }
  switch (c.from) {
    case FromInt::W:
      return i32_to_f32(static_cast<int32_t>(w), env);
    case FromInt::WU:
      return u32_to_f32(w, env);
    case FromInt::L:
      return i64_to_f32(static_cast<int64_t>(c.in), env);
    case FromInt::LU:
      return u64_to_f32(c.in, env);
  }
  return 0;
}

TEST(FpConvert, IntegerToFloat) {
  for (const auto& c : kFromInt) {
    Env env{c.rm, 0};
    EXPECT_EQ(from_int(c, env), c.expect) << c.name;
    EXPECT_EQ(env.flags, c.flags) << c.name;
  }
}

struct FloatCase {
  const char* name;
  bool narrow;  // fcvt.s.d when true, fcvt.d.s otherwise
  uint64_t in;
  Rm rm;
  uint64_t expect;
  uint32_t flags;
};

const FloatCase kFloat[] = {
    {"fcvt.s.d 1/3 RNE", true, f64(1.0 / 3), Rm::RNE, 0x3eaaaaab, NX},
    {"fcvt.s.d 1/3 RTZ", true, f64(1.0 / 3), Rm::RTZ, 0x3eaaaaaa, NX},
    {"fcvt.s.d 1.5 exact", true, f64(1.5), Rm::RNE, f32(1.5f), NONE},
    {"fcvt.s.d 1 + 2^-24 RNE (tie)", true, f64(1 + 0x1p-24), Rm::RNE, f32(1), NX},
    {"fcvt.s.d 1 + 2^-24 RMM (tie)", true, f64(1 + 0x1p-24), Rm::RMM, 0x3f800001, NX},
    {"fcvt.s.d max double RNE", true, 0x7fefffffffffffff, Rm::RNE, 0x7f800000, OF | NX},
    {"fcvt.s.d max double RTZ", true, 0x7fefffffffffffff, Rm::RTZ, 0x7f7fffff, OF | NX},
    {"fcvt.s.d -max double RUP", true, 0xffefffffffffffff, Rm::RUP, 0xff7fffff, OF | NX},
    {"fcvt.s.d 2^-150 RNE", true, f64(0x1p-150), Rm::RNE, 0, UF | NX},
    {"fcvt.s.d 2^-150 RMM", true, f64(0x1p-150), Rm::RMM, 1, UF | NX},
    {"fcvt.s.d 2^-149 exact subnormal", true, f64(0x1p-149), Rm::RNE, 1, NONE},
    {"fcvt.s.d 1e-300 RUP", true, f64(1e-300), Rm::RUP, 1, UF | NX},
    {"fcvt.s.d min double subnormal RNE", true, 1, Rm::RNE, 0, UF | NX},
    {"fcvt.s.d -0", true, 0x8000000000000000, Rm::RNE, 0x80000000, NONE},
    {"fcvt.s.d -inf", true, 0xfff0000000000000, Rm::RNE, 0xff800000, NONE},
    {"fcvt.s.d qNaN payload", true, 0x7ff8000000000123, Rm::RNE, 0x7fc00000, NONE},
    {"fcvt.s.d sNaN", true, 0x7ff0000000000001, Rm::RNE, 0x7fc00000, NV},
    {"fcvt.s.d -qNaN", true, 0xfff8000000000000, Rm::RNE, 0x7fc00000, NONE},
    {"fcvt.d.s 1.5", false, f32(1.5f), Rm::RNE, f64(1.5), NONE},
    {"fcvt.d.s 2^-149", false, 1, Rm::RNE, f64(0x1p-149), NONE},
    {"fcvt.d.s max float", false, 0x7f7fffff, Rm::RTZ, f64(0x1.fffffep127), NONE},
    {"fcvt.d.s -0", false, 0x80000000, Rm::RNE, 0x8000000000000000, NONE},
    {"fcvt.d.s -inf", false, 0xff800000, Rm::RNE, 0xfff0000000000000, NONE},
    {"fcvt.d.s qNaN payload", false, 0x7fc00001, Rm::RNE, 0x7ff8000000000000, NONE},
    {"fcvt.d.s sNaN", false, 0x7f800001, Rm::RNE, 0x7ff8000000000000, NV},
};

TEST(FpConvert, BetweenFormats) {
  for (const auto& c : kFloat) {
    Env env{c.rm, 0};
    const uint64_t r =
        c.narrow ? f64_to_f32(c.in, env) : f32_to_f64(static_cast<uint32_t>(c.in), env);
    EXPECT_EQ(r, c.expect) << c.name << std::hex << ": got 0x" << r;
    EXPECT_EQ(env.flags, c.flags) << c.name;
  }
}

}  // namespace
}  // namespace tiervm::fp
