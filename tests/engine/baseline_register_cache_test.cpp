// The baseline tier's register cache (engine/jit/baseline_compiler.cpp, plan_block): guest
// registers and temporaries held in three host registers within a block, written back before
// anything that can trap, before out-of-line calls and at the exit, and kept across a
// self-loop's back edge. Random blocks use every register stencil family (reg_ops.inc) with
// more live values than registers, mixed with slot stencils, calls, loads and stores that
// trap in the middle of the block; the interpreter is the oracle.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/interpreter.h"
#include "engine/ir.h"
#include "tests/engine/baseline_fixture.h"

namespace tiervm::test {
namespace {

// xorshift64*: the same blocks on every run.
struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545'f491'4f6c'dd1dULL;
  }
  unsigned below(unsigned n) { return static_cast<unsigned>(next() % n); }
};

// The ops with register stencils (reg_ops.inc) and some without (they run their slot
// stencil between register ones).
constexpr IrOp kBinary[] = {IrOp::Add,  IrOp::Sub,  IrOp::And, IrOp::Or,   IrOp::Xor,
                            IrOp::Shl,  IrOp::Shr,  IrOp::Sar, IrOp::AddW, IrOp::SubW,
                            IrOp::Mul,  IrOp::MulW, IrOp::Lt,  IrOp::Ltu,  IrOp::Div,
                            IrOp::MulH, IrOp::Rol,  IrOp::Eq,  IrOp::Geu,  IrOp::ShrW};
constexpr IrOp kUnary[] = {IrOp::Mov,     IrOp::AddImm,  IrOp::AndImm, IrOp::OrImm,   IrOp::XorImm,
                           IrOp::ShlImm,  IrOp::ShrImm,  IrOp::SarImm, IrOp::AddWImm, IrOp::ShlWImm,
                           IrOp::ShrWImm, IrOp::SarWImm, IrOp::LtImm,  IrOp::LtuImm,  IrOp::SextW,
                           IrOp::ZextW,   IrOp::Clz,     IrOp::RorImm, IrOp::SextB};
constexpr IrOp kLoadOps[] = {IrOp::Load8S,  IrOp::Load8U,  IrOp::Load16S, IrOp::Load16U,
                             IrOp::Load32S, IrOp::Load32U, IrOp::Load64};
constexpr IrOp kStoreOps[] = {IrOp::Store8, IrOp::Store16, IrOp::Store32, IrOp::Store64};

// Registers the random ops read and write: more than the cache holds.
constexpr unsigned kRegs[] = {0, 5, 6, 7, 8, 9, 10, 11};
// Base registers of the accesses, never written: a mapped page, and an unmapped address
// (an access through it traps in the middle of the block).
constexpr unsigned kBase = 20;
constexpr unsigned kBadBase = 21;
// A self-loop's counter, never written by the random ops.
constexpr unsigned kCounter = 22;

uint64_t helper_mix(Hart& hart, uint64_t a, uint64_t b, uint64_t c, int64_t imm) {
  hart.s.mscratch = a ^ c;
  return (a * 3 + b) ^ (c << 1) ^ static_cast<uint64_t>(imm) ^ (hart.s.instret << 7);
}

int64_t random_imm(Rng& r) {
  switch (r.below(5)) {
    case 0:
      return static_cast<int64_t>(r.below(64));
    case 1:
      return -static_cast<int64_t>(r.below(2048));
    case 2:
      return static_cast<int64_t>(static_cast<int32_t>(r.next()));
    case 3:
      return static_cast<int64_t>(r.next());  // mostly too wide for the register stencils
    default:
      return 1;
  }
}

// One random guest instruction: an ALU op (sometimes through a temporary), a load or a
// store (`traps`: sometimes through the unmapped base), or a helper call.
void random_insn(Rng& r, BlockMaker& m, bool traps) {
  auto reg = [&] { return X(kRegs[r.below(std::size(kRegs))]); };
  auto dst = [&] { return IrBuilder::xw(kRegs[r.below(std::size(kRegs))]); };
  m.begin(r.below(4) == 0 ? 2 : 4);
  const unsigned kind = r.below(20);
  if (kind < 8) {
    m.ir.op(kBinary[r.below(std::size(kBinary))], dst(), reg(), reg());
  } else if (kind < 13) {
    m.ir.op(kUnary[r.below(std::size(kUnary))], dst(), reg(), 0, random_imm(r));
  } else if (kind == 13) {
    // A temporary: written, read twice, then dead.
    const uint8_t t = m.ir.temp();
    m.ir.op(kBinary[r.below(std::size(kBinary))], t, reg(), reg());
    m.ir.op(IrOp::Xor, dst(), t, reg());
    m.ir.op(IrOp::AddImm, dst(), t, 0, random_imm(r));
  } else if (kind == 14) {
    m.ir.op(r.below(2) == 0 ? IrOp::MovImm : IrOp::PcRel, dst(), 0, 0, random_imm(r));
  } else if (kind < 17) {
    const bool bad = traps && r.below(8) == 0;
    m.ir.op(kLoadOps[r.below(std::size(kLoadOps))], dst(), X(bad ? kBadBase : kBase), 0,
            static_cast<int64_t>(r.below(56)));
  } else if (kind < 19) {
    const bool bad = traps && r.below(8) == 0;
    m.ir.op(kStoreOps[r.below(std::size(kStoreOps))], kSlotSink, X(bad ? kBadBase : kBase), reg(),
            static_cast<int64_t>(r.below(56)));
  } else {
    m.ir.call(&helper_mix, dst(), reg(), reg(), reg(), 3);
  }
}

