#include "engine/monitor/report.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>

namespace tiervm {

namespace {

double per_million(uint64_t count, uint64_t instructions) {
  return instructions ? static_cast<double>(count) * 1e6 / static_cast<double>(instructions) : 0;
}

double share(double part, double whole) {
  return whole > 0 ? part / whole : 0.0;
}

double per_block_us(uint64_t ns, uint64_t blocks) {
  return blocks ? static_cast<double>(ns) / 1e3 / static_cast<double>(blocks) : 0.0;
}

double tier1_us_per_block(const JitStats& js) {
  return js.blocks_compiled ? static_cast<double>(js.compile_ns - js.tier2_compile_ns) / 1e3 /
                                  static_cast<double>(js.blocks_compiled)
                            : 0.0;
}

nlohmann::json block_json(const MonitorSnapshot& s, const BlockProfile& b) {
  const uint64_t sampled = s.samples - s.samples_idle;
  // One count per hart of the machine.
  const size_t harts = std::clamp<size_t>(s.harts.size(), 1, b.samples_by_hart.size());
  const std::vector<uint32_t> by_hart(b.samples_by_hart.begin(),
                                      b.samples_by_hart.begin() + static_cast<ptrdiff_t>(harts));
  return {{"paddr", hex_address(b.paddr)},
          {"pc", hex_address(b.pc)},
          {"symbol", s.symbols ? s.symbols->describe(b.pc) : std::string()},
          {"tier", tier_index(b.tier)},
          {"live", b.live},
          {"guest_insns", b.guest_insns},
          {"vector_insns", b.vector_insns},
          {"guest_bytes", b.guest_bytes},
          {"host_bytes", b.host_bytes},
          {"samples", b.samples},
          {"sample_share", share(static_cast<double>(b.samples), static_cast<double>(sampled))},
          {"tier0_execs", b.tier0_execs},
          {"compile_us", static_cast<double>(b.compile_ns_last) / 1e3},
          {"compile_us_total", static_cast<double>(b.compile_ns_total) / 1e3},
          {"times_compiled", b.times_compiled},
          {"times_invalidated", b.times_invalidated},
          {"chainable_exits", b.chainable_exits},
          {"chained_exits", b.chained_exits},
          {"samples_by_hart", by_hart}};
}

}  // namespace

std::string hex_address(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, value);
  return buf;
}

std::vector<size_t> hottest_blocks(const MonitorSnapshot& s, size_t n) {
  std::vector<size_t> idx;
  for (size_t i = 0; i < s.blocks.size(); ++i) {
    if (s.blocks[i].samples) idx.push_back(i);
  }
  auto hotter = [&](size_t a, size_t b) {
    const BlockProfile &x = s.blocks[a], &y = s.blocks[b];
    if (x.samples != y.samples) return x.samples > y.samples;
    return x.compile_ns_total > y.compile_ns_total;
  };
  n = std::min(n, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(n), idx.end(), hotter);
  idx.resize(n);
  return idx;
}

std::vector<size_t> slowest_compiles(const MonitorSnapshot& s, size_t n) {
  std::vector<size_t> idx;
  for (size_t i = 0; i < s.blocks.size(); ++i) {
    if (s.blocks[i].times_compiled) idx.push_back(i);
  }
  n = std::min(n, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(n), idx.end(),
                    [&](size_t a, size_t b) {
                      return s.blocks[a].compile_ns_last > s.blocks[b].compile_ns_last;
                    });
  idx.resize(n);
  return idx;
}

