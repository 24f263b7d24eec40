#include "app/perf_report.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/machine.h"
#include "engine/monitor/report.h"

namespace tiervm {

bool write_perf_report(const std::string& path, const MonitorSnapshot& snapshot,
                       const MachineExit& exit, double seconds) {
  nlohmann::json j = monitor_report_json(snapshot, seconds);
  j["exit_code"] = exit.code;
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  return static_cast<bool>(out);
}

}  // namespace tiervm
