// The LLVM tiers' inline vector code (engine/jit/llvm_lowering.cpp, issue 19 item 2): a
// block whose vtype a vsetivli fixes lowers its element operations and unit-stride
// accesses to host vectors, and every tier gives the values the spec defines for them,
// also with vl below VLMAX (the tail keeps its old values) and with register groups.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/fp/ieee754.h"
#include "engine/ir_verify.h"
#include "engine/jit/llvm_backend.h"
#include "engine/translator.h"
#include "engine/vector.h"
#include "tests/common/tiers.h"
#include "tests/engine/asm_util.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

constexpr uint64_t kVsInitial = uint64_t{1} << 9;
constexpr uint64_t kSrc = kRamBase + 0x1000;
constexpr uint64_t kDstA = kRamBase + 0x2000;
constexpr uint64_t kDstB = kRamBase + 0x3000;
constexpr uint64_t kX = 0x1234'5678'9abc'def0;

// vl = 3 of 4 at e32 m1, then vl = 7 of 8 at e32 m2.
constexpr uint32_t kProgram[] = {
    0xc101f057,  // vsetivli zero, 3, e32, m1, tu, mu
    0x02218257,  // vadd.vv v4, v2, v3
    0xf621a357,  // vwmacc.vv v6, v3, v2
    0x0205e407,  // vle32.v v8, (a1)
    0x02066227,  // vse32.v v4, (a2)
    0x0285e507,  // vl1re32.v v10, (a1)
    0xc113f057,  // vsetivli zero, 7, e32, m2, tu, mu
    0x02e80657,  // vadd.vv v12, v14, v16
    0x0205ea07,  // vle32.v v20, (a1)
    0x0206e627,  // vse32.v v12, (a3)
    0x96e1b957,  // vsll.vi v18, v14, 3
    0x5e074b57,  // vmv.v.x v22, a4
    kJumpSelf,
};
constexpr unsigned kInsns = sizeof(kProgram) / sizeof(kProgram[0]) - 1;

// Element k (e32) of register r before the program runs.
uint32_t initial(unsigned r, unsigned k) {
  return 0x1000u * r + k + 1;
}
uint32_t memory_word(unsigned k) {
  return 0xa000'0000u + k;
}
// Element g (e32) of the register group starting at r.
uint32_t group_initial(unsigned r, unsigned g) {
  return initial(r + g / 4, g % 4);
}

