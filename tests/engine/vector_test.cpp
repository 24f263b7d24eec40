// The vector extension, stage 1 (engine/vector.h, engine/translate/vector_*.cpp): vtype and
// vsetvl's rules from the RVV 1.0 spec, the decoder rows against the GNU assembler, the
// access rules of mstatus.VS and the vector CSRs, fault-only-first at element 0, and
// snapshots of the vector state. The instructions' results are checked by roms/isa/rvv.S
// (verified on QEMU) on every tier.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "devices/state_stream.h"
#include "engine/csr_table.h"
#include "engine/decoder.h"
#include "engine/fp/ieee754.h"
#include "engine/hart.h"
#include "engine/vector.h"
#include "tests/common/tiers.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using test::TestMachine;

constexpr uint64_t kVill = uint64_t{1} << 63;

struct VsetCase {
  const char* what;
  uint64_t vlenb;
  AvlKind kind;
  uint64_t avl;
  uint64_t current_vl;
  uint64_t vtype;
  uint64_t want_vl;
  uint64_t want_vtype;
};

// vtype = vma << 7 | vta << 6 | vsew << 3 | vlmul (section 3.4); VLMAX = LMUL * VLEN / SEW.
const VsetCase kVsetCases[] = {
    {"e32 m1, AVL max", 16, AvlKind::Max, 0, 0, 0x10, 4, 0x10},
    {"e32 m1, AVL 3", 16, AvlKind::Value, 3, 0, 0x10, 3, 0x10},
    {"e32 m1, AVL 5 > VLMAX", 16, AvlKind::Value, 5, 0, 0x10, 4, 0x10},
    {"e32 m1, AVL 0", 16, AvlKind::Value, 0, 0, 0x10, 0, 0x10},
    {"e32 m1, keep vl 2", 16, AvlKind::KeepVl, 99, 2, 0x10, 2, 0x10},
    {"e32 m1, keep vl 9 > VLMAX", 16, AvlKind::KeepVl, 0, 9, 0x10, 4, 0x10},
    {"e8 m8", 16, AvlKind::Max, 0, 0, 0x03, 128, 0x03},
    {"e64 m1", 16, AvlKind::Max, 0, 0, 0x18, 2, 0x18},
    {"e8 mf8", 16, AvlKind::Max, 0, 0, 0x05, 2, 0x05},
    {"e16 mf4", 16, AvlKind::Max, 0, 0, 0x0e, 2, 0x0e},
    {"e32 mf2", 16, AvlKind::Max, 0, 0, 0x17, 2, 0x17},
    {"ta ma kept", 16, AvlKind::Max, 0, 0, 0xd0, 4, 0xd0},
    {"VLEN 1024, e8 m8", 128, AvlKind::Max, 0, 0, 0x03, 1024, 0x03},
    {"VLEN 256, e64 m2", 32, AvlKind::Value, 1000, 0, 0x19, 8, 0x19},
    // Unsupported: vill, vl = 0.
    {"e64 mf2: SEW > LMUL * ELEN", 16, AvlKind::Max, 0, 0, 0x1f, 0, kVill},
    {"e16 mf8", 16, AvlKind::Max, 0, 0, 0x0d, 0, kVill},
    {"e32 mf4", 16, AvlKind::Max, 0, 0, 0x16, 0, kVill},
    {"LMUL encoding 100", 16, AvlKind::Max, 0, 0, 0x04, 0, kVill},
    {"SEW 128", 16, AvlKind::Max, 0, 0, 0x20, 0, kVill},
    {"reserved bit 8", 16, AvlKind::Max, 0, 0, 0x110, 0, kVill},
    {"vill asked for", 16, AvlKind::Max, 0, 0, kVill | 0x10, 0, kVill},
};

TEST(Vector, VsetvlRules) {
  for (const VsetCase& c : kVsetCases) {
    const VConfig r = vsetvl_rule(c.vlenb, c.kind, c.avl, c.current_vl, c.vtype);
    EXPECT_EQ(r.vl, c.want_vl) << c.what;
    EXPECT_EQ(r.vtype, c.want_vtype) << c.what;
  }
}

