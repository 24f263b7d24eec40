// Differential test of the FP ops' host fast paths (engine/ir_eval.h eval_fp_host, and its
// LLVM form in engine/jit/llvm_lowering.cpp) against the soft-float definition
// (engine/fp/), on every tier. Random operands with NaN payloads (quiet and signaling),
// badly boxed singles, subnormals, infinities, zeros of both signs, values at the edges
// of the integer ranges; every static rounding mode and the dynamic one under every frm;
// fflags before the op 0, NX (the fast paths' state) or all set; FS Initial or Dirty.
// Compared: the destination register, fflags and mstatus.FS.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "engine/fp/ieee754.h"
#include "engine/hart_state.h"
#include "tests/engine/asm_util.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

using fp::Env;
using fp::Rm;

constexpr uint64_t kBox = 0xffffffff00000000ull;
constexpr uint64_t kFsInitial = uint64_t{1} << mstatus::FS_SHIFT;
constexpr uint64_t kHandler = kRamBase + 0x400;

uint32_t un(uint64_t r) {
  return fp::unbox_f32(r);
}
uint64_t sx(uint32_t v) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
}

// Operand and result kinds: f registers (D or boxed S) or x registers.
enum class Reg { F, X };

// One op: its mnemonic and operand count, whether it takes a rounding mode, what its
// operands and result are, and its definition from the soft-float library. `ref` gets
// the f registers' raw 64-bit contents and returns the destination's 64-bit value.
struct OpDef {
  const char* name;
  unsigned operands;
  bool has_rm;
  Reg in;
  Reg out;
  std::function<uint64_t(uint64_t, uint64_t, uint64_t, Env&)> ref;
};

template <typename T>
uint64_t u64(T v) {
  return static_cast<uint64_t>(v);
}

