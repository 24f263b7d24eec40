#pragma once

#include <string>

namespace tiervm {

struct MachineExit;
struct MonitorSnapshot;

// Writes the performance monitor's JSON report (docs/perf-report.md) with the run's exit
// code and wall time. Returns false when the file cannot be written.
bool write_perf_report(const std::string& path, const MonitorSnapshot& snapshot,
                       const MachineExit& exit, double seconds);

}  // namespace tiervm
