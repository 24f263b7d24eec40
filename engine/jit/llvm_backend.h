#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/ir.h"
#include "engine/jit/jit_abi.h"

namespace tiervm {

// How hard LLVM works on a module.
enum class JitOptLevel : uint8_t {
  Fast,     // tier 1: no IR passes, fast instruction selection (-O0 codegen)
  Optimize  // tier 2: the O2 pipeline
};

// One block of a compilation unit and where its chainable exits live: chain slots for
// its static exits (taken, fallthrough), or nullptr where the exit returns to the
// dispatcher (other page, Return, Indirect, Trap) or stays inside the region.
struct JitMember {
  const IrBlock* block = nullptr;
  ChainSlot* taken_slot = nullptr;
  ChainSlot* fallthrough_slot = nullptr;
  // Regions: set when the region may also be entered at this member (members[0] always
  // may): the member's tier-1 code, which a bare region (JitJob::bare_memory) enters
  // instead when the hart is not bare.
  JitFn entry_fallback = nullptr;
  // Regions under translation: the taken [0] and fallthrough [1] exits into other pages.
  std::array<CrossPageExit, 2> cross{};
};

// One compilation unit: a single block (tier 1), or a region of blocks in one physical
// page (tier 2) entered at members[0], or at any member with an entry_fallback: the code
// finds the member from the page offset of the pc it is entered at. Exits from one
// member to another member stay inside the generated function, so guest registers live
// in host registers across the whole region (they are allocas that LLVM's SROA/mem2reg
// promote).
struct JitJob {
  std::vector<JitMember> members;
  BlockKey key;                 // the entry block's, returned with the result
  uint64_t* counter = nullptr;  // incremented on every entry (tier-1 profiling), or null
  bool region = false;          // lower members as a region (requires the O2 pipeline)
  // Regions chosen while the hart ran with bare data accesses (HartState::bare_limit):
  // loads and stores check RAM bounds instead of probing the TLB, and the region enters
  // `fallback` (the entry's tier-1 code) instead when the hart is not bare. Without a
  // fallback the flag is ignored.
  bool bare_memory = false;
  JitFn fallback = nullptr;
  // The exit cache the lookup exits probe in line (CodeCache::exit_cache), or null.
  const ExitCache* exit_cache = nullptr;
  // The hart's VLEN / 8 (0: no vector extension): vector instructions whose vtype is known
  // at compile time run in line as host vector operations of this many bytes a register.
  uint32_t vlenb = 0;
  // vtype when the job was made: a vector instruction that no vsetvli in its block
  // precedes runs in line for this vtype, behind a check that it is still the current one.
  uint64_t vtype_hint = 0;

  const IrBlock& entry() const { return *members.front().block; }
};

struct JitResult {
  BlockKey key;
  JitFn fn = nullptr;
  uint32_t host_bytes = 0;  // size of the generated function (its ELF symbol size)
  uint64_t module = 0;      // the module holding it, for release(); 0 = none
};

// Lowers IR blocks to LLVM IR and compiles them with ORC LLJIT, a batch of blocks per
// module. LLVM types stay inside engine/jit/*.cpp (DESIGN.md: not our interface).
// Each module's code stays mapped until release(): the caller tracks which blocks still
// use it. Thread-compatible: one thread compiles and releases at a time (the JIT tier's
// worker).
class LlvmBackend {
 public:
  LlvmBackend();
  ~LlvmBackend();
  LlvmBackend(const LlvmBackend&) = delete;
  LlvmBackend& operator=(const LlvmBackend&) = delete;

  // Compiles every job into one module. Returns one result per job (fn == nullptr for a
  // block LLVM could not compile; `error` says why).
  std::vector<JitResult> compile(const std::vector<JitJob>& jobs, JitOptLevel level,
                                 std::string& error);
  // True when the last compile() failed because the host refused memory for the code
  // (ENOMEM while mapping it or making it executable).
  bool out_of_memory() const;
  // Frees a module's code and symbols. Nothing may run or read that code any more.
  void release(uint64_t module);
  size_t live_modules() const;
  // The LLVM IR text of one block, for the dashboard and tests.
  std::string ir_text(const JitJob& job);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tiervm
