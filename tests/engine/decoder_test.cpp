#include "engine/decoder.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "tests/engine/asm_util.h"

namespace tiervm {
namespace {

// A word matching a row: its fixed bits, don't-care bits from `fill`.
uint32_t example_word(const InsnDef& def, uint32_t fill) {
  const PatternBits pb = pattern_bits(def.pattern);
  return pb.match | (fill & ~pb.mask);
}

TEST(Decoder, PatternsAreWellFormed) {
  for (const InsnDef* def : decoder_table()) {
    ASSERT_EQ(std::string(def->pattern).size(), 32u) << def->name;
    for (char c : std::string(def->pattern)) {
      EXPECT_TRUE(c == '0' || c == '1' || c == '-') << def->name;
    }
    EXPECT_EQ(pattern_bits(def->pattern).mask & 3u, 3u) << def->name << ": opcode bits fixed";
  }
}

TEST(Decoder, NoUnintendedOverlaps) {
  const auto overlaps = decoder_overlaps();
  for (const auto& o : overlaps) ADD_FAILURE() << "overlapping rows: " << o;
}

TEST(Decoder, EveryRowDecodesItsOwnExamples) {
  std::mt19937 rng(1234);
  for (const InsnDef* def : decoder_table()) {
    for (uint32_t fill : {0u, 0xffffffffu, static_cast<uint32_t>(rng())}) {
      const uint32_t w = example_word(*def, fill);
      const DecodedInsn d = decode(w);
      ASSERT_NE(d.def, nullptr) << def->name << " " << std::hex << w;
      // Either this row, or a more specific row that declares it overrides.
      if (d.def != def) {
        EXPECT_TRUE(d.def->flags & kInsnOverrides) << def->name << " decoded as " << d.def->name;
      }
      EXPECT_EQ(d.length, 4);
    }
  }
}

struct DisasmCase {
  uint32_t word;
  uint64_t pc;
  const char* text;
};

// Words assembled by riscv64-unknown-elf-as; the text is the standard assembly syntax.
TEST(Decoder, DisassemblesStandardSyntax) {
  const DisasmCase cases[] = {
      {0x00150513, 0, "addi a0, a0, 1"},        {0xfff50513, 0, "addi a0, a0, -1"},
      {0x00b50533, 0, "add a0, a0, a1"},        {0x40b50533, 0, "sub a0, a0, a1"},
      {0x00853583, 0, "ld a1, 8(a0)"},          {0xfeb53c23, 0, "sd a1, -8(a0)"},
      {0x000125b7, 0, "lui a1, 0x12"},          {0x00b50463, 0x1000, "beq a0, a1, 0x1008"},
      {0x0080006f, 0x2000, "jal zero, 0x2008"}, {0x000500e7, 0, "jalr ra, 0(a0)"},
      {0x03f51513, 0, "slli a0, a0, 63"},       {0x02b50533, 0, "mul a0, a0, a1"},
      {0x00000000, 0, "illegal 0x0000"},        {0xffffffff, 0, "illegal 0xffffffff"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(disassemble(c.word, c.pc), c.text) << std::hex << c.word;
  }
}

TEST(Decoder, ExtractsImmediatesWithSignExtension) {
  // beq with the most negative offset (-4096): imm[12] set, all other bits clear.
  DecodedInsn d = decode(0x80000063);
  ASSERT_NE(d.def, nullptr);
  EXPECT_EQ(d.imm, -4096);
  // jal with offset -2 (all ones in imm[20:1]).
  d = decode(0xfffff06f);
  ASSERT_NE(d.def, nullptr);
  EXPECT_EQ(d.imm, -2);
  // sd with imm -1: imm[11:5]=0x7f, imm[4:0]=0x1f.
  d = decode(0xfe053fa3);
  ASSERT_NE(d.def, nullptr);
  EXPECT_EQ(d.imm, -1);
  // lui with 0xfffff: upper immediate sign-extends to 64 bits.
  d = decode(0xfffff537);
  ASSERT_NE(d.def, nullptr);
  EXPECT_EQ(static_cast<uint64_t>(d.imm), 0xfffffffffffff000ull);
}

TEST(Decoder, RejectsIllegalEncodings) {
  // Opcode 0b1111111 (reserved for >= 80-bit), custom-0 with no extension, and the
  // all-zero halfword.
  for (uint32_t w : {0x0000007fu, 0x0000000bu, 0x00000000u, 0x0000707bu}) {
    EXPECT_EQ(decode(w).def, nullptr) << std::hex << w;
  }
  // slli with shamt >= 64 does not exist: funct6 must be 0 (bit 26 set here).
  EXPECT_EQ(decode(0x04051513).def, nullptr);
}

}  // namespace
}  // namespace tiervm

namespace tiervm {
namespace {

// The ISA the table implements, as the spec spells it (the extensions tiervm decodes: RV64
// IMAFDC, Zicsr, Zifencei, Zba, Zbb), and misa's bits for it plus S and U (priv spec 3.1.1).
TEST(Decoder, IsaStringAndMisaComeFromTheTable) {
  EXPECT_EQ(isa_string(), "rv64imafdc_zicsr_zifencei_zba_zbb");
  EXPECT_EQ(misa_extensions(), 0x14112du);
  // Rows of each kind carry the extension the spec puts them in.
  const std::pair<const char*, Ext> expected[] = {
      {"add.uw", Ext::Zba}, {"sh1add", Ext::Zba},       {"clz", Ext::Zbb},     {"rev8", Ext::Zbb},
      {"fld", Ext::D},      {"fcvt.s.d", Ext::D},       {"flw", Ext::F},       {"fmv.x.w", Ext::F},
      {"mret", Ext::Priv},  {"fence.i", Ext::Zifencei}, {"csrrw", Ext::Zicsr}, {"mulh", Ext::M},
  };
  for (const auto& [name, ext] : expected) {
    const InsnDef* found = nullptr;
    for (const InsnDef* row : decoder_table()) {
      if (std::string(row->name) == name) found = row;
    }
    ASSERT_NE(found, nullptr) << name;
    EXPECT_EQ(found->ext, ext) << name;
  }
}

// Vector instructions by their bits (the monitor counts them per block), encodings from
// GNU as: OP-V and the vector widths of LOAD-FP/STORE-FP are vector; scalar FP loads and
// stores and integer instructions are not.
TEST(Decoder, VectorInstructionsAreRecognizedByTheirBits) {
  const std::vector<uint32_t> vector = test::assemble({
      ".option arch, +v",
      "vadd.vv v1, v2, v3",
      "vsetvli t0, a0, e32, m1, ta, ma",
      "vle8.v v1, (a0)",
      "vse32.v v2, (a1)",
      "vlse64.v v3, (a2), a3",
      "vl1re16.v v4, (a0)",
      "vfadd.vf v1, v2, fa0",
  });
  ASSERT_EQ(vector.size(), 7u);
  for (uint32_t w : vector) EXPECT_TRUE(is_vector_insn(w)) << std::hex << w;
  const std::vector<uint32_t> scalar = test::assemble({
      "flw f0, 0(a0)",
      "fld f1, 8(a1)",
      "fsw f2, 4(a2)",
      "fsd f3, 16(a3)",
      "add a0, a1, a2",
      "fadd.d f0, f1, f2",
  });
  ASSERT_EQ(scalar.size(), 6u);
  for (uint32_t w : scalar) EXPECT_FALSE(is_vector_insn(w)) << std::hex << w;
}

}  // namespace
}  // namespace tiervm