nlohmann::json monitor_report_json(const MonitorSnapshot& s, double wall_seconds, size_t top_n) {
  const double wall = wall_seconds > 0 ? wall_seconds : s.uptime_s;
  nlohmann::json j;
  j["schema"] = "tiervm-perf-report/2";
  // The fields of version 1 first, with their meaning unchanged.
  j["instructions"] = s.instructions;
  j["wall_seconds"] = wall;
  j["mips"] = wall > 0 ? static_cast<double>(s.instructions) / wall / 1e6 : 0.0;
  j["blocks_executed"] = s.blocks_executed;
  j["traps"] = s.traps;
  j["interrupts"] = s.interrupts;
  // Per hart; the code-cache, TLB and JIT figures below are the sums over the harts.
  j["harts"] = nlohmann::json::array();
  for (const HartCounters& h : s.harts) {
    j["harts"].push_back(
        {{"id", h.id},
         {"instructions", h.instructions},
         {"state", h.state},
         {"mips", wall > 0 ? static_cast<double>(h.instructions) / wall / 1e6 : 0.0},
         {"traps", h.traps},
         {"interrupts", h.interrupts},
         {"blocks_executed", h.blocks_executed},
         {"tlb_l1_misses", h.tlb_l1_misses},
         {"code_blocks", h.code_blocks},
         {"blocks_compiled", h.blocks_compiled},
         {"samples", h.samples}});
  }
  j["code_cache"] = {{"blocks", s.code_blocks},          {"translations", s.translations},
                     {"invalidations", s.invalidations}, {"max_blocks", s.code_max_blocks},
                     {"evicted", s.code_evicted},        {"host_bytes", s.code_host_bytes},
                     {"lookups", s.code_lookups},        {"revalidations", s.code_revalidations}};
  const uint64_t l2_lookups = s.tlb_l2_hits + s.tlb_l2_misses;
  j["tlb"] = {
      {"l1_misses", s.tlb_l1_misses},
      {"l2_hits", s.tlb_l2_hits},
      {"l2_misses", s.tlb_l2_misses},
      {"flushes", s.tlb_flushes},
      {"page_flushes", s.tlb_page_flushes},
      {"l1_resizes", s.tlb_l1_resizes},
      {"l1_max_entries", s.tlb_l1_max_entries},
      {"l2_hit_rate", share(static_cast<double>(s.tlb_l2_hits), static_cast<double>(l2_lookups))},
      {"l1_misses_per_million_insns", per_million(s.tlb_l1_misses, s.instructions)},
      {"l2_misses_per_million_insns", per_million(s.tlb_l2_misses, s.instructions)},
      {"flushes_per_million_insns", per_million(s.tlb_flushes, s.instructions)}};
  const JitStats& js = s.jit;
  j["jit"] = {{"enabled", s.jit_enabled},
              {"blocks_compiled", js.blocks_compiled},
              {"guest_insns_compiled", js.guest_insns_compiled},
              {"compile_batches", js.compile_batches},
              {"compile_ms", static_cast<double>(js.compile_ns) / 1e6},
              // Tier-1 time per tier-1 block (compile_ns also holds tier 2's).
              {"us_per_block", tier1_us_per_block(js)},
              {"compile_failures", js.compile_failures},
              {"modules_live", js.modules_live},
              {"modules_released", js.modules_released},
              {"links_made", js.links_made},
              {"links_broken", js.links_broken},
              {"interpreted_runs", js.interpreted_runs},
              {"native_runs", js.native_runs},
              {"counted_entries", s.jit_counted_entries},
              {"queue_length", s.compile_queue},
              {"regions_compiled", js.regions_compiled},
              {"region_blocks", js.region_blocks},
              {"tier2_compile_ms", static_cast<double>(js.tier2_compile_ns) / 1e6},
              {"regions_reverted", js.regions_reverted},
              {"region_member_entries", js.region_member_entries},
              {"regions_spanning_pages", js.regions_spanning_pages},
              {"tier2_threshold", js.tier2_threshold},
              {"baseline_blocks", js.baseline_blocks},
              {"baseline_compile_ms", static_cast<double>(js.baseline_compile_ns) / 1e6},
              {"baseline_us_per_block", per_block_us(js.baseline_compile_ns, js.baseline_blocks)},
              {"baseline_host_bytes_per_insn", share(static_cast<double>(js.baseline_host_bytes),
                                                     static_cast<double>(js.baseline_guest_insns))},
              {"baseline_code_bytes", js.baseline_code_bytes}};

  j["rates"] = {{"mips_recent", s.mips_recent},
                {"traps_per_s", s.traps_per_s},
                {"interrupts_per_s", s.interrupts_per_s},
                {"traps_per_s_average", share(static_cast<double>(s.traps), wall)},
                {"interrupts_per_s_average", share(static_cast<double>(s.interrupts), wall)}};
  j["monitor"] = {{"enabled", s.enabled},
                  {"uptime_seconds", s.uptime_s},
                  {"samples", s.samples},
                  {"samples_idle", s.samples_idle},
                  {"samples_unresolved", s.samples_unresolved},
                  {"samples_by_tier", s.samples_by_tier},
                  {"blocks_profiled", s.blocks.size()},
                  {"events_dropped", s.events_dropped}};
  j["time_split"] = {{"hart_run_seconds", s.hart_run_s},
                     {"by_tier_seconds", s.run_s_by_tier},
                     {"unattributed_seconds", s.run_s_unresolved},
                     {"compiler_seconds", s.compile_s},
                     {"hart_idle_seconds", std::max(0.0, wall - s.hart_run_s)}};
  nlohmann::json history = nlohmann::json::array();
  for (const RateSample& r : s.history) {
    history.push_back({{"t", r.t},
                       {"mips", r.mips},
                       {"traps_per_s", r.traps_per_s},
                       {"interrupts_per_s", r.interrupts_per_s},
                       {"native_share", r.native_share}});
  }
  j["mips_history"] = std::move(history);
  nlohmann::json bins = nlohmann::json::array();
  for (unsigned i = 0; i < kCompileHistogramBins; ++i) bins.push_back(i == 0 ? 0 : 1u << i);
  j["compile_histogram"] = {{"bin_min_us", std::move(bins)}, {"by_tier", s.compile_histogram}};
  nlohmann::json hot = nlohmann::json::array();
  for (size_t i : hottest_blocks(s, top_n)) hot.push_back(block_json(s, s.blocks[i]));
  j["hot_blocks"] = std::move(hot);
  nlohmann::json slow = nlohmann::json::array();
  for (size_t i : slowest_compiles(s, top_n)) slow.push_back(block_json(s, s.blocks[i]));
  j["slowest_compiles"] = std::move(slow);
  return j;
}