const std::vector<OpDef>& ops() {
  static const std::vector<OpDef> kOps = {
      // Fused multiply-adds: the RISC-V forms negate the product and/or the addend.
      {"fmadd.d", 3, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t c, Env& e) { return fp::f64_fma(a, b, c, e); }},
      {"fmsub.d", 3, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t c, Env& e) {
         return fp::f64_fma(a, b, c ^ (uint64_t{1} << 63), e);
       }},
      {"fnmsub.d", 3, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t c, Env& e) {
         return fp::f64_fma(a ^ (uint64_t{1} << 63), b, c, e);
       }},
      {"fnmadd.d", 3, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t c, Env& e) {
         return fp::f64_fma(a ^ (uint64_t{1} << 63), b, c ^ (uint64_t{1} << 63), e);
       }},
      {"fmadd.s", 3, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t c, Env& e) {
         return fp::box_f32(fp::f32_fma(un(a), un(b), un(c), e));
       }},
      {"fnmadd.s", 3, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t c, Env& e) {
         return fp::box_f32(fp::f32_fma(un(a) ^ 0x80000000u, un(b), un(c) ^ 0x80000000u, e));
       }},
      // Integer to float.
      {"fcvt.d.w", 1, true, Reg::X, Reg::F,
       [](uint64_t a, uint64_t, uint64_t, Env& e) {
         return fp::i32_to_f64(static_cast<int32_t>(a), e);
       }},
      {"fcvt.d.wu", 1, true, Reg::X, Reg::F,
       [](uint64_t a, uint64_t, uint64_t, Env& e) {
         return fp::u32_to_f64(static_cast<uint32_t>(a), e);
       }},
      {"fcvt.d.l", 1, true, Reg::X, Reg::F,
       [](uint64_t a, uint64_t, uint64_t, Env& e) {
         return fp::i64_to_f64(static_cast<int64_t>(a), e);
       }},
      {"fcvt.d.lu", 1, true, Reg::X, Reg::F,
       [](uint64_t a, uint64_t, uint64_t, Env& e) { return fp::u64_to_f64(a, e); }},
      {"fcvt.s.w", 1, true, Reg::X, Reg::F,
       [](uint64_t a, uint64_t, uint64_t, Env& e) {
         return fp::box_f32(fp::i32_to_f32(static_cast<int32_t>(a), e));
       }},
      {"fcvt.s.lu", 1, true, Reg::X, Reg::F,
       [](uint64_t a, uint64_t, uint64_t, Env& e) { return fp::box_f32(fp::u64_to_f32(a, e)); }},
      // Float to integer: saturating, NV out of range, W results sign-extended.
      {"fcvt.w.d", 1, true, Reg::F, Reg::X,
       [](uint64_t a, uint64_t, uint64_t, Env& e) { return sx(u64(fp::f64_to_i32(a, e))); }},
      {"fcvt.wu.d", 1, true, Reg::F, Reg::X,
       [](uint64_t a, uint64_t, uint64_t, Env& e) {
         return sx(static_cast<uint32_t>(fp::f64_to_u32(a, e)));
       }},
      {"fcvt.l.d", 1, true, Reg::F, Reg::X,
       [](uint64_t a, uint64_t, uint64_t, Env& e) { return u64(fp::f64_to_i64(a, e)); }},
      {"fcvt.lu.d", 1, true, Reg::F, Reg::X,
       [](uint64_t a, uint64_t, uint64_t, Env& e) { return fp::f64_to_u64(a, e); }},
      {"fcvt.w.s", 1, true, Reg::F, Reg::X,
       [](uint64_t a, uint64_t, uint64_t, Env& e) { return sx(u64(fp::f32_to_i32(un(a), e))); }},
      {"fcvt.lu.s", 1, true, Reg::F, Reg::X,
       [](uint64_t a, uint64_t, uint64_t, Env& e) { return fp::f32_to_u64(un(a), e); }},
      // Between the formats.
      {"fcvt.s.d", 1, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t, uint64_t, Env& e) { return fp::box_f32(fp::f64_to_f32(a, e)); }},
      {"fcvt.d.s", 1, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t, uint64_t, Env& e) { return fp::f32_to_f64(un(a), e); }},
      // No rounding.
      {"fmin.d", 2, false, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t, Env& e) { return fp::f64_min(a, b, e); }},
      {"fmax.d", 2, false, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t, Env& e) { return fp::f64_max(a, b, e); }},
      {"fmin.s", 2, false, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t, Env& e) {
         return fp::box_f32(fp::f32_min(un(a), un(b), e));
       }},
      {"fmax.s", 2, false, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t, Env& e) {
         return fp::box_f32(fp::f32_max(un(a), un(b), e));
       }},
      {"fsgnj.s", 2, false, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t, Env&) {
         return fp::box_f32((un(a) & 0x7fffffffu) | (un(b) & 0x80000000u));
       }},
      {"fsgnjn.s", 2, false, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t,
          Env&) { return fp::box_f32((un(a) & 0x7fffffffu) | (~un(b) & 0x80000000u)); }},
      {"fsgnjx.s", 2, false, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t,
          Env&) { return fp::box_f32(un(a) ^ (un(b) & 0x80000000u)); }},
      // The older fast paths, with the result-only guard.
      {"fadd.d", 2, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t, Env& e) { return fp::f64_add(a, b, e); }},
      {"fmul.d", 2, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t, Env& e) { return fp::f64_mul(a, b, e); }},
      {"fdiv.s", 2, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t b, uint64_t,
          Env& e) { return fp::box_f32(fp::f32_div(un(a), un(b), e)); }},
      {"fsqrt.d", 1, true, Reg::F, Reg::F,
       [](uint64_t a, uint64_t, uint64_t, Env& e) { return fp::f64_sqrt(a, e); }},
  };
  return kOps;
}

// Operands: special values and random ones, biased toward what the guards must tell apart.
class Operands {
 public:
  explicit Operands(uint64_t seed) : rng_(seed) {}