// Words and text from GNU objdump (binutils 2.40) of roms/isa/rvv.elf; spaces dropped.
struct DisasmCase {
  uint32_t word;
  const char* text;
};
const DisasmCase kDisasmCases[] = {
    {0x40218457, "vadc.vvm v8,v2,v3,v0"},
    {0x02283457, "vadd.vi v8,v2,-16"},
    {0x00218057, "vadd.vv v0,v2,v3,v0.t"},
    {0x02254457, "vadd.vx v8,v2,a0"},
    {0x5e20a457, "vcompress.vm v8,v2,v1"},
    {0x42c822d7, "vcpop.m t0,v12"},
    {0x86256457, "vdiv.vx v8,v2,a0"},
    {0x42c8a2d7, "vfirst.m t0,v12"},
    {0x5208a7d7, "vid.v v15"},
    {0x52c827d7, "viota.m v15,v12"},
    {0x2285e507, "vl2re32.v v10,(a1)"},
    {0x0205d087, "vle16.v v1,(a1)"},
    {0x0205f507, "vle64.v v10,(a1)"},
    {0x02058607, "vle8.v v12,(a1)"},
    {0x03058407, "vle8ff.v v8,(a1)"},
    {0x02b58607, "vlm.v v12,(a1)"},
    {0x0ac5e407, "vlse32.v v8,(a1),a2"},
    {0x2205e407, "vlseg2e32.v v8,(a1)"},
    {0x0615e407, "vluxei32.v v8,(a1),v1"},
    {0x0645f407, "vluxei64.v v8,(a1),v4"},
    {0xb6312457, "vmacc.vv v8,v2,v3"},
    {0x462184d7, "vmadc.vv v9,v2,v3"},
    {0x442184d7, "vmadc.vvm v9,v2,v3,v0"},
    {0x66c6a757, "vmand.mm v14,v12,v13"},
    {0x62c6a757, "vmandn.mm v14,v12,v13"},
    {0x5c310457, "vmerge.vvm v8,v3,v2,v0"},
    {0x4e2184d7, "vmsbc.vv v9,v2,v3"},
    {0x52c0a757, "vmsbf.m v14,v12"},
    {0x622f34d7, "vmseq.vi v9,v2,-2"},
    {0x7e2544d7, "vmsgt.vx v9,v2,a0"},
    {0x7a20b4d7, "vmsgtu.vi v9,v2,1"},
    {0x6e2184d7, "vmslt.vv v9,v2,v3"},
    {0x52c12757, "vmsof.m v14,v12"},
    {0x9a21a457, "vmulhsu.vv v8,v2,v3"},
    {0x42056357, "vmv.s.x v6,a0"},
    {0x5e07b057, "vmv.v.i v0,15"},
    {0x5e020457, "vmv.v.v v8,v4"},
    {0x5e054657, "vmv.v.x v12,a0"},
    {0x42e022d7, "vmv.x.s t0,v14"},
    {0x9e303457, "vmv1r.v v8,v3"},
    {0xb6a83457, "vnsra.wi v8,v10,16"},
    {0xb2a54457, "vnsrl.wx v8,v10,a0"},
    {0x0022a4d7, "vredsum.vs v9,v2,v5,v0.t"},
    {0x32213457, "vrgather.vi v8,v2,2"},
    {0x3a208457, "vrgatherei16.vv v8,v2,v1"},
    {0x0e21b457, "vrsub.vi v8,v2,3"},
    {0x22888527, "vs2r.v v10,(a7)"},
    {0x0208f427, "vse64.v v8,(a7)"},
    {0xcc93f2d7, "vsetivli t0,7,e16,m2,ta,ma"},
    {0x80b572d7, "vsetvl t0,a0,a1"},
    {0x0c0572d7, "vsetvli t0,a0,e8,m1,ta,ma"},
    {0x4ac3a457, "vsext.vf2 v8,v12"},
    {0x3e256457, "vslide1down.vx v8,v2,a0"},
    {0x3a20b457, "vslideup.vi v8,v2,1"},
    {0x02b88627, "vsm.v v12,(a7)"},
    {0x0e15e127, "vsoxei32.v v2,(a1),v1"},
    {0x0ac5e127, "vsse32.v v2,(a1),a2"},
    {0x2208e427, "vsseg2e32.v v8,(a7)"},
    {0xc621a457, "vwadd.vv v8,v2,v3"},
    {0xc22284d7, "vwredsumu.vs v9,v2,v5"},
    {0xdaa1a457, "vwsubu.wv v8,v10,v3"},
    {0x4ac32457, "vzext.vf2 v8,v12"},
    // Stage 2: fixed point and floating point (GNU as/objdump 2.40).
    {0x86218257, "vsadd.vv v4,v2,v3"},
    {0xba21b257, "vnclipu.wi v4,v2,3"},
    {0x2a25e257, "vasubu.vx v4,v2,a1"},
    {0xae20b257, "vssra.vi v4,v2,1"},
    {0x9e218257, "vsmul.vv v4,v2,v3"},
    {0x02219257, "vfadd.vv v4,v2,v3"},
    {0x42201657, "vfmv.f.s fa2,v2"},
    {0x02255257, "vfadd.vf v4,v2,fa0"},
    {0xf2255257, "vfwmacc.vf v4,fa0,v2"},
    {0x4a2a9257, "vfncvt.rod.f.f.w v4,v2"},
    {0x0c219257, "vfredosum.vs v4,v2,v3,v0.t"},
    {0x5c255257, "vfmerge.vfm v4,v2,fa0,v0"},
    {0x5e05d257, "vfmv.v.f v4,fa1"},
    {0x7e255257, "vmfge.vf v4,v2,fa0"},
    {0x4e221257, "vfrsqrt7.v v4,v2"},
    {0x4a279257, "vfwcvt.rtz.x.f.v v4,v2"},
    {0x3e25d257, "vfslide1down.vf v4,v2,fa1"},
    {0xae219257, "vfnmsub.vv v4,v3,v2"},
    {0x4e281257, "vfclass.v v4,v2"},
};

