// Tests for trap entry, interrupt selection and xRET (engine/trap.cpp) and for the system
// instructions (engine/translate/system.cpp). Expected values follow the privileged spec
// 1.12: sections 3.1.6.1 (xIE/xPIE/xPP stacking), 3.1.7 (xtvec modes), 3.1.8 (delegation),
// 3.1.9 (interrupt enables and priority), 3.3.1-3.3.2 (ecall, ebreak, xRET), 3.1.6.5 (TVM,
// TW, TSR).

#include <gtest/gtest.h>

#include <cstdint>

#include "engine/hart.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using test::kJumpSelf;
using test::kRamBase;
using test::TestMachine;

constexpr uint64_t kSIE = 1 << 1, kMIE = 1 << 3, kSPIE = 1 << 5, kMPIE = 1 << 7;
constexpr uint64_t kSPP = 1 << 8, kMPP = 3 << 11, kMPRV = 1 << 17, kTVM = 1 << 20;
constexpr uint64_t kTW = 1 << 21, kTSR = 1 << 22;
constexpr uint64_t mpp(unsigned p) {
  return uint64_t{p} << 11;
}

constexpr uint64_t kIntr = uint64_t{1} << 63;
constexpr uint64_t kSSI = 1, kMSI = 3, kSTI = 5, kMTI = 7, kSEI = 9, kMEI = 11;
constexpr uint64_t bit(uint64_t n) {
  return uint64_t{1} << n;
}

constexpr uint64_t kMtvecBase = kRamBase + 0x1000;
constexpr uint64_t kStvecBase = kRamBase + 0x2000;
constexpr uint64_t kFaultPc = kRamBase + 0x444;

class TrapTest : public ::testing::Test {
 protected:
  TestMachine m;
  HartState& s = m.hart.s;

  void set_priv(Priv p) {
    s.priv = p;
    m.hart.update_modes();
  }
};

// ---- Trap entry.

struct EntryCase {
  const char* what;
  Priv from;
  uint64_t cause;
  uint64_t medeleg, mideleg;
  bool vectored;  // both xtvec in vectored mode
  Priv to;
  uint64_t target;
};

constexpr EntryCase kEntryCases[] = {
    {"ecall from U, delegated", Priv::U, 8, bit(8), 0, false, Priv::S, kStvecBase},
    {"ecall from U, not delegated", Priv::U, 8, 0, 0, false, Priv::M, kMtvecBase},
    {"ecall from S, only U ecall delegated", Priv::S, 9, bit(8), 0, false, Priv::M, kMtvecBase},
    {"illegal insn from S, delegated", Priv::S, 2, bit(2), 0, false, Priv::S, kStvecBase},
    {"illegal insn from M, delegated: stays in M", Priv::M, 2, bit(2), 0, false, Priv::M,
     kMtvecBase},
    {"load page fault from U, vectored: exceptions use the base", Priv::U, 13, bit(13), 0, true,
     Priv::S, kStvecBase},
    {"STI from U, delegated, vectored", Priv::U, kIntr | kSTI, 0, bit(kSTI), true, Priv::S,
     kStvecBase + 4 * kSTI},
    {"SEI from S, delegated, direct", Priv::S, kIntr | kSEI, 0, bit(kSEI), false, Priv::S,
     kStvecBase},
    {"MTI from S, vectored", Priv::S, kIntr | kMTI, 0, bit(kSTI), true, Priv::M,
     kMtvecBase + 4 * kMTI},
    {"MEI from M, vectored", Priv::M, kIntr | kMEI, 0, 0, true, Priv::M, kMtvecBase + 4 * kMEI},
    {"SSI from M, delegated but in M: to M", Priv::M, kIntr | kSSI, 0, bit(kSSI), true, Priv::M,
     kMtvecBase + 4 * kSSI},
};