Start random_start(Rng& r) {
  Start s = memory_start();
  for (unsigned x : kRegs) {
    if (x != 0) s.slots.push_back({X(x), r.next() >> r.below(64)});
  }
  s.slots.push_back({X(kBase), kPageA});
  s.slots.push_back({X(kBadBase), 0x1000});
  return s;
}

using BaselineRegisterCache = BaselineFixture;

// Straight-line blocks ending in every kind of exit; some trap in the middle.
TEST_F(BaselineRegisterCache, RandomBlocksMatchTheInterpreter) {
  Rng r{0x9e37'79b9'7f4a'7c15};
  unsigned traps = 0;
  for (unsigned n = 0; n < 1500; ++n) {
    BlockMaker m;
    const unsigned insns = 1 + r.below(14);
    for (unsigned k = 0; k < insns; ++k) random_insn(r, m, /*traps=*/true);
    m.begin();
    switch (r.below(4)) {
      case 0:
        m.ir.jump(m.offset + 8);
        break;
      case 1: {
        const uint8_t t = m.ir.temp();
        m.ir.op(r.below(2) == 0 ? IrOp::Lt : IrOp::Ne, t, X(kRegs[r.below(8)]),
                X(kRegs[r.below(8)]));
        m.ir.branch(t, -16, m.offset + 4);
        break;
      }
      case 2:
        m.ir.indirect(X(kRegs[1 + r.below(7)]));
        break;
      default:
        m.ir.ret(m.offset + 4);
        break;
    }
    const JitFn fn = compile(m.block);
    for (unsigned k = 0; k < 3; ++k) {
      const Start s = random_start(r);
      const std::string d = compare(m.block, fn, s);
      EXPECT_EQ(d, "") << "block " << n << "\n" << format_ir(m.block);
      if (!d.empty()) return;
      traps += interpret(m.block, s).status == kJitTrap ? 1 : 0;
    }
  }
  EXPECT_GT(traps, 200u);  // the blocks really trapped in the middle
}

// Self-loops (x22 counts down to 0) whose bodies are random: the back edge keeps registers
// in the cache. They run until the loop ends, the instruction limit stops them or an access
// traps in some iteration, with the interpreter's pc, instret, registers and memory.
TEST_F(BaselineRegisterCache, RandomSelfLoopsMatchTheInterpreter) {
  Rng r{0x2545'f491'4f6c'dd1d};
  for (unsigned n = 0; n < 400; ++n) {
    BlockMaker m;
    const unsigned insns = 1 + r.below(8);
    const bool traps = r.below(4) == 0;
    for (unsigned k = 0; k < insns; ++k) random_insn(r, m, traps);
    m.begin();
    m.ir.op(IrOp::AddImm, X(kCounter), X(kCounter), 0, -1);
    m.begin();
    const uint8_t t = m.ir.temp();
    m.ir.op(IrOp::Ne, t, X(kCounter), X(0));
    m.ir.branch(t, 0, m.offset + 4);
    ChainSlot self;
    const JitFn fn = compile(m.block, &self);
    ASSERT_NE(fn, nullptr);
    self.fn.store(fn);
    for (uint64_t limit_iterations : {uint64_t{1000}, uint64_t{1} + r.below(6)}) {
      Start s = random_start(r);
      s.slots.push_back({X(kCounter), 2 + r.below(8)});
      s.instret_limit = s.instret + limit_iterations * m.block.guest_count();
      setup(interp_m, s);
      bool ran = true;
      while ((ran = interpret_block(interp_m.hart, m.block))) {
        if (interp_m.hart.s.pc != m.block.start_pc) break;
        if (interp_m.hart.s.instret >= s.instret_limit) break;
      }
      const Outcome want = capture(interp_m, ran ? kJitContinue : kJitTrap, s);
      const std::string d = diff(want, run_compiled(fn, s), s);
      EXPECT_EQ(d, "") << "loop " << n << ", limit " << limit_iterations << "\n"
                       << format_ir(m.block);
      if (!d.empty()) return;
    }
  }
}

// The cache is written back before a slot stencil reads it and before a call, which
// empties it, and a trap after the call sees every register written before it.
TEST_F(BaselineRegisterCache, CallsAndSlotStencilsSeeCachedValues) {
  BlockMaker m;
  m.begin();
  m.ir.op(IrOp::AddImm, X(5), X(5), 0, 3);  // cached, dirty
  m.begin();
  m.ir.op(IrOp::Mul, X(6), X(5), X(7));
  m.begin();
  m.ir.op(IrOp::Div, X(8), X(6), X(5));  // a slot stencil reading two cached values
  m.begin();
  m.ir.op(IrOp::Add, X(9), X(8), X(6));
  m.begin();
  m.ir.call(&helper_mix, X(10), X(9), X(6), X(5), 1);  // reads them from slots
  m.begin();
  m.ir.op(IrOp::Xor, X(11), X(10), X(9));
  m.begin();
  m.ir.op(IrOp::Load64, X(12), X(kBadBase), 0, 8);  // traps: x5..x11 must be in their slots
  m.ir.jump(m.offset);
  const JitFn fn = compile(m.block);
  Start s = memory_start();
  s.slots = {{X(5), 12}, {X(7), 0x1234'5678'9abc}, {X(kBadBase), 0x1000}};
  const Outcome want = interpret(m.block, s);
  ASSERT_EQ(want.status, kJitTrap);
  EXPECT_EQ(want.regs[X(5)], 15u);  // the spec's values, so the comparison covers them
  EXPECT_EQ(want.regs[X(6)], 15u * 0x1234'5678'9abc);
  EXPECT_EQ(want.regs[X(8)], 0x1234'5678'9abcu);
  EXPECT_EQ(compare(m.block, fn, s), "") << format_ir(m.block);
}

}  // namespace
}  // namespace tiervm::test