std::string without_spaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

TEST(Vector, DecodesAndPrintsLikeTheGnuAssembler) {
  for (const DisasmCase& c : kDisasmCases) {
    EXPECT_EQ(without_spaces(disassemble(c.word, 0)), without_spaces(c.text)) << std::hex << c.word;
  }
}

TEST(Vector, RowsAreWellFormed) {
  unsigned rows = 0;
  for (const InsnDef* row : decoder_table()) {
    if (row->ext != Ext::V) continue;
    ++rows;
    EXPECT_EQ(std::string(row->pattern).size(), 32u) << row->name;
    EXPECT_EQ(decode(pattern_bits(row->pattern).match).def, row) << row->name;
  }
  // 3 configuration rows; 310 memory rows: 4 widths x nf 1..8 x (5 load + 4 store
  // kinds), 16 whole-register loads, 4 whole-register stores, vlm, vsm; 181 integer,
  // mask and permutation rows; 32 fixed-point rows (12 instructions in their forms); 101
  // floating-point rows.
  EXPECT_EQ(rows, 3u + 310u + 181u + 32u + 101u);
  EXPECT_TRUE(decoder_overlaps().empty());
  // Reserved encodings stay illegal: mew = 1 (EEW > 64), a vector width with nf = 3
  // whole-register load (only 1, 2, 4, 8 exist), vsetvl with bit 25 set.
  EXPECT_EQ(decode(0x12058407).def, nullptr);  // vle8.v with mew = 1
  EXPECT_EQ(decode(0x42858407).def, nullptr);  // vl3re8.v
  EXPECT_EQ(decode(0x82b572d7).def, nullptr);  // vsetvl with funct7 0b1000001
}

TEST(Vector, IsaStringAndMisaNameVOnlyWhenConfigured) {
  EXPECT_EQ(isa_string(false).substr(0, 11), "rv64imafdc_");
  EXPECT_EQ(isa_string(true).substr(0, 11), "rv64imafdcv");
  TestMachine m;
  EXPECT_EQ(m.hart.s.misa & (1u << ('V' - 'A')), 0u);
  m.hart.set_vlen(256);
  EXPECT_NE(m.hart.s.misa & (1u << ('V' - 'A')), 0u);
  EXPECT_EQ(m.hart.s.vlenb, 32u);
}

constexpr uint32_t kVsetvliA0E8 = 0x0c0572d7;  // vsetvli t0, a0, e8, m1, ta, ma
constexpr uint32_t kVsetivli8 = 0xc0047057;    // vsetivli x0, 8, e8, m1, tu, mu
constexpr uint32_t kVle8ffV8A1 = 0x03058407;   // vle8ff.v v8, (a1)
constexpr uint32_t kJumpSelf = 0x0000006f;     // j .
constexpr uint64_t kVsInitial = uint64_t{1} << 9;

// Traps land on a `j .` at kHandler, so a run stops with the trap's CSRs as it left them.
constexpr uint64_t kHandler = test::kRamBase + 0x100;
void trap_to_loop(TestMachine& m) {
  m.put({kJumpSelf}, kHandler);
  m.hart.s.mtvec = kHandler;
}

uint64_t vs_field(const HartState& s) {
  return (s.mstatus & mstatus::VS) >> mstatus::VS_SHIFT;
}

