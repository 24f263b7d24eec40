// Compile cost on real guest code: IR blocks translated from the built bench roms' .text.
// LLVM (engine/jit/llvm_backend.h) compiles them one block per module and in batches of 16
// (JitConfig::batch_size), at JitOptLevel::Fast (tier 1) and ::Optimize, and as tier-2
// regions (several blocks of one page lowered into one function, then O2); the baseline
// tier (engine/jit/baseline_compiler.h) copies and patches its stencils, one block at a time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/hart.h"
#include "engine/jit/baseline_compiler.h"
#include "engine/jit/llvm_backend.h"
#include "engine/loader.h"
#include "engine/translator.h"
#include "mem/bus.h"
#include "tests/bench/rom_corpus.h"

namespace tiervm {
namespace {

struct BlockCorpus {
  std::vector<std::unique_ptr<IrBlock>> blocks;
  uint64_t guest_insns = 0;
  std::string error;
};

// Translates every block of a rom's .text, one after the other from its start, as if each
// were a branch target.
void translate_rom(const std::string& path, BlockCorpus& c) {
  std::string error;
  const std::optional<bench::RomText> text = bench::read_text(path, error);
  const std::optional<std::vector<uint8_t>> file = read_file(path, error);
  if (!text || !file) return;
  Bus bus;
  bus.map_ram(0x8000'0000, 16ull << 20);
  const LoadResult loaded = load_elf(bus, *file);
  if (!loaded.image) return;
  Hart hart(bus, 0);
  hart.reset(loaded.image->entry);
  const TranslateFlags flags{true};
  for (uint64_t pc = text->addr; pc < text->addr + text->bytes.size();) {
    std::unique_ptr<IrBlock> b = translate_block(hart, pc, pc, flags);
    pc += b->guest_bytes != 0 ? b->guest_bytes : 2;
    c.guest_insns += b->guest_count();
    c.blocks.push_back(std::move(b));
  }
}

// A one-block compilation unit (tier 1's kind of job).
JitJob single_block_job(const IrBlock* block) {
  JitJob job;
  job.members.push_back({block, nullptr, nullptr});
  job.key = BlockKey(block->start_paddr, TranslateFlags{});
  return job;
}

const BlockCorpus& corpus() {
  static const BlockCorpus c = [] {
    BlockCorpus c;
    for (const char* rom : {"crc32", "qsort", "hash", "bytecode", "matmul", "nbody", "fft"}) {
      translate_rom(std::string(TIERVM_BINARY_DIR) + "/roms/bench/" + rom + ".elf", c);
    }
    if (c.blocks.empty()) c.error = "no bench rom is built (target bench_roms)";
    // A fixed shuffle: a run that compiles only part of the corpus still sees a
    // representative sample (the .text starts with the short blocks of crt.S).
    std::shuffle(c.blocks.begin(), c.blocks.end(), std::mt19937_64(42));
    return c;
  }();
  return c;
}

// Compiles `jobs` as one module, counts failures, then frees the module outside the timed
// part (as the JIT frees dropped code), so memory stays bounded however long it runs.
void compile_and_release(benchmark::State& state, LlvmBackend& backend,
                         const std::vector<JitJob>& jobs, JitOptLevel level, uint64_t& failures) {
  std::string error;
  const std::vector<JitResult> results = backend.compile(jobs, level, error);
  state.PauseTiming();
  for (const JitResult& r : results) failures += r.fn == nullptr;
  if (!results.empty()) backend.release(results.front().module);
  state.ResumeTiming();
}

// Time per compiled unit ("per_block" or "per_region") and per guest instruction.
void report_rates(benchmark::State& state, const std::string& unit, uint64_t units, uint64_t insns,
                  uint64_t failures) {
  using benchmark::Counter;
  state.counters["per_" + unit] =
      Counter(static_cast<double>(units), Counter::kIsRate | Counter::kInvert);
  state.counters["per_insn"] =
      Counter(static_cast<double>(insns), Counter::kIsRate | Counter::kInvert);
  state.counters["insns_per_" + unit] =
      Counter(static_cast<double>(insns) / static_cast<double>(units));
  state.counters["failures"] = Counter(static_cast<double>(failures));
}

void BM_Compile(benchmark::State& state) {
  const BlockCorpus& c = corpus();
  if (c.blocks.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  const JitOptLevel level = state.range(0) == 0 ? JitOptLevel::Fast : JitOptLevel::Optimize;
  const size_t batch = static_cast<size_t>(state.range(1));
  auto backend = std::make_unique<LlvmBackend>();
  std::vector<JitJob> jobs;
  size_t next = 0;
  uint64_t blocks = 0;
  uint64_t insns = 0;
  uint64_t failures = 0;
  for (auto _ : state) {
    jobs.clear();
    for (size_t k = 0; k < batch; ++k) {
      const IrBlock* b = c.blocks[next].get();
      next = (next + 1) % c.blocks.size();
      jobs.push_back(single_block_job(b));
      insns += b->guest_count();
    }
    compile_and_release(state, *backend, jobs, level, failures);
    blocks += batch;
  }
  report_rates(state, "block", blocks, insns, failures);
  state.SetItemsProcessed(static_cast<int64_t>(blocks));
}
// Arguments: level (0 = Fast, 1 = Optimize), blocks per module.
BENCHMARK(BM_Compile)
    ->ArgNames({"O2", "batch"})
    ->Args({0, 1})
    ->Args({0, 16})
    ->Args({1, 1})
    ->Args({1, 16})
    ->Unit(benchmark::kMicrosecond);

// The baseline tier on the same blocks. Each iteration compiles one block; every
// kBaselineBatch blocks the code is released outside the timed part (as the JIT frees
// dropped code), so the arena never fills and pausing the timer costs little per block.
void BM_CompileBaseline(benchmark::State& state) {
  const BlockCorpus& c = corpus();
  if (c.blocks.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  auto compiler = std::make_unique<BaselineCompiler>();
  if (!compiler->ok()) {
    state.SkipWithError(compiler->error().c_str());
    return;
  }
  constexpr size_t kBaselineBatch = 256;
  std::vector<BaselineCompiler::Code> live;
  live.reserve(kBaselineBatch);
  size_t next = 0;
  uint64_t blocks = 0;
  uint64_t insns = 0;
  uint64_t failures = 0;
  for (auto _ : state) {
    const IrBlock* b = c.blocks[next].get();
    next = (next + 1) % c.blocks.size();
    const BaselineCompiler::Code code = compiler->compile(*b, nullptr, nullptr, nullptr);
    insns += b->guest_count();
    ++blocks;
    if (code.fn == nullptr) {
      ++failures;
    } else {
      live.push_back(code);
    }
    if (live.size() == kBaselineBatch) {
      state.PauseTiming();
      for (const BaselineCompiler::Code& done : live) compiler->release(done);
      live.clear();
      state.ResumeTiming();
    }
  }
  for (const BaselineCompiler::Code& done : live) compiler->release(done);
  report_rates(state, "block", blocks, insns, failures);
  state.SetItemsProcessed(static_cast<int64_t>(blocks));
}
BENCHMARK(BM_CompileBaseline)->Unit(benchmark::kMicrosecond);

// Tier-2 regions formed as JitTier::promote forms them: an entry block plus the blocks its
// static exits reach inside the same page, breadth first, up to 8 blocks. Every corpus
// block that reaches at least one other block is the entry of one region.
const std::vector<std::vector<const IrBlock*>>& regions() {
  static const std::vector<std::vector<const IrBlock*>> r = [] {
    std::map<uint64_t, const IrBlock*> at;
    for (const auto& b : corpus().blocks) at.emplace(b->start_paddr, b.get());
    std::vector<std::vector<const IrBlock*>> out;
    constexpr size_t kMaxBlocks = 8;  // JitConfig::max_region_blocks
    for (const auto& entry : corpus().blocks) {
      std::vector<const IrBlock*> members = {entry.get()};
      for (size_t n = 0; n < members.size() && members.size() < kMaxBlocks; ++n) {
        const IrBlock& b = *members[n];
        if (b.exit.kind != IrExit::Jump && b.exit.kind != IrExit::Branch) continue;
        for (int64_t off : {b.exit.taken_offset, b.exit.fallthrough_offset}) {
          const uint64_t target = b.start_paddr + static_cast<uint64_t>(off);
          if ((target >> 12) != (b.start_paddr >> 12)) continue;
          auto t = at.find(target);
          if (t == at.end()) continue;
          if (std::find(members.begin(), members.end(), t->second) != members.end()) continue;
          if (members.size() < kMaxBlocks) members.push_back(t->second);
          if (b.exit.kind == IrExit::Jump) break;
        }
      }
      if (members.size() > 1) out.push_back(std::move(members));
    }
    return out;
  }();
  return r;
}

void BM_CompileRegion(benchmark::State& state) {
  const auto& all = regions();
  if (all.empty()) {
    state.SkipWithError(corpus().error.empty() ? "no regions in the corpus"
                                               : corpus().error.c_str());
    return;
  }
  auto backend = std::make_unique<LlvmBackend>();
  size_t next = 0;
  uint64_t count = 0;
  uint64_t blocks = 0;
  uint64_t insns = 0;
  uint64_t failures = 0;
  for (auto _ : state) {
    JitJob job;
    for (const IrBlock* b : all[next]) {
      job.members.push_back({b, nullptr, nullptr});
      insns += b->guest_count();
    }
    blocks += all[next].size();
    next = (next + 1) % all.size();
    job.key = BlockKey(job.members.front().block->start_paddr, TranslateFlags{});
    job.region = true;
    ++count;
    compile_and_release(state, *backend, {job}, JitOptLevel::Optimize, failures);
  }
  report_rates(state, "region", count, insns, failures);
  using benchmark::Counter;
  state.counters["blocks_per_region"] =
      Counter(static_cast<double>(blocks) / static_cast<double>(count));
  state.counters["regions_in_corpus"] = Counter(static_cast<double>(all.size()));
}
BENCHMARK(BM_CompileRegion)->Unit(benchmark::kMillisecond);

// The first compilation of a fresh backend, which also sets LLVM up (the ORC LLJIT
// instance, target machine): paid once per JIT tier.
void BM_CompileColdBackend(benchmark::State& state) {
  const BlockCorpus& c = corpus();
  if (c.blocks.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  for (auto _ : state) {
    LlvmBackend backend;
    std::string error;
    benchmark::DoNotOptimize(
        backend.compile({single_block_job(c.blocks[0].get())}, JitOptLevel::Fast, error));
  }
}
BENCHMARK(BM_CompileColdBackend)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tiervm
