#include "engine/monitor/block_detail.h"

#include <cinttypes>
#include <cstdio>

#include "engine/decoder.h"
#include "engine/executor.h"
#include "engine/jit/llvm_backend.h"
#include "engine/machine.h"
#include "engine/monitor/symbol_table.h"

namespace tiervm {

std::optional<IrBlock> copy_live_block(Machine& machine, uint64_t paddr) {
  const CodeCache& cache = machine.executor().code_cache();
  for (bool fp : {true, false}) {
    if (const IrBlock* b = cache.find(CodeCache::key_of(paddr, TranslateFlags{fp}))) return *b;
  }
  return std::nullopt;
}

BlockDetail describe_block(const IrBlock& block, uint64_t pc, const SymbolTable* symbols,
                           LlvmBackend* backend) {
  BlockDetail d;
  d.paddr = block.start_paddr;
  d.pc = pc;
  d.tier = block.native ? block.tier : 0;
  if (symbols) d.symbol = symbols->describe(pc);
  char line[160];
  for (unsigned i = 0; i < block.guest_count(); ++i) {
    const uint64_t ipc = pc + block.guest_offsets[i];
    const uint32_t w = block.guest_words[i];
    const bool wide = (w & 3) == 3;
    std::snprintf(line, sizeof line, "%016" PRIx64 "  %0*x  ", ipc, wide ? 8 : 4,
                  wide ? w : (w & 0xffff));
    d.guest_asm += line;
    d.guest_asm += disassemble(w, ipc);
    d.guest_asm += '\n';
  }
  d.ir = format_ir(block);
  if (backend) {
    // As tier 1 would compile it, alone and with every exit back to the dispatcher.
    JitJob job;
    job.members.push_back({&block, nullptr, nullptr});
    job.key = block.key;
    d.llvm_ir = backend->ir_text(job);
  }
  return d;
}

}  // namespace tiervm
