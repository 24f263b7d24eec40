// Every F and D row decodes the reference assembler's encoding of its instruction, with
// the operand fields in place, and no other row claims it.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "engine/decoder.h"
#include "tests/engine/asm_util.h"

namespace tiervm::test {
namespace {

// One instruction per F/D row, with varied registers, offsets and rounding modes.
const char* const kExamples[] = {
    "flw fa0, -8(sp)",
    "fld fs1, 2040(a5)",
    "fsw ft3, 12(a0)",
    "fsd fa7, -2048(t1)",
    "fmadd.s ft0, ft1, ft2, ft3, rne",
    "fmsub.s fa0, fa1, fa2, fa3, rtz",
    "fnmsub.s fs0, fs1, fs2, fs3, rdn",
    "fnmadd.s ft8, ft9, ft10, ft11, dyn",
    "fmadd.d fa0, fa1, fa2, fa3, rmm",
    "fmsub.d ft0, ft1, ft2, ft3, rup",
    "fnmsub.d fs4, fs5, fs6, fs7, dyn",
    "fnmadd.d fa4, fa5, fa6, fa7, rne",
    "fadd.s fa0, fa1, fa2, dyn",
    "fsub.s ft0, ft1, ft2, rtz",
    "fmul.s fs0, fs1, fs2, rdn",
    "fdiv.s fa5, fa6, fa7, rup",
    "fsqrt.s ft4, ft5, rmm",
    "fadd.d fa0, fa1, fa2, rne",
    "fsub.d ft0, ft1, ft2, dyn",
    "fmul.d fs0, fs1, fs2, rtz",
    "fdiv.d fa5, fa6, fa7, rdn",
    "fsqrt.d ft4, ft5, dyn",
    "fsgnj.s fa0, fa1, fa2",
    "fsgnjn.s fa0, fa1, fa2",
    "fsgnjx.s fa0, fa1, fa2",
    "fsgnj.d fa3, fa4, fa5",
    "fsgnjn.d fa3, fa4, fa5",
    "fsgnjx.d fa3, fa4, fa5",
    "fmin.s ft0, ft1, ft2",
    "fmax.s ft0, ft1, ft2",
    "fmin.d fs0, fs1, fs2",
    "fmax.d fs0, fs1, fs2",
    "fcvt.w.s a0, fa0, rtz",
    "fcvt.wu.s a1, fa1, dyn",
    "fcvt.l.s a2, fa2, rne",
    "fcvt.lu.s a3, fa3, rup",
    "fcvt.w.d t0, ft0, rdn",
    "fcvt.wu.d t1, ft1, rmm",
    "fcvt.l.d t2, ft2, dyn",
    "fcvt.lu.d s2, fs2, rtz",
    "fcvt.s.w fa0, a0, dyn",
    "fcvt.s.wu fa1, a1, rne",
    "fcvt.s.l fa2, a2, rtz",
    "fcvt.s.lu fa3, a3, rdn",
    "fcvt.d.w ft0, t0",
    "fcvt.d.wu ft1, t1",
    "fcvt.d.l ft2, t2, rup",
    "fcvt.d.lu fs2, s2, dyn",
    "fcvt.s.d fa0, fa1, dyn",
    "fcvt.d.s fa2, fa3",
    "fmv.x.w a0, fa0",
    "fmv.w.x fa1, a1",
    "fmv.x.d t0, ft0",
    "fmv.d.x ft1, t1",
    "feq.s a0, fa0, fa1",
    "flt.s a1, fa2, fa3",
    "fle.s a2, fa4, fa5",
    "feq.d t0, ft0, ft1",
    "flt.d t1, ft2, ft3",
    "fle.d t2, ft4, ft5",
    "fclass.s a0, fa0",
    "fclass.d a1, fa1",
};

std::string mnemonic(const std::string& line) {
  return line.substr(0, line.find(' '));
}

TEST(FpDecode, EveryRowDecodesItsAssembledExample) {
  std::vector<std::string> lines(std::begin(kExamples), std::end(kExamples));
  const std::vector<uint32_t> words = assemble(lines);
  ASSERT_EQ(words.size(), lines.size()) << "assembler failed";
  std::set<std::string> covered;
  for (size_t i = 0; i < lines.size(); ++i) {
    const DecodedInsn d = decode(words[i]);
    ASSERT_NE(d.def, nullptr) << lines[i] << " did not decode";
    EXPECT_EQ(std::string(d.def->name), mnemonic(lines[i])) << lines[i];
    covered.insert(d.def->name);
  }
  // The table has exactly these rows: one per RV64F/RV64D instruction.
  std::set<std::string> rows;
  for (const InsnDef& def : fp_insns()) {
    EXPECT_EQ(std::string(def.pattern).size(), 32u) << def.name;
    rows.insert(def.name);
  }
  EXPECT_EQ(rows.size(), std::size(kExamples));
  EXPECT_EQ(rows, covered);
}

TEST(FpDecode, FieldsLandInTheDecodedInsn) {
  const auto w = assemble({"fnmadd.d fa4, fa5, fa6, fa7, rup", "fsd fa7, -2048(t1)",
                           "flw fa0, -8(sp)", "fcvt.s.lu fa3, a3, rdn"});
  ASSERT_EQ(w.size(), 4u);
  const DecodedInsn fma = decode(w[0]);
  EXPECT_EQ(fma.rd, 14);
  EXPECT_EQ(fma.rs1, 15);
  EXPECT_EQ(fma.rs2, 16);
  EXPECT_EQ(fma.rs3, 17);
  EXPECT_EQ(fma.rm, 3);
  const DecodedInsn store = decode(w[1]);
  EXPECT_EQ(store.rs1, 6);
  EXPECT_EQ(store.rs2, 17);
  EXPECT_EQ(store.imm, -2048);
  const DecodedInsn load = decode(w[2]);
  EXPECT_EQ(load.rd, 10);
  EXPECT_EQ(load.rs1, 2);
  EXPECT_EQ(load.imm, -8);
  const DecodedInsn cvt = decode(w[3]);
  EXPECT_EQ(cvt.rm, 2);
  EXPECT_EQ(cvt.rs1, 13);
}

}  // namespace
}  // namespace tiervm::test