std::string monitor_report_text(const MonitorSnapshot& s, double wall_seconds, size_t top_n) {
  const double wall = wall_seconds > 0 ? wall_seconds : s.uptime_s;
  std::string out;
  char line[512];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  add("tiervm performance: %.2f M instructions in %.3f s (%.1f MIPS), %" PRIu64
      " blocks executed, %" PRIu64 " traps, %" PRIu64 " interrupts\n",
      static_cast<double>(s.instructions) / 1e6, wall,
      wall > 0 ? static_cast<double>(s.instructions) / wall / 1e6 : 0.0, s.blocks_executed, s.traps,
      s.interrupts);
  const double run = s.hart_run_s;
  // Every tier but the interpreter's is compiled code.
  double compiled_s = 0;
  uint64_t compiled_samples = 0;
  for (unsigned t = 1; t < kTierCount; ++t) {
    compiled_s += s.run_s_by_tier[t];
    compiled_samples += s.samples_by_tier[t];
  }
  add("time split (estimate: executor time per slice, by the tier of the sampled block): "
      "interpreter %.0f%%, compiled %.0f%%, unattributed/idle-entry %.0f%% of %.3f s in the "
      "executor; compiler thread %.3f s\n",
      100 * share(s.run_s_by_tier[0], run), 100 * share(compiled_s, run),
      100 * share(s.run_s_unresolved, run), run, s.compile_s);
  add("samples: %" PRIu64 " (idle %" PRIu64 ", unresolved %" PRIu64 "), interpreter %" PRIu64
      ", compiled %" PRIu64 "%s\n",
      s.samples, s.samples_idle, s.samples_unresolved, s.samples_by_tier[0], compiled_samples,
      s.enabled ? "" : " (monitor disabled)");
  if (s.harts.size() > 1) {
    for (const HartCounters& h : s.harts) {
      add("hart %u: %.2f M instructions, %s, %" PRIu64 " traps, %" PRIu64 " interrupts, %" PRIu64
          " blocks compiled, %" PRIu64 " in its code cache, %" PRIu64 " samples\n",
          h.id, static_cast<double>(h.instructions) / 1e6, h.state, h.traps, h.interrupts,
          h.blocks_compiled, h.code_blocks, h.samples);
    }
  }
  const JitStats& js = s.jit;
  if (s.jit_enabled) {
    add("jit: %" PRIu64 " blocks compiled in %" PRIu64
        " batches, %.1f ms (%.0f us/block), "
        "%" PRIu64 " failures, queue %zu, links %" PRIu64 " made / %" PRIu64
        " broken; tier 2: %" PRIu64 " regions (%" PRIu64 " blocks, %" PRIu64
        " of them also entries; %" PRIu64 " spanning pages) in %.1f ms (%.1f ms of CPU)\n",
        js.blocks_compiled, js.compile_batches, static_cast<double>(js.compile_ns) / 1e6,
        tier1_us_per_block(js), js.compile_failures, s.compile_queue, js.links_made,
        js.links_broken, js.regions_compiled, js.region_blocks, js.region_member_entries,
        js.regions_spanning_pages, static_cast<double>(js.tier2_compile_ns) / 1e6,
        static_cast<double>(js.tier2_compile_cpu_ns) / 1e6);
    if (js.baseline_blocks > 0) {
      add("baseline tier: %" PRIu64
          " blocks, %.2f us/block, %.1f host bytes per guest "
          "instruction, %.1f KiB of code in use\n",
          js.baseline_blocks, per_block_us(js.baseline_compile_ns, js.baseline_blocks),
          share(static_cast<double>(js.baseline_host_bytes),
                static_cast<double>(js.baseline_guest_insns)),
          static_cast<double>(js.baseline_code_bytes) / 1024);
    }
  } else {
    out += "jit: off\n";
  }
  const uint64_t l2 = s.tlb_l2_hits + s.tlb_l2_misses;
  add("tlb: %.1f L1 misses per million insns, L2 hit rate %.1f%% (%" PRIu64 " of %" PRIu64
      "), %" PRIu64 " flushes (%" PRIu64
      " of one page; L1 hits are not counted), L1 resized %" PRIu64 " times (largest %" PRIu64
      " entries)\n",
      per_million(s.tlb_l1_misses, s.instructions),
      100 * share(static_cast<double>(s.tlb_l2_hits), static_cast<double>(l2)), s.tlb_l2_hits, l2,
      s.tlb_flushes, s.tlb_page_flushes, s.tlb_l1_resizes, s.tlb_l1_max_entries);
  add("code cache: %zu blocks (%.1f KiB of host code), %" PRIu64 " translations, %" PRIu64
      " invalidations, %" PRIu64 " evicted, %" PRIu64 " lookups (jump-cache misses), %" PRIu64
      " jump-cache entries revalidated after TLB flushes\n",
      s.code_blocks, static_cast<double>(s.code_host_bytes) / 1024, s.translations, s.invalidations,
      s.code_evicted, s.code_lookups, s.code_revalidations);

  const uint64_t sampled = s.samples - s.samples_idle;
  auto row = [&](const BlockProfile& b) {
    const std::string sym = s.symbols ? s.symbols->describe(b.pc) : std::string();
    add("  %6.2f%% %8" PRIu64 "  %-9s %5u %10.1f %3u  %-18s %s\n",
        100 * share(static_cast<double>(b.samples), static_cast<double>(sampled)), b.samples,
        tier_name(b.tier), b.guest_insns, static_cast<double>(b.compile_ns_last) / 1e3,
        b.times_invalidated, hex_address(b.pc).c_str(), sym.c_str());
  };
  const char* header =
      "  samples%  samples  tier      insns compile_us inv  pc                 symbol\n";
  out += "hottest blocks:\n";
  out += header;
  for (size_t i : hottest_blocks(s, top_n)) row(s.blocks[i]);
  out += "slowest to compile:\n";
  out += header;
  for (size_t i : slowest_compiles(s, top_n)) row(s.blocks[i]);
  return out;
}

}  // namespace tiervm
