// F and D instructions end to end (decoder row, IR emitter, helper), one line per case:
// "instruction, registers and frm before => registers and fflags after". Encodings come
// from the reference assembler; expected values from the F/D chapters of the ISA spec.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "engine/hart_state.h"
#include "tests/engine/asm_util.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

enum XReg : unsigned { ZERO = 0, A0 = 10, A1 = 11, A2 = 12 };
enum FReg : unsigned { FA0 = 10, FA1 = 11, FA2 = 12, FA3 = 13 };
using Regs = std::vector<std::pair<unsigned, uint64_t>>;

constexpr uint32_t NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;
constexpr uint32_t RNE = 0, RTZ = 1, RUP = 3;

constexpr uint64_t s(float f) {
  return 0xffffffff00000000ull | std::bit_cast<uint32_t>(f);
}
constexpr uint64_t d(double v) {
  return std::bit_cast<uint64_t>(v);
}
constexpr uint64_t kBoxedQNaN = 0xffffffff7fc00000ull;
constexpr uint64_t kQNaN64 = 0x7ff8000000000000ull;
constexpr uint64_t kAll = ~uint64_t{0};

struct Case {
  const char* text;
  Regs x_before;
  Regs f_before;
  uint32_t frm;
  Regs x_after;
  Regs f_after;
  uint32_t fflags;
};

