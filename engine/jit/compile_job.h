#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "engine/block_key.h"
#include "engine/ir.h"
#include "engine/jit/jit_abi.h"
#include "engine/tier.h"

namespace tiervm {

// One block of a compilation: a copy of its IR (the cached original may be dropped while
// the compiler works) and the chain slots of its static exits.
struct CompileMember {
  std::unique_ptr<IrBlock> ir;
  BlockKey key;
  uint64_t id = 0;  // the translation it was copied from (stale results are ignored)
  ChainSlot* taken = nullptr;
  ChainSlot* fallthrough = nullptr;
  // Tier 2: the block's tier-1 code when the region may be entered at this member
  // (JitMember::entry_fallback), else null.
  JitFn entry_fallback = nullptr;
  std::array<CrossPageExit, 2> cross{};  // JitMember::cross
};

// A unit of work for the compiler: one block (tier 1) or a region entered at members[0]
// (tier 2).
struct CompileJob {
  std::vector<CompileMember> members;
  uint64_t* counter = nullptr;  // entry counter the code increments (tier-2 profiling)
  Tier tier = Tier::Fast;
  bool bare_memory = false;               // JitJob::bare_memory
  JitFn fallback = nullptr;               // JitJob::fallback
  const ExitCache* exit_cache = nullptr;  // JitJob::exit_cache
  uint32_t vlenb = 0;                     // JitJob::vlenb
  uint64_t vtype_hint = 0;                // JitJob::vtype_hint
};

// What the compiler hands back for one job, to be installed on the hart's thread.
struct CompileResult {
  std::vector<std::pair<BlockKey, uint64_t>> members;  // (key, id), [0] = entry
  std::vector<std::pair<BlockKey, ChainSlot*>> exits;  // (target key, slot)
  std::vector<JitFn> entry_fallbacks;                  // per member: CompileMember::entry_fallback
  JitFn fn = nullptr;                                  // nullptr: the compile failed
  Tier tier = Tier::Fast;
  uint64_t* counter = nullptr;
  uint32_t guest_insns = 0;
  uint64_t compile_ns = 0;      // this unit's share of its batch
  uint64_t compile_cpu_ns = 0;  // the same, in the compiling thread's CPU time
  uint64_t module = 0;          // LlvmBackend module holding fn
  uint32_t host_bytes = 0;
  bool first_of_batch = false;
};

}  // namespace tiervm
