// The tier-2 policy: what a decision costs, and how often the learned payback model and the
// plain threshold policy are right on real workloads. Accuracy is measured online on
// held-out outcomes: each promotion's prediction is recorded before its payback label
// (executions after the swap x saving per instruction vs measured O2 compile time) is
// known and learned, so no label is predicted by a model that has seen it.
#include <benchmark/benchmark.h>

#include <string>

#include "engine/executor.h"
#include "engine/jit/jit_tier.h"
#include "engine/jit/tier_policy.h"
#include "engine/machine.h"

namespace tiervm {
namespace {

void BM_PolicyDecision(benchmark::State& state) {
  TierPolicyConfig config;
  config.mode = state.range(0) ? TierPolicyMode::Learned : TierPolicyMode::Ewma;
  TierPolicy policy(config);
  BlockFeatures f{12, 0.3, 1, 1, 0, 5};
  for (int i = 0; i < 64; ++i) policy.model().learn(f, (i & 1) != 0);
  double hotness = 1e5;
  for (auto _ : state) {
    hotness = policy.update_hotness(hotness, 1000, 0.005);
    benchmark::DoNotOptimize(policy.should_promote(f, hotness));
    benchmark::DoNotOptimize(TierPolicy::priority(f, hotness));
  }
}
BENCHMARK(BM_PolicyDecision)->Arg(0)->Arg(1)->ArgNames({"learned"});

// Runs a bench rom with tier 2 under the learned policy and reports, per promotion with a
// known outcome, how often the model and the threshold policy (which predicts "pays" for
// every block it promotes) were right.
void BM_PolicyAccuracy(benchmark::State& state, const char* rom) {
  const std::string image = std::string(TIERVM_BINARY_DIR) + "/roms/bench/" + rom + ".elf";
  uint64_t labels = 0, model = 0, threshold = 0;
  for (auto _ : state) {
    MachineConfig config;
    config.image = image;
    config.max_tier = 2;
    config.learned_policy = true;
    std::string error;
    auto m = Machine::create(config, error);
    if (!m) {
      state.SkipWithError(error.c_str());
      return;
    }
    m->set_console([](uint8_t) {}, nullptr);
    const MachineExit exit = m->run({.timeout_seconds = 60});
    if (exit.code != 0) {
      state.SkipWithError("rom failed");
      return;
    }
    const JitStats& s = m->executor().jit()->stats();
    labels += s.model_labels;
    model += s.model_correct;
    threshold += s.threshold_correct;
  }
  state.counters["labels"] = static_cast<double>(labels);
  state.counters["model_accuracy"] = labels ? static_cast<double>(model) / labels : 0;
  state.counters["threshold_accuracy"] = labels ? static_cast<double>(threshold) / labels : 0;
}
BENCHMARK_CAPTURE(BM_PolicyAccuracy, bytecode, "bytecode")->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_PolicyAccuracy, matmul, "matmul")->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_PolicyAccuracy, hash, "hash")->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace tiervm
