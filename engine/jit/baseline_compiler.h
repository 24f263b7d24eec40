#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "engine/ir.h"
#include "engine/jit/code_arena.h"
#include "engine/jit/jit_abi.h"

namespace tiervm {

// The baseline tier: compiles an IR block by copying one stencil per IR op (and one for
// its exit) into executable memory and patching their holes (copy-and-patch; the stencils
// are machine code clang-19 built from engine/ir_eval.h's semantics, see
// engine/jit/stencils/stencils.cpp). A few microseconds per block, on the hart's thread.
//
// The code follows the JitFn convention exactly like LLVM's: same pc, instret and trap
// rules, chain slots for same-page exits, tiervm_jit_lookup for the others.
struct Stencil;

class BaselineCompiler {
 public:
  static constexpr size_t kDefaultArenaBytes = size_t{128} << 20;

  explicit BaselineCompiler(size_t arena_bytes = kDefaultArenaBytes);
  BaselineCompiler(const BaselineCompiler&) = delete;
  BaselineCompiler& operator=(const BaselineCompiler&) = delete;

  // False when there is no executable memory (error() says why).
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

  struct Code {
    JitFn fn = nullptr;  // nullptr: not compiled (code memory full, or an unpatchable value)
    uint32_t bytes = 0;
  };
  // `taken` / `fallthrough`: the chain slots of the block's Jump/Branch exits, or nullptr
  // to leave through the dispatcher's lookup. `counter`: incremented on every entry, or
  // nullptr.
  Code compile(const IrBlock& block, ChainSlot* taken, ChainSlot* fallthrough, uint64_t* counter);
  void release(Code code);
  // The exit cache the code's lookup exits probe in line (CodeCache::exit_cache()); without
  // one (or in blocks that may change the fetch key) they probe an empty one.
  void set_exit_cache(const ExitCache* cache) { exit_cache_ = cache; }

  const CodeArena& arena() const { return arena_; }

 private:
  CodeArena arena_;
  bool ok_ = false;
  std::string error_;
  // Executable addresses of the slow-path thunks stencils call; the memory ones per access
  // size (1, 2, 4, 8 bytes), one copy each.
  static constexpr size_t kMemThunks = 4;
  uint64_t thunk_load_[kMemThunks] = {};
  uint64_t thunk_store_[kMemThunks] = {};
  uint64_t thunk_lookup_ = 0;
  const ExitCache* exit_cache_ = nullptr;
  uint64_t thunk_trap_ = 0;
  // The out-of-line bodies of Call and FP ops, copied on first use per body and helper:
  // their address, 0 when code memory is full. They live as long as the compiler (a code
  // cache flush frees blocks only).
  uint64_t body_thunk(const Stencil& body, uint64_t helper);
  std::map<std::pair<const Stencil*, uint64_t>, uint64_t> bodies_;
};

}  // namespace tiervm