const Case kCases[] = {
    // Arithmetic, static and dynamic rounding (the assembler's default rm is dyn).
    {"fadd.s fa0, fa1, fa2", {}, {{FA1, s(1)}, {FA2, s(2)}}, RNE, {}, {{FA0, s(3)}}, 0},
    {"fadd.s fa0, fa1, fa2",
     {},
     {{FA1, s(1)}, {FA2, s(0x1p-24f)}},
     RUP,
     {},
     {{FA0, 0xffffffff3f800001}},
     NX},
    {"fadd.s fa0, fa1, fa2, rtz",
     {},
     {{FA1, s(1)}, {FA2, s(0x1p-24f)}},
     RUP,
     {},
     {{FA0, s(1)}},
     NX},
    {"fadd.s fa0, fa1, fa2, rmm",
     {},
     {{FA1, s(1)}, {FA2, s(0x1p-24f)}},
     RTZ,
     {},
     {{FA0, 0xffffffff3f800001}},
     NX},
    {"fsub.d fa0, fa1, fa2", {}, {{FA1, d(1)}, {FA2, d(1)}}, 2, {}, {{FA0, d(-0.0)}}, 0},
    {"fmul.d fa0, fa1, fa2",
     {},
     {{FA1, d(0x1p-1022)}, {FA2, d(0x1p-50)}},
     RNE,
     {},
     {{FA0, d(0x1p-1072)}},
     0},
    {"fmul.s fa0, fa1, fa2",
     {},
     {{FA1, s(0x1p-149f)}, {FA2, s(0.5f)}},
     RNE,
     {},
     {{FA0, s(0)}},
     UF | NX},
    {"fdiv.s fa0, fa1, fa2", {}, {{FA1, s(1)}, {FA2, s(0)}}, RNE, {}, {{FA0, s(INFINITY)}}, DZ},
    {"fdiv.d fa0, fa1, fa2",
     {},
     {{FA1, d(1e308)}, {FA2, d(0.1)}},
     RNE,
     {},
     {{FA0, d(INFINITY)}},
     OF | NX},
    {"fsqrt.d fa0, fa1", {}, {{FA1, d(2)}}, RNE, {}, {{FA0, 0x3ff6a09e667f3bcd}}, NX},
    {"fsqrt.s fa0, fa1", {}, {{FA1, s(-4)}}, RNE, {}, {{FA0, kBoxedQNaN}}, NV},
    // NaN-boxing: an improperly boxed single reads as the canonical NaN.
    {"fadd.s fa0, fa1, fa2",
     {},
     {{FA1, 0x000000003f800000}, {FA2, s(1)}},
     RNE,
     {},
     {{FA0, kBoxedQNaN}},
     0},
    {"fadd.s fa0, fa1, fa2", {}, {{FA1, d(1.0)}, {FA2, s(1)}}, RNE, {}, {{FA0, kBoxedQNaN}}, 0},
    // Fused multiply-add variants: fmsub = a*b - c, fnmsub = -(a*b) + c, fnmadd = -(a*b) - c.
    {"fmadd.s fa0, fa1, fa2, fa3",
     {},
     {{FA1, s(2)}, {FA2, s(3)}, {FA3, s(1)}},
     RNE,
     {},
     {{FA0, s(7)}},
     0},
    {"fmsub.s fa0, fa1, fa2, fa3",
     {},
     {{FA1, s(2)}, {FA2, s(3)}, {FA3, s(1)}},
     RNE,
     {},
     {{FA0, s(5)}},
     0},
    {"fnmsub.s fa0, fa1, fa2, fa3",
     {},
     {{FA1, s(2)}, {FA2, s(3)}, {FA3, s(1)}},
     RNE,
     {},
     {{FA0, s(-5)}},
     0},
    {"fnmadd.s fa0, fa1, fa2, fa3",
     {},
     {{FA1, s(2)}, {FA2, s(3)}, {FA3, s(1)}},
     RNE,
     {},
     {{FA0, s(-7)}},
     0},
    {"fmadd.d fa0, fa1, fa2, fa3",
     {},
     {{FA1, d(2)}, {FA2, d(3)}, {FA3, d(1)}},
     RNE,
     {},
     {{FA0, d(7)}},
     0},
    {"fmsub.d fa0, fa1, fa2, fa3",
     {},
     {{FA1, d(2)}, {FA2, d(3)}, {FA3, d(1)}},
     RNE,
     {},
     {{FA0, d(5)}},
     0},
    {"fnmsub.d fa0, fa1, fa2, fa3",
     {},
     {{FA1, d(2)}, {FA2, d(3)}, {FA3, d(1)}},
     RNE,
     {},
     {{FA0, d(-5)}},
     0},
    {"fnmadd.d fa0, fa1, fa2, fa3",
     {},
     {{FA1, d(2)}, {FA2, d(3)}, {FA3, d(1)}},
     RNE,
     {},
     {{FA0, d(-7)}},
     0},
    // Signs of zero: the product is negated, not the sum (x86/ARM convention, F chapter).
    {"fnmadd.s fa0, fa1, fa2, fa3",
     {},
     {{FA1, s(0)}, {FA2, s(1)}, {FA3, s(0)}},
     RNE,
     {},
     {{FA0, s(-0.0f)}},
     0},
    {"fnmsub.s fa0, fa1, fa2, fa3",
     {},
     {{FA1, s(0)}, {FA2, s(1)}, {FA3, s(0)}},
     RNE,
     {},
     {{FA0, s(0)}},
     0},
    {"fmadd.s fa0, fa1, fa2, fa3",
     {},
     {{FA1, s(INFINITY)}, {FA2, s(0)}, {FA3, kBoxedQNaN}},
     RNE,
     {},
     {{FA0, kBoxedQNaN}},
     NV},
    // Sign injection keeps the payload of boxed inputs; unboxed inputs read as canonical NaN.
    {"fsgnj.s fa0, fa1, fa2", {}, {{FA1, s(1)}, {FA2, s(-2)}}, RNE, {}, {{FA0, s(-1)}}, 0},
    {"fsgnjn.s fa0, fa1, fa1", {}, {{FA1, s(1)}}, RNE, {}, {{FA0, s(-1)}}, 0},
    {"fsgnjx.s fa0, fa1, fa2", {}, {{FA1, s(-1)}, {FA2, s(-2)}}, RNE, {}, {{FA0, s(1)}}, 0},
    {"fsgnj.s fa0, fa1, fa2",
     {},
     {{FA1, 0x000000003f800000}, {FA2, s(-2)}},
     RNE,
     {},
     {{FA0, 0xffffffffffc00000}},
     0},
    {"fsgnjn.s fa0, fa1, fa1",
     {},
     {{FA1, 0xffffffff7f800001}},
     RNE,
     {},
     {{FA0, 0xffffffffff800001}},
     0},
    {"fsgnj.d fa0, fa1, fa2",
     {},
     {{FA1, 0x7ff8000000000123}, {FA2, d(-1)}},
     RNE,
     {},
     {{FA0, 0xfff8000000000123}},
     0},
    {"fsgnjx.d fa0, fa1, fa2", {}, {{FA1, d(-3)}, {FA2, d(-1)}}, RNE, {}, {{FA0, d(3)}}, 0},
    {"fsgnjx.d fa0, fa1, fa2", {}, {{FA1, d(-3)}, {FA2, d(1)}}, RNE, {}, {{FA0, d(-3)}}, 0},
    {"fsgnj.d fa0, fa1, fa2", {}, {{FA1, d(-3)}, {FA2, d(1)}}, RNE, {}, {{FA0, d(3)}}, 0},
    {"fsgnjn.d fa0, fa1, fa2", {}, {{FA1, d(3)}, {FA2, d(1)}}, RNE, {}, {{FA0, d(-3)}}, 0},
    {"fsgnjn.d fa0, fa1, fa2", {}, {{FA1, d(3)}, {FA2, d(-1)}}, RNE, {}, {{FA0, d(3)}}, 0},
    // fmv.d, fneg.d and fabs.d keep NaN payloads (and move the sign bit of a NaN).
    {"fmv.d fa0, fa1", {}, {{FA1, 0xfff0000000000001}}, RNE, {}, {{FA0, 0xfff0000000000001}}, 0},
    {"fneg.d fa0, fa1", {}, {{FA1, 0x7ff0000000000001}}, RNE, {}, {{FA0, 0xfff0000000000001}}, 0},
    {"fneg.d fa0, fa1", {}, {{FA1, d(-0.0)}}, RNE, {}, {{FA0, 0}}, 0},
    {"fabs.d fa0, fa1", {}, {{FA1, d(-2.5)}}, RNE, {}, {{FA0, d(2.5)}}, 0},
    {"fabs.d fa0, fa1", {}, {{FA1, 0xfff8000000000000}}, RNE, {}, {{FA0, 0x7ff8000000000000}}, 0},
    {"fmin.s fa0, fa1, fa2", {}, {{FA1, s(0)}, {FA2, s(-0.0f)}}, RNE, {}, {{FA0, s(-0.0f)}}, 0},
    {"fmax.s fa0, fa1, fa2",
     {},
     {{FA1, 0xffffffff7f800001}, {FA2, s(3)}},
     RNE,
     {},
     {{FA0, s(3)}},
     NV},
    {"fmax.d fa0, fa1, fa2", {}, {{FA1, kQNaN64}, {FA2, d(-1)}}, RNE, {}, {{FA0, d(-1)}}, 0},
    {"fmin.d fa0, fa1, fa2",
     {},
     {{FA1, kQNaN64 | 7}, {FA2, kQNaN64 | 9}},
     RNE,
     {},
     {{FA0, kQNaN64}},
     0},
    // Conversions to integers: W results are sign-extended, even for fcvt.wu.
    {"fcvt.w.s a0, fa1, rtz", {}, {{FA1, s(-1.5f)}}, RNE, {{A0, kAll}}, {}, NX},
    {"fcvt.w.s a0, fa1", {}, {{FA1, s(-1.5f)}}, RNE, {{A0, static_cast<uint64_t>(-2)}}, {}, NX},
    {"fcvt.w.s a0, fa1", {}, {{FA1, s(3e9f)}}, RNE, {{A0, 0x7fffffff}}, {}, NV},
    {"fcvt.wu.s a0, fa1", {}, {{FA1, s(3e9f)}}, RNE, {{A0, 0xffffffffb2d05e00}}, {}, 0},
    {"fcvt.wu.s a0, fa1, rtz", {}, {{FA1, s(-0.5f)}}, RNE, {{A0, 0}}, {}, NX},
    {"fcvt.wu.d a0, fa1", {}, {{FA1, d(-1)}}, RNE, {{A0, 0}}, {}, NV},
    {"fcvt.l.d a0, fa1", {}, {{FA1, d(-0x1p63)}}, RNE, {{A0, 0x8000000000000000}}, {}, 0},
    {"fcvt.lu.s a0, fa1", {}, {{FA1, kBoxedQNaN}}, RNE, {{A0, kAll}}, {}, NV},
    {"fcvt.l.s a0, fa1", {}, {{FA1, 0x000000003f800000}}, RNE, {{A0, 0x7fffffffffffffff}}, {}, NV},
    {"fcvt.w.s zero, fa1", {}, {{FA1, s(3e9f)}}, RNE, {{ZERO, 0}}, {}, NV},
    // Conversions from integers: W forms read the low 32 bits.
    {"fcvt.s.w fa0, a1", {{A1, kAll}}, {}, RNE, {}, {{FA0, s(-1)}}, 0},
    {"fcvt.s.w fa0, a1", {{A1, 0x100000001}}, {}, RNE, {}, {{FA0, s(1)}}, 0},
    {"fcvt.s.wu fa0, a1", {{A1, kAll}}, {}, RNE, {}, {{FA0, s(0x1p32f)}}, NX},
    {"fcvt.s.l fa0, zero", {}, {}, RNE, {}, {{FA0, s(0)}}, 0},
    {"fcvt.s.lu fa0, a1", {{A1, kAll}}, {}, RTZ, {}, {{FA0, 0xffffffff5f7fffff}}, NX},
    {"fcvt.d.w fa0, a1", {{A1, 0x80000000}}, {}, RNE, {}, {{FA0, d(-0x1p31)}}, 0},
    {"fcvt.d.wu fa0, a1", {{A1, 0xffffffff80000000}}, {}, RNE, {}, {{FA0, d(0x1p31)}}, 0},
    {"fcvt.d.lu fa0, a1", {{A1, kAll}}, {}, RNE, {}, {{FA0, d(0x1p64)}}, NX},
    {"fcvt.d.l fa0, a1", {{A1, (1ull << 53) + 1}}, {}, RUP, {}, {{FA0, 0x4340000000000001}}, NX},
    // Between formats.
    {"fcvt.s.d fa0, fa1", {}, {{FA1, d(1.0 / 3)}}, RNE, {}, {{FA0, 0xffffffff3eaaaaab}}, NX},
    {"fcvt.s.d fa0, fa1", {}, {{FA1, d(1e300)}}, RNE, {}, {{FA0, s(INFINITY)}}, OF | NX},
    {"fcvt.d.s fa0, fa1", {}, {{FA1, s(1.5f)}}, RNE, {}, {{FA0, d(1.5)}}, 0},
    {"fcvt.d.s fa0, fa1", {}, {{FA1, 0xffffffff7f800001}}, RNE, {}, {{FA0, kQNaN64}}, NV},
    {"fcvt.d.s fa0, fa1", {}, {{FA1, 0x3ff0000000000000}}, RNE, {}, {{FA0, kQNaN64}}, 0},
    // Moves: bits unchanged; fmv.x.w sign-extends the low 32 bits, boxed or not.
    {"fmv.x.w a0, fa1", {}, {{FA1, 0xffffffff80000000}}, RNE, {{A0, 0xffffffff80000000}}, {}, 0},
    {"fmv.x.w a0, fa1", {}, {{FA1, 0x123456787f800001}}, RNE, {{A0, 0x7f800001}}, {}, 0},
    {"fmv.w.x fa0, a1", {{A1, 0x123456787f800001}}, {}, RNE, {}, {{FA0, 0xffffffff7f800001}}, 0},
    {"fmv.x.d a0, fa1", {}, {{FA1, 0x7ff0000000000001}}, RNE, {{A0, 0x7ff0000000000001}}, {}, 0},
    {"fmv.d.x fa0, a1", {{A1, 0xfff0000000000001}}, {}, RNE, {}, {{FA0, 0xfff0000000000001}}, 0},
    // Compares and classify write x registers.
    {"feq.s a0, fa1, fa2", {}, {{FA1, s(0)}, {FA2, s(-0.0f)}}, RNE, {{A0, 1}}, {}, 0},
    {"feq.s a0, fa1, fa2", {}, {{FA1, s(1)}, {FA2, 0xffffffff7f800001}}, RNE, {{A0, 0}}, {}, NV},
    {"flt.s a0, fa1, fa2", {}, {{FA1, kBoxedQNaN}, {FA2, s(1)}}, RNE, {{A0, 0}}, {}, NV},
    {"fle.d a0, fa1, fa2", {}, {{FA1, d(-1)}, {FA2, d(-1)}}, RNE, {{A0, 1}}, {}, 0},
    {"flt.d a0, fa1, fa2", {}, {{FA1, d(-2)}, {FA2, d(-1)}}, RNE, {{A0, 1}}, {}, 0},
    {"fclass.s a0, fa1", {}, {{FA1, s(-INFINITY)}}, RNE, {{A0, 1}}, {}, 0},
    {"fclass.s a0, fa1", {}, {{FA1, 0x000000003f800000}}, RNE, {{A0, 1 << 9}}, {}, 0},
    {"fclass.d a0, fa1", {}, {{FA1, 1}}, RNE, {{A0, 1 << 5}}, {}, 0},
};

