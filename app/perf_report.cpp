#include "app/perf_report.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/machine.h"

namespace tiervm {

bool write_perf_report(const std::string& path, Machine& machine, const MachineExit& exit,
                       double seconds) {
  Executor& ex = machine.executor();
  const SoftTlb& tlb = machine.hart().tlb;
  const uint64_t insns = machine.instructions();
  nlohmann::json j;
  j["schema"] = "tiervm-perf-report/1";
  j["exit_code"] = exit.code;
  j["instructions"] = insns;
  j["wall_seconds"] = seconds;
  j["mips"] = seconds > 0 ? static_cast<double>(insns) / seconds / 1e6 : 0.0;
  j["blocks_executed"] = ex.blocks_executed();
  j["traps"] = ex.traps_taken();
  j["interrupts"] = ex.interrupts_taken();
  j["code_cache"] = {{"blocks", ex.code_cache().block_count()},
                     {"translations", ex.code_cache().translations()},
                     {"invalidations", ex.code_cache().invalidations()}};
  j["tlb"] = {{"l1_misses", tlb.l1_misses},
              {"l2_hits", tlb.l2_hits},
              {"l2_misses", tlb.l2_misses},
              {"flushes", tlb.flushes}};
  if (const JitTier* jit = ex.jit()) {
    const JitStats& js = jit->stats();
    j["jit"] = {{"blocks_compiled", js.blocks_compiled},
                {"guest_insns_compiled", js.guest_insns_compiled},
                {"compile_batches", js.compile_batches},
                {"compile_ms", static_cast<double>(js.compile_ns) / 1e6},
                {"us_per_block", js.blocks_compiled ? static_cast<double>(js.compile_ns) / 1e3 /
                                                          static_cast<double>(js.blocks_compiled)
                                                    : 0.0},
                {"compile_failures", js.compile_failures},
                {"links_made", js.links_made},
                {"links_broken", js.links_broken},
                {"interpreted_runs", js.interpreted_runs}};
  }
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  return static_cast<bool>(out);
}

}  // namespace tiervm
