// Tests for the CSR file (engine/csr.cpp) and the Zicsr instructions
// (engine/translate/csr.cpp). Expected values come from the privileged spec 1.12 (CSR
// numbers: tables 2.2-2.5; field layouts: chapters 3 and 4) and the Zicsr chapter of the
// unprivileged spec.

#include <gtest/gtest.h>

#include <cstdint>

#include "engine/hart.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using test::kJumpSelf;
using test::kRamBase;
using test::TestMachine;

// CSR numbers (priv spec 1.12, tables 2.2-2.5).
constexpr uint16_t kFflags = 0x001, kFrm = 0x002, kFcsr = 0x003;
constexpr uint16_t kCycle = 0xc00, kTime = 0xc01, kInstret = 0xc02, kHpmcounter3 = 0xc03;
constexpr uint16_t kSstatus = 0x100, kSie = 0x104, kStvec = 0x105, kScounteren = 0x106;
constexpr uint16_t kSscratch = 0x140, kSepc = 0x141, kSip = 0x144, kSatp = 0x180;
constexpr uint16_t kMvendorid = 0xf11, kMhartid = 0xf14;
constexpr uint16_t kMstatus = 0x300, kMisa = 0x301, kMedeleg = 0x302, kMideleg = 0x303;
constexpr uint16_t kMie = 0x304, kMtvec = 0x305, kMcounteren = 0x306, kMstatush = 0x310;
constexpr uint16_t kMcountinhibit = 0x320, kMhpmevent3 = 0x323;
constexpr uint16_t kMscratch = 0x340, kMepc = 0x341, kMip = 0x344;
constexpr uint16_t kPmpcfg0 = 0x3a0, kPmpcfg1 = 0x3a1, kPmpcfg2 = 0x3a2, kPmpcfg3 = 0x3a3;
constexpr uint16_t kPmpcfg4 = 0x3a4, kPmpaddr0 = 0x3b0, kPmpaddr15 = 0x3bf;
constexpr uint16_t kPmpaddr20 = 0x3c4;
constexpr uint16_t kMcycle = 0xb00, kMinstret = 0xb02, kMhpmcounter3 = 0xb03;
constexpr uint16_t kTselect = 0x7a0, kTdata1 = 0x7a1;
constexpr uint16_t kHstatus = 0x600, kCustomM = 0x7c0, kDcsr = 0x7b0;

// mstatus fields (priv spec 3.1.6).
constexpr uint64_t kSIE = 1 << 1, kMIE = 1 << 3, kSPIE = 1 << 5, kMPIE = 1 << 7;
constexpr uint64_t kSPP = 1 << 8, kMPP = 3 << 11, kFS = 3 << 13, kMPRV = 1 << 17;
constexpr uint64_t kSUM = 1 << 18, kMXR = 1 << 19, kTVM = 1 << 20, kTW = 1 << 21;
constexpr uint64_t kTSR = 1 << 22;
constexpr uint64_t kUXL = uint64_t{3} << 32, kSXL = uint64_t{3} << 34;
constexpr uint64_t kSD = uint64_t{1} << 63;
constexpr uint64_t kUXL64 = uint64_t{2} << 32, kSXL64 = uint64_t{2} << 34;
constexpr uint64_t kFsOff = 0, kFsInitial = 1 << 13, kFsDirty = 3 << 13;
constexpr uint64_t mpp(unsigned p) {
  return uint64_t{p} << 11;
}

// mip/mie bits (priv spec 3.1.9).
constexpr uint64_t kSSIP = 1 << 1, kMSIP = 1 << 3, kSTIP = 1 << 5, kMTIP = 1 << 7;
constexpr uint64_t kSEIP = 1 << 9, kMEIP = 1 << 11;

uint64_t satp(uint64_t mode, uint64_t asid, uint64_t ppn) {
  return mode << 60 | asid << 44 | ppn;
}

