#include "engine/monitor/block_detail.h"

#include <cinttypes>
#include <cstdio>

#include "engine/decoder.h"
#include "engine/executor.h"
#include "engine/jit/host_disasm.h"
#include "engine/jit/llvm_backend.h"
#include "engine/machine.h"
#include "engine/monitor/symbol_table.h"

namespace tiervm {

namespace {

// Interpreter < tier 1 (baseline or LLVM fast) < tier 2.
int tier_rank(Tier t) {
  return t == Tier::Interpreter ? 0 : t == Tier::Optimized ? 2 : 1;
}

}  // namespace

std::optional<LiveBlock> copy_live_block(Machine& machine, uint64_t paddr) {
  // Every hart has its own code cache (--smp): the lowest hart that has the block, and
  // the most optimized translation among them.
  const CachedBlock* best = nullptr;
  for (unsigned i = 0; i < machine.hart_count(); ++i) {
    const CodeCache& cache = machine.executor(i).code_cache();
    for (bool fp : {true, false}) {
      const CachedBlock* b = cache.find(BlockKey(paddr, TranslateFlags{fp}));
      if (b == nullptr) continue;
      if (best == nullptr || tier_rank(b->running_tier()) > tier_rank(best->running_tier())) {
        best = b;
      }
      break;
    }
  }
  if (best == nullptr) return std::nullopt;
  LiveBlock live{
      best->ir, best->key, best->running_tier(), reinterpret_cast<uint64_t>(best->native), {}};
  if (best->native != nullptr) {
    const auto* code = reinterpret_cast<const uint8_t*>(best->native);
    live.host_code.assign(code, code + best->native_bytes);
  }
  return live;
}

BlockDetail describe_block(const LiveBlock& live, uint64_t pc, const SymbolTable* symbols,
                           LlvmBackend* backend) {
  const IrBlock& block = live.block;
  BlockDetail d;
  d.paddr = block.start_paddr;
  d.pc = pc;
  d.tier = live.tier;
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
    job.key = live.key;
    d.llvm_ir = backend->ir_text(job);
  }
  if (!live.host_code.empty()) {
    d.host_asm = disassemble_host(live.host_code, live.host_address);
  }
  return d;
}

}  // namespace tiervm
