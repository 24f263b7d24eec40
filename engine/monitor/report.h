#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "engine/monitor/monitor_snapshot.h"

namespace tiervm {

// The monitor's report as JSON (docs/perf-report.md, docs/perf-report.schema.json).
// `wall_seconds` > 0 replaces the snapshot's uptime as the run's duration (the CLI times
// Machine::run itself); `top_n` bounds the hot and slowest-to-compile block lists.
nlohmann::json monitor_report_json(const MonitorSnapshot& s, double wall_seconds = 0,
                                   size_t top_n = 50);
// The same as text for a terminal: totals, then the hottest and the slowest-to-compile
// blocks.
std::string monitor_report_text(const MonitorSnapshot& s, double wall_seconds = 0,
                                size_t top_n = 20);

// Indices into s.blocks: the `n` with the most samples (ties: more compile time first),
// and the `n` with the longest last compilation.
std::vector<size_t> hottest_blocks(const MonitorSnapshot& s, size_t n);
std::vector<size_t> slowest_compiles(const MonitorSnapshot& s, size_t n);

// "0x80001234"
std::string hex_address(uint64_t value);
// Short name of an execution tier for tables: "interp", "llvm-fast", "llvm-O2".
const char* tier_name(unsigned tier);

}  // namespace tiervm