// Zicsr encodings (unprivileged spec chapter 9): csr[31:20] rs1/uimm[19:15] funct3 rd 1110011.
enum Funct3 : uint32_t {
  kCsrrw = 1,
  kCsrrs = 2,
  kCsrrc = 3,
  kCsrrwi = 5,
  kCsrrsi = 6,
  kCsrrci = 7
};
uint32_t csr_insn(Funct3 f3, unsigned rd, uint16_t csr, unsigned rs1_or_uimm) {
  return uint32_t{csr} << 20 | rs1_or_uimm << 15 | uint32_t{f3} << 12 | rd << 7 | 0x73;
}

class CsrTest : public ::testing::Test {
 protected:
  TestMachine m;
  HartState& s = m.hart.s;

  void set_priv(Priv p) {
    s.priv = p;
    m.hart.update_modes();
  }
  // Reads/writes as the current privilege; fails the test when the access is refused.
  uint64_t read(uint16_t csr) {
    uint64_t v = 0;
    EXPECT_TRUE(m.hart.csr_read(csr, v)) << std::hex << csr;
    return v;
  }
  void write(uint16_t csr, uint64_t v) { EXPECT_TRUE(m.hart.csr_write(csr, v)) << std::hex << csr; }
  bool can_read(uint16_t csr) {
    uint64_t v = 0;
    return m.hart.csr_read(csr, v);
  }
  bool can_write(uint16_t csr, uint64_t v) { return m.hart.csr_write(csr, v); }

  // Runs one CSR instruction at the RAM base (in M unless set_priv was called) and
  // reports whether it trapped.
  bool run_insn(uint32_t word) {
    s.mtvec = kRamBase + 0x100;
    m.put({word, kJumpSelf});
    m.put({kJumpSelf}, kRamBase + 0x100);
    s.pc = kRamBase;
    m.run(1);
    return s.pc == kRamBase + 0x100;
  }
};

// ---- Access rules: privilege from csr[9:8], read-only from csr[11:10] == 3, existence.

struct AccessCase {
  const char* what;
  uint16_t csr;
  Priv priv;
  bool write;  // writes 0 (harmless for every CSR listed)
  bool allowed;
};

constexpr AccessCase kAccessCases[] = {
    {"mstatus read in M", kMstatus, Priv::M, false, true},
    {"mstatus read in S", kMstatus, Priv::S, false, false},
    {"mstatus read in U", kMstatus, Priv::U, false, false},
    {"sstatus read in S", kSstatus, Priv::S, false, true},
    {"sstatus read in U", kSstatus, Priv::U, false, false},
    {"sscratch write in M", kSscratch, Priv::M, true, true},
    {"mscratch write in S", kMscratch, Priv::S, true, false},
    {"mhartid read in M", kMhartid, Priv::M, false, true},
    {"mhartid write in M (read-only)", kMhartid, Priv::M, true, false},
    {"mvendorid read in U", kMvendorid, Priv::U, false, false},
    {"cycle write in M (read-only)", kCycle, Priv::M, true, false},
    {"instret write in M (read-only)", kInstret, Priv::M, true, false},
    {"cycle read in M", kCycle, Priv::M, false, true},
    {"hpmcounter3 read in M", kHpmcounter3, Priv::M, false, true},
    {"mcycle write in M", kMcycle, Priv::M, true, true},
    {"mhpmcounter3 write in M", kMhpmcounter3, Priv::M, true, true},
    {"mhpmevent3 write in M", kMhpmevent3, Priv::M, true, true},
    {"mcountinhibit write in M", kMcountinhibit, Priv::M, true, true},
    {"satp write in S (TVM=0)", kSatp, Priv::S, true, true},
    {"pmpcfg0 read in M", kPmpcfg0, Priv::M, false, true},
    {"pmpcfg2 read in M", kPmpcfg2, Priv::M, false, true},
    {"pmpcfg1 read in M (odd: RV32 only)", kPmpcfg1, Priv::M, false, false},
    {"pmpcfg3 write in M (odd: RV32 only)", kPmpcfg3, Priv::M, true, false},
    {"pmpcfg0 read in S", kPmpcfg0, Priv::S, false, false},
    {"pmpaddr15 write in M", kPmpaddr15, Priv::M, true, true},
    {"pmpcfg4 read in M (unimplemented entries)", kPmpcfg4, Priv::M, false, true},
    {"pmpaddr20 read in M (unimplemented entries)", kPmpaddr20, Priv::M, false, true},
    {"mstatush read in M (RV32 only)", kMstatush, Priv::M, false, false},
    {"hstatus read in M (no H)", kHstatus, Priv::M, false, false},
    {"custom 0x7c0 read in M", kCustomM, Priv::M, false, false},
    {"dcsr read in M (debug mode only)", kDcsr, Priv::M, false, false},
    {"tselect read in M", kTselect, Priv::M, false, true},
    {"misa write in M (ignored)", kMisa, Priv::M, true, true},
};