// Without V, mstatus.VS is read-only zero, the vector CSRs do not exist and vector
// instructions are illegal.
TEST(Vector, WithoutVEverythingIsIllegal) {
  TestMachine m;
  ASSERT_TRUE(m.hart.csr_write(0x300, m.hart.s.mstatus | mstatus::VS));
  EXPECT_EQ(vs_field(m.hart.s), 0u);
  uint64_t v = 0;
  EXPECT_FALSE(m.hart.csr_read(kCsrVlenb, v));
  EXPECT_FALSE(m.hart.csr_write(kCsrVstart, 0));
  trap_to_loop(m);
  m.put({kVsetvliA0E8, kJumpSelf});
  m.run(1);
  EXPECT_EQ(m.hart.s.mcause, static_cast<uint64_t>(Cause::IllegalInsn));
  EXPECT_EQ(m.hart.s.mtval, kVsetvliA0E8);
}

TEST(Vector, VsOffIsIllegalAndWritesMakeVsDirty) {
  for (unsigned tier = 0; tier < kTestTiers; ++tier) {
    TestMachine m(tier);
    m.hart.set_vlen(128);
    m.hart.reset(test::kRamBase);
    uint64_t v = 0;
    // Off (reset value): CSRs and instructions illegal.
    EXPECT_FALSE(m.hart.csr_read(kCsrVlenb, v)) << "tier " << tier;
    trap_to_loop(m);
    m.put({kVsetvliA0E8, kJumpSelf});
    m.run(1);
    EXPECT_EQ(m.hart.s.mcause, static_cast<uint64_t>(Cause::IllegalInsn)) << "tier " << tier;
    // Initial: usable; reads leave VS alone, a vsetvli makes it Dirty (and SD).
    m.hart.reset(test::kRamBase);
    trap_to_loop(m);
    ASSERT_TRUE(m.hart.csr_write(0x300, m.hart.s.mstatus | kVsInitial));
    ASSERT_TRUE(m.hart.csr_read(kCsrVlenb, v));
    EXPECT_EQ(v, 16u);
    EXPECT_EQ(vs_field(m.hart.s), 1u);
    m.set_x(10, 5);
    m.run(1);
    EXPECT_EQ(m.x(5), 5u) << "tier " << tier;
    EXPECT_EQ(vs_field(m.hart.s), 3u) << "tier " << tier;
    ASSERT_TRUE(m.hart.csr_read(0x300, v));
    EXPECT_NE(v & mstatus::SD, 0u);
  }
}

TEST(Vector, CsrWritesMarkDirtyAndVstartKeepsLg2VlenBits) {
  TestMachine m;
  m.hart.set_vlen(128);
  ASSERT_TRUE(m.hart.csr_write(0x300, m.hart.s.mstatus | kVsInitial));
  ASSERT_TRUE(m.hart.csr_write(kCsrVxrm, 7));
  EXPECT_EQ(vs_field(m.hart.s), 3u);
  uint64_t v = 0;
  ASSERT_TRUE(m.hart.csr_read(kCsrVxrm, v));
  EXPECT_EQ(v, 3u);
  ASSERT_TRUE(m.hart.csr_write(kCsrVstart, 0xffff));
  ASSERT_TRUE(m.hart.csr_read(kCsrVstart, v));
  EXPECT_EQ(v, 127u);                         // VLEN 128: element indices up to 127
  EXPECT_FALSE(m.hart.csr_write(kCsrVl, 1));  // read-only by number
}

// Fault-only-first (section 7.7): a fault on element 0 traps and leaves vl alone; a fault
// past it trims vl and does not trap. (QEMU 7.2 trims vl to 1 before trapping on an
// access fault at element 0, so roms/isa/rvv.S cannot check this part.)
TEST(Vector, FaultOnlyFirst) {
  constexpr uint64_t kRamEnd = test::kRamBase + test::kRamSize;
  for (unsigned tier = 0; tier < kTestTiers; ++tier) {
    for (uint64_t back : {0u, 3u}) {
      TestMachine m(tier);
      m.hart.set_vlen(128);
      m.hart.reset(test::kRamBase);
      trap_to_loop(m);
      ASSERT_TRUE(m.hart.csr_write(0x300, m.hart.s.mstatus | kVsInitial));
      m.put({kVsetivli8, kVle8ffV8A1, kJumpSelf});
      m.set_x(11, kRamEnd - back);
      m.run(2);
      if (back == 0) {
        EXPECT_EQ(m.hart.s.mcause, static_cast<uint64_t>(Cause::LoadAccess)) << "tier " << tier;
        EXPECT_EQ(m.hart.s.mtval, kRamEnd);
        EXPECT_EQ(m.hart.s.vl, 8u) << "tier " << tier;
      } else {
        EXPECT_EQ(m.hart.s.mcause, 0u) << "tier " << tier;
        EXPECT_EQ(m.hart.s.vl, 3u) << "tier " << tier;
      }
      EXPECT_EQ(m.hart.s.vstart, 0u);
    }
  }
}