TEST_F(TrapTest, EntryTargets) {
  for (const EntryCase& c : kEntryCases) {
    m.hart.reset(kRamBase);
    set_priv(c.from);
    s.medeleg = c.medeleg;
    s.mideleg = c.mideleg;
    s.mtvec = kMtvecBase | (c.vectored ? 1 : 0);
    s.stvec = kStvecBase | (c.vectored ? 1 : 0);
    s.pc = kFaultPc;
    s.waiting = true;
    m.hart.take_trap({c.cause, 0xbad});
    EXPECT_EQ(s.priv, c.to) << c.what;
    EXPECT_EQ(s.pc, c.target) << c.what;
    EXPECT_FALSE(s.waiting) << c.what;
    const bool to_s = c.to == Priv::S;
    EXPECT_EQ(to_s ? s.sepc : s.mepc, kFaultPc) << c.what;
    EXPECT_EQ(to_s ? s.scause : s.mcause, c.cause) << c.what;
    EXPECT_EQ(to_s ? s.stval : s.mtval, 0xbadu) << c.what;
  }
}

struct StackCase {
  const char* what;
  Priv from;
  uint64_t mstatus_before;
  bool delegated;
  uint64_t mstatus_after;  // the stacking fields only: SIE SPIE SPP MIE MPIE MPP
};

constexpr uint64_t kStackFields = kSIE | kSPIE | kSPP | kMIE | kMPIE | kMPP;

constexpr StackCase kStackCases[] = {
    {"M with MIE=1 to M", Priv::M, kMIE, false, kMPIE | mpp(3)},
    {"M with MIE=0 to M", Priv::M, kMPIE, false, mpp(3)},
    {"S to M keeps SIE", Priv::S, kSIE | kMIE, false, kSIE | kMPIE | mpp(1)},
    {"U to M", Priv::U, mpp(3), false, mpp(0)},
    {"S with SIE=1 to S", Priv::S, kSIE | kMIE, true, kSPIE | kSPP | kMIE},
    {"U with SIE=0 to S", Priv::U, kSPIE | kSPP | mpp(3), true, mpp(3)},
};

TEST_F(TrapTest, InterruptEnableStacking) {
  for (const StackCase& c : kStackCases) {
    m.hart.reset(kRamBase);
    set_priv(c.from);
    s.mstatus = (s.mstatus & ~kStackFields) | c.mstatus_before;
    s.medeleg = c.delegated ? bit(2) : 0;
    m.hart.take_trap({2, 0});
    EXPECT_EQ(s.mstatus & kStackFields, c.mstatus_after) << c.what;
  }
}

// ---- Interrupt selection.

struct IrqCase {
  const char* what;
  Priv priv;
  uint64_t mstatus;  // MIE / SIE
  uint64_t mie, mip_hw, mip_sw, mideleg;
  bool taken;
  uint64_t cause;  // interrupt number when taken
  Priv to;
};