TEST_F(CsrTest, AccessRules) {
  s.mstatus |= kFsInitial;
  for (const AccessCase& c : kAccessCases) {
    set_priv(c.priv);
    uint64_t v = 0;
    const bool ok = c.write ? m.hart.csr_write(c.csr, 0) : m.hart.csr_read(c.csr, v);
    EXPECT_EQ(ok, c.allowed) << c.what;
  }
}

// ---- Identification registers.

TEST_F(CsrTest, MisaIsRv64ImafdcSuAndReadOnly) {
  // MXL=2, extensions A C D F I M S U.
  EXPECT_EQ(read(kMisa), 0x800000000014112dull);
  write(kMisa, 0);
  EXPECT_EQ(read(kMisa), 0x800000000014112dull);
}

TEST_F(CsrTest, MhartidIsTheConstructorId) {
  Bus bus;
  Hart other(bus, 3);
  uint64_t v = 0;
  ASSERT_TRUE(other.csr_read(kMhartid, v));
  EXPECT_EQ(v, 3u);
  EXPECT_EQ(read(kMhartid), 0u);
}

// ---- mstatus and its sstatus view.

TEST_F(CsrTest, MstatusXlenFieldsReadTwoAndIgnoreWrites) {
  write(kMstatus, 0);
  EXPECT_EQ(read(kMstatus) & (kUXL | kSXL), kUXL64 | kSXL64);
  write(kMstatus, kUXL | kSXL);
  EXPECT_EQ(read(kMstatus) & (kUXL | kSXL), kUXL64 | kSXL64);
}

TEST_F(CsrTest, MstatusMppRejectsReservedValue) {
  write(kMstatus, mpp(1));
  write(kMstatus, mpp(2));
  const uint64_t field = (read(kMstatus) & kMPP) >> 11;
  EXPECT_NE(field, 2u);  // WARL: 2 is reserved (priv spec 3.1.6.1)
  EXPECT_EQ(field, 1u);  // this implementation keeps the previous value, as QEMU
  write(kMstatus, mpp(0));
  EXPECT_EQ(read(kMstatus) & kMPP, mpp(0));
  write(kMstatus, mpp(3));
  EXPECT_EQ(read(kMstatus) & kMPP, mpp(3));
}

TEST_F(CsrTest, MstatusWritableFields) {
  const uint64_t fields = kSIE | kMIE | kSPIE | kMPIE | kSPP | mpp(3) | kFsDirty | kMPRV | kSUM |
                          kMXR | kTVM | kTW | kTSR;
  write(kMstatus, fields);
  EXPECT_EQ(read(kMstatus), fields | kUXL64 | kSXL64 | kSD);
  // Endianness bits (UBE 6, SBE 36, MBE 37), VS and XS are read-only zero here.
  write(kMstatus, (1ull << 6) | (1ull << 36) | (1ull << 37) | (3ull << 9) | (3ull << 15));
  EXPECT_EQ(read(kMstatus), kUXL64 | kSXL64);
}