constexpr uint32_t kVsetivli4E32 = 0xc1027057;  // vsetivli x0, 4, e32, m1, tu, mu
constexpr uint32_t kVfaddVv = 0x02219257;       // vfadd.vv v4, v2, v3
constexpr uint32_t kVfmvFS = 0x42201657;        // vfmv.f.s fa2, v2
constexpr uint64_t kFsField = uint64_t{3} << 13;
constexpr uint64_t kFsInitial = uint64_t{1} << 13;

// Vector FP instructions follow the scalar rules (RVV 1.0 section 13.1, priv spec 3.1.6.6):
// illegal with mstatus.FS = Off; flags accrue into fflags and make FS Dirty; vfmv.f.s
// writes f[rd] NaN-boxed and makes FS Dirty; an operation that raises nothing leaves FS.
TEST(Vector, FloatingPointFollowsFsAndAccruesFlags) {
  for (unsigned tier = 0; tier < kTestTiers; ++tier) {
    for (int step = 0; step < 4; ++step) {
      TestMachine m(tier);
      m.hart.set_vlen(128);
      m.hart.reset(test::kRamBase);
      trap_to_loop(m);
      uint64_t ms = (m.hart.s.mstatus & ~kFsField) | kVsInitial | (step == 0 ? 0 : kFsInitial);
      ASSERT_TRUE(m.hart.csr_write(0x300, ms));
      // v2 = {1.0f, 2^127, ...}, v3 = {2^-30, 2^127, ...}: 1 + 2^-30 is inexact, 2^128
      // overflows. Step 2 adds exact values (no flag).
      const uint32_t b0 = step == 2 ? 0x3f800000u : 0x30800000u;
      const uint32_t b1 = step == 2 ? 0x3f800000u : 0x7f000000u;
      vset(m.hart.s, 2, 0, 4, 0x3f800000u);
      vset(m.hart.s, 2, 1, 4, step == 2 ? 0x3f800000u : 0x7f000000u);
      vset(m.hart.s, 3, 0, 4, b0);
      vset(m.hart.s, 3, 1, 4, b1);
      m.put({kVsetivli4E32, step == 3 ? kVfmvFS : kVfaddVv, kJumpSelf});
      m.run(2);
      const uint64_t fs = (m.hart.s.mstatus & kFsField) >> 13;
      if (step == 0) {
        EXPECT_EQ(m.hart.s.mcause, static_cast<uint64_t>(Cause::IllegalInsn)) << "tier " << tier;
        EXPECT_EQ(m.hart.s.mtval, kVfaddVv) << "tier " << tier;
        continue;
      }
      EXPECT_EQ(m.hart.s.mcause, 0u) << "tier " << tier << " step " << step;
      if (step == 1) {
        EXPECT_EQ(m.hart.s.fflags, fp::fflag::NX | fp::fflag::OF) << "tier " << tier;
        EXPECT_EQ(vget(m.hart.s, 4, 0, 4), 0x3f800000u);  // 1 + 2^-30 rounds to 1
        EXPECT_EQ(vget(m.hart.s, 4, 1, 4), 0x7f800000u);  // +inf
        EXPECT_EQ(fs, 3u) << "tier " << tier;
      } else if (step == 2) {
        EXPECT_EQ(m.hart.s.fflags, 0u) << "tier " << tier;
        EXPECT_EQ(vget(m.hart.s, 4, 0, 4), 0x40000000u);  // 1 + 1 = 2
        EXPECT_EQ(fs, 1u) << "tier " << tier;
      } else {
        EXPECT_EQ(m.hart.s.f(12), 0xffffffff3f800000u) << "tier " << tier;
        EXPECT_EQ(fs, 3u) << "tier " << tier;
      }
    }
  }
}