constexpr IrqCase kIrqCases[] = {
    {"MTI in M, MIE=0", Priv::M, 0, bit(kMTI), bit(kMTI), 0, 0, false, 0, Priv::M},
    {"MTI in M, MIE=1", Priv::M, kMIE, bit(kMTI), bit(kMTI), 0, 0, true, kMTI, Priv::M},
    {"MTI in S, MIE=0: enabled below M", Priv::S, 0, bit(kMTI), bit(kMTI), 0, 0, true, kMTI,
     Priv::M},
    {"MTI in U, MIE=0", Priv::U, 0, bit(kMTI), bit(kMTI), 0, 0, true, kMTI, Priv::M},
    {"MTI pending, MTIE=0", Priv::S, kMIE, bit(kSTI), bit(kMTI), 0, 0, false, 0, Priv::M},
    {"STI delegated, S, SIE=0", Priv::S, kMIE, bit(kSTI), 0, bit(kSTI), bit(kSTI), false, 0,
     Priv::M},
    {"STI delegated, S, SIE=1", Priv::S, kSIE, bit(kSTI), 0, bit(kSTI), bit(kSTI), true, kSTI,
     Priv::S},
    {"STI delegated, U, SIE=0", Priv::U, 0, bit(kSTI), 0, bit(kSTI), bit(kSTI), true, kSTI,
     Priv::S},
    {"STI delegated, M, MIE=SIE=1: never in M", Priv::M, kMIE | kSIE, bit(kSTI), 0, bit(kSTI),
     bit(kSTI), false, 0, Priv::M},
    {"STI not delegated, M, MIE=1", Priv::M, kMIE, bit(kSTI), 0, bit(kSTI), 0, true, kSTI, Priv::M},
    {"SEI line delegated, S, SIE=1", Priv::S, kSIE, bit(kSEI), bit(kSEI), 0, bit(kSEI), true, kSEI,
     Priv::S},
    {"SSI software, U", Priv::U, 0, bit(kSSI), 0, bit(kSSI), bit(kSSI), true, kSSI, Priv::S},
    // Priority among interrupts for the same mode: MEI, MSI, MTI, SEI, SSI, STI.
    {"MEI > MSI > MTI", Priv::S, 0, 0xaaa, bit(kMEI) | bit(kMSI) | bit(kMTI), 0, 0, true, kMEI,
     Priv::M},
    {"MSI > MTI", Priv::S, 0, 0xaaa, bit(kMSI) | bit(kMTI), 0, 0, true, kMSI, Priv::M},
    {"MTI > SEI", Priv::M, kMIE, 0xaaa, bit(kMTI) | bit(kSEI), 0, 0, true, kMTI, Priv::M},
    {"SEI > SSI > STI", Priv::M, kMIE, 0xaaa, bit(kSEI), bit(kSSI) | bit(kSTI), 0, true, kSEI,
     Priv::M},
    {"SSI > STI", Priv::M, kMIE, 0xaaa, 0, bit(kSSI) | bit(kSTI), 0, true, kSSI, Priv::M},
    // Interrupts for M come before interrupts for S, whatever their priority.
    {"STI to M beats delegated SEI", Priv::S, kSIE, 0xaaa, bit(kSEI), bit(kSTI), bit(kSEI), true,
     kSTI, Priv::M},
    {"MTI disabled in mie: delegated SSI", Priv::U, 0, bit(kSSI), bit(kMTI), bit(kSSI), bit(kSSI),
     true, kSSI, Priv::S},
};

TEST_F(TrapTest, InterruptEnablesAndPriority) {
  for (const IrqCase& c : kIrqCases) {
    m.hart.reset(kRamBase);
    set_priv(c.priv);
    s.mstatus |= c.mstatus;
    s.mie = c.mie;
    s.mip_hw = c.mip_hw;
    s.mip = c.mip_sw;
    s.mideleg = c.mideleg;
    s.mtvec = kMtvecBase;
    s.stvec = kStvecBase;
    s.pc = kFaultPc;
    const bool taken = m.hart.take_pending_interrupt();
    EXPECT_EQ(taken, c.taken) << c.what;
    if (!taken) {
      EXPECT_EQ(s.pc, kFaultPc) << c.what;
      EXPECT_EQ(s.priv, c.priv) << c.what;
      continue;
    }
    EXPECT_EQ(s.priv, c.to) << c.what;
    EXPECT_EQ(c.to == Priv::S ? s.scause : s.mcause, kIntr | c.cause) << c.what;
    EXPECT_EQ(c.to == Priv::S ? s.sepc : s.mepc, kFaultPc) << c.what;
  }
}

// ---- mret / sret.

TEST_F(TrapTest, MretRestoresAndClearsMprv) {
  s.mstatus |= kMPIE | mpp(1) | kMPRV;
  s.mepc = kRamBase + 0x80;
  uint64_t pc = 0;
  ASSERT_TRUE(m.hart.do_mret(pc));
  EXPECT_EQ(pc, kRamBase + 0x80);
  EXPECT_EQ(s.priv, Priv::S);
  EXPECT_NE(s.mstatus & kMIE, 0u);   // MIE = MPIE
  EXPECT_NE(s.mstatus & kMPIE, 0u);  // MPIE = 1
  EXPECT_EQ(s.mstatus & kMPP, 0u);   // MPP = U
  EXPECT_EQ(s.mstatus & kMPRV, 0u);  // left M
}

