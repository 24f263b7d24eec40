// The exit cache (engine/jit/jit_abi.h): compiled code's indirect and cross-page exits find
// their target's code in line instead of calling the dispatcher's lookup. It must reach the
// right block, never enter code that was dropped or replaced or that a TLB flush or another
// fetch mode may have remapped, and still stop at the instruction limit and on an exit
// request.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "engine/code_cache.h"
#include "engine/executor.h"
#include "engine/hart.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

constexpr unsigned kT0 = 5, kT1 = 6, kA0 = 10;

constexpr uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) {
  return (static_cast<uint32_t>(imm & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x13u;
}
constexpr uint32_t auipc(unsigned rd) {
  return (rd << 7) | 0x17u;
}
constexpr uint32_t jalr(unsigned rs1) {
  return (rs1 << 15) | 0x67u;
}  // jalr zero, 0(rs1)
constexpr uint32_t jal(int32_t off) {  // jal zero, off
  const auto u = static_cast<uint32_t>(off);
  return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20) |
         (((u >> 12) & 0xff) << 12) | 0x6fu;
}

// A loop none of whose exits can chain: an indirect jump (jalr t0) to T1 or T2 in turn, T1
// back through another (jalr t1), T2 through a jump to the next page and a jump back from
// there. Every exit goes through the exit cache (or the lookup).
constexpr uint64_t kLoop = kRamBase + 0x10;
constexpr uint64_t kT1Block = kRamBase + 0x100;
constexpr uint64_t kT2Block = kRamBase + 0x140;
constexpr uint64_t kTrampoline = kRamBase + 0x1000;

void put_loop(TestMachine& m) {
  m.put({auipc(kT0), addi(kT0, kT0, 0x100), auipc(kT1), addi(kT1, kT1, 8), jalr(kT0)}, kRamBase);
  m.put({addi(kA0, kA0, 1), addi(kT0, kT0, 0x40), jalr(kT1)}, kT1Block);
  m.put({addi(kA0, kA0, 100), addi(kT0, kT0, -0x40),
         jal(static_cast<int32_t>(kTrampoline - (kT2Block + 8)))},
        kT2Block);
  m.put({jal(static_cast<int32_t>(kLoop - kTrampoline))}, kTrampoline);
}

struct Outcome {
  uint64_t a0, t0, pc, instret;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};
std::ostream& operator<<(std::ostream& o, const Outcome& r) {
  return o << "a0=" << r.a0 << " t0=" << std::hex << r.t0 << " pc=" << r.pc << std::dec
           << " instret=" << r.instret;
}
Outcome outcome(const TestMachine& m) {
  return {m.x(kA0), m.x(kT0), m.pc(), m.hart.s.instret};
}

class ExitCacheLoop : public OnEveryTier {};

// Every tier ends where the interpreter does (same registers, pc and instret at each
// instruction limit); the compiled tiers call the dispatcher's lookup a handful of times
// while warming up, not once per exit.
TEST_P(ExitCacheLoop, IndirectExitsReachTheRightBlockWithoutTheLookup) {
  TestMachine ref(0);
  TestMachine m(tier());
  put_loop(ref);
  put_loop(m);
  for (uint64_t n : {uint64_t{7}, uint64_t{100}, uint64_t{30000}}) {
    ref.run(n);
    m.run(n);
    ASSERT_EQ(outcome(m), outcome(ref)) << "after " << n;
  }
  EXPECT_GT(m.x(kA0), 30000u / 10 * 100);
  if (tier() == 0) return;
  EXPECT_TRUE(m.ran_compiled());
  // About 30 000 / 9 * 5 exits; one lookup per target and (re)compilation at most.
  EXPECT_LT(m.exec.code_lookups(), 100u);
}

// A store into T1's code drops it: the next exit to T1 runs the new code, never the old
// through a cache entry. The same after all code is dropped (as by eviction).
TEST_P(ExitCacheLoop, InvalidatedAndEvictedTargetsAreNotEnteredThroughTheCache) {
  TestMachine ref(0);
  TestMachine m(tier());
  put_loop(ref);
  put_loop(m);
  ref.run(3000);
  m.run(3000);
  ASSERT_EQ(outcome(m), outcome(ref));
  for (TestMachine* t : {&ref, &m}) t->put({addi(kA0, kA0, 3)}, kT1Block);
  const uint64_t before = m.x(kA0);
  ref.run(3000);
  m.run(3000);
  ASSERT_EQ(outcome(m), outcome(ref));
  EXPECT_GT(m.x(kA0) - before, 3000u / 10 * 103);
  m.exec.code_cache().flush();
  ref.exec.code_cache().flush();
  for (TestMachine* t : {&ref, &m}) t->put({addi(kA0, kA0, 5)}, kT2Block);
  ref.run(3000);
  m.run(3000);
  EXPECT_EQ(outcome(m), outcome(ref));
}

// A request from another thread (a device, the UI) ends a run whose loop never returns to
// the dispatcher by itself.
TEST_P(ExitCacheLoop, AnExitRequestStopsTheLoop) {
  TestMachine m(tier());
  put_loop(m);
  m.run(1000);  // compiled and in the cache
  std::atomic<bool> started{false};
  std::thread stopper([&] {
    while (!started.load()) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    m.exec.request_stop();
  });
  started.store(true);
  // Far more than 20 ms of guest instructions: only the request ends the run in time.
  const RunStop why = m.exec.run(m.hart.s.instret + (uint64_t{1} << 40));
  stopper.join();
  EXPECT_EQ(why, RunStop::Requested);
  const uint64_t pc = m.pc();
  EXPECT_TRUE(pc == kLoop || pc == kT1Block || pc == kT2Block || pc == kTrampoline)
      << std::hex << pc;
}

TIERVM_ON_EVERY_TIER(ExitCacheLoop);

// The cache's generations: an entry holds for its pc under the fetch key it was made under
// until code is dropped or replaced, or the TLB is flushed (all of it or one page).
struct ExitCacheTags : ::testing::Test {
  TestMachine m;
  CodeCache& cache = m.exec.code_cache();
  static constexpr FetchKey kS{TlbMode::S, TranslateFlags{true}};
  static constexpr FetchKey kU{TlbMode::U, TranslateFlags{true}};
  static constexpr uint64_t kPc = 0x10100;
  // Any non-null code pointer: the cache only stores it.
  const JitFn fn = reinterpret_cast<JitFn>(&m);

  bool holds(uint64_t pc) const {
    const ExitCache& c = *cache.exit_cache();
    const ExitCacheEntry& e = c.entries[ExitCache::index(pc)];
    return e.pc == pc && e.tag == c.tag && e.fn == fn;
  }
  void fill() {
    cache.set_exit_fetch(kS);
    cache.exit_insert(kPc, fn);
    ASSERT_TRUE(holds(kPc));
  }
};

TEST_F(ExitCacheTags, AnEntryHoldsOnlyUnderItsFetchKey) {
  fill();
  EXPECT_FALSE(holds(kPc + 2));
  cache.set_exit_fetch(kU);
  EXPECT_FALSE(holds(kPc));
  cache.set_exit_fetch(FetchKey{TlbMode::S, TranslateFlags{false}});
  EXPECT_FALSE(holds(kPc));
  cache.set_exit_fetch(kS);  // back (a trap and its sret): nothing else changed
  EXPECT_TRUE(holds(kPc));
}

TEST_F(ExitCacheTags, TlbFlushesEndEveryEntry) {
  fill();
  cache.flush_jump_cache();  // the dispatcher, after a full TLB flush (satp, sfence.vma)
  EXPECT_FALSE(holds(kPc));
  cache.set_exit_fetch(kS);
  EXPECT_FALSE(holds(kPc));
  fill();
  cache.drop_jump_page(0x55000);  // sfence.vma of one page (any page: no per-page index)
  EXPECT_FALSE(holds(kPc));
  fill();
  m.hart.tlb.flush_page(kPc);  // through the TLB's page-flush hook
  EXPECT_FALSE(holds(kPc));
}

TEST_F(ExitCacheTags, DroppedOrReplacedCodeEndsEveryEntry) {
  m.put({addi(kA0, kA0, 1), kJumpSelf}, kRamBase + 0x100);
  cache.get(kRamBase + 0x100, kRamBase + 0x100, kS.flags);
  fill();
  cache.invalidate_range(kRamBase + 0x100, 4);
  EXPECT_FALSE(holds(kPc));
  fill();
  cache.flush();
  EXPECT_FALSE(holds(kPc));
  fill();
  cache.invalidate_exits();  // what JitTier does when a block's code is replaced
  EXPECT_FALSE(holds(kPc));
}

// A block that calls a helper (sret, mret: they change the fetch mode, then jump) probes an
// empty cache: its exit always asks the dispatcher's lookup, which sets the tag again.
TEST(ExitCacheProbe, BlocksThatCallHelpersNeverProbe) {
  IrBlock plain;
  IrBlock calls;
  calls.insns.push_back(IrInsn{});
  calls.insns.back().op = IrOp::Call;
  EXPECT_TRUE(exits_may_probe(plain));
  EXPECT_FALSE(exits_may_probe(calls));
}

}  // namespace
}  // namespace tiervm::test