TEST(Vector, SnapshotsKeepTheVectorState) {
  TestMachine a;
  a.hart.set_vlen(256);
  HartState& s = a.hart.s;
  s.vl = 5;
  s.vtype = 0xd0;
  s.vstart = 3;
  s.vxrm = 2;
  s.vxsat = 1;
  for (unsigned i = 0; i < 32 * 32 / 8; ++i) s.vreg[i] = 0x0101010101010101ull * i;
  std::vector<uint8_t> bytes;
  StateWriter w(bytes);
  a.hart.save_state(w);

  TestMachine b;
  b.hart.set_vlen(256);
  StateReader r(bytes);
  ASSERT_TRUE(b.hart.load_state(r));
  EXPECT_EQ(b.hart.s.vl, 5u);
  EXPECT_EQ(b.hart.s.vtype, 0xd0u);
  EXPECT_EQ(b.hart.s.vstart, 3u);
  EXPECT_EQ(b.hart.s.vxrm, 2u);
  EXPECT_EQ(b.hart.s.vxsat, 1u);
  for (unsigned i = 0; i < 32 * 32 / 8; ++i) EXPECT_EQ(b.hart.s.vreg[i], s.vreg[i]) << i;

  // Another VLEN (or none) refuses the snapshot and keeps its state.
  for (unsigned vlen : {0u, 128u}) {
    TestMachine c;
    if (vlen != 0) c.hart.set_vlen(vlen);
    StateReader rc(bytes);
    EXPECT_FALSE(c.hart.load_state(rc)) << vlen;
    EXPECT_EQ(c.hart.s.vl, 0u);
  }
}

// Destinations that overlap a source where RVV 1.0 section 5.2 allows it (a widening or
// extending destination over a narrow source in its upper half, a narrowing destination
// in its wide source's first register), and masked unit-stride accesses that cross a
// page: the helpers write in place and move a page's elements at once, and must still
// read every source element before it is overwritten and leave masked-off elements alone.
TEST(Vector, OverlappingGroupsAndMaskedAccessesAcrossPages) {
  constexpr uint32_t kVwadduV2V3V1 = 0xc230a157;          // vwaddu.vv v2, v3, v1
  constexpr uint32_t kVsetivli8E32M2 = 0xc1147057;        // vsetivli x0, 8, e32, m2, tu, mu
  constexpr uint32_t kVzextVf2V4V5 = 0x4a532257;          // vzext.vf2 v4, v5
  constexpr uint32_t kVsetivli8E16 = 0xc0847057;          // vsetivli x0, 8, e16, m1, tu, mu
  constexpr uint32_t kVnsrlV6V6By8 = 0xb2643357;          // vnsrl.wi v6, v6, 8
  constexpr uint32_t kVsetivli16E8 = 0xc0087057;          // vsetivli x0, 16, e8, m1, tu, mu
  constexpr uint32_t kVle8MaskedV8 = 0x00058407;          // vle8.v v8, (a1), v0.t
  constexpr uint32_t kVse8MaskedV8 = 0x00060427;          // vse8.v v8, (a2), v0.t
  constexpr uint32_t kVle8V9 = 0x02058487;                // vle8.v v9, (a1)
  constexpr uint64_t kSrc = test::kRamBase + 0x2000 - 5;  // 5 bytes before a page boundary
  constexpr uint64_t kDst = test::kRamBase + 0x3000 - 7;
  for (unsigned tier = 0; tier < kTestTiers; ++tier) {
    TestMachine m(tier);
    m.hart.set_vlen(128);
    m.hart.reset(test::kRamBase);
    trap_to_loop(m);
    ASSERT_TRUE(m.hart.csr_write(0x300, m.hart.s.mstatus | kVsInitial));
    HartState& s = m.hart.s;
    for (unsigned i = 0; i < 4; ++i) {
      vset(s, 1, i, 4, 0xffffffffu - i);
      vset(s, 3, i, 4, 0x80000000u + i * 0x10000001u);
    }
    for (unsigned i = 0; i < 8; ++i) vset(s, 5, i, 2, 0x8000u + 0x1111u * i);
    for (unsigned i = 0; i < 8; ++i) vset(s, 6, i, 4, 0x01020304u * (i + 1));  // v6-v7
    for (unsigned k = 0; k < 16; ++k) {
      m.bus.write(kSrc + k, 1, 0x40 + k);
      m.bus.write(kDst + k, 1, 0x11);
      vset(s, 8, k, 1, 0xee);
    }
    vset(s, 0, 0, 2, 0xaaaa);  // odd elements active
    m.set_x(11, kSrc);
    m.set_x(12, kDst);
    m.put({0xc1027057 /* vsetivli x0, 4, e32, m1 */, kVwadduV2V3V1, kVsetivli8E32M2, kVzextVf2V4V5,
           kVsetivli8E16, kVnsrlV6V6By8, kVsetivli16E8, kVle8MaskedV8, kVse8MaskedV8, kVle8V9,
           kJumpSelf});
    m.run(11);
    ASSERT_EQ(s.mcause, 0u) << "tier " << tier;
    for (unsigned i = 0; i < 4; ++i) {
      const uint64_t want = uint64_t{0x80000000u + i * 0x10000001u} + (0xffffffffu - i);
      EXPECT_EQ(vget(s, 2, i, 8), want) << "vwaddu element " << i << " tier " << tier;
    }
    for (unsigned i = 0; i < 8; ++i) {
      EXPECT_EQ(vget(s, 4, i, 4), 0x8000u + 0x1111u * i) << "vzext element " << i;
      EXPECT_EQ(vget(s, 6, i, 2), ((0x01020304u * (i + 1)) >> 8) & 0xffff) << "vnsrl " << i;
    }
    for (unsigned k = 0; k < 16; ++k) {
      const bool on = (k & 1) != 0;
      EXPECT_EQ(vget(s, 8, k, 1), on ? 0x40 + k : 0xeeu) << "vle8 masked byte " << k;
      EXPECT_EQ(vget(s, 9, k, 1), 0x40 + k) << "vle8 byte " << k << " tier " << tier;
      uint64_t stored = 0;
      m.bus.read(kDst + k, 1, stored);
      EXPECT_EQ(stored, on ? 0x40 + k : 0x11u) << "vse8 masked byte " << k << " tier " << tier;
    }
  }
}