void load_program(TestMachine& m) {
  m.hart.set_vlen(128);
  m.hart.reset(kRamBase);
  ASSERT_TRUE(m.hart.csr_write(0x300, m.hart.s.mstatus | kVsInitial));
  for (unsigned r = 0; r < 32; ++r) {
    for (unsigned k = 0; k < 4; ++k) vset(m.hart.s, r, k, 4, initial(r, k));
  }
  for (unsigned k = 0; k < 16; ++k) {
    m.bus.write(kSrc + 4 * k, 4, memory_word(k));
    m.bus.write(kDstA + 4 * k, 4, 0x5555'5555u);
    m.bus.write(kDstB + 4 * k, 4, 0x5555'5555u);
  }
  m.set_x(11, kSrc);
  m.set_x(12, kDstA);
  m.set_x(13, kDstB);
  m.set_x(14, kX);
  for (unsigned n = 0; n <= kInsns; ++n) m.put({kProgram[n]}, kRamBase + 4 * n);
}

TEST(VectorInline, EveryTierGivesTheSpecsValues) {
  for (unsigned tier = 0; tier < kTestTiers; ++tier) {
    TestMachine m(tier);
    load_program(m);
    m.run(kInsns);
    HartState& s = m.hart.s;
    ASSERT_EQ(s.mcause, 0u) << "tier " << tier;
    ASSERT_EQ(s.pc, kRamBase + 4 * kInsns) << "tier " << tier;
    auto word = [&](uint64_t addr) {
      uint64_t v = 0;
      m.bus.read(addr, 4, v);
      return static_cast<uint32_t>(v);
    };
    for (unsigned k = 0; k < 4; ++k) {
      const bool body = k < 3;  // vl = 3
      const uint32_t sum = initial(2, k) + initial(3, k);
      EXPECT_EQ(vget(s, 4, k, 4), body ? sum : initial(4, k)) << "vadd " << k << " tier " << tier;
      // vd (e64, v6-v7) += sext(vs1) * sext(vs2).
      const uint64_t old = (uint64_t{group_initial(6, 2 * k + 1)} << 32) | group_initial(6, 2 * k);
      const uint64_t product = static_cast<uint64_t>(int64_t{static_cast<int32_t>(initial(3, k))} *
                                                     int64_t{static_cast<int32_t>(initial(2, k))});
      EXPECT_EQ(vget(s, 6, k, 8), body ? old + product : old) << "vwmacc " << k << " tier " << tier;
      EXPECT_EQ(vget(s, 8, k, 4), body ? memory_word(k) : initial(8, k)) << "vle32 " << k;
      EXPECT_EQ(word(kDstA + 4 * k), body ? sum : 0x5555'5555u) << "vse32 " << k << " " << tier;
      EXPECT_EQ(vget(s, 10, k, 4), memory_word(k)) << "vl1re32 " << k << " tier " << tier;
    }
    for (unsigned g = 0; g < 8; ++g) {
      const bool body = g < 7;  // vl = 7
      const uint32_t sum = group_initial(14, g) + group_initial(16, g);
      EXPECT_EQ(vget(s, 12, g, 4), body ? sum : group_initial(12, g)) << "m2 vadd " << g;
      EXPECT_EQ(vget(s, 20, g, 4), body ? memory_word(g) : group_initial(20, g)) << "m2 vle " << g;
      EXPECT_EQ(word(kDstB + 4 * g), body ? sum : 0x5555'5555u) << "m2 vse " << g << " " << tier;
      EXPECT_EQ(vget(s, 18, g, 4), body ? group_initial(14, g) << 3 : group_initial(18, g))
          << "m2 vsll " << g << " tier " << tier;
      EXPECT_EQ(vget(s, 22, g, 4), body ? static_cast<uint32_t>(kX) : group_initial(22, g))
          << "m2 vmv.v.x " << g << " tier " << tier;
    }
  }
}

// The block's LLVM IR holds host vector operations for the instructions after each
// vsetivli (none would be there if every vector instruction called its helper).
TEST(VectorInline, KnownVtypeLowersToHostVectors) {
  TestMachine m;
  load_program(m);
  std::unique_ptr<IrBlock> block = translate_block(m.hart, kRamBase, kRamBase, {true});
  JitJob job;
  job.members.push_back({block.get(), nullptr, nullptr});
  job.vlenb = 16;
  LlvmBackend backend;
  const std::string ir = backend.ir_text(job);
  EXPECT_NE(ir.find("add <4 x i32>"), std::string::npos) << ir;      // vadd.vv
  EXPECT_NE(ir.find("mul <2 x i64>"), std::string::npos) << ir;      // vwmacc.vv
  EXPECT_NE(ir.find("shl <4 x i32>"), std::string::npos) << ir;      // vsll.vi
  EXPECT_NE(ir.find("llvm.masked.store"), std::string::npos) << ir;  // vse32.v
  EXPECT_NE(ir.find("load <16 x i8>"), std::string::npos) << ir;     // vl1re32.v
  // Without the vector extension's size the helpers are called instead.
  job.vlenb = 0;
  EXPECT_EQ(backend.ir_text(job).find("<4 x i32>"), std::string::npos);
}

// FP arithmetic in line takes the host's result under the scalar fast path's rule and
// leaves every other case to the helper: lane 3 of the vfmul is subnormal (1e-40), which
// the soft-float raises UF for. Values from the soft-float library computing the spec's
// formulas; the zero extension from an e16 source in the destination's upper half too.
TEST(VectorInline, FloatingPointAndExtensionMatchTheHelpers) {
  constexpr uint32_t kFpProgram[] = {
      0xc1027057,  // vsetivli zero, 4, e32, m1, tu, mu
      0x02219257,  // vfadd.vv v4, v2, v3
      0xb22552d7,  // vfmacc.vf v5, fa0, v2
      0x92219457,  // vfmul.vv v8, v2, v3
      0x4a732357,  // vzext.vf2 v6, v7
      kJumpSelf,
  };
  const uint32_t a[4] = {0x3fc00000u /* 1.5 */, 0xc0500000u /* -3.25 */, 0x501502f9u /* 1e10 */,
                         0x1e3ce508u /* 1e-20 */};
  const uint32_t b[4] = {0x3de56042u /* 0.112 */, 0x40490fdbu /* pi */, 0xb8d1b717u /* -1e-4 */,
                         0x1e3ce508u /* 1e-20 */};
  const uint32_t d[4] = {0x42f60000u /* 123 */, 0xbf800000u /* -1 */, 0x3f000000u /* 0.5 */, 0};
  const uint32_t x = 0x40400000u;  // fa0 = 3.0
  for (unsigned tier = 0; tier < kTestTiers; ++tier) {
    TestMachine m(tier);
    m.hart.set_vlen(128);
    m.hart.reset(kRamBase);
    // FS Dirty and NX set: the state in which the host's results may be taken.
    constexpr uint64_t kFsDirty = uint64_t{3} << 13;
    ASSERT_TRUE(m.hart.csr_write(0x300, m.hart.s.mstatus | kVsInitial | kFsDirty));
    HartState& s = m.hart.s;
    s.fflags = fp::fflag::NX;
    m.set_f(10, 0xffff'ffff'0000'0000ull | x);
    for (unsigned k = 0; k < 4; ++k) {
      vset(s, 2, k, 4, a[k]);
      vset(s, 3, k, 4, b[k]);
      vset(s, 5, k, 4, d[k]);
      vset(s, 7, k, 2, 0x8000u + 0x1111u * k);
      vset(s, 7, k + 4, 2, 0xffffu);  // past vl's source elements
    }
    for (unsigned n = 0; n < sizeof(kFpProgram) / 4; ++n) {
      m.put({kFpProgram[n]}, kRamBase + 4 * n);
    }
    m.run(5);
    ASSERT_EQ(s.mcause, 0u) << "tier " << tier;
    fp::Env env;
    for (unsigned k = 0; k < 4; ++k) {
      EXPECT_EQ(vget(s, 4, k, 4), fp::f32_add(a[k], b[k], env)) << "vfadd " << k << " " << tier;
      EXPECT_EQ(vget(s, 5, k, 4), fp::f32_fma(x, a[k], d[k], env)) << "vfmacc " << k << " " << tier;
      EXPECT_EQ(vget(s, 8, k, 4), fp::f32_mul(a[k], b[k], env)) << "vfmul " << k << " " << tier;
      EXPECT_EQ(vget(s, 6, k, 4), 0x8000u + 0x1111u * k) << "vzext " << k << " tier " << tier;
    }
    EXPECT_NE(env.flags & fp::fflag::UF, 0u);  // the oracle saw the subnormal product
    EXPECT_EQ(s.fflags, fp::fflag::NX | env.flags) << "tier " << tier;
  }
}

// Compiled with the LLVM verifier on, as a block and as a region: vector code in line, with
// vtype fixed by the block's vsetivli, and behind a check of the job's vtype for a block
// that has none (the block after the first vsetivli).
// A loop of inline vector ops with a masked op (its helper) in the middle: tier 2 keeps
// the vector registers in host registers across the region's back edge, and must hand
// them to the helper (which reads the accumulator v4) and take the helper's result (v6)
// back. Per element k: acc += 3 + t; for the active k (0 and 2) acc += acc + t as well.
TEST(VectorInline, ARegionLoopKeepsVectorRegistersAcrossHelpers) {
  const std::vector<uint32_t> program = assemble(
      {
          "vsetivli zero, 4, e32, m1, ta, mu",
          "vmv.v.i v4, 0",
          "vmv.v.i v0, 5",  // mask bits 0 and 2
          "addi t1, zero, 40",
          "vadd.vi v4, v4, 3",  // the loop
          "vmv.v.x v5, t1",
          "vadd.vv v4, v4, v5",
          "vmv.v.i v6, 0",
          "vadd.vx v6, v4, t1, v0.t",  // masked: the helper
          "vadd.vv v4, v4, v6",
          "addi t1, t1, -1",
          "bne t1, zero, .-28",
          "vse32.v v4, (a1)",
          "jal zero, .",
      },
      false, "rv64gcv");
  ASSERT_EQ(program.size(), 14u);
  uint32_t want[4] = {};
  for (uint32_t t = 40; t != 0; --t) {
    for (unsigned k = 0; k < 4; ++k) {
      want[k] += 3 + t;
      if (k % 2 == 0) want[k] += want[k] + t;
    }
  }
  for (unsigned tier = 0; tier < kTestTiers; ++tier) {
    TestMachine m(tier);
    m.hart.set_vlen(128);
    m.hart.reset(kRamBase);
    ASSERT_TRUE(m.hart.csr_write(0x300, m.hart.s.mstatus | kVsInitial));
    for (size_t n = 0; n < program.size(); ++n) m.put({program[n]}, kRamBase + 4 * n);
    m.set_x(11, kDstA);
    m.run(4 + 40 * 8 + 2 + 20);
    EXPECT_EQ(m.pc(), kRamBase + 4 * 13) << "tier " << tier;
    for (unsigned k = 0; k < 4; ++k) {
      uint64_t got = 0;
      ASSERT_TRUE(m.bus.read(kDstA + 4 * k, 4, got));
      EXPECT_EQ(got, want[k]) << "tier " << tier << ", element " << k;
    }
    EXPECT_TRUE(m.ran_compiled()) << "tier " << tier;
    if (tier == 2) {
      EXPECT_GT(m.exec.jit()->stats().regions_compiled, 0u);
    }
  }
}

TEST(VectorInline, LowersToVerifiedCodeWithAndWithoutAVsetvliInTheBlock) {
  TestMachine m;
  load_program(m);
  const bool verify = ir_verification();
  set_ir_verification(true);
  LlvmBackend backend;
  for (uint64_t pc : {kRamBase, kRamBase + 4}) {
    std::unique_ptr<IrBlock> block = translate_block(m.hart, pc, pc, {true});
    JitJob job;
    job.members.push_back({block.get(), nullptr, nullptr});
    job.vlenb = 16;
    job.vtype_hint = 0x10;  // e32, m1
    const std::string ir = backend.ir_text(job);
    EXPECT_NE(ir.find("add <4 x i32>"), std::string::npos) << std::hex << pc << ir;
    for (bool region : {false, true}) {
      job.region = region;
      std::string error;
      const std::vector<JitResult> r =
          backend.compile({job}, region ? JitOptLevel::Optimize : JitOptLevel::Fast, error);
      ASSERT_EQ(r.size(), 1u);
      EXPECT_NE(r[0].fn, nullptr) << error;
      EXPECT_EQ(error, "") << std::hex << pc << " region " << region;
    }
  }
  set_ir_verification(verify);
}

}  // namespace
}  // namespace tiervm::test
