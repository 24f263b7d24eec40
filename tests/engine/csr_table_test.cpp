// Tests that walk the CSR table (engine/csr_table.cpp) and check it against the privileged
// spec 1.12: CSR numbers from tables 2.2-2.5, the meaning of number bits from section 2.1.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include "engine/csr_table.h"
#include "engine/decoder.h"
#include "engine/hart.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using test::TestMachine;

struct MirrorPair {
  const char* m_name;
  uint16_t m_csr;
  const char* s_name;
  uint16_t s_csr;
};

// The M-mode CSRs with an S-mode counterpart on a hart with M, S and U and no N or H
// extension (tables 2.2 and 2.5).
constexpr MirrorPair kMirrorPairs[] = {
    {"mstatus", 0x300, "sstatus", 0x100}, {"mie", 0x304, "sie", 0x104},
    {"mtvec", 0x305, "stvec", 0x105},     {"mcounteren", 0x306, "scounteren", 0x106},
    {"menvcfg", 0x30a, "senvcfg", 0x10a}, {"mscratch", 0x340, "sscratch", 0x140},
    {"mepc", 0x341, "sepc", 0x141},       {"mcause", 0x342, "scause", 0x142},
    {"mtval", 0x343, "stval", 0x143},     {"mip", 0x344, "sip", 0x144},
};

// Read-only CSRs of tables 2.2-2.5 on RV64 (the counters' RV32 high halves do not exist).
constexpr uint16_t kReadOnlyCsrs[] = {
    0xc00, 0xc01, 0xc02,                // cycle, time, instret
    0xc20, 0xc21, 0xc22,                // vl, vtype, vlenb (RVV 1.0 section 3)
    0xc03, 0xc1f,                       // hpmcounter3, hpmcounter31
    0xf11, 0xf12, 0xf13, 0xf14, 0xf15,  // mvendorid, marchid, mimpid, mhartid, mconfigptr
};

// Lowest privilege of some CSRs, from the tables' "Privilege" column.
struct LevelCase {
  const char* name;
  uint16_t csr;
  Priv level;
};
constexpr LevelCase kLevelCases[] = {
    {"fflags", 0x001, Priv::U},       {"fcsr", 0x003, Priv::U},      {"cycle", 0xc00, Priv::U},
    {"hpmcounter31", 0xc1f, Priv::U}, {"sstatus", 0x100, Priv::S},   {"satp", 0x180, Priv::S},
    {"mstatus", 0x300, Priv::M},      {"pmpaddr63", 0x3ef, Priv::M}, {"tselect", 0x7a0, Priv::M},
    {"mcycle", 0xb00, Priv::M},       {"mhartid", 0xf14, Priv::M},   {"vstart", 0x008, Priv::U},
    {"vlenb", 0xc22, Priv::U},
};

// Not implemented on this hart: RV32-only, N, H, debug-mode and custom CSRs.
constexpr uint16_t kAbsentCsrs[] = {
    0x310,  // mstatush (RV32 only)
    0xc80,  // cycleh (RV32 only)
    0x102,  // sedeleg (N extension)
    0x600,  // hstatus (H extension)
    0x7b0,  // dcsr (debug mode only)
    0x7c0,  // custom
    0x14d,  // stimecmp (Sstc)
};

// What a CSR number encodes (priv spec 2.1): bits 11:10 == 3 mark a read-only CSR, bits
// 9:8 the lowest privilege level that may access it.
bool spec_read_only(uint16_t csr) {
  return ((csr >> 10) & 3) == 3;
}
unsigned spec_level(uint16_t csr) {
  return (csr >> 8) & 3;
}

// pmpcfg1, 3, ..., 15 exist only on RV32 (priv spec 3.7.1).
bool rv32_only_pmpcfg(uint16_t csr) {
  return csr >= 0x3a0 && csr <= 0x3af && (csr & 1) != 0;
}

std::string hex(uint16_t csr) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%03x", csr);
  return buf;
}

// A hart in which every gate of the table is open: FS on, all counters enabled, TVM off.
class CsrTableTest : public ::testing::Test {
 protected:
  TestMachine m;
  HartState& s = m.hart.s;

  // A hart with V (--vlen 128), so that the vector CSRs' gate (mstatus.VS) can open.
  void SetUp() override {
    m.hart.set_vlen(128);
    open_gates();
  }
  void open_gates() {
    s.mstatus = (s.mstatus | mstatus::FS | mstatus::VS) & ~mstatus::TVM;
    s.mcounteren = s.scounteren = 0xffff'ffff;
  }
  void set_priv(Priv p) {
    s.priv = p;
    m.hart.update_modes();
  }
};