  uint64_t f64() {
    static constexpr uint64_t kSpecial[] = {
        0,
        uint64_t{1} << 63,  // +-0
        0x7ff0000000000000,
        0xfff0000000000000,  // +-inf
        0x7ff8000000000000,
        0x7ff8000000000123,  // canonical NaN, a payload
        0xfff4000000000001,
        0x7ff0000000000001,  // signaling NaNs
        0x0000000000000001,
        0x800fffffffffffff,  // subnormals
        0x0010000000000000,
        0x7fefffffffffffff,  // smallest normal, largest
        0x41e0000000000000,
        0xc1e0000000000000,  // +-2^31
        0x43e0000000000000,
        0xc3e0000000000000,  // +-2^63
        0x43f0000000000000,
        0x41efffffffe00000,  // 2^64, 2^32 - 1
        0xbfe0000000000000,
        0x3ff8000000000000,  // -0.5, 1.5
        0x3810000000000000,
        0x36a0000000000000,  // 2^-126, 2^-149 (single edges)
        0x47efffffe0000000,  // the largest single
    };
    switch (rng_() % 4) {
      case 0:
        return kSpecial[rng_() % std::size(kSpecial)];
      case 1:
        return rng_();
      default: {  // moderate magnitudes, where most results are normal (and some tiny)
        const uint64_t exp = 1023 - 70 + rng_() % 140;
        return (rng_() & (uint64_t{1} << 63)) | exp << 52 | (rng_() & 0xfffffffffffff);
      }
    }
  }
  uint64_t f32() {
    static constexpr uint32_t kSpecial[] = {
        0,          0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fc00abc,
        0xffa00001, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0x4f000000,
        0xcf000000, 0x5f000000, 0xdf000000, 0x5f800000, 0xbf000000, 0x3fc00000,
    };
    uint32_t v;
    switch (rng_() % 4) {
      case 0:
        v = kSpecial[rng_() % std::size(kSpecial)];
        break;
      case 1:
        v = static_cast<uint32_t>(rng_());
        break;
      default: {
        const uint32_t exp = 127 - 40 + static_cast<uint32_t>(rng_() % 80);
        v = (static_cast<uint32_t>(rng_()) & 0x80000000u) | exp << 23 |
            (static_cast<uint32_t>(rng_()) & 0x7fffff);
        break;
      }
    }
    // Now and then a badly boxed single (reads as the canonical NaN).
    if (rng_() % 16 == 0) return ((rng_() & 0xffffffff00000000ull) ^ kBox) | v;
    return kBox | v;
  }
  uint64_t x() {
    static constexpr uint64_t kSpecial[] = {
        0,
        1,
        ~uint64_t{0},
        0x7fffffff,
        0x80000000,
        0xffffffff80000000,
        0x7fffffffffffffff,
        0x8000000000000000,
        0xffffffff,
        0x20000001,
        0x0020000000000001,
        0xfffffffffffffffe,
    };
    switch (rng_() % 3) {
      case 0:
        return kSpecial[rng_() % std::size(kSpecial)];
      case 1:
        return rng_();
      default:
        return rng_() >> (rng_() % 64);
    }
  }
  uint64_t pick(uint64_t n) { return rng_() % n; }

 private:
  std::mt19937_64 rng_;
};

void enable_fp(TestMachine& m) {
  m.hart.s.mstatus |= kFsInitial;
  m.put({kJumpSelf}, kHandler);
  m.hart.s.mtvec = kHandler;
}

constexpr int kCasesPerProgram = 150;

class FpFastPathDiff : public OnEveryTier {};
TIERVM_ON_EVERY_TIER(FpFastPathDiff);

