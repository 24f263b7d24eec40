// "A" extension semantics (engine/translate/atomic.cpp) executed through the engine.
// Instruction words come from GNU as 2.40 (-march=rv64gc); expected values follow the
// unprivileged spec, chapter 8 (LR/SC 8.2, AMOs 8.4), and, for the trap causes the spec
// leaves open (misaligned: misaligned or access fault), QEMU's choice.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/decoder.h"
#include "engine/trap.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using test::kJumpSelf;
using test::kRamBase;
using test::TestMachine;

constexpr unsigned zero = 0, a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a5 = 15;

// Two doublewords of data; every program runs with a1 = kData and a4 = kData + 8.
constexpr uint64_t kData = kRamBase + 0x1000;
constexpr uint64_t kTrapVector = kRamBase + 0x800;
constexpr uint64_t kUnmapped = 0x4000'0000;  // no device or RAM in the test machine
constexpr uint64_t kOnes = ~uint64_t{0};

struct Insn {
  const char* text;
  uint32_t word;
};

struct RegVal {
  unsigned reg;
  uint64_t value;
};

struct AtomicCase {
  std::vector<Insn> program;
  std::vector<RegVal> in;
  std::array<uint64_t, 2> mem;  // at kData, kData + 8
  std::vector<RegVal> out;
  std::array<uint64_t, 2> mem_after;
};