constexpr uint64_t kFsInitial = uint64_t{1} << mstatus::FS_SHIFT;

constexpr uint64_t kHandler = kRamBase + 0x400;

// FS = Initial, and a trap handler that spins, so an unexpected trap ends the run (one
// instruction retires there) instead of looping on a fetch fault at mtvec = 0.
void enable_fp(TestMachine& m) {
  m.hart.s.mstatus |= kFsInitial;
  m.put({kJumpSelf}, kHandler);
  m.hart.s.mtvec = kHandler;
}

class FpInsnOnTier : public OnEveryTier {};
TIERVM_ON_EVERY_TIER(FpInsnOnTier);

// Runs every case of kCases on `tier` with fflags = `fflags_before`: results as the table
// says, and the table's flags on top of those already set.
void run_table(unsigned tier, uint32_t fflags_before) {
  std::vector<std::string> lines;
  for (const Case& c : kCases) lines.emplace_back(c.text);
  const std::vector<uint32_t> words = assemble(lines);
  ASSERT_EQ(words.size(), std::size(kCases)) << "assembler failed";
  for (size_t i = 0; i < std::size(kCases); ++i) {
    const Case& c = kCases[i];
    TestMachine m(tier);
    enable_fp(m);
    m.put({words[i], kJumpSelf});
    for (auto [r, v] : c.x_before) m.set_x(r, v);
    for (auto [r, v] : c.f_before) m.set_f(r, v);
    m.hart.s.frm = c.frm;
    m.hart.s.fflags = fflags_before;
    m.run(1);
    EXPECT_TRUE(m.ran_compiled()) << "tier " << tier;
    EXPECT_EQ(m.pc(), kRamBase + 4) << c.text << ": trapped";
    for (auto [r, v] : c.x_after) EXPECT_EQ(m.x(r), v) << c.text << ": x" << r;
    for (auto [r, v] : c.f_after) {
      EXPECT_EQ(m.f(r), v) << c.text << std::hex << ": f" << r << " = 0x" << m.f(r);
    }
    EXPECT_EQ(m.hart.s.fflags, c.fflags | fflags_before) << c.text;
  }
}

