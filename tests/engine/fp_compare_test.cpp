// Soft-float comparisons, fmin/fmax, fclass and NaN-boxing, one line per case. Expected
// values from the F extension: feq is quiet, flt/fle signaling; fmin/fmax are
// minimumNumber/maximumNumber with -0 < +0; fclass's 10-bit mask.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

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

constexpr uint32_t kQNaN = 0x7fc00000;
constexpr uint32_t kQNaNPayload = 0x7fc12345;
constexpr uint32_t kSNaN = 0x7f800001;
constexpr uint32_t kInf = 0x7f800000;
constexpr uint32_t kNegInf = 0xff800000;
constexpr uint32_t kNegZero = 0x80000000;

enum class Cmp { Eq, Lt, Le };

struct CmpCase {
  const char* name;
  Cmp op;
  uint32_t a, b;
  bool expect;
  uint32_t flags;
};

const CmpCase kCmp32[] = {
    {"feq.s 1 1", Cmp::Eq, f32(1), f32(1), true, NONE},
    {"feq.s 1 2", Cmp::Eq, f32(1), f32(2), false, NONE},
    {"feq.s +0 -0", Cmp::Eq, 0, kNegZero, true, NONE},
    {"feq.s qNaN 1", Cmp::Eq, kQNaN, f32(1), false, NONE},
    {"feq.s qNaN qNaN", Cmp::Eq, kQNaN, kQNaN, false, NONE},
    {"feq.s 1 sNaN", Cmp::Eq, f32(1), kSNaN, false, NV},
    {"feq.s inf inf", Cmp::Eq, kInf, kInf, true, NONE},
    {"flt.s -1 1", Cmp::Lt, f32(-1), f32(1), true, NONE},
    {"flt.s 1 -1", Cmp::Lt, f32(1), f32(-1), false, NONE},
    {"flt.s -2 -1", Cmp::Lt, f32(-2), f32(-1), true, NONE},
    {"flt.s -1 -2", Cmp::Lt, f32(-1), f32(-2), false, NONE},
    {"flt.s 1 2", Cmp::Lt, f32(1), f32(2), true, NONE},
    {"flt.s 1 1", Cmp::Lt, f32(1), f32(1), false, NONE},
    {"flt.s -0 +0", Cmp::Lt, kNegZero, 0, false, NONE},
    {"flt.s -2^-149 +0", Cmp::Lt, 0x80000001, 0, true, NONE},
    {"flt.s 2^-149 2^-148", Cmp::Lt, 1, 2, true, NONE},
    {"flt.s -inf inf", Cmp::Lt, kNegInf, kInf, true, NONE},
    {"flt.s qNaN 1", Cmp::Lt, kQNaN, f32(1), false, NV},
    {"flt.s 1 qNaN", Cmp::Lt, f32(1), kQNaN, false, NV},
    {"flt.s sNaN 1", Cmp::Lt, kSNaN, f32(1), false, NV},
    {"fle.s 1 1", Cmp::Le, f32(1), f32(1), true, NONE},
    {"fle.s -0 +0", Cmp::Le, kNegZero, 0, true, NONE},
    {"fle.s +0 -0", Cmp::Le, 0, kNegZero, true, NONE},
    {"fle.s 2 1", Cmp::Le, f32(2), f32(1), false, NONE},
    {"fle.s -2 -1", Cmp::Le, f32(-2), f32(-1), true, NONE},
    {"fle.s -1 -2", Cmp::Le, f32(-1), f32(-2), false, NONE},
    {"fle.s inf inf", Cmp::Le, kInf, kInf, true, NONE},
    {"fle.s qNaN qNaN", Cmp::Le, kQNaN, kQNaN, false, NV},
};

TEST(FpCompare, Binary32) {
  for (const auto& c : kCmp32) {
    Env env;
    const bool r = c.op == Cmp::Eq   ? f32_eq(c.a, c.b, env)
                   : c.op == Cmp::Lt ? f32_lt(c.a, c.b, env)
                                     : f32_le(c.a, c.b, env);
    EXPECT_EQ(r, c.expect) << c.name;
    EXPECT_EQ(env.flags, c.flags) << c.name;
  }
}

TEST(FpCompare, Binary64) {
  const uint64_t qnan = 0x7ff8000000000000, snan = 0x7ff0000000000001;
  const uint64_t neg_zero = 0x8000000000000000;
  struct {
    const char* name;
    Cmp op;
    uint64_t a, b;
    bool expect;
    uint32_t flags;
  } const cases[] = {
      {"feq.d +0 -0", Cmp::Eq, 0, neg_zero, true, NONE},
      {"feq.d qNaN 1", Cmp::Eq, qnan, f64(1), false, NONE},
      {"feq.d sNaN 1", Cmp::Eq, snan, f64(1), false, NV},
      {"flt.d -1 -0.5", Cmp::Lt, f64(-1), f64(-0.5), true, NONE},
      {"flt.d -0 +0", Cmp::Lt, neg_zero, 0, false, NONE},
      {"flt.d 1 qNaN", Cmp::Lt, f64(1), qnan, false, NV},
      {"fle.d -0 +0", Cmp::Le, neg_zero, 0, true, NONE},
      {"fle.d 1 1+2^-52", Cmp::Le, f64(1), 0x3ff0000000000001, true, NONE},
      {"fle.d qNaN 1", Cmp::Le, qnan, f64(1), false, NV},
  };
  for (const auto& c : cases) {
    Env env;
    const bool r = c.op == Cmp::Eq   ? f64_eq(c.a, c.b, env)
                   : c.op == Cmp::Lt ? f64_lt(c.a, c.b, env)
                                     : f64_le(c.a, c.b, env);
    EXPECT_EQ(r, c.expect) << c.name;
    EXPECT_EQ(env.flags, c.flags) << c.name;
  }
}

