#include "engine/ir_verify.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/decoder.h"
#include "engine/jit/llvm_backend.h"
#include "engine/translator.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

// Every test of this program verifies the IR it translates and lowers, although the tests
// are built without assertions (engine/ir_verify.h).
class VerifyIrEverywhere : public ::testing::Environment {
 public:
  void SetUp() override { set_ir_verification(true); }
};
[[maybe_unused]] ::testing::Environment* const kVerifyIrEverywhere =
    ::testing::AddGlobalTestEnvironment(new VerifyIrEverywhere);

uint64_t helper_returning_one(Hart&, uint64_t, uint64_t, uint64_t, int64_t) {
  return 1;
}

constexpr uint8_t kT0 = kSlotTemp0;
constexpr uint8_t kT1 = kSlotTemp0 + 1;

// Two guest instructions, as the builder makes them: `t0 = a0 + 1; a1 = t0 ^ a2`, then
// `ld64 a2, [a1 + 8]; t0 = a2 < 0; branch t0`.
IrBlock valid_block() {
  IrBlock block;
  IrBuilder b(block, {});
  b.begin_insn(0, 0x00000013);
  const uint8_t t = b.temp();
  b.op(IrOp::AddImm, t, IrBuilder::xr(10), 0, 1);
  b.op(IrOp::Xor, IrBuilder::xw(11), t, IrBuilder::xr(12));
  b.begin_insn(4, 0x00000013);
  b.op(IrOp::Load64, IrBuilder::xw(12), IrBuilder::xr(11), 0, 8);
  const uint8_t c = b.temp();
  b.op(IrOp::LtImm, c, IrBuilder::xr(12), 0, 0);
  b.call(&helper_returning_one, kSlotSink, c);
  b.branch(c, 8, 12);
  return block;
}

TEST(IrVerify, AcceptsAWellFormedBlock) {
  EXPECT_EQ(verify_block(valid_block()), "");
}

struct Malformed {
  const char* what;
  std::function<void(IrBlock&)> spoil;
  const char* report;  // a part of verify_block's report
};

TEST(IrVerify, ReportsEachMalformedBlock) {
  const Malformed cases[] = {
      {"temporary read before written", [](IrBlock& b) { b.insns[0].a = kT1; },
       "before it is written"},
      {"temporary of an earlier instruction", [](IrBlock& b) { b.insns[2].a = kT0; },
       "reads temporary t0 before it is written"},
      {"no terminator", [](IrBlock& b) { b.exit = {}; }, "no terminator"},
      {"slot out of range", [](IrBlock& b) { b.insns[1].b = kSlotCount + 3; }, "out of range"},
      {"result out of range", [](IrBlock& b) { b.insns[0].dst = 200; }, "out of range"},
      {"reads the sink", [](IrBlock& b) { b.insns[1].b = kSlotSink; }, "reads the sink slot"},
      {"writes x0", [](IrBlock& b) { b.insns[1].dst = kSlotX0; }, "writes x0"},
      {"store with a result", [](IrBlock& b) { b.insns[2].op = IrOp::Store64; }, "no result"},
      {"unknown op", [](IrBlock& b) { b.insns[0].op = IrOp::Count; }, "unknown op"},
      {"call without helper", [](IrBlock& b) { b.insns[4].helper = nullptr; }, "call without"},
      {"helper on an alu op", [](IrBlock& b) { b.insns[0].helper = &helper_returning_one; },
       "not a call"},
      {"guest index out of range", [](IrBlock& b) { b.insns[4].guest_index = 2; },
       "index out of range"},
      {"guest index going back", [](IrBlock& b) { b.insns[4].guest_index = 0; }, "goes back"},
      {"branch on an unwritten temporary", [](IrBlock& b) { b.exit.cond = kT1; },
       "branch condition reads temporary t1"},
      {"indirect to the sink",
       [](IrBlock& b) {
         b.exit.kind = IrExit::Indirect;
         b.exit.target = kSlotSink;
       },
       "indirect target reads the sink"},
      {"trap index out of range",
       [](IrBlock& b) {
         b.exit.kind = IrExit::Trap;
         b.exit.trap_index = 5;
       },
       "out of range"},
      {"no guest instruction",
       [](IrBlock& b) {
         b.insns.clear();
         b.guest_offsets.clear();
         b.guest_words.clear();
       },
       "no guest instruction"},
      {"a translation error", [](IrBlock& b) { b.error = "emitter bug"; }, "emitter bug"},
  };
  for (const Malformed& c : cases) {
    IrBlock block = valid_block();
    c.spoil(block);
    const std::string report = verify_block(block);
    EXPECT_NE(report.find(c.report), std::string::npos)
        << c.what << ": got \"" << report << "\" for\n"
        << format_ir(block);
  }
}