TEST_P(FpInsnOnTier, Table) {
  run_table(tier(), 0);
}

// The same table with NX already set: the state in which the host-FPU fast path of
// add/sub/mul/div/sqrt runs (engine/ir_eval.h). Results must not change, flags only gain NX,
// and every case the fast path must refuse (NaNs, subnormals, overflow, underflow, other
// rounding modes) still gets the soft-float answer.
TEST_P(FpInsnOnTier, TableWithInexactAlreadySet) {
  run_table(tier(), NX);
}

// Results at the edges of the fast path's guard, with NX set and RNE: the largest and the
// smallest normal results, exact zeros, and the first results outside (values from IEEE
// 754 binary64: DBL_MAX = 0x7fefffffffffffff, 2^-1022 = 0x0010000000000000).
TEST_P(FpInsnOnTier, FastPathEdges) {
  struct Edge {
    const char* text;
    uint64_t a, b, expect;
    uint32_t fflags;
  };
  const Edge edges[] = {
      // 2^-511 * 2^-511 = 2^-1022, the smallest normal: exact, no underflow.
      {"fmul.d fa0, fa1, fa2", d(0x1p-511), d(0x1p-511), 0x0010000000000000, NX},
      // 2^-512 * 2^-512 = 2^-1024: subnormal and exact, so no UF (tininess with an exact
      // result raises no underflow).
      {"fmul.d fa0, fa1, fa2", d(0x1p-512), d(0x1p-512), 0x0004000000000000, NX},
      // (1 + 2^-52) * 2^-1023 rounds to a subnormal inexactly: UF and NX.
      {"fmul.d fa0, fa1, fa2", d(1 + 0x1p-52), d(0x1p-1023), 0x0008000000000000, NX | UF},
      // 2^-600 * 2^-600 and 2^-1000 / 2^600 round to +0 from a non-zero result: UF and NX.
      {"fmul.d fa0, fa1, fa2", d(0x1p-600), d(0x1p-600), 0, NX | UF},
      {"fdiv.d fa0, fa1, fa2", d(0x1p-1000), d(0x1p600), 0, NX | UF},
      // 2^1023 * 2 overflows to +inf: OF and NX.
      {"fmul.d fa0, fa1, fa2", d(0x1p1023), d(2), 0x7ff0000000000000, NX | OF},
      // x - x = +0 in RNE; -0 * 5 = -0; 0 / 3 = 0.
      {"fsub.d fa0, fa1, fa2", d(3), d(3), 0, NX},
      {"fmul.d fa0, fa1, fa2", d(-0.0), d(5), 0x8000000000000000, NX},
      {"fdiv.d fa0, fa1, fa2", d(0), d(3), 0, NX},
      // 1 / 0 = +inf with DZ; 0 / 0 = canonical NaN with NV.
      {"fdiv.d fa0, fa1, fa2", d(1), d(0), 0x7ff0000000000000, NX | DZ},
      {"fdiv.d fa0, fa1, fa2", d(0), d(0), kQNaN64, NX | NV},
      // sqrt(-0) = -0; sqrt(-1) = canonical NaN, NV; sqrt(4) = 2.
      {"fsqrt.d fa0, fa1", d(-0.0), 0, 0x8000000000000000, NX},
      {"fsqrt.d fa0, fa1", d(-1), 0, kQNaN64, NX | NV},
      {"fsqrt.d fa0, fa1", d(4), 0, d(2), NX},
      // An inf operand: inf + 1 = inf, no flag; inf - inf = NaN, NV.
      {"fadd.d fa0, fa1, fa2", 0x7ff0000000000000, d(1), 0x7ff0000000000000, NX},
      {"fsub.d fa0, fa1, fa2", 0x7ff0000000000000, 0x7ff0000000000000, kQNaN64, NX | NV},
      // A badly boxed single reads as the canonical NaN: 1 + NaN = canonical NaN.
      {"fadd.s fa0, fa1, fa2", 0x000000003f800000, s(1), kBoxedQNaN, NX},
      // 1.5 + 2.25 = 3.75 in single, NaN-boxed.
      {"fadd.s fa0, fa1, fa2", s(1.5f), s(2.25f), s(3.75f), NX},
  };
  std::vector<std::string> lines;
  for (const Edge& e : edges) lines.emplace_back(e.text);
  const std::vector<uint32_t> words = assemble(lines);
  ASSERT_EQ(words.size(), std::size(edges)) << "assembler failed";
  for (size_t i = 0; i < std::size(edges); ++i) {
    const Edge& e = edges[i];
    TestMachine m(tier());
    enable_fp(m);
    m.put({words[i], kJumpSelf});
    m.set_f(FA1, e.a);
    m.set_f(FA2, e.b);
    m.hart.s.frm = RNE;
    m.hart.s.fflags = NX;
    m.run(1);
    EXPECT_EQ(m.pc(), kRamBase + 4) << e.text << ": trapped";
    EXPECT_EQ(m.f(FA0), e.expect) << e.text << std::hex << " = 0x" << m.f(FA0);
    EXPECT_EQ(m.hart.s.fflags, e.fflags) << e.text << " #" << i;
    EXPECT_EQ(m.hart.s.mstatus & mstatus::FS, mstatus::FS) << e.text << ": FS not Dirty";
  }
}

