// Zba/Zbb semantics (engine/translate/bitmanip.cpp) executed through the engine. Each row
// is one instruction: its assembly, the word GNU as 2.40 produces for it
// (-march=rv64gc_zba_zbb), input registers and the registers expected afterwards, as the
// bit-manipulation spec 1.0.0 defines them.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "engine/decoder.h"
#include "tests/engine/test_machine.h"

namespace tiervm {
namespace {

using test::kJumpSelf;
using test::kRamBase;
using test::TestMachine;

constexpr unsigned zero = 0, a0 = 10, a1 = 11, a2 = 12;

struct RegVal {
  unsigned reg;
  uint64_t value;
};

struct ExecCase {
  const char* text;
  uint32_t word;
  std::vector<RegVal> in;
  std::vector<RegVal> out;
};

const std::vector<ExecCase> kCases = {
    // Zba
    {"add.uw a0, a1, a2", 0x08c5853b, {{a1, 0xffffffff'80000000}, {a2, 1}}, {{a0, 0x80000001}}},
    {"add.uw a0, a1, a2", 0x08c5853b, {{a1, 0x5}, {a2, ~uint64_t{0}}}, {{a0, 4}}},
    {"sh1add a0, a1, a2", 0x20c5a533, {{a1, 3}, {a2, 100}}, {{a0, 106}}},
    {"sh2add a0, a1, a2", 0x20c5c533, {{a1, 3}, {a2, 100}}, {{a0, 112}}},
    {"sh3add a0, a1, a2", 0x20c5e533, {{a1, 3}, {a2, 100}}, {{a0, 124}}},
    {"sh3add a0, a1, a2", 0x20c5e533, {{a1, 0x20000000'00000001}, {a2, 0}}, {{a0, 8}}},
    {"sh1add.uw a0, a1, a2", 0x20c5a53b, {{a1, 0xffffffff'00000003}, {a2, 100}}, {{a0, 106}}},
    {"sh2add.uw a0, a1, a2",
     0x20c5c53b,
     {{a1, 0x12345678'80000000}, {a2, 0}},
     {{a0, 0x2'00000000}}},
    {"sh3add.uw a0, a1, a2", 0x20c5e53b, {{a1, ~uint64_t{0}}, {a2, 1}}, {{a0, 0x7'fffffff9}}},
    {"slli.uw a0, a1, 4", 0x0845951b, {{a1, ~uint64_t{0}}}, {{a0, 0xf'fffffff0}}},
    {"slli.uw a0, a1, 32", 0x0a05951b, {{a1, 0x1'80000001}}, {{a0, 0x80000001'00000000}}},
    {"slli.uw a0, a1, 63", 0x0bf5951b, {{a1, 0xffffffff'00000001}}, {{a0, 0x80000000'00000000}}},
    // Zbb: logical with negate
    {"andn a0, a1, a2", 0x40c5f533, {{a1, 0xff00}, {a2, 0x0ff0}}, {{a0, 0xf000}}},
    {"orn a0, a1, a2", 0x40c5e533, {{a1, 0}, {a2, 0xffffffff'ffff0000}}, {{a0, 0xffff}}},
    {"xnor a0, a1, a2", 0x40c5c533, {{a1, 0xff}, {a2, 0x0f}}, {{a0, 0xffffffff'ffffff0f}}},
    // Zbb: counts
    {"clz a0, a1", 0x60059513, {{a1, 0}}, {{a0, 64}}},
    {"clz a0, a1", 0x60059513, {{a1, 1}}, {{a0, 63}}},
    {"clz a0, a1", 0x60059513, {{a1, 0x80000000'00000000}}, {{a0, 0}}},
    {"clz a0, a1", 0x60059513, {{a1, 0x00ff0000'00000000}}, {{a0, 8}}},
    {"clzw a0, a1", 0x6005951b, {{a1, 0xffffffff'00000000}}, {{a0, 32}}},
    {"clzw a0, a1", 0x6005951b, {{a1, 0x00010000}}, {{a0, 15}}},
    {"clzw a0, a1", 0x6005951b, {{a1, 0x80000000}}, {{a0, 0}}},
    {"ctz a0, a1", 0x60159513, {{a1, 0}}, {{a0, 64}}},
    {"ctz a0, a1", 0x60159513, {{a1, 0x80000000'00000000}}, {{a0, 63}}},
    {"ctz a0, a1", 0x60159513, {{a1, 0x100}}, {{a0, 8}}},
    {"ctzw a0, a1", 0x6015951b, {{a1, 0xffffffff'00000000}}, {{a0, 32}}},
    {"ctzw a0, a1", 0x6015951b, {{a1, 0x1'00000008}}, {{a0, 3}}},
    {"ctzw a0, a1", 0x6015951b, {{a1, 0x80000000}}, {{a0, 31}}},
    {"cpop a0, a1", 0x60259513, {{a1, ~uint64_t{0}}}, {{a0, 64}}},
    {"cpop a0, a1", 0x60259513, {{a1, 0}}, {{a0, 0}}},
    {"cpop a0, a1", 0x60259513, {{a1, 0xf0f0}}, {{a0, 8}}},
    {"cpopw a0, a1", 0x6025951b, {{a1, 0xffffffff'0000000f}}, {{a0, 4}}},
    {"cpopw a0, a1", 0x6025951b, {{a1, 0xffffffff}}, {{a0, 32}}},
    // Zbb: minimum/maximum
    {"max a0, a1, a2", 0x0ac5e533, {{a1, ~uint64_t{0}}, {a2, 1}}, {{a0, 1}}},
    {"maxu a0, a1, a2", 0x0ac5f533, {{a1, ~uint64_t{0}}, {a2, 1}}, {{a0, ~uint64_t{0}}}},
    {"min a0, a1, a2", 0x0ac5c533, {{a1, ~uint64_t{0}}, {a2, 1}}, {{a0, ~uint64_t{0}}}},
    {"minu a0, a1, a2", 0x0ac5d533, {{a1, ~uint64_t{0}}, {a2, 1}}, {{a0, 1}}},
    {"max a0, a1, a2",
     0x0ac5e533,
     {{a1, 0x80000000'00000000}, {a2, 0x7fffffff'ffffffff}},
     {{a0, 0x7fffffff'ffffffff}}},
    {"minu a0, a1, a2",
     0x0ac5d533,
     {{a1, 0x80000000'00000000}, {a2, 0x7fffffff'ffffffff}},
     {{a0, 0x7fffffff'ffffffff}}},
    // Zbb: sign and zero extension
    {"sext.b a0, a1", 0x60459513, {{a1, 0x80}}, {{a0, 0xffffffff'ffffff80}}},
    {"sext.b a0, a1", 0x60459513, {{a1, 0x7f}}, {{a0, 0x7f}}},
    {"sext.b a0, a1", 0x60459513, {{a1, 0x12345678'9abcde01}}, {{a0, 1}}},
    {"sext.h a0, a1", 0x60559513, {{a1, 0x8000}}, {{a0, 0xffffffff'ffff8000}}},
    {"sext.h a0, a1", 0x60559513, {{a1, 0xabcd7fff}}, {{a0, 0x7fff}}},
    {"zext.h a0, a1", 0x0805c53b, {{a1, 0xffffffff'ffff8001}}, {{a0, 0x8001}}},
    // Zbb: rotations
    {"rol a0, a1, a2", 0x60c59533, {{a1, 0x80000000'00000001}, {a2, 1}}, {{a0, 3}}},
    {"rol a0, a1, a2", 0x60c59533, {{a1, 0x80000000'00000001}, {a2, 65}}, {{a0, 3}}},
    {"ror a0, a1, a2", 0x60c5d533, {{a1, 1}, {a2, 1}}, {{a0, 0x80000000'00000000}}},
    {"ror a0, a1, a2", 0x60c5d533, {{a1, 0x12}, {a2, 68}}, {{a0, 0x20000000'00000001}}},
    {"rori a0, a1, 4", 0x6045d513, {{a1, 0x12345678'9abcdef0}}, {{a0, 0x01234567'89abcdef}}},
    {"rori a0, a1, 63", 0x63f5d513, {{a1, 1}}, {{a0, 2}}},
    {"rolw a0, a1, a2", 0x60c5953b, {{a1, 0x80000001}, {a2, 1}}, {{a0, 3}}},
    {"rolw a0, a1, a2", 0x60c5953b, {{a1, 0x40000000}, {a2, 1}}, {{a0, 0xffffffff'80000000}}},
    {"rolw a0, a1, a2",
     0x60c5953b,
     {{a1, 0xffffffff'00000001}, {a2, 31}},
     {{a0, 0xffffffff'80000000}}},
    {"rorw a0, a1, a2", 0x60c5d53b, {{a1, 1}, {a2, 1}}, {{a0, 0xffffffff'80000000}}},
    {"rorw a0, a1, a2", 0x60c5d53b, {{a1, 1}, {a2, 33}}, {{a0, 0xffffffff'80000000}}},
    {"rorw a0, a1, a2", 0x60c5d53b, {{a1, 0xabcd'00000002}, {a2, 1}}, {{a0, 1}}},
    {"roriw a0, a1, 4", 0x6045d51b, {{a1, 0xffffffff'12345678}}, {{a0, 0xffffffff'81234567}}},
    {"roriw a0, a1, 0", 0x6005d51b, {{a1, 0x80000000}}, {{a0, 0xffffffff'80000000}}},
    {"roriw a0, a1, 31", 0x61f5d51b, {{a1, 0x1'40000000}}, {{a0, 0xffffffff'80000000}}},
    // Zbb: byte operations
    {"orc.b a0, a1", 0x2875d513, {{a1, 0x00010000'ff001000}}, {{a0, 0x00ff0000'ff00ff00}}},
    {"orc.b a0, a1", 0x2875d513, {{a1, 0}}, {{a0, 0}}},
    {"rev8 a0, a1", 0x6b85d513, {{a1, 0x01234567'89abcdef}}, {{a0, 0xefcdab89'67452301}}},
    // Destination aliasing a source, and writes to x0.
    {"sh1add a0, a0, a0", 0x20a52533, {{a0, 5}}, {{a0, 15}}},
    {"andn a0, a1, a0", 0x40a5f533, {{a0, 0x0f}, {a1, 0xff}}, {{a0, 0xf0}}},
    {"xnor a0, a0, a1", 0x40b54533, {{a0, 0xff}, {a1, 0x0f}}, {{a0, 0xffffffff'ffffff0f}}},
    {"slli.uw a0, a0, 1", 0x0815151b, {{a0, 0xffffffff'80000000}}, {{a0, 0x1'00000000}}},
    {"sh2add.uw a1, a1, a1", 0x20b5c5bb, {{a1, 0xffffffff'00000001}}, {{a1, 0xffffffff'00000005}}},
    {"rev8 zero, a1", 0x6b85d013, {{a1, 0x0102}}, {{zero, 0}}},
};

// Each word decodes to its row and prints back as the assembly it came from.
TEST(BitmanipTest, DecodesAndPrints) {
  for (const ExecCase& c : kCases) {
    EXPECT_EQ(disassemble(c.word, kRamBase), c.text);
  }
}

class BitmanipTestOnTier : public test::OnEveryTier {};
TIERVM_ON_EVERY_TIER(BitmanipTestOnTier);

TEST_P(BitmanipTestOnTier, Executes) {
  for (const ExecCase& c : kCases) {
    TestMachine m(tier());
    m.put({c.word, kJumpSelf});
    for (const RegVal& r : c.in) m.set_x(r.reg, r.value);
    m.run(2);
    EXPECT_TRUE(m.ran_compiled()) << "tier " << tier();
    EXPECT_FALSE(m.hart.s.trap_pending) << c.text;
    EXPECT_EQ(m.pc(), kRamBase + 4) << c.text;
    for (const RegVal& r : c.out) {
      EXPECT_EQ(m.x(r.reg), r.value)
          << c.text << ": x" << r.reg << std::hex << " = 0x" << m.x(r.reg);
    }
  }
}

// The fixed rs2 fields of the unary Zbb encodings are part of the opcode: other values
// are not these instructions (e.g. clz with rs2=3 is reserved).
TEST(BitmanipTest, UnaryRowsFixTheirRs2Field) {
  EXPECT_EQ(decode(0x60359513).def, nullptr);  // 0110000 00011 a1 001 a0 0010011
  EXPECT_EQ(decode(0x6035951b).def, nullptr);  // same, OP-IMM-32
  const DecodedInsn zext_h = decode(0x0805c53b);
  ASSERT_NE(zext_h.def, nullptr);
  EXPECT_STREQ(zext_h.def->name, "zext.h");
  // packw with rs2 != 0 (Zbkb) is not implemented.
  EXPECT_EQ(decode(0x08c5c53b).def, nullptr);
}

}  // namespace
}  // namespace tiervm
