// The baseline tier (engine/jit/baseline_compiler.h) one stencil family at a time: every
// block is compiled by copy-and-patch, run from a TestMachine's hart, and compared with
// interpret_block run on an identical machine from the same state. The interpreter is the
// oracle; no expected value here comes from the code under test.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "engine/hart.h"
#include "engine/interpreter.h"
#include "engine/ir.h"
#include "engine/ir_verify.h"
#include "engine/jit/baseline_compiler.h"
#include "tests/engine/baseline_fixture.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

// Register values at the edges of the ops' semantics: signs, 32-bit boundaries, shift
// amounts below, at and above the 5- and 6-bit masks.
constexpr uint64_t kValues[] = {0,
                                1,
                                2,
                                kAllOnes,
                                ~uint64_t{1},
                                kI64Min,
                                kI64Max,
                                0x7fff'ffff,
                                0x8000'0000,
                                0xffff'ffff,
                                0xffff'ffff'8000'0000,
                                0x1'0000'0000,
                                0x1234'5678'9abc'def0,
                                31,
                                32,
                                63,
                                64,
                                65};

// Immediates that do and do not fit a sign-extended 32-bit field, of both signs.
constexpr int64_t kImms[] = {0,
                             1,
                             -1,
                             -8,
                             31,
                             32,
                             33,
                             63,
                             64,
                             0x7fff'ffff,
                             0x8000'0000,
                             0xffff'ffff,
                             -0x8000'0000LL,
                             -0x8000'0001LL,
                             0x1'2345'6789,
                             static_cast<int64_t>(kI64Min),
                             static_cast<int64_t>(kI64Max)};

std::string describe(IrOp op, uint64_t a, uint64_t b, uint64_t c, int64_t imm) {
  return std::string(ir_op_name(op)) + " a=" + hex(a) + " b=" + hex(b) + " c=" + hex(c) +
         " imm=" + hex(static_cast<uint64_t>(imm));
}

// ---- ALU ops: every op of engine/ir_ops.inc that is not a load, store, call or pcrel.

// One guest instruction per way a stencil can see its operands: distinct slots, the result
// over operand a, over operand b, a == b == c, a temporary result, and float slots.
IrBlock alu_block(IrOp op, int64_t imm) {
  BlockMaker m;
  m.begin();
  m.ir.op(op, X(10), X(11), X(12), imm, X(13));
  m.begin();
  m.ir.op(op, X(14), X(14), X(12), imm, X(13));
  m.begin();
  m.ir.op(op, X(15), X(11), X(15), imm, X(13));
  m.begin();
  m.ir.op(op, X(16), X(11), X(11), imm, X(11));
  m.begin();
  const uint8_t t = m.ir.temp();
  m.ir.op(op, t, X(11), X(12), imm, X(13));
  m.ir.op(IrOp::Mov, X(17), t);
  m.begin();
  m.ir.op(op, F(5), F(1), F(2), imm, F(3));
  m.ir.ret(m.offset);
  return std::move(m.block);
}

Start alu_start(uint64_t a, uint64_t b, uint64_t c) {
  Start s;
  s.slots = {{X(11), a}, {X(12), b}, {X(13), c}, {X(14), a},
             {X(15), b}, {F(1), a},  {F(2), b},  {F(3), c}};
  return s;
}

using BaselineAlu = BaselineFixture;

TEST_F(BaselineAlu, EveryOpMatchesTheInterpreterOnEdgeOperands) {
  unsigned ops = 0;
  for (unsigned k = 0; k < static_cast<unsigned>(IrOp::Count); ++k) {
    const IrOp op = static_cast<IrOp>(k);
    if (ir_op_accesses_memory(op) || ir_op_calls_helper(op) || op == IrOp::PcRel) continue;
    ++ops;
    const IrOpInfo& info = ir_op_info(op);
    const std::vector<int64_t> imms = info.has(kIrImm)
                                          ? std::vector<int64_t>(std::begin(kImms), std::end(kImms))
                                          : std::vector<int64_t>{0};
    const std::vector<uint64_t> all(std::begin(kValues), std::end(kValues));
    const std::vector<uint64_t> as = info.has(kIrA) ? all : std::vector<uint64_t>{0x1234};
    const std::vector<uint64_t> bs = info.has(kIrB) ? all : std::vector<uint64_t>{0x5678};
    const std::vector<uint64_t> cs = info.has(kIrC) ? all : std::vector<uint64_t>{0x9abc};
    for (int64_t imm : imms) {
      const IrBlock block = alu_block(op, imm);
      const JitFn fn = compile(block);
      if (fn == nullptr) continue;
      unsigned failures = 0;
      for (uint64_t a : as) {
        for (uint64_t b : bs) {
          for (uint64_t c : cs) {
            const std::string d = compare(block, fn, alu_start(a, b, c));
            if (!d.empty() && ++failures <= 3) {
              ADD_FAILURE() << describe(op, a, b, c, imm) << "\n" << d << format_ir(block);
            }
          }
        }
      }
      if (failures > 3) ADD_FAILURE() << describe(op, 0, 0, 0, imm) << ": " << failures << " runs";
    }
  }
  EXPECT_GT(ops, 60u);  // the table above really walked the op list
}