// Fused multiply-adds with NX set and RNE, where the host's fma may answer: exact and
// rounded results, every sign form, and the cases it must leave to soft-float (a tiny
// result, an infinity, inf * 0).
TEST_P(FpInsnOnTier, FusedMultiplyAddWithInexactSet) {
  struct Fma {
    const char* text;
    uint64_t a, b, c, expect;
    uint32_t fflags;
  };
  const Fma cases[] = {
      {"fmadd.d fa0, fa1, fa2, fa3", d(2), d(3), d(1), d(7), NX},
      {"fmsub.d fa0, fa1, fa2, fa3", d(2), d(3), d(1), d(5), NX},
      {"fnmsub.d fa0, fa1, fa2, fa3", d(2), d(3), d(1), d(-5), NX},
      {"fnmadd.d fa0, fa1, fa2, fa3", d(2), d(3), d(1), d(-7), NX},
      // (1 + 2^-52)^2 - 1 = 2^-51 + 2^-104 exactly once: fused, the 2^-104 survives.
      {"fmsub.d fa0, fa1, fa2, fa3", d(1 + 0x1p-52), d(1 + 0x1p-52), d(1), d(0x1p-51 + 0x1p-104),
       NX},
      // 2^-600 * 2^-600 + 0 = 2^-1200: underflows to +0 with UF.
      {"fmadd.d fa0, fa1, fa2, fa3", d(0x1p-600), d(0x1p-600), d(0), 0, NX | UF},
      // inf * 0 + 1: invalid, canonical NaN.
      {"fmadd.d fa0, fa1, fa2, fa3", 0x7ff0000000000000, d(0), d(1), kQNaN64, NX | NV},
      // 2^1023 * 4 + 0 overflows: +inf, OF.
      {"fmadd.d fa0, fa1, fa2, fa3", d(0x1p1023), d(4), d(0), 0x7ff0000000000000, NX | OF},
      {"fmadd.s fa0, fa1, fa2, fa3", s(1.5f), s(2), s(0.25f), s(3.25f), NX},
  };
  std::vector<std::string> lines;
  for (const Fma& c : cases) lines.emplace_back(c.text);
  const std::vector<uint32_t> words = assemble(lines);
  ASSERT_EQ(words.size(), std::size(cases)) << "assembler failed";
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Fma& c = cases[i];
    TestMachine m(tier());
    enable_fp(m);
    m.put({words[i], kJumpSelf});
    m.set_f(FA1, c.a);
    m.set_f(FA2, c.b);
    m.set_f(FA3, c.c);
    m.hart.s.frm = RNE;
    m.hart.s.fflags = NX;
    m.run(1);
    EXPECT_EQ(m.f(FA0), c.expect) << c.text << " #" << i << std::hex << " = 0x" << m.f(FA0);
    EXPECT_EQ(m.hart.s.fflags, c.fflags) << c.text << " #" << i;
  }
}