TEST(CsrTable, MirroredKindsHaveAnSInstanceAtTheMNumberMinus0x200) {
  std::set<uint16_t> expected;
  for (const MirrorPair& p : kMirrorPairs) {
    const CsrRow* mr = find_csr(p.m_csr);
    const CsrRow* sr = find_csr(p.s_csr);
    ASSERT_NE(mr, nullptr) << p.m_name;
    ASSERT_NE(sr, nullptr) << p.s_name;
    EXPECT_STREQ(mr->name, p.m_name);
    EXPECT_STREQ(sr->name, p.s_name);
    EXPECT_TRUE(csr_kind_mirrored(mr->kind)) << p.m_name;
    EXPECT_EQ(mr->kind, sr->kind) << p.m_name << " / " << p.s_name;
    expected.insert({p.m_csr, p.s_csr});
  }
  std::set<uint16_t> mirrored;
  for (const CsrRow& row : csr_table()) {
    if (!csr_kind_mirrored(row.kind)) continue;
    EXPECT_EQ(row.first, row.last) << row.name;
    mirrored.insert(row.first);
    const unsigned level = spec_level(row.first);
    ASSERT_TRUE(level == 3 || level == 1) << row.name;
    const uint16_t other = level == 3 ? row.first - 0x200 : row.first + 0x200;
    const CsrRow* counterpart = find_csr(other);
    ASSERT_NE(counterpart, nullptr) << row.name << " has no counterpart at " << hex(other);
    EXPECT_EQ(counterpart->kind, row.kind) << row.name << " / " << counterpart->name;
  }
  EXPECT_EQ(mirrored, expected);
}

TEST_F(CsrTableTest, ReadOnlyNumbersRefuseWrites) {
  for (uint16_t csr : kReadOnlyCsrs) {
    EXPECT_NE(find_csr(csr), nullptr) << hex(csr);
    EXPECT_TRUE(spec_read_only(csr)) << hex(csr);
  }
  for (const CsrRow& row : csr_table()) {
    for (unsigned n = row.first; n <= row.last; ++n) {
      const auto csr = static_cast<uint16_t>(n);
      if (rv32_only_pmpcfg(csr)) continue;
      open_gates();
      uint64_t v = 0;
      ASSERT_TRUE(m.hart.csr_read(csr, v)) << row.name << " " << hex(csr);
      // Writing back the value read leaves the hart as it was.
      EXPECT_EQ(m.hart.csr_write(csr, v), !spec_read_only(csr)) << row.name << " " << hex(csr);
    }
  }
}

TEST_F(CsrTableTest, LowestPrivilegeComesFromTheNumber) {
  for (const LevelCase& c : kLevelCases) {
    EXPECT_EQ(spec_level(c.csr), static_cast<unsigned>(c.level)) << c.name;
    set_priv(c.level);
    uint64_t v = 0;
    EXPECT_TRUE(m.hart.csr_read(c.csr, v)) << c.name;
  }
  for (const CsrRow& row : csr_table()) {
    for (unsigned n = row.first; n <= row.last; ++n) {
      const auto csr = static_cast<uint16_t>(n);
      if (rv32_only_pmpcfg(csr)) continue;
      for (Priv p : {Priv::U, Priv::S, Priv::M}) {
        set_priv(p);
        const bool allowed = static_cast<unsigned>(p) >= spec_level(csr);
        uint64_t v = 0;
        EXPECT_EQ(m.hart.csr_read(csr, v), allowed) << row.name << " " << hex(csr);
        if (!allowed) {
          EXPECT_FALSE(m.hart.csr_write(csr, 0)) << row.name << " " << hex(csr);
        }
      }
    }
  }
}

TEST_F(CsrTableTest, UnimplementedNumbersAreIllegal) {
  for (uint16_t csr : kAbsentCsrs) {
    EXPECT_EQ(find_csr(csr), nullptr) << hex(csr);
    uint64_t v = 0;
    EXPECT_FALSE(m.hart.csr_read(csr, v)) << hex(csr);
    EXPECT_FALSE(m.hart.csr_write(csr, 0)) << hex(csr);
  }
  for (uint16_t csr = 0x3a1; csr <= 0x3af; csr += 2) {
    uint64_t v = 0;
    EXPECT_FALSE(m.hart.csr_read(csr, v)) << hex(csr);
    EXPECT_FALSE(m.hart.csr_write(csr, 0)) << hex(csr);
  }
  EXPECT_EQ(find_csr(0x1000), nullptr);  // CSR numbers have 12 bits
}

// misa is the hart's own value (set at reset from the decoder table), not a second copy.
TEST_F(CsrTableTest, MisaReadsTheHartsValue) {
  uint64_t v = 0;
  ASSERT_TRUE(m.hart.csr_read(0x301, v));
  // MXL = 2: XLEN 64 (3.1.1); V because this hart has --vlen 128.
  EXPECT_EQ(v, (uint64_t{2} << 62) | misa_extensions() | (uint64_t{1} << ('V' - 'A')));
  s.misa &= ~(uint64_t{1} << ('D' - 'A'));
  ASSERT_TRUE(m.hart.csr_read(0x301, v));
  EXPECT_EQ(v, s.misa);
}

}  // namespace
}  // namespace tiervm