// {program, input registers, memory} => {registers, memory}
const std::vector<AtomicCase> kCases = {
    // AMO .w: operate on the low word, leave the high word alone, sign-extend the old value.
    {{{"amoswap.w a0, a2, (a1)", 0x08c5a52f}},
     {{a2, 0x12345678}},
     {0x11111111'80000000, 0},
     {{a0, 0xffffffff'80000000}},
     {0x11111111'12345678, 0}},
    {{{"amoadd.w a0, a2, (a1)", 0x00c5a52f}},
     {{a2, 1}},
     {0x22222222'7fffffff, 0},
     {{a0, 0x7fffffff}},
     {0x22222222'80000000, 0}},
    {{{"amoadd.w a0, a2, (a1)", 0x00c5a52f}},
     {{a2, 0x1'00000001}},
     {0x00000000'ffffffff, 0},
     {{a0, kOnes}},
     {0, 0}},
    {{{"amoxor.w a0, a2, (a1)", 0x20c5a52f}},
     {{a2, 0x0ff00ff0}},
     {0xffff0000, 0},
     {{a0, 0xffffffff'ffff0000}},
     {0xf00f0ff0, 0}},
    {{{"amoand.w a0, a2, (a1)", 0x60c5a52f}},
     {{a2, 0x0ff00ff0}},
     {0x33333333'ff00ff00, 0},
     {{a0, 0xffffffff'ff00ff00}},
     {0x33333333'0f000f00, 0}},
    {{{"amoor.w a0, a2, (a1)", 0x40c5a52f}},
     {{a2, 0x8000000f}},
     {0xf0, 0},
     {{a0, 0xf0}},
     {0x800000ff, 0}},
    // amomin.w compares the low words as signed: the upper half of rs2 is ignored.
    {{{"amomin.w a0, a2, (a1)", 0x80c5a52f}},
     {{a2, 0x00000000'ffffffff}},
     {1, 0},
     {{a0, 1}},
     {0xffffffff, 0}},
    {{{"amomax.w a0, a2, (a1)", 0xa0c5a52f}}, {{a2, 1}}, {0xffffffff, 0}, {{a0, kOnes}}, {1, 0}},
    {{{"amomax.w a0, a2, (a1)", 0xa0c5a52f}},
     {{a2, 0x7fffffff'80000000}},
     {0x7fffffff, 0},
     {{a0, 0x7fffffff}},
     {0x7fffffff, 0}},
    {{{"amominu.w a0, a2, (a1)", 0xc0c5a52f}}, {{a2, 1}}, {0xffffffff, 0}, {{a0, kOnes}}, {1, 0}},
    {{{"amominu.w a0, a2, (a1)", 0xc0c5a52f}},
     {{a2, 0xffffffff'00000002}},
     {3, 0},
     {{a0, 3}},
     {2, 0}},
    {{{"amomaxu.w a0, a2, (a1)", 0xe0c5a52f}},
     {{a2, 0x80000000}},
     {1, 0},
     {{a0, 1}},
     {0x80000000, 0}},
    {{{"amomaxu.w a0, a2, (a1)", 0xe0c5a52f}},
     {{a2, 0xffffffff'00000001}},
     {2, 0},
     {{a0, 2}},
     {2, 0}},
    // AMO .d
    {{{"amoswap.d a0, a2, (a1)", 0x08c5b52f}},
     {{a2, 0xfedcba98'76543210}},
     {0x01234567'89abcdef, 0},
     {{a0, 0x01234567'89abcdef}},
     {0xfedcba98'76543210, 0}},
    {{{"amoadd.d a0, a2, (a1)", 0x00c5b52f}}, {{a2, 2}}, {kOnes, 0}, {{a0, kOnes}}, {1, 0}},
    {{{"amoxor.d a0, a2, (a1)", 0x20c5b52f}},
     {{a2, 0xffff0000'0000ffff}},
     {0x0f0f0f0f'0f0f0f0f, 0},
     {{a0, 0x0f0f0f0f'0f0f0f0f}},
     {0xf0f00f0f'0f0ff0f0, 0}},
    {{{"amoand.d a0, a2, (a1)", 0x60c5b52f}},
     {{a2, 0xffff0000'0000ffff}},
     {0x0f0f0f0f'0f0f0f0f, 0},
     {{a0, 0x0f0f0f0f'0f0f0f0f}},
     {0x0f0f0000'00000f0f, 0}},
    {{{"amoor.d a0, a2, (a1)", 0x40c5b52f}},
     {{a2, 0x80000000'00000000}},
     {1, 0},
     {{a0, 1}},
     {0x80000000'00000001, 0}},
    {{{"amomin.d a0, a2, (a1)", 0x80c5b52f}}, {{a2, kOnes}}, {1, 0}, {{a0, 1}}, {kOnes, 0}},
    {{{"amomax.d a0, a2, (a1)", 0xa0c5b52f}}, {{a2, 1}}, {kOnes, 0}, {{a0, kOnes}}, {1, 0}},
    {{{"amominu.d a0, a2, (a1)", 0xc0c5b52f}}, {{a2, 1}}, {kOnes, 0}, {{a0, kOnes}}, {1, 0}},
    {{{"amomaxu.d a0, a2, (a1)", 0xe0c5b52f}}, {{a2, kOnes}}, {1, 0}, {{a0, 1}}, {kOnes, 0}},
    // aq/rl do not change the result.
    {{{"amoadd.d.aqrl a0, a2, (a1)", 0x06c5b52f}}, {{a2, 5}}, {10, 0}, {{a0, 10}}, {15, 0}},
    // rd = x0 still updates memory; rd aliasing rs1 or rs2 reads the sources first.
    {{{"amoadd.d zero, a2, (a1)", 0x00c5b02f}}, {{a2, 3}}, {5, 0}, {{zero, 0}}, {8, 0}},
    {{{"amoswap.d a2, a2, (a1)", 0x08c5b62f}}, {{a2, 9}}, {7, 0}, {{a2, 7}}, {9, 0}},
    {{{"amoadd.d a1, a2, (a1)", 0x00c5b5af}}, {{a2, 1}}, {7, 0}, {{a1, 7}}, {8, 0}},
    {{{"amoadd.w a0, a2, (a4)", 0x00c7252f}},
     {{a2, 1}},
     {0, 0x44444444'00000041},
     {{a0, 0x41}},
     {0, 0x44444444'00000042}},

    // LR/SC (spec 8.2)
    {{{"lr.w a0, (a1)", 0x1005a52f}, {"sc.w a3, a2, (a1)", 0x18c5a6af}},
     {{a2, 0x12345678}},
     {0x11111111'80000000, 0},
     {{a0, 0xffffffff'80000000}, {a3, 0}},
     {0x11111111'12345678, 0}},
    {{{"lr.d a0, (a1)", 0x1005b52f}, {"sc.d a3, a2, (a1)", 0x18c5b6af}},
     {{a2, 0xfedcba98'76543210}},
     {0x01234567'89abcdef, 0},
     {{a0, 0x01234567'89abcdef}, {a3, 0}},
     {0xfedcba98'76543210, 0}},
    {{{"lr.d.aq a0, (a1)", 0x1405b52f}, {"sc.d.rl a3, a2, (a1)", 0x1ac5b6af}},
     {{a2, 2}},
     {1, 0},
     {{a0, 1}, {a3, 0}},
     {2, 0}},
    // Any SC clears the reservation: a second SC fails and does not write.
    {{{"lr.d a0, (a1)", 0x1005b52f},
      {"sc.d a3, a2, (a1)", 0x18c5b6af},
      {"sc.d a5, a4, (a1)", 0x18e5b7af}},
     {{a2, 0x22}},
     {0x11, 0},
     {{a0, 0x11}, {a3, 0}, {a5, 1}},
     {0x22, 0}},
    // No reservation: SC fails, memory unchanged.
    {{{"sc.d a3, a2, (a1)", 0x18c5b6af}}, {{a2, 0x22}}, {0x11, 0}, {{a3, 1}}, {0x11, 0}},
    {{{"sc.w a3, a2, (a1)", 0x18c5a6af}}, {{a2, 0x22}}, {0x11, 0}, {{a3, 1}}, {0x11, 0}},
    // SC to another address than the reservation fails (the reservation set is the reserved
    // bytes, as in QEMU), and still clears the reservation.
    {{{"lr.d a0, (a1)", 0x1005b52f},
      {"sc.d a3, a2, (a4)", 0x18c736af},
      {"sc.d a5, a2, (a1)", 0x18c5b7af}},
     {{a2, 0x22}},
     {0x11, 0x33},
     {{a3, 1}, {a5, 1}},
     {0x11, 0x33}},
    // SC with rd == rs2: the value stored is rs2 before the instruction.
    {{{"lr.w a0, (a1)", 0x1005a52f}, {"sc.w a2, a2, (a1)", 0x18c5a62f}},
     {{a2, 0x55}},
     {0x66, 0},
     {{a0, 0x66}, {a2, 0}},
     {0x55, 0}},
};

std::string program_text(const std::vector<Insn>& program) {
  std::string out;
  for (const Insn& i : program) out += std::string(out.empty() ? "" : "; ") + i.text;
  return out;
}

void load_program(TestMachine& m, const std::vector<Insn>& program) {
  uint64_t at = kRamBase;
  for (const Insn& i : program) {
    m.put({i.word}, at);
    at += 4;
  }
  m.put({kJumpSelf}, at);
  m.put({kJumpSelf}, kTrapVector);
  m.hart.s.mtvec = kTrapVector;
}

// Each word decodes to its row and prints back as the assembly it came from. The table
// ignores aq/rl, and the printer does not show them: "lr.d.aq a0, (a1)" prints as
// "lr.d a0, (a1)".
TEST(AtomicTest, DecodesAndPrints) {
  for (const AtomicCase& c : kCases) {
    for (const Insn& i : c.program) {
      std::string text = i.text;
      for (const char* suffix : {".aqrl", ".aq", ".rl"}) {
        const auto at = text.find(suffix);
        if (at != std::string::npos) text.erase(at, std::string(suffix).size());
      }
      EXPECT_EQ(disassemble(i.word, kRamBase), text);
    }
  }
}

class AtomicTestOnTier : public test::OnEveryTier {};
TIERVM_ON_EVERY_TIER(AtomicTestOnTier);

TEST_P(AtomicTestOnTier, Executes) {
  for (const AtomicCase& c : kCases) {
    const std::string what = program_text(c.program);
    TestMachine m(tier());
    load_program(m, c.program);
    m.write64(kData, c.mem[0]);
    m.write64(kData + 8, c.mem[1]);
    m.set_x(a1, kData);
    m.set_x(a4, kData + 8);
    for (const RegVal& r : c.in) m.set_x(r.reg, r.value);
    m.run(c.program.size() + 1);
    EXPECT_TRUE(m.ran_compiled()) << "tier " << tier();
    EXPECT_EQ(m.pc(), kRamBase + 4 * c.program.size())
        << what << ": trapped, mcause " << m.hart.s.mcause;
    for (const RegVal& r : c.out) {
      EXPECT_EQ(m.x(r.reg), r.value) << what << ": x" << r.reg;
    }
    EXPECT_EQ(m.read64(kData), c.mem_after[0]) << what;
    EXPECT_EQ(m.read64(kData + 8), c.mem_after[1]) << what;
  }
}

struct TrapCase {
  std::vector<Insn> program;
  uint64_t address;  // a1 (a4 = a1 + 4)
  Cause cause;
  uint64_t tval;
  unsigned trap_index;  // the instruction that traps
};

// Misaligned atomics raise address-misaligned exceptions (QEMU: load for LR, store/AMO for
// SC and AMOs); atomics where no memory exists raise access faults of the same kind.
const std::vector<TrapCase> kTraps = {
    {{{"lr.w a0, (a1)", 0x1005a52f}}, kData + 2, Cause::LoadMisaligned, kData + 2, 0},
    {{{"lr.d a0, (a1)", 0x1005b52f}}, kData + 4, Cause::LoadMisaligned, kData + 4, 0},
    {{{"amoadd.w a0, a2, (a1)", 0x00c5a52f}}, kData + 1, Cause::StoreMisaligned, kData + 1, 0},
    {{{"amoswap.d a0, a2, (a1)", 0x08c5b52f}}, kData + 4, Cause::StoreMisaligned, kData + 4, 0},
    {{{"amomaxu.d a0, a2, (a1)", 0xe0c5b52f}}, kData + 2, Cause::StoreMisaligned, kData + 2, 0},
    // SC with a valid reservation, to a misaligned address.
    {{{"lr.d a0, (a1)", 0x1005b52f}, {"sc.d a3, a2, (a4)", 0x18c736af}},
     kData,
     Cause::StoreMisaligned,
     kData + 4,
     1},
    {{{"lr.w a0, (a1)", 0x1005a52f}, {"sc.w a3, a2, (a5)", 0x18c7a6af}},
     kData,
     Cause::StoreMisaligned,
     kData + 2,
     1},
    {{{"lr.d a0, (a1)", 0x1005b52f}}, kUnmapped, Cause::LoadAccess, kUnmapped, 0},
    {{{"amoor.d a0, a2, (a1)", 0x40c5b52f}}, kUnmapped, Cause::StoreAccess, kUnmapped, 0},
    {{{"amoadd.w a0, a2, (a1)", 0x00c5a52f}}, kUnmapped, Cause::StoreAccess, kUnmapped, 0},
};

TEST_P(AtomicTestOnTier, Traps) {
  for (const TrapCase& c : kTraps) {
    const std::string what = program_text(c.program);
    TestMachine m(tier());
    load_program(m, c.program);
    m.write64(kData, 0x1111);
    m.write64(kData + 8, 0x2222);
    m.set_x(a1, c.address);
    m.set_x(a4, c.address + 4);
    m.set_x(a5, c.address + 2);
    m.set_x(a2, 0x7777);
    m.set_x(a3, 0x3333);
    if (c.trap_index == 0) m.set_x(a0, 0x5555);
    m.run(c.program.size() + 1);
    EXPECT_EQ(m.hart.s.mcause, static_cast<uint64_t>(c.cause)) << what;
    EXPECT_EQ(m.hart.s.mtval, c.tval) << what;
    EXPECT_EQ(m.hart.s.mepc, kRamBase + 4 * c.trap_index) << what;
    EXPECT_EQ(m.pc(), kTrapVector) << what;
    // The trapping instruction has no effect.
    if (c.trap_index == 0) {
      EXPECT_EQ(m.x(a0), 0x5555u) << what;
    }
    EXPECT_EQ(m.x(a3), 0x3333u) << what;
    EXPECT_EQ(m.read64(kData), 0x1111u) << what;
    EXPECT_EQ(m.read64(kData + 8), 0x2222u) << what;
  }
}

}  // namespace
}  // namespace tiervm
