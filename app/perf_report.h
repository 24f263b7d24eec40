#pragma once

#include <string>

namespace tiervm {

class Machine;
struct MachineExit;

// Writes the run's counters as JSON (instructions, wall time, MIPS, blocks, translations,
// TLB, traps). Returns false when the file cannot be written.
bool write_perf_report(const std::string& path, Machine& machine, const MachineExit& exit,
                       double seconds);

}  // namespace tiervm