TEST_F(CsrTest, MstatusSdSummarizesDirtyFs) {
  struct {
    uint64_t fs;
    bool sd;
  } cases[] = {{kFsOff, false}, {kFsInitial, false}, {2 << 13, false}, {kFsDirty, true}};
  for (auto c : cases) {
    write(kMstatus, c.fs);
    EXPECT_EQ((read(kMstatus) & kSD) != 0, c.sd) << c.fs;
    EXPECT_EQ((read(kSstatus) & kSD) != 0, c.sd) << c.fs;
  }
}

TEST_F(CsrTest, SstatusIsAViewOfMstatus) {
  write(kMstatus, kSIE | kMIE | kMPIE | mpp(3) | kSUM | kTVM | kFsInitial);
  EXPECT_EQ(read(kSstatus), kSIE | kSUM | kFsInitial | kUXL64);
  // Writing every bit through sstatus changes only the S-visible writable fields.
  write(kSstatus, ~uint64_t{0});
  EXPECT_EQ(read(kMstatus), kSIE | kSPIE | kSPP | kFsDirty | kSUM | kMXR | kMIE | kMPIE | mpp(3) |
                                kTVM | kUXL64 | kSXL64 | kSD);
  write(kSstatus, 0);
  EXPECT_EQ(read(kMstatus), kMIE | kMPIE | mpp(3) | kTVM | kUXL64 | kSXL64);
}

TEST_F(CsrTest, MprvAndMppSelectTheDataMode) {
  write(kMstatus, kMPRV | mpp(1));
  EXPECT_EQ(m.hart.data_mode(), TlbMode::S);
  EXPECT_EQ(m.hart.fetch_mode(), TlbMode::M);
  write(kMstatus, mpp(1));
  EXPECT_EQ(m.hart.data_mode(), TlbMode::M);
}

// SUM picks the S-mode data TLB (Linux toggles it around every user copy: no flush); MXR
// changes what readable means, so it flushes.
TEST_F(CsrTest, SumSelectsTheDataModeAndMxrFlushesTheTlb) {
  write(kMstatus, kMPRV | mpp(1));
  EXPECT_EQ(m.hart.data_mode(), TlbMode::S);
  const uint64_t before = m.hart.tlb.flushes;
  write(kMstatus, kMPRV | mpp(1) | kSUM);
  EXPECT_EQ(m.hart.data_mode(), TlbMode::SUserAccess);
  EXPECT_EQ(m.hart.fetch_mode(), TlbMode::M);
  write(kMstatus, kMPRV | mpp(0) | kSUM);  // SUM means nothing to U-mode accesses
  EXPECT_EQ(m.hart.data_mode(), TlbMode::U);
  EXPECT_EQ(m.hart.tlb.flushes, before);
  write(kSstatus, kSUM | kMXR);
  EXPECT_GT(m.hart.tlb.flushes, before);
}

// ---- Interrupt registers.

TEST_F(CsrTest, MidelegAndMedelegMasks) {
  write(kMideleg, ~uint64_t{0});
  EXPECT_EQ(read(kMideleg), kSSIP | kSTIP | kSEIP);  // only S-level interrupts delegate
  write(kMedeleg, ~uint64_t{0});
  const uint64_t medeleg = read(kMedeleg);
  EXPECT_EQ(medeleg & (1u << 11), 0u);  // ecall from M is never delegated (3.1.8)
  for (unsigned cause : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 12u, 13u, 15u}) {
    EXPECT_NE(medeleg & (uint64_t{1} << cause), 0u) << cause;
  }
}