// Running out of temporaries is an error, not a silently reused slot.
TEST(IrVerify, RunningOutOfTemporariesIsAnError) {
  IrBlock block;
  block.start_pc = kRamBase;
  IrBuilder b(block, {});
  b.begin_insn(0, 0x00108093);  // addi ra, ra, 1
  std::vector<uint8_t> temps;
  temps.reserve(kSlotSink - kSlotTemp0);
  for (unsigned n = 0; n < kSlotSink - kSlotTemp0; ++n) temps.push_back(b.temp());
  EXPECT_FALSE(b.out_of_temps());
  EXPECT_EQ(block.error, "");
  EXPECT_EQ(temps.back(), kSlotSink - 1);
  EXPECT_EQ(b.temp(), kSlotSink);  // nothing outside the slots is touched
  EXPECT_TRUE(b.out_of_temps());
  EXPECT_EQ(block.error,
            "the IR of `addi ra, ra, 1` at pc 0x80000000 needs more than 63 temporaries");
  b.jump(4);
  EXPECT_NE(verify_block(block).find("needs more than 63 temporaries"), std::string::npos);
  // The next guest instruction has all its temporaries again.
  b.begin_insn(4, 0x00108093);
  EXPECT_EQ(b.temp(), kSlotTemp0);
}

// Words matching each decoder row (don't-care bits from `fill`) and every 16-bit parcel.
std::vector<uint32_t> sample_words(unsigned per_row) {
  std::vector<uint32_t> words;
  std::mt19937 rng(42);
  for (const InsnDef* def : decoder_table()) {
    const PatternBits pb = pattern_bits(def->pattern);
    for (unsigned n = 0; n < per_row; ++n) {
      const uint32_t fill = n == 0 ? 0u : n == 1 ? ~0u : static_cast<uint32_t>(rng());
      words.push_back(pb.match | (fill & ~pb.mask));
    }
  }
  return words;
}

// One instruction followed by `j .`, translated at the RAM base.
std::unique_ptr<IrBlock> translate_one(TestMachine& m, uint32_t word, TranslateFlags flags) {
  if ((word & 3) == 3) {
    m.put({word, kJumpSelf});
  } else {
    m.put16({static_cast<uint16_t>(word), kJumpSelf & 0xffff, kJumpSelf >> 16});
  }
  return translate_block(m.hart, kRamBase, kRamBase, flags);
}

// The translator's IR for every instruction of the decoder table (and every compressed
// parcel, legal or not) is well-formed, with FP on and off.
TEST(IrVerify, TranslationOfEveryInstructionIsValid) {
  TestMachine m;
  std::vector<uint32_t> words = sample_words(16);
  for (uint32_t half = 0; half < 0x10000; ++half) {
    if ((half & 3) != 3) words.push_back(half);
  }
  for (uint32_t word : words) {
    for (bool fp : {true, false}) {
      const std::unique_ptr<IrBlock> block = translate_one(m, word, {fp});
      const std::string report = verify_block(*block);
      ASSERT_EQ(report, "") << disassemble(word, kRamBase) << " (" << std::hex << word << "), fp "
                            << fp << ":\n"
                            << format_ir(*block);
    }
  }
}

// Every instruction's block lowers to LLVM IR that llvm::verifyFunction accepts.
TEST(IrVerify, LoweringOfEveryInstructionIsValid) {
  ASSERT_TRUE(ir_verification());
  TestMachine m;
  std::vector<std::unique_ptr<IrBlock>> blocks;
  for (uint32_t word : sample_words(4)) blocks.push_back(translate_one(m, word, {true}));
  LlvmBackend backend;
  constexpr size_t kBatch = 128;
  for (size_t first = 0; first < blocks.size(); first += kBatch) {
    std::vector<JitJob> jobs;
    for (size_t n = first; n < blocks.size() && n < first + kBatch; ++n) {
      JitJob job;
      job.members.push_back({blocks[n].get(), nullptr, nullptr});
      jobs.push_back(job);
    }
    std::string error;
    const std::vector<JitResult> results = backend.compile(jobs, JitOptLevel::Fast, error);
    ASSERT_EQ(error, "");
    for (size_t n = 0; n < results.size(); ++n) {
      EXPECT_NE(results[n].fn, nullptr) << format_ir(*jobs[n].members[0].block);
    }
    for (const JitResult& r : results) backend.release(r.module);
  }
}

}  // namespace
}  // namespace tiervm::test
