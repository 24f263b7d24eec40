// Bare data accesses (HartState::bare_limit): when the effective data privilege is M or
// satp is Bare and no PMP entry applies, compiled code reaches RAM with a bounds check
// instead of a TLB probe. These tests check when the hart allows that (priv spec 3.7.1,
// 4.1.11) and that code compiled under it stays exact when the rules change: stores to
// pages holding translated code, PMP entries and MPRV added after the code was compiled.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/hart.h"
#include "tests/engine/asm_util.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using test::assemble;
using test::kJumpSelf;
using test::kRamBase;
using test::kRamSize;
using test::OnEveryTier;
using test::TestMachine;

constexpr uint64_t kMprv = uint64_t{1} << 17;
constexpr uint64_t kMppS = uint64_t{1} << 11;
constexpr uint64_t kSatpSv39 = uint64_t{8} << 60;
constexpr uint16_t kCsrMstatus = 0x300;
constexpr uint16_t kCsrSatp = 0x180;
constexpr uint16_t kCsrPmpcfg0 = 0x3a0;
constexpr uint16_t kCsrPmpaddr0 = 0x3b0;
// pmpcfg bits (priv spec figure 3.27): R, A = NAPOT, L.
constexpr uint64_t kPmpR = 1;
constexpr uint64_t kPmpNapot = 3 << 3;
constexpr uint64_t kPmpL = 0x80;
// pmpaddr of all ones: NAPOT over the whole address space.
constexpr uint64_t kPmpAddrAll = (uint64_t{1} << 54) - 1;

constexpr uint64_t kCauseStoreAccess = 7;

// One line per case: how the hart is set up, and whether its data accesses are bare.
struct ModeCase {
  const char* name;
  Priv priv;
  uint64_t mstatus_bits;
  uint64_t satp;
  uint64_t pmpcfg0;
  bool bare;
};

const ModeCase kModeCases[] = {
    {"M-mode after reset", Priv::M, 0, 0, 0, true},
    {"M-mode ignores satp", Priv::M, 0, kSatpSv39, 0, true},
    {"M-mode, unlocked PMP entry", Priv::M, 0, 0, kPmpNapot | kPmpR, true},
    {"M-mode, locked PMP entry", Priv::M, 0, 0, kPmpNapot | kPmpR | kPmpL, false},
    {"M-mode, locked entry that is off", Priv::M, 0, 0, kPmpL | kPmpR, true},
    {"MPRV to S with Sv39", Priv::M, kMprv | kMppS, kSatpSv39, 0, false},
    {"MPRV to S with Bare", Priv::M, kMprv | kMppS, 0, 0, true},
    {"MPRV to S with Bare and an active entry", Priv::M, kMprv | kMppS, 0, kPmpNapot | kPmpR,
     false},
    {"S-mode, Bare", Priv::S, 0, 0, 0, true},
    {"S-mode, Sv39", Priv::S, 0, kSatpSv39, 0, false},
    {"U-mode, Bare, active PMP entry", Priv::U, 0, 0, kPmpNapot | kPmpR, false},
};

TEST(BareMemory, ModesDecideWhetherDataAccessesAreBare) {
  for (const ModeCase& c : kModeCases) {
    TestMachine m;
    Hart& h = m.hart;
    ASSERT_TRUE(h.csr_write(kCsrPmpaddr0, kPmpAddrAll)) << c.name;
    ASSERT_TRUE(h.csr_write(kCsrPmpcfg0, c.pmpcfg0)) << c.name;
    ASSERT_TRUE(h.csr_write(kCsrSatp, c.satp)) << c.name;
    ASSERT_TRUE(h.csr_write(kCsrMstatus, h.s.mstatus | c.mstatus_bits)) << c.name;
    h.s.priv = c.priv;
    h.update_modes();  // as trap entry and xRET do after a privilege change
    if (!c.bare) {
      EXPECT_EQ(h.s.bare_limit, 0u) << c.name;
      continue;
    }
    // Every access of up to 8 bytes that passes the check lies in RAM.
    EXPECT_EQ(h.s.bare_base, kRamBase) << c.name;
    EXPECT_EQ(h.s.bare_limit, kRamSize - 7) << c.name;
    EXPECT_EQ(kRamBase + static_cast<uint64_t>(h.s.bare_addend),
              reinterpret_cast<uint64_t>(m.bus.ram_data()))
        << c.name;
    EXPECT_EQ(h.s.code_marks, m.bus.code_page_marks()) << c.name;
  }
}

TEST(BareMemory, CodeMarksFollowTheBus) {
  TestMachine m;
  const uint64_t page = kRamBase + 5 * kPageSize;
  const uint16_t* marks = m.hart.s.code_marks;
  EXPECT_EQ(marks[5], 0u);
  m.bus.mark_code_page(page);
  EXPECT_NE(marks[5], 0u);
  EXPECT_EQ(marks[4], 0u);
  m.bus.clear_code_page(page);
  EXPECT_EQ(marks[5], 0u);
}

class BareRegion : public OnEveryTier {};