TEST_F(CsrTest, SieIsMieMaskedByMideleg) {
  write(kMie, ~uint64_t{0});
  EXPECT_EQ(read(kMie), kSSIP | kMSIP | kSTIP | kMTIP | kSEIP | kMEIP);
  write(kMideleg, 0);
  EXPECT_EQ(read(kSie), 0u);
  write(kMideleg, kSTIP);
  EXPECT_EQ(read(kSie), kSTIP);
  // Writes through sie reach only delegated bits.
  write(kMie, 0);
  write(kSie, ~uint64_t{0});
  EXPECT_EQ(read(kMie), kSTIP);
}

TEST_F(CsrTest, MipSoftwareBitsAndDeviceLines) {
  write(kMip, ~uint64_t{0});
  EXPECT_EQ(read(kMip), kSSIP | kSTIP | kSEIP);  // MSIP/MTIP/MEIP come from devices only
  write(kMip, 0);
  s.mip_hw = kMTIP | kSEIP;
  EXPECT_EQ(read(kMip), kMTIP | kSEIP);  // SEIP = software bit OR external line
  write(kMip, 0);
  EXPECT_EQ(read(kMip), kMTIP | kSEIP);  // the line cannot be cleared by software
}

TEST_F(CsrTest, SipIsMipMaskedByMidelegAndOnlySsipWritable) {
  s.mip_hw = kMTIP | kSEIP;
  write(kMip, kSTIP);
  write(kMideleg, 0);
  EXPECT_EQ(read(kSip), 0u);
  write(kMideleg, kSSIP | kSTIP | kSEIP);
  EXPECT_EQ(read(kSip), kSTIP | kSEIP);
  set_priv(Priv::S);
  write(kSip, ~uint64_t{0});
  EXPECT_EQ(read(kSip), kSSIP | kSTIP | kSEIP);
  write(kSip, 0);
  EXPECT_EQ(read(kSip), kSTIP | kSEIP);  // STIP is read-only in sip (4.1.3)
}

// ---- Trap setup registers.

TEST_F(CsrTest, TvecModes) {
  write(kMtvec, 0x80001001);
  EXPECT_EQ(read(kMtvec), 0x80001001u);  // vectored
  write(kMtvec, 0x80002000);
  EXPECT_EQ(read(kMtvec), 0x80002000u);  // direct
  EXPECT_LT(read(kMtvec) & 3, 2u);
  write(kMtvec, 0x80003002);  // reserved mode
  EXPECT_LT(read(kMtvec) & 3, 2u);
  write(kStvec, 0x80004003);
  EXPECT_LT(read(kStvec) & 3, 2u);
}

TEST_F(CsrTest, EpcClearsBitZeroOnly) {
  write(kMepc, 0x80000003);
  EXPECT_EQ(read(kMepc), 0x80000002u);
  write(kSepc, 0x80000007);
  EXPECT_EQ(read(kSepc), 0x80000006u);
}

// ---- satp.

TEST_F(CsrTest, SatpIgnoresUnsupportedModes) {
  const uint64_t sv39 = satp(8, 0xffff, 0x80123);
  write(kSatp, sv39);
  EXPECT_EQ(read(kSatp), sv39);        // 16 ASID bits implemented
  write(kSatp, satp(10, 1, 0x80456));  // Sv57: not implemented, the write has no effect
  EXPECT_EQ(read(kSatp), sv39);
  write(kSatp, satp(5, 0, 0));  // reserved mode
  EXPECT_EQ(read(kSatp), sv39);
  write(kSatp, satp(9, 2, 0x80789));  // Sv48
  EXPECT_EQ(read(kSatp), satp(9, 2, 0x80789));
  write(kSatp, 0);
  EXPECT_EQ(read(kSatp), 0u);
}

TEST_F(CsrTest, SatpWriteFlushesTheTlb) {
  const uint64_t before = m.hart.tlb.flushes;
  write(kSatp, satp(8, 0, 0x80000));
  EXPECT_GT(m.hart.tlb.flushes, before);
}

