#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/ir.h"
#include "engine/tier.h"

namespace tiervm {

class LlvmBackend;
class Machine;
class SymbolTable;

// A copy of the live translation at guest-physical `paddr` (either FP flavour) and of its
// compiled code, taken on the machine's thread so another thread can print them: code is
// freed on that thread's schedule once its block is dropped.
struct LiveBlock {
  IrBlock block;
  BlockKey key;
  Tier tier = Tier::Interpreter;   // the tier its next run executes on
  uint64_t host_address = 0;       // where its compiled code was (for branch targets)
  std::vector<uint8_t> host_code;  // the compiled code's bytes (empty on tier 0)
};
std::optional<LiveBlock> copy_live_block(Machine& machine, uint64_t paddr);

// The texts the dashboard shows for one block.
struct BlockDetail {
  uint64_t paddr = 0;
  uint64_t pc = 0;
  Tier tier = Tier::Interpreter;
  std::string symbol;
  std::string guest_asm;  // one line per guest instruction: pc, bits, disassembly
  std::string ir;         // format_ir
  std::string llvm_ir;    // what tier 1 hands LLVM (LlvmBackend::ir_text), unoptimised
  std::string host_asm;   // the live compiled code (LLVM MC disassembly), or empty
};

// Prints `live` as if it ran at virtual `pc`. `backend` (may be null: no LLVM IR) is used
// from the calling thread only.
BlockDetail describe_block(const LiveBlock& live, uint64_t pc, const SymbolTable* symbols,
                           LlvmBackend* backend);

}  // namespace tiervm