// A one-block loop rewrites its own first instruction on every pass (`addi a1, a1, k`,
// k = 1, 2...). The pass that writes finishes as it began; the next one must run the new
// instruction, never the dropped copy again, although compiled self-loops jump straight
// back to their head: dropping the block makes the hart leave at the back edge.
TEST_P(BareRegion, ASelfLoopThatRewritesItselfRunsTheNewCode) {
  TestMachine m(tier());
  const std::vector<uint32_t> loop = assemble({
      "addi a1, a1, 0",  // rewritten: the immediate is the pass number - 1
      "sw t1, 0(t0)",
      "add t1, t1, t3",
      "addi t2, t2, -1",
      "bne t2, zero, .-16",
      "j .",
  });
  ASSERT_EQ(loop.size(), 6u);
  for (size_t i = 0; i < loop.size(); ++i) m.put({loop[i]}, kRamBase + 4 * i);
  constexpr uint64_t kPasses = 50;
  m.set_x(5, kRamBase);                       // t0: the loop's first instruction
  m.set_x(6, loop[0] + (uint32_t{1} << 20));  // t1: addi a1, a1, 1
  m.set_x(28, uint64_t{1} << 20);             // t3: one more in the immediate
  m.set_x(7, kPasses);                        // t2
  m.run(5 * kPasses + 10);
  EXPECT_EQ(m.pc(), kRamBase + 0x14);
  EXPECT_EQ(m.x(11), kPasses * (kPasses - 1) / 2);  // 0 + 1 + ... + 49
  EXPECT_TRUE(m.ran_compiled());
}

// A store loop overwrites an instruction of a block that already ran (and, on the JIT
// tiers, was compiled): the next call runs the new instruction. No fence.i, which would
// drop all code anyway: the store itself must be seen, as QEMU sees it.
TEST_P(BareRegion, StoreToACompiledBlockIsSeen) {
  TestMachine m(tier());
  const std::vector<uint32_t> main = assemble({
      "jal ra, .+0x2000",  // run the target once
      "sw t1, 0(t0)",      // loop: overwrite its first instruction
      "addi t2, t2, -1",
      "bne t2, zero, .-8",
      "jal ra, .+0x1ff0",  // run it again
      "j .",
  });
  const std::vector<uint32_t> target = assemble({"addi a1, zero, 1", "jalr zero, 0(ra)"});
  const std::vector<uint32_t> replacement = assemble({"addi a1, zero, 2"});
  ASSERT_EQ(main.size(), 6u);
  ASSERT_EQ(target.size(), 2u);
  ASSERT_EQ(replacement.size(), 1u);
  for (size_t i = 0; i < main.size(); ++i) m.put({main[i]}, kRamBase + 4 * i);
  m.put({target[0], target[1]}, kRamBase + 0x2000);
  m.set_x(5, kRamBase + 0x2000);  // t0
  m.set_x(6, replacement[0]);     // t1
  m.set_x(7, 4);                  // t2: passes of the store loop
  m.run(40);
  EXPECT_EQ(m.pc(), kRamBase + 0x14);
  EXPECT_EQ(m.x(11), 2u);
  EXPECT_TRUE(m.ran_compiled());
  if (tier() == 2) {
    EXPECT_GT(m.exec.jit()->stats().regions_compiled, 0u);
  }
}

// Runs a store loop twice: first with bare accesses (the JIT tiers compile it then),
// then after `setup` (CSR writes of the program) made its store fault. The second pass
// must trap precisely at the store, with the buffer untouched by it.
void expect_store_fault_after(unsigned tier, const std::vector<std::string>& setup) {
  TestMachine m(tier);
  std::vector<std::string> lines = {
      "sw t1, 0(t0)",  // loop
      "addi t2, t2, -1",
      "bne t2, zero, .-8",
  };
  lines.insert(lines.end(), setup.begin(), setup.end());
  lines.push_back("addi t1, zero, 0x55");
  lines.push_back("addi t2, zero, 3");
  lines.push_back("jal zero, .-" + std::to_string(4 * (lines.size())));
  const std::vector<uint32_t> words = assemble(lines);
  ASSERT_EQ(words.size(), lines.size());
  for (size_t i = 0; i < words.size(); ++i) m.put({words[i]}, kRamBase + 4 * i);
  const uint64_t handler = kRamBase + 0x800;
  m.put({kJumpSelf}, handler);
  const uint64_t buffer = kRamBase + 0x3000;
  m.hart.s.mtvec = handler;
  m.set_x(5, buffer);        // t0
  m.set_x(6, 0x11);          // t1: the first pass's value
  m.set_x(7, 3);             // t2
  m.set_x(12, buffer >> 2);  // a2: pmpaddr of the buffer (NA4)
  m.set_x(13, kPmpAddrAll);  // a3: pmpaddr of everything (NAPOT)
  m.set_x(14, kMprv);        // a4: mstatus.MPRV, MPP = U
  m.run(200);
  EXPECT_EQ(m.hart.s.mcause, kCauseStoreAccess);
  EXPECT_EQ(m.hart.s.mepc, kRamBase);
  EXPECT_EQ(m.hart.s.mtval, buffer);
  EXPECT_EQ(m.pc(), handler);
  EXPECT_EQ(m.read64(buffer) & 0xffffffff, 0x11u);
  EXPECT_TRUE(m.ran_compiled());
  if (tier == 2) {
    EXPECT_GT(m.exec.jit()->stats().regions_compiled, 0u);
  }
}

// A locked PMP entry binds M-mode (priv spec 3.7.1): read-only over the buffer.
TEST_P(BareRegion, LockedPmpEntryAddedLaterFaultsInMachineMode) {
  expect_store_fault_after(tier(), {"csrw pmpaddr0, a2", "addi a5, zero, 0x91",  // L|NA4|R
                                    "csrw pmpcfg0, a5"});
}

// MPRV with MPP = U: data accesses are U-mode's, which an active PMP entry (read-only
// over everything) governs (priv spec 3.1.6.3).
TEST_P(BareRegion, MprvToUserUnderPmpFaults) {
  expect_store_fault_after(tier(), {"csrw pmpaddr0, a3", "addi a5, zero, 0x19",  // NAPOT|R
                                    "csrw pmpcfg0, a5", "csrs mstatus, a4"});
}

TIERVM_ON_EVERY_TIER(BareRegion);

}  // namespace
}  // namespace tiervm
