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

}  // namespace
}  // namespace tiervm::test