// Compares write an x register and, without a NaN, no flag: FS stays as it was.
TEST_P(FpInsnOnTier, ComparesLeaveFsClean) {
  const auto w = assemble({"flt.d a0, fa1, fa2", "feq.s a1, fa3, fa3"});
  ASSERT_EQ(w.size(), 2u);
  TestMachine m(tier());
  enable_fp(m);
  m.put({w[0], w[1], kJumpSelf});
  m.set_f(FA1, d(1));
  m.set_f(FA2, d(2));
  m.set_f(FA3, s(-0.5f));
  m.run(2);
  EXPECT_EQ(m.x(A0), 1u);
  EXPECT_EQ(m.x(A1), 1u);
  EXPECT_EQ(m.hart.s.fflags, 0u);
  EXPECT_EQ(m.hart.s.mstatus & mstatus::FS, kFsInitial);
}

TEST_P(FpInsnOnTier, FlagsAccrue) {
  const auto w = assemble({"fdiv.s fa0, fa1, fa2", "fadd.s fa3, fa1, fa1"});
  ASSERT_EQ(w.size(), 2u);
  TestMachine m(tier());
  enable_fp(m);
  m.put({w[0], w[1], kJumpSelf});
  m.set_f(FA1, s(1));
  m.set_f(FA2, s(0));
  m.hart.s.fflags = NX;
  m.run(2);
  EXPECT_EQ(m.hart.s.fflags, NX | DZ);
  EXPECT_EQ(m.f(FA3), s(2));
}

