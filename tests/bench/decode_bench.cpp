// Decoder throughput (engine/decoder.h) over real guest code: the instruction parcels of
// the built roms' .text sections, decoded in order as the translator meets them.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "engine/decoder.h"
#include "tests/bench/rom_corpus.h"

namespace tiervm {
namespace {

std::vector<uint32_t> corpus(std::string& error) {
  std::vector<uint32_t> words;
  for (const std::string& path : bench::built_roms()) {
    if (auto t = bench::read_text(path, error)) {
      const std::vector<uint32_t> w = bench::instruction_words(*t);
      words.insert(words.end(), w.begin(), w.end());
    }
  }
  if (words.empty()) error = "no rom is built under the build tree's roms/";
  return words;
}

void BM_Decode(benchmark::State& state) {
  std::string error;
  static const std::vector<uint32_t> words = corpus(error);
  if (words.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  size_t compressed = 0;
  for (uint32_t w : words) compressed += (w & 3) != 3;
  for (auto _ : state) {
    for (uint32_t w : words) benchmark::DoNotOptimize(decode(w));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(words.size()));
  state.counters["corpus_insns"] = static_cast<double>(words.size());
  state.counters["compressed_share"] =
      static_cast<double>(compressed) / static_cast<double>(words.size());
}
BENCHMARK(BM_Decode);

// Decode plus the disassembler, the cost of a trace line or a dashboard listing.
void BM_Disassemble(benchmark::State& state) {
  std::string error;
  static const std::vector<uint32_t> words = corpus(error);
  if (words.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    uint64_t pc = 0x8000'0000;
    for (uint32_t w : words) {
      benchmark::DoNotOptimize(disassemble(w, pc));
      pc += (w & 3) == 3 ? 4 : 2;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(words.size()));
}
BENCHMARK(BM_Disassemble);

}  // namespace
}  // namespace tiervm