TEST_F(TrapTest, MretToMKeepsMprv) {
  s.mstatus = (s.mstatus & ~kMPIE) | mpp(3) | kMPRV | kMIE;
  uint64_t pc = 0;
  ASSERT_TRUE(m.hart.do_mret(pc));
  EXPECT_EQ(s.priv, Priv::M);
  EXPECT_EQ(s.mstatus & kMIE, 0u);
  EXPECT_NE(s.mstatus & kMPIE, 0u);
  EXPECT_NE(s.mstatus & kMPRV, 0u);
  EXPECT_EQ(s.mstatus & kMPP, 0u);
}

TEST_F(TrapTest, SretRestores) {
  set_priv(Priv::S);
  s.mstatus |= kSPIE | kMPRV;
  s.sepc = kRamBase + 0x90;
  uint64_t pc = 0;
  ASSERT_TRUE(m.hart.do_sret(pc));
  EXPECT_EQ(pc, kRamBase + 0x90);
  EXPECT_EQ(s.priv, Priv::U);  // SPP was 0
  EXPECT_NE(s.mstatus & kSIE, 0u);
  EXPECT_NE(s.mstatus & kSPIE, 0u);
  EXPECT_EQ(s.mstatus & kSPP, 0u);
  EXPECT_EQ(s.mstatus & kMPRV, 0u);
}

struct XretCase {
  const char* what;
  bool mret;
  Priv priv;
  uint64_t mstatus;
  bool legal;
};

constexpr XretCase kXretCases[] = {
    {"mret in M", true, Priv::M, 0, true},
    {"mret in S", true, Priv::S, 0, false},
    {"mret in U", true, Priv::U, 0, false},
    {"sret in M", false, Priv::M, 0, true},
    {"sret in M with TSR", false, Priv::M, kTSR, true},
    {"sret in S", false, Priv::S, 0, true},
    {"sret in S with TSR", false, Priv::S, kTSR, false},
    {"sret in U", false, Priv::U, 0, false},
};

TEST_F(TrapTest, XretLegality) {
  for (const XretCase& c : kXretCases) {
    m.hart.reset(kRamBase);
    set_priv(c.priv);
    s.mstatus |= c.mstatus;
    uint64_t pc = 0;
    const bool ok = c.mret ? m.hart.do_mret(pc) : m.hart.do_sret(pc);
    EXPECT_EQ(ok, c.legal) << c.what;
    EXPECT_EQ(s.trap_pending, !c.legal) << c.what;
    if (!c.legal) {
      EXPECT_EQ(s.pending_trap.cause, 2u) << c.what;
      EXPECT_EQ(s.priv, c.priv) << c.what;
    }
  }
}

// ---- System instructions, run by the dispatcher.

constexpr uint32_t kEcall = 0x00000073, kEbreak = 0x00100073, kMret = 0x30200073;
constexpr uint32_t kSret = 0x10200073, kWfi = 0x10500073;
constexpr uint32_t kFence = 0x0ff0000f, kFenceI = 0x0000100f, kFenceTso = 0x8330000f;
constexpr uint16_t kCEbreak = 0x9002;
// sfence.vma rs1, rs2: 0001001 rs2 rs1 000 00000 1110011.
constexpr uint32_t sfence_vma(unsigned rs1, unsigned rs2) {
  return 0x12000073u | rs2 << 20 | rs1 << 15;
}

class SystemInsnTest : public TrapTest {
 protected:
  // Runs the program at the RAM base in `priv`, with traps to M (or to S when delegated)
  // landing on `j .` loops; returns the pc afterwards.
  uint64_t run_at(Priv priv, std::initializer_list<uint32_t> words, uint64_t n = 1) {
    s.mtvec = kMtvecBase;
    s.stvec = kStvecBase;
    m.put({kJumpSelf}, kMtvecBase);
    m.put({kJumpSelf}, kStvecBase);
    m.put(words);
    set_priv(priv);
    s.pc = kRamBase;
    m.run(n);
    return s.pc;
  }
};

struct EcallCase {
  Priv priv;
  uint64_t cause;
};

TEST_F(SystemInsnTest, EcallCauseByPrivilege) {
  for (EcallCase c : {EcallCase{Priv::U, 8}, EcallCase{Priv::S, 9}, EcallCase{Priv::M, 11}}) {
    m.hart.reset(kRamBase);
    EXPECT_EQ(run_at(c.priv, {kEcall}), kMtvecBase);
    EXPECT_EQ(s.mcause, c.cause);
    EXPECT_EQ(s.mepc, kRamBase);
    EXPECT_EQ(s.mtval, 0u);
    EXPECT_EQ(s.instret, 1u);  // only the `j .` at the handler retired
  }
}