struct MinMaxCase {
  const char* name;
  bool max;
  uint32_t a, b;
  uint32_t expect;
  uint32_t flags;
};

const MinMaxCase kMinMax32[] = {
    {"fmin.s -1 2", false, f32(-1), f32(2), f32(-1), NONE},
    {"fmax.s -1 2", true, f32(-1), f32(2), f32(2), NONE},
    {"fmin.s -0 +0", false, kNegZero, 0, kNegZero, NONE},
    {"fmin.s +0 -0", false, 0, kNegZero, kNegZero, NONE},
    {"fmax.s -0 +0", true, kNegZero, 0, 0, NONE},
    {"fmax.s +0 -0", true, 0, kNegZero, 0, NONE},
    {"fmin.s -inf 1", false, kNegInf, f32(1), kNegInf, NONE},
    {"fmax.s -inf inf", true, kNegInf, kInf, kInf, NONE},
    {"fmin.s -2 -3", false, f32(-2), f32(-3), f32(-3), NONE},
    {"fmax.s -2 -3", true, f32(-2), f32(-3), f32(-2), NONE},
    {"fmin.s qNaN 1", false, kQNaNPayload, f32(1), f32(1), NONE},
    {"fmin.s 1 qNaN", false, f32(1), kQNaN, f32(1), NONE},
    {"fmax.s qNaN -1", true, kQNaN, f32(-1), f32(-1), NONE},
    {"fmin.s sNaN 1", false, kSNaN, f32(1), f32(1), NV},
    {"fmax.s 1 sNaN", true, f32(1), kSNaN, f32(1), NV},
    {"fmax.s qNaN qNaN", true, kQNaNPayload, 0xffc00001, kQNaN, NONE},
    {"fmin.s sNaN qNaN", false, kSNaN, kQNaNPayload, kQNaN, NV},
};

TEST(FpMinMax, Binary32) {
  for (const auto& c : kMinMax32) {
    Env env;
    const uint32_t r = c.max ? f32_max(c.a, c.b, env) : f32_min(c.a, c.b, env);
    EXPECT_EQ(r, c.expect) << c.name << std::hex << ": got 0x" << r;
    EXPECT_EQ(env.flags, c.flags) << c.name;
  }
}

TEST(FpMinMax, Binary64) {
  const uint64_t neg_zero = 0x8000000000000000, qnan = 0x7ff8000000000000;
  const uint64_t snan = 0x7ff4000000000000;
  Env env;
  EXPECT_EQ(f64_min(0, neg_zero, env), neg_zero);
  EXPECT_EQ(f64_max(neg_zero, 0, env), 0u);
  EXPECT_EQ(f64_min(f64(-1), f64(1), env), f64(-1));
  EXPECT_EQ(f64_max(qnan | 1, f64(3), env), f64(3));
  EXPECT_EQ(env.flags, NONE);
  EXPECT_EQ(f64_max(snan, qnan | 5, env), qnan);
  EXPECT_EQ(env.flags, NV);
}

struct ClassCase {
  const char* name;
  uint32_t f32_bits;
  uint64_t f64_bits;
  unsigned bit;
};

const ClassCase kClasses[] = {
    {"-inf", 0xff800000, 0xfff0000000000000, 0},
    {"-normal", f32(-1.5f), f64(-1.5), 1},
    {"-normal (largest)", 0xff7fffff, 0xffefffffffffffff, 1},
    {"-subnormal", 0x80000001, 0x8000000000000001, 2},
    {"-subnormal (largest)", 0x807fffff, 0x800fffffffffffff, 2},
    {"-0", 0x80000000, 0x8000000000000000, 3},
    {"+0", 0, 0, 4},
    {"+subnormal", 0x00000001, 0x0000000000000001, 5},
    {"+normal (smallest)", 0x00800000, 0x0010000000000000, 6},
    {"+normal", f32(3.0f), f64(3.0), 6},
    {"+inf", 0x7f800000, 0x7ff0000000000000, 7},
    {"sNaN", 0x7f800001, 0x7ff0000000000001, 8},
    {"-sNaN", 0xffbfffff, 0xfff7ffffffffffff, 8},
    {"qNaN", 0x7fc00000, 0x7ff8000000000000, 9},
    {"-qNaN with payload", 0xffc00001, 0xfff8000000000001, 9},
};

TEST(FpClassify, EachClassSetsExactlyItsBit) {
  for (const auto& c : kClasses) {
    EXPECT_EQ(f32_classify(c.f32_bits), 1u << c.bit) << "fclass.s " << c.name;
    EXPECT_EQ(f64_classify(c.f64_bits), 1u << c.bit) << "fclass.d " << c.name;
  }
}

TEST(FpNanBoxing, UnboxedSinglesReadAsTheCanonicalNaN) {
  EXPECT_EQ(unbox_f32(0xffffffff3f800000), f32(1));
  EXPECT_EQ(unbox_f32(0xffffffff7f800001), 0x7f800001u);  // boxed sNaN stays itself
  EXPECT_EQ(unbox_f32(0x000000003f800000), kCanonicalNaN32);
  EXPECT_EQ(unbox_f32(0xfffffffe3f800000), kCanonicalNaN32);
  EXPECT_EQ(unbox_f32(0x7fffffff3f800000), kCanonicalNaN32);
  EXPECT_EQ(box_f32(f32(-2)), 0xffffffffc0000000);
  EXPECT_EQ(f32_classify(unbox_f32(0x3ff0000000000000)), 1u << 9);  // a double read as .s
}

}  // namespace
}  // namespace tiervm::fp
