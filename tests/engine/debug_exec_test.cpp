// A debugger's breakpoints, steps and watchpoints in the executor, on every tier with
// every block compiled (and chained) before the breakpoint goes in: the stop must be at
// the exact instruction, with the state the ISA gives there.
#include <gtest/gtest.h>

#include "engine/gdb/debug_control.h"
#include "engine/translator.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

// 0x00: auipc t0, 1         t0 = 0x80001000
// 0x04: addi  a0, a0, 1     <- loop
// 0x08: addi  a1, a1, 2
// 0x0c: sd    a0, 0(t0)
// 0x10: j     0x04
constexpr uint32_t kLoop[] = {0x00001297, 0x00150513, 0x00258593, 0x00a2b023, 0xff5ff06f};

class DebugExec : public OnEveryTier {
 protected:
  void load(TestMachine& m) {
    for (unsigned i = 0; i < 5; ++i) m.bus.write(kRamBase + 4 * i, 4, kLoop[i]);
  }
};

TEST_P(DebugExec, BreakpointStopsAtTheExactInstructionInCompiledCode) {
  TestMachine m(tier());
  load(m);
  m.run(2000);  // compiled and chained without a debugger
  ASSERT_TRUE(m.ran_compiled());
  DebugControl debug;
  m.exec.set_debug(&debug);
  debug.insert_breakpoint(kRamBase + 8);
  m.exec.debug_resume();
  ASSERT_EQ(m.exec.run(m.hart.s.instret + 1'000'000), RunStop::Debug);
  EXPECT_EQ(m.pc(), kRamBase + 8);
  // Stopped before addi a1: the a0 increment of this round is done, a1's is not.
  EXPECT_EQ(m.x(11), 2 * (m.x(10) - 1));
  const uint64_t a0 = m.x(10);

  // One step runs exactly the instruction at the breakpoint.
  const uint64_t instret = m.hart.s.instret;
  m.exec.step_instruction();
  EXPECT_EQ(m.pc(), kRamBase + 12);
  EXPECT_EQ(m.x(11), 2 * a0);
  EXPECT_EQ(m.hart.s.instret, instret + 1);

  // Running on stops at the breakpoint again, one round later.
  ASSERT_EQ(m.exec.run(m.hart.s.instret + 1'000'000), RunStop::Debug);
  EXPECT_EQ(m.pc(), kRamBase + 8);
  EXPECT_EQ(m.x(10), a0 + 1);
  EXPECT_EQ(m.hart.s.instret, instret + 4);

  // Without the breakpoint it runs to the limit again, compiled.
  ASSERT_TRUE(debug.remove_breakpoint(kRamBase + 8));
  m.exec.debug_resume();
  EXPECT_EQ(m.exec.run(m.hart.s.instret + 10'000), RunStop::Limit);
  m.exec.set_debug(nullptr);
}

TEST_P(DebugExec, WriteWatchpointStopsAfterTheStore) {
  TestMachine m(tier());
  load(m);
  m.run(2000);
  DebugControl debug;
  m.exec.set_debug(&debug);
  debug.insert_watchpoint(WatchKind::Read, kRamBase + 0x1000, 8);  // never read
  EXPECT_EQ(m.exec.run(m.hart.s.instret + 100), RunStop::Limit);
  debug.insert_watchpoint(WatchKind::Write, kRamBase + 0x1004, 4);
  ASSERT_EQ(m.exec.run(m.hart.s.instret + 1'000'000), RunStop::Debug);
  const auto hit = debug.take_watch_hit();
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->kind, WatchKind::Write);
  EXPECT_EQ(hit->addr, kRamBase + 0x1004);
  EXPECT_EQ(m.pc(), kRamBase + 0x10);  // after the sd
  EXPECT_EQ(m.read64(kRamBase + 0x1000), m.x(10));
  m.exec.set_debug(nullptr);
}

TIERVM_ON_EVERY_TIER(DebugExec);

TEST(DebugTranslate, BlocksEndBeforeBreakpoints) {
  TestMachine m;
  for (unsigned i = 0; i < 5; ++i) m.bus.write(kRamBase + 4 * i, 4, kLoop[i]);
  DebugControl debug;
  m.hart.debug = &debug;
  debug.insert_breakpoint(kRamBase + 8);
  auto b = translate_block(m.hart, kRamBase, kRamBase, {true});
  EXPECT_EQ(b->guest_count(), 2u);
  EXPECT_EQ(b->exit.kind, IrExit::Jump);
  EXPECT_EQ(b->exit.taken_offset, 8);
  // A block at the breakpoint is empty and goes back to the dispatcher at its own pc.
  b = translate_block(m.hart, kRamBase + 8, kRamBase + 8, {true});
  EXPECT_EQ(b->guest_count(), 0u);
  EXPECT_EQ(b->exit.kind, IrExit::Return);
  EXPECT_EQ(b->exit.fallthrough_offset, 0);
  EXPECT_FALSE(b->cacheable);
  // A step ignores it and translates one instruction.
  b = translate_block(m.hart, kRamBase + 8, kRamBase + 8, {true}, true);
  EXPECT_EQ(b->guest_count(), 1u);
  m.hart.debug = nullptr;
}

}  // namespace
}  // namespace tiervm::test
