// Table tests: one line per case, "instruction, registers before => registers after".
// Encodings come from the reference assembler; expected values from the ISA spec.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/engine/asm_util.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

enum Reg : unsigned { A0 = 10, A1 = 11, A2 = 12, T0 = 5, SP = 2, RA = 1 };
using Regs = std::vector<std::pair<unsigned, uint64_t>>;

struct Case {
  const char* text;
  Regs before;
  Regs after;
};

constexpr uint64_t kMin64 = 0x8000000000000000ull;
constexpr uint64_t kAll = ~uint64_t{0};

const Case kIntegerCases[] = {
    {"addi a0, a0, -1", {{A0, 5}}, {{A0, 4}}},
    {"addi a0, a0, -1", {{A0, 0}}, {{A0, kAll}}},
    {"addi zero, a0, 1", {{A0, 5}}, {{0, 0}}},
    {"add a0, a1, a2", {{A1, kAll}, {A2, 2}}, {{A0, 1}}},
    {"sub a0, a1, a2", {{A1, 0}, {A2, 1}}, {{A0, kAll}}},
    {"slti a0, a1, -1", {{A1, kMin64}}, {{A0, 1}}},
    {"sltiu a0, a1, -1", {{A1, 5}}, {{A0, 1}}},
    {"slt a0, a1, a2", {{A1, kAll}, {A2, 0}}, {{A0, 1}}},
    {"sltu a0, a1, a2", {{A1, kAll}, {A2, 0}}, {{A0, 0}}},
    {"xori a0, a1, -1", {{A1, 0x0f}}, {{A0, ~uint64_t{0x0f}}}},
    {"ori a0, a1, 0x7f0", {{A1, 0x0f}}, {{A0, 0x7ff}}},
    {"andi a0, a1, -16", {{A1, 0xff}}, {{A0, 0xf0}}},
    {"slli a0, a1, 63", {{A1, 3}}, {{A0, kMin64}}},
    {"srli a0, a1, 63", {{A1, kMin64}}, {{A0, 1}}},
    {"srai a0, a1, 63", {{A1, kMin64}}, {{A0, kAll}}},
    {"sll a0, a1, a2", {{A1, 1}, {A2, 65}}, {{A0, 2}}},
    {"srl a0, a1, a2", {{A1, kMin64}, {A2, 127}}, {{A0, 1}}},
    {"sra a0, a1, a2", {{A1, kMin64}, {A2, 1}}, {{A0, 0xc000000000000000ull}}},
    {"lui a0, 0x80000", {}, {{A0, 0xffffffff80000000ull}}},
    {"auipc a0, 1", {}, {{A0, kRamBase + 0x1000}}},
    {"addiw a0, a1, 1", {{A1, 0x7fffffff}}, {{A0, 0xffffffff80000000ull}}},
    {"addw a0, a1, a2", {{A1, 0xffffffff}, {A2, 1}}, {{A0, 0}}},
    {"subw a0, a1, a2", {{A1, 0}, {A2, 1}}, {{A0, kAll}}},
    {"slliw a0, a1, 31", {{A1, 1}}, {{A0, 0xffffffff80000000ull}}},
    {"srliw a0, a1, 1", {{A1, 0xffffffff00000000ull | 0x80000000}}, {{A0, 0x40000000}}},
    {"sraiw a0, a1, 4", {{A1, 0x80000000}}, {{A0, 0xfffffffff8000000ull}}},
    {"sllw a0, a1, a2", {{A1, 1}, {A2, 33}}, {{A0, 2}}},
    {"srlw a0, a1, a2", {{A1, 0x80000000}, {A2, 31}}, {{A0, 1}}},
    {"sraw a0, a1, a2", {{A1, 0x80000000}, {A2, 31}}, {{A0, kAll}}},
    // M extension, including the division corner cases of the spec's table 7.1.
    {"mul a0, a1, a2", {{A1, kAll}, {A2, kAll}}, {{A0, 1}}},
    {"mulh a0, a1, a2", {{A1, kAll}, {A2, kAll}}, {{A0, 0}}},
    {"mulhu a0, a1, a2", {{A1, kAll}, {A2, kAll}}, {{A0, kAll - 1}}},
    {"mulhsu a0, a1, a2", {{A1, kAll}, {A2, kAll}}, {{A0, kAll}}},
    {"mulw a0, a1, a2", {{A1, 0x10000}, {A2, 0x10000}}, {{A0, 0}}},
    {"div a0, a1, a2", {{A1, 7}, {A2, 0}}, {{A0, kAll}}},
    {"div a0, a1, a2", {{A1, kMin64}, {A2, kAll}}, {{A0, kMin64}}},
    {"div a0, a1, a2",
     {{A1, static_cast<uint64_t>(-7)}, {A2, 2}},
     {{A0, static_cast<uint64_t>(-3)}}},
    {"divu a0, a1, a2", {{A1, 7}, {A2, 0}}, {{A0, kAll}}},
    {"rem a0, a1, a2", {{A1, 7}, {A2, 0}}, {{A0, 7}}},
    {"rem a0, a1, a2", {{A1, kMin64}, {A2, kAll}}, {{A0, 0}}},
    {"rem a0, a1, a2", {{A1, static_cast<uint64_t>(-7)}, {A2, 2}}, {{A0, kAll}}},
    {"remu a0, a1, a2", {{A1, 7}, {A2, 0}}, {{A0, 7}}},
    {"divw a0, a1, a2", {{A1, 0x80000000}, {A2, kAll}}, {{A0, 0xffffffff80000000ull}}},
    {"divuw a0, a1, a2", {{A1, 0xffffffff}, {A2, 0}}, {{A0, kAll}}},
    {"remw a0, a1, a2", {{A1, 0x80000000}, {A2, kAll}}, {{A0, 0}}},
    {"remuw a0, a1, a2", {{A1, 0x180000000ull}, {A2, 0}}, {{A0, 0xffffffff80000000ull}}},
};