TEST_F(CsrTest, SatpTrapsInSWhenTvm) {
  write(kMstatus, kTVM);
  set_priv(Priv::S);
  EXPECT_FALSE(can_read(kSatp));
  EXPECT_FALSE(can_write(kSatp, 0));
  set_priv(Priv::M);
  EXPECT_TRUE(can_read(kSatp));  // TVM only affects S
}

// ---- Counters.

struct CounterCase {
  const char* what;
  uint16_t csr;
  Priv priv;
  uint64_t mcounteren, scounteren;
  bool allowed;
};

constexpr CounterCase kCounterCases[] = {
    {"cycle in M, enables clear", kCycle, Priv::M, 0, 0, true},
    {"cycle in S, mcounteren.CY=0", kCycle, Priv::S, 0, 1, false},
    {"cycle in S, mcounteren.CY=1", kCycle, Priv::S, 1, 0, true},
    {"cycle in U, only mcounteren.CY", kCycle, Priv::U, 1, 0, false},
    {"cycle in U, only scounteren.CY", kCycle, Priv::U, 0, 1, false},
    {"cycle in U, both CY", kCycle, Priv::U, 1, 1, true},
    {"time in S, TM=0", kTime, Priv::S, 5, 7, false},
    {"time in U, both TM", kTime, Priv::U, 2, 2, true},
    {"instret in S, IR=1", kInstret, Priv::S, 4, 0, true},
    {"instret in U, CY|TM but not IR", kInstret, Priv::U, 3, 3, false},
    {"hpmcounter3 in U, both HPM3", kHpmcounter3, Priv::U, 8, 8, true},
    {"hpmcounter3 in S, HPM3=0", kHpmcounter3, Priv::S, 7, 8, false},
};

TEST_F(CsrTest, CounterEnables) {
  for (const CounterCase& c : kCounterCases) {
    set_priv(Priv::M);
    write(kMcounteren, c.mcounteren);
    write(kScounteren, c.scounteren);
    set_priv(c.priv);
    EXPECT_EQ(can_read(c.csr), c.allowed) << c.what;
  }
}

TEST_F(CsrTest, CountersFollowRetiredInstructions) {
  s.instret = 100;
  EXPECT_EQ(read(kInstret), 100u);
  EXPECT_EQ(read(kMinstret), 100u);
  EXPECT_EQ(read(kCycle), 100u);
  EXPECT_EQ(read(kHpmcounter3), 0u);
  EXPECT_EQ(read(kMhpmcounter3), 0u);
}

TEST_F(CsrTest, MinstretAndMcycleWritesAreSeenByTheNextInstruction) {
  s.instret = 100;
  write(kMinstret, 1000);
  write(kMcycle, 5000);
  ++s.instret;  // the writing instruction retires: its increment is replaced by the write
  EXPECT_EQ(read(kMinstret), 1000u);
  EXPECT_EQ(read(kInstret), 1000u);
  EXPECT_EQ(read(kMcycle), 5000u);
  s.instret += 5;
  EXPECT_EQ(read(kMinstret), 1005u);
  EXPECT_EQ(read(kCycle), 5005u);
}

TEST_F(CsrTest, TimeUsesTheBoardTimer) {
  m.hart.read_time = [] { return uint64_t{123456}; };
  EXPECT_EQ(read(kTime), 123456u);
}

TEST_F(CsrTest, HardwiredCsrsIgnoreWrites) {
  write(kMhpmcounter3, 77);
  EXPECT_EQ(read(kMhpmcounter3), 0u);
  write(kMhpmevent3, 77);
  EXPECT_EQ(read(kMhpmevent3), 0u);
  write(kTselect, 1);
  EXPECT_EQ(read(kTselect), 0u);       // no trigger module: the write does not stick
  EXPECT_EQ(read(kTdata1) >> 60, 0u);  // type 0: no trigger
  write(kMcountinhibit, ~uint64_t{0});
  EXPECT_EQ(read(kMcountinhibit) & 2, 0u);  // TM is read-only zero (3.1.13)
}

