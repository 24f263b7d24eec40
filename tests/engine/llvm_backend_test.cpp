#include "engine/jit/llvm_backend.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "engine/ir_verify.h"
#include "engine/translator.h"
#include "tests/engine/asm_util.h"
#include "tests/engine/test_machine.h"

namespace tiervm::test {
namespace {

// Fills freed heap memory with a byte pattern while it lives (glibc's M_PERTURB), so that a
// read of freed memory sees garbage every time instead of by chance.
class PoisonFreedMemory {
 public:
  PoisonFreedMemory() { mallopt(M_PERTURB, 0x5a); }
  ~PoisonFreedMemory() { mallopt(M_PERTURB, 0); }
  PoisonFreedMemory(const PoisonFreedMemory&) = delete;
  PoisonFreedMemory& operator=(const PoisonFreedMemory&) = delete;
};

// Bytes of anonymous executable mappings in this process: JIT code, nothing else (library
// code is file-backed, [vdso] is named).
uint64_t jit_code_bytes() {
  std::ifstream maps("/proc/self/maps");
  uint64_t total = 0;
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode, path;
    fields >> range >> perms >> offset >> device >> inode >> path;
    if (perms.size() < 3 || perms[2] != 'x' || inode != "0" || !path.empty()) continue;
    const size_t dash = range.find('-');
    total += std::stoull(range.substr(dash + 1), nullptr, 16) -
             std::stoull(range.substr(0, dash), nullptr, 16);
  }
  return total;
}

// A backend destroyed while modules are still live (the JIT tier at the end of every run)
// must free them without touching freed memory. LLVM 19 does, if an ORC resource tracker
// that still owns code is simply destroyed: its code moves to the default tracker, and
// ObjectLinkingLayer::handleTransferResources keeps a reference into its allocation map
// across an insertion that can rehash the map. What it then reads depends on what the heap
// wrote into the freed buckets: in `--jit-threshold 0` runs and the differential tests the
// process aborted now and then (std::length_error from vector::reserve). With freed memory
// poisoned, the read sees an empty list instead and the module's code is never unmapped,
// which this test sees every time. The map rehashes when it passes 3/4 full (at 47 and 95
// live modules, among others): every count up to 100 is tried. (Under ASan, scripts/sanitize,
// the read itself is reported.)
TEST(LlvmBackend, DestroyedWithLiveModulesFreesThemCleanly) {
  TestMachine m;
  m.put({0x00108093, kJumpSelf});  // addi x1, x1, 1; j .
  std::unique_ptr<IrBlock> block = translate_block(m.hart, kRamBase, kRamBase, {true});
  JitJob job;
  job.members.push_back({block.get(), nullptr, nullptr});
  const std::vector<JitJob> jobs = {job};
  PoisonFreedMemory poison;
  ASSERT_EQ(jit_code_bytes(), 0u);
  for (unsigned live = 1; live <= 100; ++live) {
    {
      LlvmBackend backend;
      for (unsigned i = 0; i < live; ++i) {
        std::string error;
        const std::vector<JitResult> r = backend.compile(jobs, JitOptLevel::Fast, error);
        ASSERT_EQ(r.size(), 1u);
        ASSERT_NE(r[0].fn, nullptr) << error;
      }
      ASSERT_EQ(backend.live_modules(), live);
    }
    ASSERT_EQ(jit_code_bytes(), 0u) << "code of a backend with " << live << " live modules";
  }
}

// Released modules are gone from the backend and their code is unmapped; the rest stay.
TEST(LlvmBackend, ReleaseFreesOneModuleAndKeepsTheOthers) {
  TestMachine m;
  m.put({0x00108093, kJumpSelf});
  std::unique_ptr<IrBlock> block = translate_block(m.hart, kRamBase, kRamBase, {true});
  JitJob job;
  job.members.push_back({block.get(), nullptr, nullptr});
  const std::vector<JitJob> jobs = {job};
  LlvmBackend backend;
  std::string error;
  const JitResult first = backend.compile(jobs, JitOptLevel::Fast, error).at(0);
  const JitResult second = backend.compile(jobs, JitOptLevel::Fast, error).at(0);
  ASSERT_NE(first.fn, nullptr) << error;
  ASSERT_NE(second.fn, nullptr) << error;
  ASSERT_NE(first.module, second.module);
  const uint64_t both = jit_code_bytes();
  backend.release(first.module);
  EXPECT_EQ(backend.live_modules(), 1u);
  // The first module's code is unmapped, the second's stays.
  const uint64_t one = jit_code_bytes();
  EXPECT_LT(one, both);
  EXPECT_GT(one, 0u);
}

// With verification on (as in every test), each lowered function goes through
// llvm::verifyFunction: a normal block passes, and invalid LLVM IR is a compile error of
// that job, not a crash in code generation.
TEST(LlvmBackend, VerifiesEveryLoweredFunction) {
  ASSERT_TRUE(ir_verification());
  TestMachine m;
  m.put({0x00108093, 0x0000b103, kJumpSelf});  // addi ra, ra, 1; ld sp, 0(ra); j .
  std::unique_ptr<IrBlock> good = translate_block(m.hart, kRamBase, kRamBase, {true});
  ASSERT_EQ(verify_block(*good), "");
  // A block without a terminator (verify_block rejects it) lowers to a path that ends
  // without one.
  IrBlock broken = *good;
  broken.exit = {};
  JitJob good_job;
  good_job.members.push_back({good.get(), nullptr, nullptr});
  JitJob broken_job;
  broken_job.members.push_back({&broken, nullptr, nullptr});
  LlvmBackend backend;
  for (JitOptLevel level : {JitOptLevel::Fast, JitOptLevel::Optimize}) {
    std::string error;
    const JitResult r = backend.compile({good_job}, level, error).at(0);
    EXPECT_EQ(error, "");
    EXPECT_NE(r.fn, nullptr);
  }
  std::string error;
  const std::vector<JitResult> r =
      backend.compile({broken_job, good_job}, JitOptLevel::Fast, error);
  EXPECT_NE(error.find("invalid LLVM IR for "), std::string::npos) << error;
  EXPECT_NE(error.find("does not have terminator"), std::string::npos) << error;
  EXPECT_EQ(r.at(0).fn, nullptr);
  EXPECT_NE(r.at(1).fn, nullptr) << "the other job of the batch still compiles";
}

// A tier-2 region may be entered at any member with an entry_fallback: it finds the member
// from the pc's page offset. Compiled for bare data accesses, it hands over to the tier-1
// code of the member entered (the entry's for the entry) when the hart is not bare.
int g_fallback_ran = -1;
uint32_t entry_tier1(Hart*, HartState*) {
  g_fallback_ran = 0;
  return 0;
}
uint32_t member_tier1(Hart*, HartState*) {
  g_fallback_ran = 1;
  return 0;
}

TEST(LlvmBackend, ARegionIsEnteredAtTheMemberThePcNames) {
  TestMachine m;
  const std::vector<uint32_t> words = assemble({
      "addi x1, x1, 1", "j .+8",   // A
      "nop",                       //
      "addi x2, x2, 1", "j .-16",  // B
  });
  ASSERT_EQ(words.size(), 5u);
  for (size_t i = 0; i < words.size(); ++i) m.put({words[i]}, kRamBase + 4 * i);
  std::unique_ptr<IrBlock> a = translate_block(m.hart, kRamBase, kRamBase, {true});
  std::unique_ptr<IrBlock> b = translate_block(m.hart, kRamBase + 12, kRamBase + 12, {true});
  JitJob job;
  job.members.push_back({a.get(), nullptr, nullptr});
  job.members.push_back({b.get(), nullptr, nullptr, &member_tier1});
  job.key = BlockKey(kRamBase, {true});
  job.region = true;
  job.bare_memory = true;
  job.fallback = &entry_tier1;
  LlvmBackend backend;
  std::string error;
  const JitResult r = backend.compile({job}, JitOptLevel::Optimize, error).at(0);
  ASSERT_NE(r.fn, nullptr) << error;
  HartState& s = m.hart.s;
  ASSERT_NE(s.bare_limit, 0u);  // M-mode without PMP: bare
  // Entered at B: B runs, then the limit stops the loop at A's head.
  s.pc = kRamBase + 12;
  s.instret_limit = s.instret + 1;
  run_jit(r.fn, &m.hart, &s);
  EXPECT_EQ(m.x(2), 1u);
  EXPECT_EQ(m.x(1), 0u);
  EXPECT_EQ(s.pc, kRamBase);
  EXPECT_EQ(s.instret, 2u);
  // Entered at A.
  s.instret_limit = s.instret + 1;
  run_jit(r.fn, &m.hart, &s);
  EXPECT_EQ(m.x(1), 1u);
  EXPECT_EQ(m.x(2), 1u);
  EXPECT_EQ(s.pc, kRamBase + 12);
  // Not bare: each entry goes to its own block's tier-1 code.
  const uint64_t limit = s.bare_limit;
  s.bare_limit = 0;
  s.pc = kRamBase + 12;
  run_jit(r.fn, &m.hart, &s);
  EXPECT_EQ(g_fallback_ran, 1);
  s.pc = kRamBase;
  run_jit(r.fn, &m.hart, &s);
  EXPECT_EQ(g_fallback_ran, 0);
  EXPECT_EQ(m.x(1), 1u);  // the fallbacks ran instead of the region
  EXPECT_EQ(m.x(2), 1u);
  s.bare_limit = limit;
}

}  // namespace
}  // namespace tiervm::test