class InsnTable : public OnEveryTier {
 protected:
  void run_cases(const Case* cases, size_t n) {
    std::vector<std::string> lines;
    lines.reserve(n);
    for (size_t i = 0; i < n; ++i) lines.emplace_back(cases[i].text);
    const std::vector<uint32_t> words = assemble(lines);
    ASSERT_EQ(words.size(), n) << "assembler failed";
    for (size_t i = 0; i < n; ++i) {
      TestMachine m(tier());
      m.put({words[i], kJumpSelf});
      for (auto [r, v] : cases[i].before) m.set_x(r, v);
      m.run(1);
      EXPECT_TRUE(m.ran_compiled()) << "tier " << tier();
      for (auto [r, v] : cases[i].after) {
        EXPECT_EQ(m.x(r), v) << cases[i].text << ": x" << r;
      }
    }
  }
};

TIERVM_ON_EVERY_TIER(InsnTable);

TEST_P(InsnTable, IntegerAndMulDiv) {
  run_cases(kIntegerCases, std::size(kIntegerCases));
}

class Execution : public OnEveryTier {};
TIERVM_ON_EVERY_TIER(Execution);

TEST_P(Execution, LoadsSignAndZeroExtend) {
  const auto w = assemble({"lb a0, 0(a2)", "lbu a1, 0(a2)", "lh a3, 0(a2)", "lhu a4, 0(a2)",
                           "lw a5, 0(a2)", "lwu a6, 0(a2)", "ld a7, 0(a2)"});
  ASSERT_EQ(w.size(), 7u);
  TestMachine m(tier());
  m.put({w[0], w[1], w[2], w[3], w[4], w[5], w[6], kJumpSelf});
  m.write64(kRamBase + 0x1000, 0x80808080'80808080ull);
  m.set_x(A2, kRamBase + 0x1000);
  m.run(7);
  EXPECT_EQ(m.x(10), 0xffffffffffffff80ull);
  EXPECT_EQ(m.x(11), 0x80u);
  EXPECT_EQ(m.x(13), 0xffffffffffff8080ull);
  EXPECT_EQ(m.x(14), 0x8080u);
  EXPECT_EQ(m.x(15), 0xffffffff80808080ull);
  EXPECT_EQ(m.x(16), 0x80808080u);
  EXPECT_EQ(m.x(17), 0x8080808080808080ull);
}

TEST_P(Execution, MisalignedAccessesWorkAcrossPages) {
  const auto w = assemble({"sd a1, 0(a2)", "ld a0, 0(a2)", "lw a3, 2(a2)"});
  ASSERT_EQ(w.size(), 3u);
  TestMachine m(tier());
  m.put({w[0], w[1], w[2], kJumpSelf});
  m.set_x(A1, 0x1122334455667788ull);
  m.set_x(A2, kRamBase + 0x2000 - 3);  // straddles the page boundary
  m.run(3);
  EXPECT_EQ(m.x(A0), 0x1122334455667788ull);
  EXPECT_EQ(m.x(13), 0x33445566u);
}

TEST_P(Execution, JalAndJalrLinkAndClearBitZero) {
  // 0: jal ra, 8 ; 4: j . ; 8: jalr t0, 1(a0) with a0 = base+16 -> target base+16 (bit 0
  // cleared); 12: j . ; 16: j .
  const auto w =
      assemble({"jal ra, .+8", "jal zero, .", "jalr t0, 1(a0)", "jal zero, .", "jal zero, ."});
  ASSERT_EQ(w.size(), 5u);
  TestMachine m(tier());
  m.put({w[0], w[1], w[2], w[3], w[4]});
  m.set_x(A0, kRamBase + 16);
  m.run(3);
  EXPECT_EQ(m.x(RA), kRamBase + 4);
  EXPECT_EQ(m.x(T0), kRamBase + 12);
  EXPECT_EQ(m.pc(), kRamBase + 16);
}

TEST_P(Execution, BranchLoopCounts) {
  // a0 = 10; loop: a1 += 3; a0 -= 1; bnez a0, loop
  const auto w = assemble({"addi a0, zero, 10", "addi a1, a1, 3", "addi a0, a0, -1",
                           "bne a0, zero, .-8", "jal zero, ."});
  ASSERT_EQ(w.size(), 5u);
  TestMachine m(tier());
  m.put({w[0], w[1], w[2], w[3], w[4]});
  m.run(1 + 30 + 1);
  EXPECT_EQ(m.x(A1), 30u);
  EXPECT_EQ(m.x(A0), 0u);
  EXPECT_EQ(m.pc(), kRamBase + 16);
}

TEST_P(Execution, LoadFaultIsPreciseAndTakesTrapToMtvec) {
  // addi a1, zero, 7 retires; the load from an unmapped address faults with
  // mcause = 5 (load access fault), mepc = its pc, mtval = the address, a0 untouched.
  const auto w = assemble({"addi a1, zero, 7", "ld a0, 0(a2)", "addi a1, zero, 9"});
  ASSERT_EQ(w.size(), 3u);
  TestMachine m(tier());
  m.put({w[0], w[1], w[2], kJumpSelf});
  m.put({kJumpSelf}, kRamBase + 0x400);
  m.hart.s.mtvec = kRamBase + 0x400;
  m.set_x(A0, 0x55);
  m.set_x(A2, 0x4000'0000);
  m.run(3);
  EXPECT_EQ(m.x(A1), 7u);
  EXPECT_EQ(m.x(A0), 0x55u);
  EXPECT_EQ(m.hart.s.mcause, 5u);
  EXPECT_EQ(m.hart.s.mepc, kRamBase + 4);
  EXPECT_EQ(m.hart.s.mtval, 0x4000'0000u);
  EXPECT_EQ(m.pc(), kRamBase + 0x400);
}

TEST_P(Execution, IllegalInstructionTrapsWithBits) {
  TestMachine m(tier());
  m.put({0x00000013, 0xffffffff, kJumpSelf});  // nop; illegal
  m.put({kJumpSelf}, kRamBase + 0x400);
  m.hart.s.mtvec = kRamBase + 0x400;
  m.run(2);
  EXPECT_EQ(m.hart.s.mcause, 2u);
  EXPECT_EQ(m.hart.s.mepc, kRamBase + 4);
  EXPECT_EQ(m.hart.s.mtval, 0xffffffffu);
}

TEST_P(Execution, SelfModifyingCodeIsRetranslated) {
  // The loop body's "addi a0, a0, 1" is rewritten to "addi a0, a0, 2" by a store, after
  // the block was translated; the next execution must see the new instruction.
  const auto w = assemble({"addi a0, a0, 1", "jalr zero, 0(ra)", "addi a0, a0, 2"});
  ASSERT_EQ(w.size(), 3u);
  TestMachine m(tier());
  const uint64_t fn = kRamBase + 0x100;
  m.put({w[0], w[1]}, fn);
  // main: jalr ra, 0(s1); sw t1, 0(s1); jalr ra, 0(s1); j .
  const auto main = assemble({"jalr ra, 0(s1)", "sw t1, 0(s1)", "jalr ra, 0(s1)", "jal zero, ."});
  ASSERT_EQ(main.size(), 4u);
  m.put({main[0], main[1], main[2], main[3]});
  m.set_x(9, fn);
  m.set_x(6, w[2]);
  m.run(20);
  EXPECT_EQ(m.x(A0), 3u);
}

}  // namespace
}  // namespace tiervm::test