TEST_F(SystemInsnTest, EbreakReportsItsPc) {
  EXPECT_EQ(run_at(Priv::M, {0x00000013, kEbreak}, 2), kMtvecBase);
  EXPECT_EQ(s.mcause, 3u);
  EXPECT_EQ(s.mepc, kRamBase + 4);
  EXPECT_EQ(s.mtval, kRamBase + 4);
}

TEST_F(SystemInsnTest, CompressedEbreakReportsItsPc) {
  s.mtvec = kMtvecBase;
  m.put({kJumpSelf}, kMtvecBase);
  m.put16({0x0001, kCEbreak});  // c.nop ; c.ebreak
  s.pc = kRamBase;
  m.run(2);
  EXPECT_EQ(s.pc, kMtvecBase);
  EXPECT_EQ(s.mcause, 3u);
  EXPECT_EQ(s.mtval, kRamBase + 2);
}

TEST_F(SystemInsnTest, MretJumpsToMepc) {
  s.mepc = kRamBase + 0x40;
  s.mstatus |= mpp(1);
  m.put({kJumpSelf}, kRamBase + 0x40);
  EXPECT_EQ(run_at(Priv::M, {kMret}), kRamBase + 0x40);
  EXPECT_EQ(s.priv, Priv::S);
}

TEST_F(SystemInsnTest, SretInSWithTsrIsIllegal) {
  s.mstatus |= kTSR;
  EXPECT_EQ(run_at(Priv::S, {kSret}), kMtvecBase);
  EXPECT_EQ(s.mcause, 2u);
  EXPECT_EQ(s.mtval, kSret);
  EXPECT_EQ(s.mepc, kRamBase);
  EXPECT_EQ(s.mstatus & kMPP, mpp(1));
}

TEST_F(SystemInsnTest, MretInUIsIllegalAndDelegable) {
  s.medeleg = bit(2);
  EXPECT_EQ(run_at(Priv::U, {kMret}), kStvecBase);
  EXPECT_EQ(s.scause, 2u);
  EXPECT_EQ(s.stval, kMret);
}

struct WfiCase {
  const char* what;
  Priv priv;
  uint64_t mstatus;
  bool illegal;
};

constexpr WfiCase kWfiCases[] = {
    {"wfi in M", Priv::M, 0, false}, {"wfi in M with TW", Priv::M, kTW, false},
    {"wfi in S", Priv::S, 0, false}, {"wfi in S with TW", Priv::S, kTW, true},
    {"wfi in U", Priv::U, 0, true},
};

TEST_F(SystemInsnTest, WfiLegalityAndWaiting) {
  for (const WfiCase& c : kWfiCases) {
    m.hart.reset(kRamBase);
    s.mstatus |= c.mstatus;
    const uint64_t pc = run_at(c.priv, {kWfi});
    if (c.illegal) {
      EXPECT_EQ(pc, kMtvecBase) << c.what;
      EXPECT_EQ(s.mcause, 2u) << c.what;
      EXPECT_EQ(s.mtval, kWfi) << c.what;
    } else {
      EXPECT_EQ(pc, kRamBase + 4) << c.what;
      EXPECT_TRUE(s.waiting) << c.what;
    }
  }
}

TEST_F(SystemInsnTest, WfiWakesOnAPendingInterrupt) {
  s.mie = bit(kMTI);
  s.mstatus |= kMIE;
  run_at(Priv::M, {kWfi, kJumpSelf});
  ASSERT_TRUE(s.waiting);
  s.mip_hw = bit(kMTI);
  m.run(1);
  EXPECT_FALSE(s.waiting);
  EXPECT_EQ(s.mcause, kIntr | kMTI);
  EXPECT_EQ(s.mepc, kRamBase + 4);  // resumes after the wfi
}

