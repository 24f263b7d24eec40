#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/ir.h"

namespace tiervm {

class LlvmBackend;
class Machine;
class SymbolTable;

// A copy of the live translation at guest-physical `paddr` (either FP flavour), taken on
// the machine's thread so another thread can print it.
std::optional<IrBlock> copy_live_block(Machine& machine, uint64_t paddr);

// The texts the dashboard shows for one block.
struct BlockDetail {
  uint64_t paddr = 0;
  uint64_t pc = 0;
  unsigned tier = 0;
  std::string symbol;
  std::string guest_asm;  // one line per guest instruction: pc, bits, disassembly
  std::string ir;         // format_ir
  std::string llvm_ir;    // what tier 1 hands LLVM (LlvmBackend::ir_text), unoptimised
};

// Prints `block` as if it ran at virtual `pc`. `backend` (may be null: no LLVM IR) is used
// from the calling thread only.
BlockDetail describe_block(const IrBlock& block, uint64_t pc, const SymbolTable* symbols,
                           LlvmBackend* backend);

}  // namespace tiervm