TEST_P(FpInsnOnTier, LoadsAndStoresMoveBitsAndBoxSingles) {
  const auto w =
      assemble({"flw fa0, 8(a2)", "fld fa1, 16(a2)", "fsw fa2, 24(a2)", "fsd fa3, -8(a2)"});
  ASSERT_EQ(w.size(), 4u);
  TestMachine m(tier());
  enable_fp(m);
  m.put({w[0], w[1], w[2], w[3], kJumpSelf});
  const uint64_t buf = kRamBase + 0x1000;
  m.write64(buf + 8, 0xaaaaaaaa7f800001);  // a signaling NaN single: payload kept
  m.write64(buf + 16, 0x7ff0000000000123);
  m.write64(buf + 24, 0x5555555555555555);
  m.set_x(A2, buf);
  m.set_f(FA2, 0x12345678c0000000);  // not boxed: stores still move the low 32 bits
  m.set_f(FA3, 0xfff8000000000042);
  m.run(4);
  EXPECT_EQ(m.f(FA0), 0xffffffff7f800001);
  EXPECT_EQ(m.f(FA1), 0x7ff0000000000123);
  EXPECT_EQ(m.read64(buf + 24), 0x55555555c0000000);
  EXPECT_EQ(m.read64(buf - 8), 0xfff8000000000042);
  EXPECT_EQ(m.hart.s.fflags, 0u);
}

// Runs one instruction word expecting an illegal-instruction trap with tval = `tval`.
void expect_illegal(TestMachine& m, uint32_t word, uint64_t tval, const char* what) {
  m.put({word, kJumpSelf});
  m.put({kJumpSelf}, kHandler);
  m.hart.s.mtvec = kHandler;
  m.set_f(FA0, 0x1111);
  m.run(1);
  EXPECT_EQ(m.hart.s.mcause, 2u) << what;
  EXPECT_EQ(m.hart.s.mepc, kRamBase) << what;
  EXPECT_EQ(m.hart.s.mtval, tval) << what;
  EXPECT_EQ(m.f(FA0), 0x1111u) << what << ": destination written";
  EXPECT_EQ(m.hart.s.fflags, 0u) << what;
}