// ---- Floating-point CSRs.

TEST_F(CsrTest, FpCsrsIllegalWhenFsOff) {
  write(kMstatus, kFsOff);
  for (uint16_t csr : {kFflags, kFrm, kFcsr}) {
    EXPECT_FALSE(can_read(csr)) << csr;
    EXPECT_FALSE(can_write(csr, 0)) << csr;
  }
}

TEST_F(CsrTest, FpCsrWritesSetFsDirty) {
  for (uint16_t csr : {kFflags, kFrm, kFcsr}) {
    write(kMstatus, kFsInitial);
    write(csr, 1);
    EXPECT_EQ(read(kMstatus) & kFS, kFsDirty) << csr;
    EXPECT_NE(read(kMstatus) & kSD, 0u) << csr;
  }
}

TEST_F(CsrTest, FcsrIsFrmAndFflags) {
  write(kMstatus, kFsInitial);
  write(kFcsr, 0xfff);  // bits 31:8 are reserved and read as zero
  EXPECT_EQ(read(kFcsr), 0xffu);
  EXPECT_EQ(read(kFflags), 0x1fu);
  EXPECT_EQ(read(kFrm), 7u);
  write(kFrm, 2);
  write(kFflags, 0x21);
  EXPECT_EQ(read(kFcsr), (2u << 5) | 1u);
  // FP CSRs are user-level: accessible from U when FS is on.
  set_priv(Priv::U);
  EXPECT_EQ(read(kFflags), 1u);
}

// ---- PMP.

