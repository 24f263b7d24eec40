// The op table (engine/ir_ops.inc) and what is generated from it: names, operand kinds,
// memory accesses and the printer.
#include <gtest/gtest.h>

#include <string>

#include "engine/ir.h"

namespace tiervm::test {
namespace {

uint64_t helper_returning_one(Hart&, uint64_t, uint64_t, uint64_t, int64_t) {
  return 1;
}

TEST(IrTable, DescribesLoadsAndStores) {
  EXPECT_STREQ(ir_op_name(IrOp::Load16S), "ld16s");
  EXPECT_EQ(ir_op_info(IrOp::Load16S).mem_bytes, 2);
  EXPECT_TRUE(ir_op_info(IrOp::Load16S).mem_signed);
  EXPECT_FALSE(ir_op_info(IrOp::Load32U).mem_signed);
  EXPECT_EQ(ir_op_info(IrOp::Load64).mem_bytes, 8);
  EXPECT_EQ(ir_op_info(IrOp::Store32).mem_bytes, 4);
  EXPECT_TRUE(ir_op_info(IrOp::Store32).store);
  EXPECT_FALSE(ir_op_info(IrOp::Store32).has(kIrDst));
  EXPECT_TRUE(ir_op_info(IrOp::Load8U).has(kIrDst));
  EXPECT_FALSE(ir_op_accesses_memory(IrOp::Call));
  unsigned memory_ops = 0;
  for (unsigned op = 0; op < static_cast<unsigned>(IrOp::Count); ++op) {
    memory_ops += ir_op_accesses_memory(static_cast<IrOp>(op)) ? 1 : 0;
  }
  EXPECT_EQ(memory_ops, 11u);
  EXPECT_STREQ(ir_op_name(IrOp::Count), "?");
}

// The printer shows the operands each op uses.
TEST(IrTable, PrinterShowsTheOperandsOfEachOp) {
  IrBlock block;
  IrBuilder b(block, {});
  b.begin_insn(0, 0x00a13423);  // sd a0, 8(sp)
  const uint8_t t = b.temp();
  b.op(IrOp::AddImm, t, IrBuilder::xr(10), 0, 1);
  b.op(IrOp::Xor, IrBuilder::xw(11), t, IrBuilder::xr(12));
  b.op(IrOp::Load64, IrBuilder::xw(12), IrBuilder::xr(11), 0, 8);
  b.op(IrOp::Store64, kSlotSink, IrBuilder::xr(2), IrBuilder::xr(10), 8);
  b.op(IrOp::Select, IrBuilder::xw(13), t, IrBuilder::xr(10), 0, IrBuilder::xr(11));
  b.mov_imm(IrBuilder::xw(10), -0x12345);
  b.call(&helper_returning_one, kSlotSink, t);
  b.branch(t, 8, 12);
  const std::string text = format_ir(block);
  EXPECT_NE(text.find("  t0 = addi a0, 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  a1 = xor t0, a2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  a2 = ld64 a1, 8\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  st64 sp, a0, 8\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  a3 = select t0, a0, a1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  a0 = movi 0xfffffffffffedcbb\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  _ = call t0, zero, zero, 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  branch t0 ? +8 : +12\n"), std::string::npos) << text;
}

// x0 reads as zero: the builder turns the idioms on it (li, mv, not...) into moves, and
// leaves every other op as it was given.
TEST(IrTable, OpsOnX0BecomeMoves) {
  using B = IrBuilder;
  const uint8_t zero = B::xr(0);
  const uint8_t a0 = B::xw(10);
  const uint8_t a1 = B::xr(11);
  struct Case {
    IrOp op;
    uint8_t a, b;
    int64_t imm;
    const char* text;
  };
  const Case cases[] = {
      {IrOp::AddImm, zero, 0, -5, "a0 = movi -5"},         // li a0, -5
      {IrOp::OrImm, zero, 0, 0x7ff, "a0 = movi 2047"},     // ori a0, zero, 2047
      {IrOp::XorImm, zero, 0, -1, "a0 = movi -1"},         // xori a0, zero, -1
      {IrOp::AndImm, zero, 0, -1, "a0 = movi 0"},          // andi a0, zero, -1
      {IrOp::AddWImm, zero, 0, -2048, "a0 = movi -2048"},  // addiw a0, zero, -2048
      {IrOp::AddImm, a1, 0, 0, "a0 = mov a1"},             // mv a0, a1
      {IrOp::XorImm, a1, 0, 0, "a0 = mov a1"},
      {IrOp::Add, zero, a1, 0, "a0 = mov a1"},  // c.mv a0, a1
      {IrOp::Add, a1, zero, 0, "a0 = mov a1"},
      {IrOp::Or, zero, a1, 0, "a0 = mov a1"},
      {IrOp::Xor, a1, zero, 0, "a0 = mov a1"},
      {IrOp::Sub, a1, zero, 0, "a0 = mov a1"},
      {IrOp::Mov, zero, 0, 0, "a0 = movi 0"},
      // Not idioms: kept.
      {IrOp::Sub, zero, a1, 0, "a0 = sub zero, a1"},  // neg a0, a1
      {IrOp::AddImm, a1, 0, 3, "a0 = addi a1, 3"},
      {IrOp::AndImm, a1, 0, 0, "a0 = andi a1, 0"},
      {IrOp::AddWImm, a1, 0, 0, "a0 = addwi a1, 0"},  // sext.w a0, a1
      {IrOp::Shl, zero, a1, 0, "a0 = shl zero, a1"},
  };
  for (const Case& c : cases) {
    IrBlock block;
    IrBuilder b(block, {});
    b.begin_insn(0, 0x00000013);
    b.op(c.op, a0, c.a, c.b, c.imm);
    b.jump(4);
    const std::string text = format_ir(block);
    EXPECT_NE(text.find(std::string("  ") + c.text + "\n"), std::string::npos)
        << ir_op_name(c.op) << ":\n"
        << text;
  }
}

}  // namespace
}  // namespace tiervm::test