TEST_P(FpInsnOnTier, IllegalWhenFsIsOff) {
  const auto w = assemble({"fadd.s fa0, fa1, fa2", "flw fa0, 0(a2)", "fmv.w.x fa0, a1",
                           "fmv.x.d a0, fa1", "fsd fa1, 0(a2)", "fclass.d a0, fa1"});
  ASSERT_EQ(w.size(), 6u);
  for (uint32_t word : w) {
    TestMachine m(tier());  // reset leaves mstatus.FS = Off
    m.set_x(A2, kRamBase + 0x1000);
    expect_illegal(m, word, word, "FS off");
  }
}

TEST_P(FpInsnOnTier, CompressedFpLoadWithFsOffReportsSixteenBits) {
  const auto h = assemble({"c.fld fa0, 8(a2)"}, true);
  ASSERT_EQ(h.size(), 1u);
  TestMachine m(tier());
  m.set_x(A2, kRamBase + 0x1000);
  m.put16({static_cast<uint16_t>(h[0]), 0x0001});  // c.fld; c.nop
  m.put({kJumpSelf}, kRamBase + 4);
  m.put({kJumpSelf}, kHandler);
  m.hart.s.mtvec = kHandler;
  m.run(1);
  EXPECT_EQ(m.hart.s.mcause, 2u);
  EXPECT_EQ(m.hart.s.mtval, h[0]);
}

TEST_P(FpInsnOnTier, ReservedStaticRoundingModesAreIllegal) {
  const auto w = assemble({"fadd.s fa0, fa1, fa2, rne", "fcvt.d.s fa0, fa1",
                           "fmadd.d fa0, fa1, fa2, fa3, rne", "fcvt.w.s a0, fa1, rne"});
  ASSERT_EQ(w.size(), 4u);
  for (uint32_t word : w) {
    for (uint32_t rm : {5u, 6u}) {
      TestMachine m(tier());
      enable_fp(m);
      const uint32_t bad = word | rm << 12;
      expect_illegal(m, bad, bad, "static rm 5/6");
    }
  }
}

TEST_P(FpInsnOnTier, ReservedDynamicRoundingModesAreIllegal) {
  // With rm = DYN (111), frm values 101..111 are reserved; even the exact fcvt.d.s checks.
  const auto w = assemble({"fadd.d fa0, fa1, fa2, rne", "fcvt.d.s fa0, fa1",
                           "fnmadd.s fa0, fa1, fa2, fa3, rne", "fcvt.s.w fa0, a1, rne"});
  ASSERT_EQ(w.size(), 4u);
  for (uint32_t rne_word : w) {
    const uint32_t word = rne_word | 7u << 12;
    for (uint32_t frm : {5u, 6u, 7u}) {
      TestMachine m(tier());
      enable_fp(m);
      m.hart.s.frm = frm;
      m.set_f(FA1, s(1));
      m.set_f(FA2, s(0));  // would raise DZ/other flags if executed
      expect_illegal(m, word, word, "dynamic rm with reserved frm");
    }
  }
}

// FS goes to Dirty when FP state changes (priv spec 3.1.6.6); stores and moves out of the
// f registers change none.
TEST_P(FpInsnOnTier, FpRegisterWritesMakeFsDirty) {
  const auto w = assemble({"fsd fa1, 0(a2)", "fmv.x.d a0, fa1", "fmv.d.x fa0, a1"});
  ASSERT_EQ(w.size(), 3u);
  TestMachine m(tier());
  enable_fp(m);
  m.set_x(A2, kRamBase + 0x1000);
  m.put({w[0], w[1], kJumpSelf});
  m.run(2);
  EXPECT_EQ(m.hart.s.mstatus & mstatus::FS, kFsInitial) << "no FP state written";
  TestMachine m2(tier());
  enable_fp(m2);
  m2.put({w[2], kJumpSelf});
  m2.run(1);
  EXPECT_EQ(m2.hart.s.mstatus & mstatus::FS, mstatus::FS);
  EXPECT_NE(m2.hart.s.mstatus & mstatus::SD, 0u);
}

}  // namespace
}  // namespace tiervm::test