using BaselineMovImm = BaselineFixture;

TEST_F(BaselineMovImm, SixtyFourBitImmediates) {
  const int64_t imms[] = {0,
                          -1,
                          0x7fff'ffff,
                          0x8000'0000,
                          0xffff'ffff,
                          0x1'0000'0000,
                          static_cast<int64_t>(0xffff'ffff'8000'0000),
                          static_cast<int64_t>(0x8000'0000'0000'0001),
                          0x1234'5678'9abc'def0,
                          static_cast<int64_t>(0xfedc'ba98'7654'3210)};
  BlockMaker m;
  unsigned reg = 1;
  for (int64_t imm : imms) {
    m.begin();
    m.ir.mov_imm(X(reg++), imm);
  }
  m.ir.ret(m.offset);
  const JitFn fn = compile(m.block);
  EXPECT_EQ(compare(m.block, fn, {}), "") << format_ir(m.block);
  // The interpreter agrees with the literal values (the test would otherwise only compare
  // the tiers with each other).
  const Outcome want = interpret(m.block, {});
  for (unsigned k = 0; k < std::size(imms); ++k) {
    EXPECT_EQ(want.regs[X(k + 1)], static_cast<uint64_t>(imms[k]));
  }
}

using BaselinePcRel = BaselineFixture;

TEST_F(BaselinePcRel, IsRelativeToTheBlockPcAtEveryGuestInstruction) {
  const uint64_t pcs[] = {kRamBase, 0x1000, 0x7fff'ffff'f000, 0xffff'ffff'8000'0000,
                          0xffff'ffff'ffff'f000};
  for (int64_t imm : kImms) {
    BlockMaker m;
    m.begin();
    m.ir.op(IrOp::PcRel, X(10), 0, 0, imm);
    m.begin(2);
    m.ir.op(IrOp::PcRel, X(11), 0, 0, imm);
    m.begin();
    const uint8_t t = m.ir.temp();
    m.ir.op(IrOp::PcRel, t, 0, 0, imm);
    m.ir.op(IrOp::Mov, X(12), t);
    m.ir.jump(m.offset);
    const JitFn fn = compile(m.block);
    for (uint64_t pc : pcs) {
      Start s;
      s.pc = pc;
      EXPECT_EQ(compare(m.block, fn, s), "") << "pc " << hex(pc) << "\n" << format_ir(m.block);
    }
  }
}

// ---- Loads and stores.

constexpr IrOp kLoads[] = {IrOp::Load8S,  IrOp::Load8U,  IrOp::Load16S, IrOp::Load16U,
                           IrOp::Load32S, IrOp::Load32U, IrOp::Load64};
constexpr IrOp kStores[] = {IrOp::Store8, IrOp::Store16, IrOp::Store32, IrOp::Store64};

// Where a `bytes`-wide access goes: TLB-hit accesses aligned and not, one that straddles
// two mapped pages (slow path), one that runs off the end of RAM, unmapped addresses and
// one that wraps around the top of the address space.
struct Where {
  const char* what;
  uint64_t addr;
  bool may_trap;
};
std::vector<Where> addresses(unsigned bytes) {
  std::vector<Where> w = {{"aligned, TLB hit", kPageA + 8, false},
                          {"misaligned in the page, TLB hit", kPageA + 17, false},
                          {"last bytes of the page, TLB hit", kPageB - bytes, false},
                          {"past the end of RAM", kRamEnd, true},
                          {"unmapped", 0x1000, true},
                          {"at the top of the address space", 0 - uint64_t{bytes}, true}};
  if (bytes > 1) {
    w.push_back({"straddles two pages", kPageB - bytes / 2, false});
    w.push_back({"straddles the end of RAM", kRamEnd - bytes / 2, true});
    w.push_back({"wraps around the address space", 0 - uint64_t{bytes / 2}, true});
  }
  return w;
}

// How an access names its operands: distinct registers; the loaded register or the stored
// value is the base register; the address in the immediate alone (base x0).
enum class Operands { Distinct, Aliased, Absolute };

// Guest instruction 0 writes a register; 1 is the access, base + imm; 2 writes another.
IrBlock access_block(IrOp op, int64_t imm, Operands form) {
  const uint8_t base = form == Operands::Absolute ? X(0) : X(11);
  const uint8_t other = form == Operands::Aliased    ? X(11)
                        : form == Operands::Distinct ? X(12)
                                                     : X(10);
  BlockMaker m;
  m.begin();
  m.ir.op(IrOp::AddImm, X(20), X(20), 0, 5);
  m.begin(2);
  if (ir_op_info(op).store) {
    m.ir.op(op, kSlotSink, base, other, imm);
  } else {
    m.ir.op(op, form == Operands::Distinct ? X(10) : other, base, 0, imm);
  }
  m.begin();
  m.ir.op(IrOp::AddImm, X(21), X(21), 0, 7);
  m.ir.jump(m.offset);
  return std::move(m.block);
}

void check_access(BaselineFixture& f, IrOp op, int64_t imm, Operands form, const Where& w, JitFn fn,
                  const IrBlock& block) {
  for (uint64_t value : {0x8182'8384'8586'8788ull, 0x0102'0304'0506'0708ull}) {
    Start s = memory_start();
    s.slots = {{X(11), w.addr - static_cast<uint64_t>(imm)}, {X(12), value}, {X(10), ~value}};
    EXPECT_EQ(f.compare(block, fn, s), "")
        << ir_op_name(op) << " " << w.what << " at " << hex(w.addr) << " imm " << imm
        << " operands " << static_cast<int>(form) << "\n"
        << format_ir(block);
    if (!w.may_trap) {
      EXPECT_EQ(f.interpret(block, s).status, kJitContinue) << w.what;
    }
  }
}

void check_accesses(BaselineFixture& f, IrOp op) {
  const unsigned bytes = ir_op_info(op).mem_bytes;
  const int64_t imms[] = {0, -8, 0x7ff, 0x1'2345'6789, -0x8000'0001LL};
  for (int64_t imm : imms) {
    for (Operands form : {Operands::Distinct, Operands::Aliased}) {
      const IrBlock block = access_block(op, imm, form);
      const JitFn fn = f.compile(block);
      for (const Where& w : addresses(bytes)) check_access(f, op, imm, form, w, fn, block);
    }
  }
  for (const Where& w : addresses(bytes)) {
    const int64_t imm = static_cast<int64_t>(w.addr);
    const IrBlock block = access_block(op, imm, Operands::Absolute);
    check_access(f, op, 0, Operands::Absolute, w, f.compile(block), block);
  }
}

using BaselineLoad = BaselineFixture;

TEST_F(BaselineLoad, EveryWidthAndSignHitsStraddlesAndFaultsLikeTheInterpreter) {
  for (IrOp op : kLoads) check_accesses(*this, op);
}

TEST_F(BaselineLoad, UnmappedAddressTrapsPreciselyWithTheAccessFault) {
  // The spec's outcome (priv spec 3.7: access fault, mtval = the address), so the
  // comparison above is known to cover a real trap.
  const IrBlock block = access_block(IrOp::Load32S, 0, Operands::Distinct);
  const JitFn fn = compile(block);
  Start s;
  s.slots = {{X(11), 0x1000}};
  const Outcome got = run_compiled(fn, s);
  EXPECT_EQ(got.status, kJitTrap);
  EXPECT_EQ(got.pc, kRamBase + 4);
  EXPECT_EQ(got.instret, s.instret + 1);
  EXPECT_EQ(got.mcause, static_cast<uint64_t>(Cause::LoadAccess));
  EXPECT_EQ(got.mtval, 0x1000u);
  EXPECT_EQ(got.regs[X(10)], pattern(X(10)));  // the load did not write its register
  EXPECT_EQ(got.regs[X(20)], pattern(X(20)) + 5);
  EXPECT_EQ(got.regs[X(21)], pattern(X(21)));
  EXPECT_EQ(compare(block, fn, s), "");
}

using BaselineStore = BaselineFixture;

TEST_F(BaselineStore, EveryWidthHitsStraddlesAndFaultsLikeTheInterpreter) {
  for (IrOp op : kStores) check_accesses(*this, op);
}

TEST_F(BaselineStore, StoreThenLoadInOneBlock) {
  for (IrOp store : kStores) {
    for (IrOp load : kLoads) {
      BlockMaker m;
      m.begin();
      m.ir.op(store, kSlotSink, X(11), X(12), 3);
      m.begin();
      m.ir.op(load, X(10), X(11), 0, 3);
      m.ir.ret(m.offset);
      const JitFn fn = compile(m.block);
      for (uint64_t base : {kPageA, kPageB - 4}) {
        Start s = memory_start();
        s.slots = {{X(11), base}, {X(12), 0xf0e1'd2c3'b4a5'9687}};
        EXPECT_EQ(compare(m.block, fn, s), "") << format_ir(m.block);
      }
    }
  }
}

// ---- Calls.

uint64_t helper_mix(Hart& hart, uint64_t a, uint64_t b, uint64_t c, int64_t imm) {
  // Reads the state compiled code must have stored before the call.
  hart.s.fflags |= 1;
  hart.s.mscratch = a ^ c;
  return (a * 3 + b) ^ (c << 1) ^ static_cast<uint64_t>(imm) ^ hart.s.pc ^ (hart.s.instret << 7);
}

uint64_t helper_trap(Hart& hart, uint64_t a, uint64_t, uint64_t, int64_t imm) {
  hart.s.raise(make_trap(Cause::IllegalInsn, a + static_cast<uint64_t>(imm)));
  return 0xdead;
}

using BaselineCall = BaselineFixture;

TEST_F(BaselineCall, HelperResultArgumentsAndStateMatchTheInterpreter) {
  for (int64_t imm : kImms) {
    BlockMaker m;
    m.begin();
    m.ir.op(IrOp::AddImm, X(5), X(5), 0, 1);
    m.begin();
    m.ir.call(&helper_mix, X(10), X(11), X(12), X(13), imm);
    m.begin();
    const uint8_t t = m.ir.temp();
    m.ir.call(&helper_mix, t, X(10), X(10), X(11), imm);
    m.ir.op(IrOp::Add, X(14), t, X(10));
    m.ir.call(&helper_mix, kSlotSink, t, X(14), X(12), 0);
    m.ir.jump(m.offset);
    const JitFn fn = compile(m.block);
    for (uint64_t a : {uint64_t{0}, kAllOnes, kI64Min, uint64_t{0x1234'5678'9abc}}) {
      Start s;
      s.slots = {{X(11), a}, {X(12), ~a}, {X(13), a * 7}};
      EXPECT_EQ(compare(m.block, fn, s), "") << "imm " << imm << "\n" << format_ir(m.block);
    }
  }
}

TEST_F(BaselineCall, HelperThatRaisesTrapsAtItsInstruction) {
  for (unsigned at = 0; at < 3; ++at) {
    BlockMaker m;
    for (unsigned k = 0; k < 3; ++k) {
      m.begin(k == 1 ? 2 : 4);
      if (k == at) {
        m.ir.call(&helper_trap, X(10), X(11), 0, 0, 0x10);
      } else {
        m.ir.op(IrOp::AddImm, X(20 + k), X(20 + k), 0, 1);
      }
    }
    m.ir.jump(m.offset);
    const JitFn fn = compile(m.block);
    Start s;
    s.slots = {{X(11), 0x4000}};
    EXPECT_EQ(compare(m.block, fn, s), "") << format_ir(m.block);
    const Outcome want = interpret(m.block, s);
    EXPECT_EQ(want.status, kJitTrap);
    EXPECT_EQ(want.mcause, static_cast<uint64_t>(Cause::IllegalInsn));
    EXPECT_EQ(want.mtval, 0x4010u);
  }
}

// ---- FP ops: the host-FPU fast path in their out-of-line body, the helper when the host
// cannot give the exact result, and a trap raised by the helper.

// Stands in for an FP op's soft-float helper: a result and a flag the host FPU never gives,
// and an illegal-instruction trap for the reserved rounding mode 5 (as the real helpers).
uint64_t helper_fp(Hart& hart, uint64_t a, uint64_t b, uint64_t c, int64_t imm) {
  if ((imm & 7) == 5) {
    hart.s.raise(make_trap(Cause::IllegalInsn, static_cast<uint64_t>(imm) >> 3));
    return 0;
  }
  hart.s.fflags |= 0x10;
  return a ^ (b << 1) ^ (c << 2) ^ static_cast<uint64_t>(imm) ^ 0x5151;
}

using BaselineFp = BaselineFixture;

TEST_F(BaselineFp, FastPathHelperAndTrapMatchTheInterpreter) {
  auto d = [](double v) { return std::bit_cast<uint64_t>(v); };
  auto f = [](float v) { return uint64_t{std::bit_cast<uint32_t>(v)} | 0xffff'ffff'0000'0000; };
  // Normal, zero, subnormal, NaN and overflowing operands: the fast path takes only some.
  const std::pair<uint64_t, uint64_t> doubles[] = {
      {d(1.5), d(-2.25)},   {d(0.0), d(3.0)}, {1, d(1.0)}, {d(1.0), 0x7ff8'0000'0000'0000},
      {d(1e308), d(1e308)}, {d(2.0), d(2.0)}};
  const std::pair<uint64_t, uint64_t> singles[] = {
      {f(1.5f), f(-2.25f)}, {f(1e38f), f(1e38f)}, {f(1.0f), 0x3f80'0000}};  // unboxed
  const std::pair<IrOp, bool> ops[] = {
      {IrOp::FAddD, true}, {IrOp::FSubD, true},  {IrOp::FMulD, true},
      {IrOp::FDivD, true}, {IrOp::FSqrtD, true}, {IrOp::FLtD, true},
      {IrOp::FEqD, true},  {IrOp::FMulS, false}, {IrOp::FLeS, false}};
  unsigned fast = 0;
  for (const auto& [op, is_double] : ops) {
    // The rounding mode in the low 3 bits (RNE, dynamic, RTZ, reserved) under instruction
    // bits, one immediate beyond 32 bits.
    for (int64_t insn : {int64_t{0x0200'0053}, int64_t{0x1200'0053}}) {
      for (int64_t rm : {0, 7, 1, 5}) {
        const int64_t imm = insn << 3 | rm;
        BlockMaker m;
        m.begin();
        m.ir.op(IrOp::AddImm, X(5), X(5), 0, 1);
        m.begin(2);
        m.ir.fp(op, &helper_fp, F(4), F(1), F(2), imm);
        m.begin();
        m.ir.fp(op, &helper_fp, F(5), F(4), F(1), imm);
        m.ir.jump(m.offset);
        const JitFn fn = compile(m.block);
        for (const auto& [a, b] : is_double ? std::vector(std::begin(doubles), std::end(doubles))
                                            : std::vector(std::begin(singles), std::end(singles))) {
          for (uint32_t fflags : {0u, 1u}) {
            for (uint32_t frm : {0u, 2u}) {
              Start s;
              s.slots = {{F(1), a}, {F(2), b}};
              s.fflags = fflags;
              s.frm = frm;
              const Outcome want = interpret(m.block, s);
              fast += want.status == kJitContinue && (want.fflags & 0x10) == 0;
              EXPECT_EQ(compare(m.block, fn, s), "")
                  << describe(op, a, b, 0, imm) << " fflags " << fflags << " frm " << frm << "\n"
                  << format_ir(m.block);
            }
          }
        }
      }
    }
  }
  EXPECT_GT(fast, 50u);  // the host FPU's path really ran
}

// ---- Exits.

using BaselineExit = BaselineFixture;

// A block of three guest instructions (4, 2 and 4 bytes) that writes registers, then `end`.
template <typename End>
IrBlock exit_block(End end, uint64_t pc = kRamBase) {
  BlockMaker m(pc);
  m.begin();
  m.ir.op(IrOp::AddImm, X(20), X(20), 0, 1);
  m.begin(2);
  m.ir.op(IrOp::Xor, X(21), X(21), X(20));
  m.begin();
  m.ir.op(IrOp::Mov, X(22), X(5));
  end(m.ir);
  return std::move(m.block);
}

// Every way to compile an exit's edges: through chain slots (empty: they return to the
// dispatcher) or through the dispatcher's lookup.
struct SlotChoice {
  bool taken;
  bool fall;
};
constexpr SlotChoice kSlotChoices[] = {{false, false}, {true, false}, {false, true}, {true, true}};

TEST_F(BaselineExit, JumpToEveryOffset) {
  // Offsets as far as jal reaches (±1 MiB).
  for (int64_t off : {int64_t{10}, int64_t{0}, int64_t{-4}, int64_t{0x800}, int64_t{0xffffe},
                      int64_t{-0x100000}}) {
    const IrBlock block = exit_block([&](IrBuilder& ir) { ir.jump(off); });
    for (const SlotChoice& c : kSlotChoices) {
      ChainSlot taken;
      const JitFn fn = compile(block, c.taken ? &taken : nullptr);
      // A jump to itself with a chain slot is a self-loop: the limit ends it after the one
      // pass the interpreter runs.
      Start s;
      if (off == 0) s.instret_limit = s.instret + block.guest_count();
      EXPECT_EQ(compare(block, fn, s), "") << "offset " << off << "\n" << format_ir(block);
    }
  }
}

TEST_F(BaselineExit, BranchTakenAndNotTaken) {
  for (uint64_t cond :
       {uint64_t{0}, uint64_t{1}, kAllOnes, kI64Min, uint64_t{0x1'0000'0000}, uint64_t{0x100}}) {
    const IrBlock block = exit_block([](IrBuilder& ir) { ir.branch(IrBuilder::xr(5), -8, 10); });
    for (const SlotChoice& c : kSlotChoices) {
      ChainSlot taken, fall;
      const JitFn fn = compile(block, c.taken ? &taken : nullptr, c.fall ? &fall : nullptr);
      Start s;
      s.slots = {{X(5), cond}};
      EXPECT_EQ(compare(block, fn, s), "")
          << "cond " << hex(cond) << " slots " << c.taken << c.fall << "\n"
          << format_ir(block);
    }
  }
}

TEST_F(BaselineExit, BranchOnATemporaryAndOnX0) {
  for (uint64_t v : {uint64_t{0}, uint64_t{3}}) {
    BlockMaker m;
    m.begin();
    const uint8_t t = m.ir.temp();
    m.ir.op(IrOp::AndImm, t, X(5), 0, 2);
    m.ir.branch(t, 0x40, 4);
    const JitFn fn = compile(m.block);
    Start s;
    s.slots = {{X(5), v}};
    EXPECT_EQ(compare(m.block, fn, s), "") << format_ir(m.block);
  }
  const IrBlock never = exit_block([](IrBuilder& ir) { ir.branch(IrBuilder::xr(0), 0x40, 10); });
  EXPECT_EQ(compare(never, compile(never), {}), "") << format_ir(never);
}

TEST_F(BaselineExit, IndirectToTheTargetRegister) {
  for (uint64_t target :
       {kRamBase + 0x100, uint64_t{0}, uint64_t{0x1234'5678'9abe}, kAllOnes - 1, kRamBase + 2}) {
    const IrBlock block = exit_block([](IrBuilder& ir) { ir.indirect(IrBuilder::xr(5)); });
    const JitFn fn = compile(block);
    Start s;
    s.slots = {{X(5), target}};
    EXPECT_EQ(compare(block, fn, s), "") << hex(target) << "\n" << format_ir(block);
  }
  // A target computed by the block's last instruction, in a temporary.
  BlockMaker m;
  m.begin();
  const uint8_t t = m.ir.temp();
  m.ir.op(IrOp::AddImm, t, X(5), 0, -3);
  m.ir.op(IrOp::AndImm, t, t, 0, -2);
  m.ir.indirect(t);
  const JitFn fn = compile(m.block);
  Start s;
  s.slots = {{X(5), kRamBase + 0x203}};
  EXPECT_EQ(compare(m.block, fn, s), "") << format_ir(m.block);
}

TEST_F(BaselineExit, ReturnToTheDispatcher) {
  for (int64_t off : {int64_t{10}, int64_t{0}, int64_t{-2}, int64_t{0x1000}}) {
    const IrBlock block = exit_block([&](IrBuilder& ir) { ir.ret(off); });
    const JitFn fn = compile(block);
    EXPECT_EQ(compare(block, fn, {}), "") << format_ir(block);
  }
}

TEST_F(BaselineExit, TrapAtEachGuestInstruction) {
  for (unsigned count = 1; count <= 3; ++count) {
    for (uint64_t tval : {uint64_t{0}, uint64_t{0xdead'beef}, kAllOnes, uint64_t{0x1'2345'6789}}) {
      BlockMaker m;
      for (unsigned k = 0; k < count; ++k) {
        m.begin(k == 1 ? 2 : 4);
        m.ir.op(IrOp::AddImm, X(20 + k), X(20 + k), 0, 1);
      }
      m.ir.trap(make_trap(count == 2 ? Cause::Breakpoint : Cause::IllegalInsn, tval));
      const JitFn fn = compile(m.block);
      EXPECT_EQ(compare(m.block, fn, {}), "") << format_ir(m.block);
      EXPECT_EQ(interpret(m.block, {}).status, kJitTrap);
    }
  }
}

TEST_F(BaselineExit, FetchFaultTvalIsRelativeToTheBlockPc) {
  for (uint64_t pc : {kRamBase, uint64_t{0xffff'ffff'ffff'f000}, uint64_t{0x7fff'ffff'fffe}}) {
    for (uint64_t off : {uint64_t{0}, uint64_t{6}, uint64_t{0x1000}}) {
      const IrBlock block =
          exit_block([&](IrBuilder& ir) { ir.fetch_fault(Cause::InsnPage, off); }, pc);
      ASSERT_TRUE(block.exit.tval_pc_relative);
      const JitFn fn = compile(block);
      Start s;
      s.pc = pc;
      EXPECT_EQ(compare(block, fn, s), "") << hex(pc) << " + " << off << "\n" << format_ir(block);
    }
  }
}

TEST_F(BaselineExit, EntryCounterCountsEveryRun) {
  const IrBlock block = exit_block([](IrBuilder& ir) { ir.ret(10); });
  uint64_t counter = 5;
  const JitFn fn = compile(block, nullptr, nullptr, &counter);
  EXPECT_EQ(compare(block, fn, {}), "");
  EXPECT_EQ(counter, 6u);
  EXPECT_EQ(compare(block, fn, {}), "");
  EXPECT_EQ(counter, 7u);
}

// ---- A branch on a compare right before it (the compiler may fuse the two).

using BaselineFusedBranch = BaselineFixture;

constexpr IrOp kCompares[] = {IrOp::Eq,  IrOp::Ne,  IrOp::Lt,    IrOp::Ge,
                              IrOp::Ltu, IrOp::Geu, IrOp::LtImm, IrOp::LtuImm};

// Guest instruction 1 compares x5 with x6 (or the immediate) and branches on the result, in
// one of the shapes below: only shapes 0, 4 and 5 leave the compare as the block's last op,
// writing the condition into a temporary, where fusing it into the exit is allowed.
IrBlock compare_branch_block(IrOp cmp, int64_t imm, int shape) {
  BlockMaker m;
  m.begin();
  m.ir.op(IrOp::AddImm, X(20), X(20), 0, 1);
  m.begin();
  switch (shape) {
    case 0: {  // into a temporary, right before the exit
      const uint8_t t = m.ir.temp();
      m.ir.op(cmp, t, X(5), X(6), imm);
      m.ir.branch(t, -4, 8);
      break;
    }
    case 1:  // into a register, which must still hold the result
      m.ir.op(cmp, X(7), X(5), X(6), imm);
      m.ir.branch(X(7), -4, 8);
      break;
    case 2: {  // an operand changes between the compare and the exit
      const uint8_t t = m.ir.temp();
      m.ir.op(cmp, t, X(5), X(6), imm);
      m.ir.op(IrOp::Xor, X(5), X(5), X(6));
      m.ir.op(IrOp::AddImm, X(6), X(6), 0, 1);
      m.ir.branch(t, -4, 8);
      break;
    }
    case 3: {  // the result is used, not only branched on
      const uint8_t t = m.ir.temp();
      m.ir.op(cmp, t, X(5), X(6), imm);
      m.ir.op(IrOp::Xor, X(8), t, X(5));
      m.ir.branch(t, -4, 8);
      break;
    }
    case 4: {  // operands in temporaries of the same instruction
      const uint8_t ta = m.ir.temp();
      const uint8_t tb = m.ir.temp();
      const uint8_t t = m.ir.temp();
      m.ir.op(IrOp::AddImm, ta, X(5), 0, 3);
      m.ir.op(IrOp::Mov, tb, X(6));
      m.ir.op(cmp, t, ta, tb, imm);
      m.ir.branch(t, -4, 8);
      break;
    }
    case 5: {  // both operands one slot
      const uint8_t t = m.ir.temp();
      m.ir.op(cmp, t, X(5), X(5), imm);
      m.ir.branch(t, -4, 8);
      break;
    }
    default: {  // an operand is the compare's own destination
      m.ir.op(cmp, X(5), X(5), X(6), imm);
      m.ir.branch(X(5), -4, 8);
      break;
    }
  }
  return std::move(m.block);
}

TEST_F(BaselineFusedBranch, CompareThenBranchMatchesTheInterpreter) {
  const uint64_t values[] = {0,
                             1,
                             kAllOnes,
                             kI64Min,
                             kI64Max,
                             0x8000'0000,
                             0xffff'ffff,
                             0xffff'ffff'8000'0000,
                             0x1'0000'0000};
  for (IrOp cmp : kCompares) {
    const bool has_imm = ir_op_info(cmp).has(kIrImm);
    const std::vector<int64_t> imms =
        has_imm ? std::vector<int64_t>{0, -1, 1, 0x7fff'ffff, 0x8000'0000, -0x8000'0001LL}
                : std::vector<int64_t>{0};
    for (int64_t imm : imms) {
      for (int shape = 0; shape < 7; ++shape) {
        const IrBlock block = compare_branch_block(cmp, imm, shape);
        for (const SlotChoice& c : kSlotChoices) {
          ChainSlot taken, fall;
          const JitFn fn = compile(block, c.taken ? &taken : nullptr, c.fall ? &fall : nullptr);
          if (fn == nullptr) continue;
          for (uint64_t a : values) {
            for (uint64_t b : values) {
              Start s;
              s.slots = {{X(5), a}, {X(6), b}};
              const std::string d = compare(block, fn, s);
              if (!d.empty()) {
                ADD_FAILURE() << describe(cmp, a, b, 0, imm) << " shape " << shape << "\n"
                              << d << format_ir(block);
                break;
              }
            }
          }
        }
      }
    }
  }
}

// ---- Chaining: a block's exit enters the next block's code through its ChainSlot.

using BaselineChain = BaselineFixture;

// The first block jumps 8 bytes ahead, where the second one is.
IrBlock chain_first() {
  BlockMaker m;
  m.begin();
  m.ir.op(IrOp::AddImm, X(10), X(10), 0, 1);
  m.begin();
  m.ir.op(IrOp::Add, X(11), X(10), X(11));
  m.ir.jump(8);
  return std::move(m.block);
}
IrBlock chain_second() {
  BlockMaker m(kRamBase + 8);
  m.begin();
  m.ir.op(IrOp::ShlImm, X(12), X(11), 0, 3);
  m.begin();
  m.ir.op(IrOp::PcRel, X(13), 0, 0, 4);
  m.ir.ret(m.offset);
  return std::move(m.block);
}

TEST_F(BaselineChain, AJumpEntersTheNextBlockThroughItsSlot) {
  const IrBlock first = chain_first();
  const IrBlock second = chain_second();
  ChainSlot slot;
  const JitFn fn1 = compile(first, &slot);
  const JitFn fn2 = compile(second);
  ASSERT_NE(fn2, nullptr);
  slot.fn.store(fn2);

  // The interpreter runs the two blocks one after the other.
  Start s;
  s.slots = {{X(10), 1}, {X(11), 2}};
  setup(interp_m, s);
  ASSERT_TRUE(interpret_block(interp_m.hart, first));
  ASSERT_EQ(interp_m.hart.s.pc, kRamBase + 8);
  ASSERT_TRUE(interpret_block(interp_m.hart, second));
  const Outcome want = capture(interp_m, kJitContinue, s);
  const Outcome got = run_compiled(fn1, s);
  EXPECT_EQ(diff(want, got, s), "");

  // With the slot empty, the first block alone runs.
  slot.fn.store(nullptr);
  EXPECT_EQ(compare(first, fn1, s), "");
}

TEST_F(BaselineChain, BranchEdgesEachEnterTheirSlot) {
  BlockMaker m;
  m.begin();
  const uint8_t t = m.ir.temp();
  m.ir.op(IrOp::Ltu, t, X(10), X(11));
  m.ir.branch(t, 8, 4);
  const IrBlock first = std::move(m.block);
  BlockMaker at4(kRamBase + 4);
  at4.begin();
  at4.ir.op(IrOp::MovImm, X(12), 0, 0, 4);
  at4.ir.ret(4);
  BlockMaker at8(kRamBase + 8);
  at8.begin();
  at8.ir.op(IrOp::MovImm, X(12), 0, 0, 8);
  at8.ir.ret(4);
  ChainSlot taken, fall;
  const JitFn fn = compile(first, &taken, &fall);
  taken.fn.store(compile(at8.block));
  fall.fn.store(compile(at4.block));
  for (uint64_t a : {uint64_t{1}, uint64_t{3}}) {
    Start s;
    s.slots = {{X(10), a}, {X(11), 2}};
    setup(interp_m, s);
    ASSERT_TRUE(interpret_block(interp_m.hart, first));
    const IrBlock& next = a < 2 ? at8.block : at4.block;
    ASSERT_EQ(interp_m.hart.s.pc, next.start_pc);
    ASSERT_TRUE(interpret_block(interp_m.hart, next));
    const Outcome want = capture(interp_m, kJitContinue, s);
    EXPECT_EQ(diff(want, run_compiled(fn, s), s), "") << "x10 = " << a;
  }
}

TEST_F(BaselineChain, StopsAtTheInstructionLimitAndOnAnExitRequest) {
  const IrBlock first = chain_first();
  ChainSlot slot;
  const JitFn fn1 = compile(first, &slot);
  slot.fn.store(compile(chain_second()));
  Start at_limit;
  at_limit.instret_limit = at_limit.instret + first.guest_count();
  EXPECT_EQ(compare(first, fn1, at_limit), "");  // the first block only
  Start requested;
  requested.exit_request = 1;
  EXPECT_EQ(compare(first, fn1, requested), "");
}

// A self-loop (x10 counts down to 0, x11 accumulates) jumps back to its own code: it runs
// until the loop ends, the instruction limit or an exit request (what dropping the block
// does, CodeCache::retire) sends it back to the dispatcher, each with the interpreter's pc,
// instret and registers.
TEST_F(BaselineChain, ASelfLoopRunsUntilItEndsTheLimitOrAnExitRequest) {
  for (bool fused : {true, false}) {
    BlockMaker m;
    m.begin();
    m.ir.op(IrOp::AddImm, X(10), X(10), 0, -1);
    m.begin();
    m.ir.op(IrOp::Add, X(11), X(11), X(10));
    m.begin();
    const uint8_t t = m.ir.temp();
    m.ir.op(IrOp::Ne, t, X(10), X(0));
    if (!fused) m.ir.op(IrOp::AddImm, X(12), X(12), 0, 1);  // the compare is not last
    m.ir.branch(t, 0, m.offset);
    const IrBlock loop = std::move(m.block);
    ChainSlot self;
    const JitFn fn = compile(loop, &self);
    ASSERT_NE(fn, nullptr);
    self.fn.store(fn);
    for (uint64_t limit_iterations : {uint64_t{100}, uint64_t{3}}) {
      Start s;
      s.slots = {{X(10), 7}, {X(11), 5}, {X(12), 0}};
      s.instret_limit = s.instret + limit_iterations * loop.guest_count();
      setup(interp_m, s);
      // The interpreter: the loop's iterations, until x10 is 0 or the limit is reached.
      for (;;) {
        ASSERT_TRUE(interpret_block(interp_m.hart, loop));
        if (interp_m.hart.s.pc != loop.start_pc) break;
        if (interp_m.hart.s.instret >= s.instret_limit) break;
      }
      const Outcome want = capture(interp_m, kJitContinue, s);
      EXPECT_EQ(diff(want, run_compiled(fn, s), s), "")
          << (fused ? "fused" : "on a slot") << ", limit " << limit_iterations;
    }
    // An exit request: one iteration, then back to the dispatcher at the loop's start.
    Start s;
    s.slots = {{X(10), 7}, {X(11), 5}, {X(12), 0}};
    s.exit_request = 1;
    EXPECT_EQ(compare(loop, fn, s), "");
  }
}

}  // namespace
}  // namespace tiervm::test