// For each op and each rounding-mode encoding (rne, rtz, rdn, rup, rmm and dyn): one
// program, run kCasesPerProgram times with fresh operands, frm (dyn: every mode), fflags
// and FS. Expected values come from engine/fp/ alone.
TEST_P(FpFastPathDiff, MatchesSoftFloat) {
  // One line per op, assembled without a rounding mode (the assembler takes none for the
  // exact conversions), then one word per mode with the rm field (bits 14..12) set.
  std::vector<std::string> lines;
  for (const OpDef& op : ops()) {
    std::string line = std::string(op.name) + (op.out == Reg::F ? " fa0" : " a0");
    const char* src[] = {"fa1", "fa2", "fa3"};
    for (unsigned k = 0; k < op.operands; ++k) {
      line += ", ";
      line += op.in == Reg::F ? src[k] : "a1";
    }
    lines.push_back(line);
  }
  const std::vector<uint32_t> assembled = assemble(lines);
  ASSERT_EQ(assembled.size(), lines.size()) << "assembler failed";
  struct Program {
    const OpDef* op;
    unsigned rm;  // 0-4 static, 7 dynamic
    uint32_t word;
    std::string text;
  };
  std::vector<Program> programs;
  static const char* const kRmNames[] = {"rne", "rtz", "rdn", "rup", "rmm", "", "", "dyn"};
  for (size_t n = 0; n < ops().size(); ++n) {
    const OpDef& op = ops()[n];
    if (!op.has_rm) {
      programs.push_back({&op, 0, assembled[n], lines[n]});
      continue;
    }
    for (unsigned rm : {0u, 1u, 2u, 3u, 4u, 7u}) {
      programs.push_back(
          {&op, rm, (assembled[n] & ~(7u << 12)) | rm << 12, lines[n] + ", " + kRmNames[rm]});
    }
  }
  Operands gen(0x5eed + tier());
  for (size_t p = 0; p < programs.size(); ++p) {
    const OpDef& op = *programs[p].op;
    TestMachine m(tier());
    enable_fp(m);
    m.put({programs[p].word, kJumpSelf});
    unsigned mismatches = 0;
    for (int n = 0; n < kCasesPerProgram && mismatches < 5; ++n) {
      uint64_t in[3];
      for (uint64_t& v : in) {
        v = op.in == Reg::X ? gen.x()
                            : (std::string(op.name).back() == 's' ? gen.f32() : gen.f64());
      }
      // fcvt.d.s reads a single, fcvt.s.d a double: the source format is the last letter.
      const uint32_t frm = static_cast<uint32_t>(gen.pick(5));
      static constexpr uint32_t kFlagsBefore[] = {0, fp::fflag::NX, fp::fflag::NX, 0x1f};
      const uint32_t flags_before = kFlagsBefore[gen.pick(4)];
      const bool dirty_before = gen.pick(4) != 0;
      m.hart.s.pc = kRamBase;
      m.hart.s.frm = frm;
      m.hart.s.fflags = flags_before;
      m.hart.s.mstatus &= ~(mstatus::FS | mstatus::SD);
      m.hart.s.mstatus |= dirty_before ? mstatus::FS | mstatus::SD : kFsInitial;
      for (unsigned k = 0; k < 3; ++k) {
        if (op.in == Reg::X) {
          m.set_x(11, in[0]);
        } else {
          m.set_f(11 + k, in[k]);
        }
      }
      m.set_x(10, 0x1234);
      m.set_f(10, 0x5678);
      m.run(1);
      ASSERT_TRUE(m.ran_compiled());
      ASSERT_EQ(m.pc(), kRamBase + 4) << op.name << ": trapped";

      Env env;
      env.rm = static_cast<Rm>(programs[p].rm == 7 ? frm : programs[p].rm);
      const uint64_t expect = op.ref(in[0], in[1], in[2], env);
      const uint64_t got = op.out == Reg::F ? m.f(10) : m.x(10);
      const bool writes_f = op.out == Reg::F;
      const bool expect_dirty = dirty_before || writes_f || env.flags != 0;
      const bool ok = got == expect && m.hart.s.fflags == (flags_before | env.flags) &&
                      ((m.hart.s.mstatus & mstatus::FS) == mstatus::FS) == expect_dirty;
      if (!ok) ++mismatches;
      EXPECT_TRUE(ok) << programs[p].text << std::hex << " operands 0x" << in[0] << " 0x" << in[1]
                      << " 0x" << in[2] << " frm " << frm << " fflags before 0x" << flags_before
                      << (dirty_before ? " FS Dirty" : " FS Initial") << ": got 0x" << got
                      << " fflags 0x" << m.hart.s.fflags << ", expected 0x" << expect
                      << " fflags 0x" << (flags_before | env.flags) << " FS "
                      << (expect_dirty ? "Dirty" : "Initial") << " (got "
                      << ((m.hart.s.mstatus & mstatus::FS) >> mstatus::FS_SHIFT) << ")";
    }
  }
}

}  // namespace
}  // namespace tiervm::test