TEST_F(CsrTest, PmpCsrsReachThePmp) {
  write(kPmpaddr0, 0x2000'0000);  // 0x80000000 >> 2
  EXPECT_EQ(read(kPmpaddr0), 0x2000'0000u);
  write(kPmpcfg0, 0x0f);  // entry 0: TOR, RWX
  EXPECT_EQ(read(kPmpcfg0) & 0xff, 0x0fu);
  EXPECT_EQ(read(kPmpcfg4), 0u);
  EXPECT_EQ(read(kPmpaddr20), 0u);
  const uint64_t before = m.hart.tlb.flushes;
  write(kPmpaddr15, 0x1234);
  EXPECT_GT(m.hart.tlb.flushes, before);
}

// ---- Zicsr instructions, run by the dispatcher.

TEST_F(CsrTest, CsrrwSwapsRegisterAndCsr) {
  write(kMscratch, 0x1111);
  m.set_x(11, 0x2222);
  ASSERT_FALSE(run_insn(csr_insn(kCsrrw, 10, kMscratch, 11)));
  EXPECT_EQ(m.x(10), 0x1111u);
  EXPECT_EQ(read(kMscratch), 0x2222u);
}

TEST_F(CsrTest, CsrrsAndCsrrcSetAndClearBits) {
  write(kMscratch, 0xf0);
  m.set_x(11, 0x0f);
  ASSERT_FALSE(run_insn(csr_insn(kCsrrs, 10, kMscratch, 11)));
  EXPECT_EQ(m.x(10), 0xf0u);
  EXPECT_EQ(read(kMscratch), 0xffu);
  m.set_x(11, 0x3c);
  ASSERT_FALSE(run_insn(csr_insn(kCsrrc, 10, kMscratch, 11)));
  EXPECT_EQ(m.x(10), 0xffu);
  EXPECT_EQ(read(kMscratch), 0xc3u);
}

TEST_F(CsrTest, ImmediateForms) {
  write(kMscratch, 0x100);
  ASSERT_FALSE(run_insn(csr_insn(kCsrrwi, 10, kMscratch, 31)));
  EXPECT_EQ(m.x(10), 0x100u);
  EXPECT_EQ(read(kMscratch), 31u);
  ASSERT_FALSE(run_insn(csr_insn(kCsrrci, 10, kMscratch, 3)));
  EXPECT_EQ(read(kMscratch), 28u);
  ASSERT_FALSE(run_insn(csr_insn(kCsrrsi, 0, kMscratch, 1)));
  EXPECT_EQ(read(kMscratch), 29u);
}

TEST_F(CsrTest, CsrInstructionTrapsCarryTheInstructionBits) {
  const uint32_t word = csr_insn(kCsrrw, 10, kMhartid, 11);  // write to a read-only CSR
  ASSERT_TRUE(run_insn(word));
  EXPECT_EQ(s.mcause, 2u);
  EXPECT_EQ(s.mtval, word);
  EXPECT_EQ(s.mepc, kRamBase);
}

struct InsnAccessCase {
  const char* what;
  Funct3 f3;
  unsigned rd;
  uint16_t csr;
  unsigned rs1;
  bool traps;
};

// Which forms read or write (unprivileged spec, table 9.1): a read-only CSR may be read by
// csrrs/csrrc with rs1=x0 and the immediate forms with uimm=0, never written.
constexpr InsnAccessCase kInsnAccessCases[] = {
    {"csrrs a0, cycle, x0", kCsrrs, 10, kCycle, 0, false},
    {"csrrc a0, cycle, x0", kCsrrc, 10, kCycle, 0, false},
    {"csrrsi a0, cycle, 0", kCsrrsi, 10, kCycle, 0, false},
    {"csrrci a0, cycle, 0", kCsrrci, 10, kCycle, 0, false},
    {"csrrs a0, cycle, a1 (writes)", kCsrrs, 10, kCycle, 11, true},
    {"csrrsi a0, cycle, 1 (writes)", kCsrrsi, 10, kCycle, 1, true},
    {"csrrw x0, cycle, x0 (writes)", kCsrrw, 0, kCycle, 0, true},
    {"csrrwi x0, cycle, 0 (writes)", kCsrrwi, 0, kCycle, 0, true},
    {"csrrs a0, 0x7c0 (unimplemented)", kCsrrs, 10, kCustomM, 0, true},
};

TEST_F(CsrTest, InstructionFormsThatReadOrWrite) {
  for (const InsnAccessCase& c : kInsnAccessCases) {
    m.set_x(11, 0);
    EXPECT_EQ(run_insn(csr_insn(c.f3, c.rd, c.csr, c.rs1)), c.traps) << c.what;
  }
}

TEST_F(CsrTest, CsrrsOnMipUsesTheSoftwareSeipBit) {
  // priv spec 3.1.9: in a read-modify-write of mip, only the software-writable SEIP bit
  // takes part; the external line shows in the value read but is not written back.
  s.mip_hw = kSEIP;
  m.set_x(11, kSSIP);
  ASSERT_FALSE(run_insn(csr_insn(kCsrrs, 10, kMip, 11)));
  EXPECT_EQ(m.x(10) & kSEIP, kSEIP);
  s.mip_hw = 0;
  EXPECT_EQ(read(kMip), kSSIP);
}

TEST_F(CsrTest, InstretReadByTheNextInstructionAfterAWrite) {
  m.set_x(11, 500);
  // csrw minstret, a1 ; csrr a0, minstret
  m.put({csr_insn(kCsrrw, 0, kMinstret, 11), csr_insn(kCsrrs, 10, kMinstret, 0), kJumpSelf});
  s.pc = kRamBase;
  m.run(2);
  EXPECT_EQ(s.pc, kRamBase + 8);
  EXPECT_EQ(m.x(10), 500u);
}

TEST_F(CsrTest, FpCsrInstructionInUWithFsOffTraps) {
  write(kMstatus, kFsOff);
  set_priv(Priv::U);
  ASSERT_TRUE(run_insn(csr_insn(kCsrrs, 10, kFflags, 0)));
  EXPECT_EQ(s.mcause, 2u);
  EXPECT_EQ(s.priv, Priv::M);
}

}  // namespace
}  // namespace tiervm