// With other harts taking turns (yield hints on), a spinning hart ends its turn at `pause`
// (0x0100000f, Zihintpause) and at a wfi that a disabled pending interrupt wakes at once;
// without them both are no-ops and it runs to its limit. On every tier.
TEST(YieldHints, PauseAndAnInstantWfiEndTheTurn) {
  constexpr uint32_t kPause = 0x0100000f, kAddi = 0x00150513;  // addi a0, a0, 1
  constexpr uint32_t kLoop = 0xff9ff06f;                       // j -8
  for (unsigned tier : {0u, 1u, 2u}) {
    for (bool hints : {false, true}) {
      TestMachine m(tier);
      m.exec.set_yield_hints(hints);
      m.put({kAddi, kPause, kLoop});
      const RunStop why = m.exec.run(1000);
      if (hints) {
        EXPECT_EQ(why, RunStop::Yield) << "tier " << tier;
        EXPECT_EQ(m.hart.s.x(10), 1u) << "tier " << tier;  // stopped after the first pause
      } else {
        EXPECT_EQ(why, RunStop::Limit) << "tier " << tier;
        EXPECT_GE(m.hart.s.instret, 1000u) << "tier " << tier;
      }
    }
    TestMachine w(tier);
    w.exec.set_yield_hints(true);
    w.hart.s.mie = uint64_t{1} << 3;     // MSIE
    w.hart.s.mip_hw = uint64_t{1} << 3;  // MSIP pending, mstatus.MIE = 0: never taken
    w.put({kWfi, kAddi, 0xff9ff06f});    // wfi; addi; j -8
    EXPECT_EQ(w.exec.run(1000), RunStop::Yield) << "tier " << tier;
    EXPECT_EQ(w.hart.s.pc, kRamBase + 4) << "tier " << tier;  // right after the wfi
    EXPECT_FALSE(w.hart.s.waiting) << "tier " << tier;
  }
}

struct SfenceCase {
  const char* what;
  Priv priv;
  uint64_t mstatus;
  bool illegal;
};

constexpr SfenceCase kSfenceCases[] = {
    {"sfence.vma in M", Priv::M, kTVM, false},
    {"sfence.vma in S", Priv::S, 0, false},
    {"sfence.vma in S with TVM", Priv::S, kTVM, true},
    {"sfence.vma in U", Priv::U, 0, true},
};

TEST_F(SystemInsnTest, SfenceVmaLegality) {
  for (const SfenceCase& c : kSfenceCases) {
    m.hart.reset(kRamBase);
    s.mstatus |= c.mstatus;
    const uint64_t flushes = m.hart.tlb.flushes;
    const uint64_t pc = run_at(c.priv, {sfence_vma(0, 0)});
    if (c.illegal) {
      EXPECT_EQ(pc, kMtvecBase) << c.what;
      EXPECT_EQ(s.mcause, 2u) << c.what;
    } else {
      EXPECT_EQ(pc, kRamBase + 4) << c.what;
      EXPECT_GT(m.hart.tlb.flushes, flushes) << c.what;
    }
  }
}

TEST_F(SystemInsnTest, SfenceVmaWithAddressRuns) {
  m.set_x(10, 0x1000);
  EXPECT_EQ(run_at(Priv::S, {sfence_vma(10, 0)}), kRamBase + 4);
}

TEST_F(SystemInsnTest, FencesEndTheBlockAndContinue) {
  EXPECT_EQ(run_at(Priv::M, {kFence, kFenceTso, kFenceI}, 3), kRamBase + 12);
  EXPECT_EQ(s.instret, 3u);
}

TEST_F(SystemInsnTest, SelfModifyingCodeWithFenceI) {
  // Overwrite a later instruction, fence.i, then execute the new instruction.
  // sw a1, 8(a0) ; fence.i ; (addi a2, x0, 1 -> replaced by addi a2, x0, 2)
  m.set_x(10, kRamBase);
  m.set_x(11, 0x00200613);  // addi a2, x0, 2
  run_at(Priv::M, {0x00b52423, kFenceI, 0x00100613, kJumpSelf}, 3);
  EXPECT_EQ(m.x(12), 2u);
}

}  // namespace
}  // namespace tiervm