// The FP helpers take the host FPU's result when RVV's rounding is RNE and NX has accrued
// (engine/ir_eval.h's fast path): each single-width and widening op, with fflags = 0 and
// with NX already set, against the soft-float library computing the spec's formula for the
// instruction (RVV 1.0 sections 13.3-13.7). Element 3's product is subnormal: the host
// result is refused there and the soft path raises UF.
TEST(Vector, FloatingPointHostPathMatchesSoftFloat) {
  using fp::Env;
  constexpr uint32_t kVsetivli4E32M1 = 0xc1027057;  // vsetivli x0, 4, e32, m1, tu, mu
  const std::array<uint32_t, 4> a = {0x3fc00000u /* 1.5 */, 0xc0500000u /* -3.25 */,
                                     0x501502f9u /* 1e10 */, 0x1e3ce508u /* 1e-20 */};
  const std::array<uint32_t, 4> b = {0x3de56042u /* 0.112 */, 0x40490fdbu /* pi */,
                                     0xb8d1b717u /* -1e-4 */, 0x1e3ce508u /* 1e-20 */};
  const std::array<uint32_t, 4> d = {0x42f60000u /* 123 */, 0xbf800000u /* -1 */,
                                     0x3f000000u /* 0.5 */, 0x00000000u};
  const uint32_t x = 0x40400000u;  // fa0 = 3.0
  struct Case {
    uint32_t word;  // vd = v4 (v6-v7 widening), vs2 = v2, vs1 = v3 or f[rs1] = fa0
    uint32_t (*expect)(uint32_t d, uint32_t a, uint32_t b, uint32_t x, Env& e);
  };
  // The spec's formulas, with a = vs2[i], b = vs1[i], d = vd[i], x = f[rs1].
  const std::array<Case, 14> cases = {{
      {0x02219257,
       [](uint32_t, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_add(a, b, e);  // vfadd.vv
       }},
      {0x0a219257,
       [](uint32_t, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_sub(a, b, e);  // vfsub.vv
       }},
      {0x9e255257,
       [](uint32_t, uint32_t a, uint32_t, uint32_t x, Env& e) {
         return fp::f32_sub(x, a, e);  // vfrsub.vf: f[rs1] - vs2
       }},
      {0x92219257,
       [](uint32_t, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_mul(a, b, e);  // vfmul.vv
       }},
      {0x82219257,
       [](uint32_t, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_div(a, b, e);  // vfdiv.vv
       }},
      {0x86255257,
       [](uint32_t, uint32_t a, uint32_t, uint32_t x, Env& e) {
         return fp::f32_div(x, a, e);  // vfrdiv.vf: f[rs1] / vs2
       }},
      {0xb2219257,
       [](uint32_t d, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_fma(b, a, d, e);  // vfmacc: +(vs1 * vs2) + vd
       }},
      {0xb6219257,
       [](uint32_t d, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_fma(b ^ 0x80000000u, a, d ^ 0x80000000u, e);  // vfnmacc: -(vs1*vs2) - vd
       }},
      {0xba219257,
       [](uint32_t d, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_fma(b, a, d ^ 0x80000000u, e);  // vfmsac: +(vs1 * vs2) - vd
       }},
      {0xbe219257,
       [](uint32_t d, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_fma(b ^ 0x80000000u, a, d, e);  // vfnmsac: -(vs1 * vs2) + vd
       }},
      {0xa2219257,
       [](uint32_t d, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_fma(b, d, a, e);  // vfmadd: +(vs1 * vd) + vs2
       }},
      {0xa6219257,
       [](uint32_t d, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_fma(b ^ 0x80000000u, d, a ^ 0x80000000u, e);  // vfnmadd: -(vs1*vd) - vs2
       }},
      {0xaa219257,
       [](uint32_t d, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_fma(b, d, a ^ 0x80000000u, e);  // vfmsub: +(vs1 * vd) - vs2
       }},
      {0xae219257,
       [](uint32_t d, uint32_t a, uint32_t b, uint32_t, Env& e) {
         return fp::f32_fma(b ^ 0x80000000u, d, a, e);  // vfnmsub: -(vs1 * vd) + vs2
       }},
  }};
  for (unsigned tier = 0; tier < kTestTiers; ++tier) {
    for (const Case& c : cases) {
      for (uint32_t nx : {0u, fp::fflag::NX}) {
        TestMachine m(tier);
        m.hart.set_vlen(128);
        m.hart.reset(test::kRamBase);
        trap_to_loop(m);
        ASSERT_TRUE(m.hart.csr_write(0x300, m.hart.s.mstatus | kVsInitial | kFsInitial));
        HartState& s = m.hart.s;
        s.fflags = nx;
        m.set_f(10, 0xffffffff00000000ull | x);
        Env env;
        for (unsigned i = 0; i < 4; ++i) {
          vset(s, 2, i, 4, a[i]);
          vset(s, 3, i, 4, b[i]);
          vset(s, 4, i, 4, d[i]);
        }
        m.put({kVsetivli4E32M1, c.word, kJumpSelf});
        m.run(2);
        ASSERT_EQ(s.mcause, 0u) << std::hex << c.word;
        for (unsigned i = 0; i < 4; ++i) {
          EXPECT_EQ(vget(s, 4, i, 4), c.expect(d[i], a[i], b[i], x, env))
              << std::hex << "insn " << c.word << " element " << i << " nx " << nx << " tier "
              << tier;
        }
        EXPECT_EQ(s.fflags, nx | env.flags) << std::hex << "insn " << c.word << " tier " << tier;
      }
    }
    // Widening: vfwadd.vv v6, v2, v3 (vd = vs2 + vs1 in f64) and vfwmacc.vv v6, v3, v2
    // (vd = +(vs1 * vs2) + vd), from the singles widened exactly.
    for (const uint32_t word : {0xc2219357u, 0xf2219357u}) {
      TestMachine m(tier);
      m.hart.set_vlen(128);
      m.hart.reset(test::kRamBase);
      trap_to_loop(m);
      ASSERT_TRUE(m.hart.csr_write(0x300, m.hart.s.mstatus | kVsInitial | kFsInitial));
      HartState& s = m.hart.s;
      s.fflags = fp::fflag::NX;
      const std::array<uint64_t, 4> wide_d = {0x405ec00000000000ull /* 123 */,
                                              0xbff0000000000000ull, 0x3fe0000000000000ull, 0};
      for (unsigned i = 0; i < 4; ++i) {
        vset(s, 2, i, 4, a[i]);
        vset(s, 3, i, 4, b[i]);
        vset(s, 6, i, 8, wide_d[i]);
      }
      m.put({kVsetivli4E32M1, word, kJumpSelf});
      m.run(2);
      ASSERT_EQ(s.mcause, 0u);
      Env env;
      for (unsigned i = 0; i < 4; ++i) {
        const uint64_t wa = fp::f32_to_f64(a[i], env), wb = fp::f32_to_f64(b[i], env);
        const uint64_t want =
            word == 0xc2219357u ? fp::f64_add(wa, wb, env) : fp::f64_fma(wb, wa, wide_d[i], env);
        EXPECT_EQ(vget(s, 6, i, 8), want) << std::hex << word << " element " << i;
      }
      EXPECT_EQ(s.fflags, fp::fflag::NX | env.flags) << std::hex << word;
    }
  }
}

}  // namespace
}  // namespace tiervm
