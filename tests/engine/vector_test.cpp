// The vector extension, stage 1 (engine/vector.h, engine/translate/vector_*.cpp): vtype and
// vsetvl's rules from the RVV 1.0 spec, the decoder rows against the GNU assembler, the
// access rules of mstatus.VS and the vector CSRs, and snapshots of the vector state.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "devices/state_stream.h"
#include "engine/csr_table.h"
#include "engine/decoder.h"
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
    {0xcc93f2d7, "vsetivli t0,7,e16,m2,ta,ma"},
    {0x80b572d7, "vsetvl t0,a0,a1"},
    {0x0c0572d7, "vsetvli t0,a0,e8,m1,ta,ma"},
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
  EXPECT_EQ(rows, 3u);
  EXPECT_TRUE(decoder_overlaps().empty());
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

}  // namespace
}  // namespace tiervm
