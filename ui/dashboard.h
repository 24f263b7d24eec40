#pragma once

#include <string>

#include "ui/dashboard_panels.h"
#include "ui/emulation_session.h"

namespace tiervm {

struct DashboardOptions {
  EmulationSession::Config session;
  std::string title = "tiervm";
  int width = 1600;
  int height = 900;
  // Write the window's contents to this PNG after `exit_after` seconds (5 when 0), then
  // close.
  std::string screenshot;
  double exit_after = 0;  // close after this many seconds (0: when the user closes it)
  // Keep the window after the guest powered off (default: close then, as QEMU does).
  bool keep_open = false;
  DashboardSettings settings;
};

struct DashboardResult {
  bool opened = false;  // false: no window could be opened (`error` says why)
  int exit_code = 0;    // the guest's, 124 on its time limit, 0 when the user closed it
  std::string error;
  std::shared_ptr<const MonitorSnapshot> final_snapshot;
  MachineExit exit{};
  double run_seconds = 0;  // wall time the guest ran (when it ended by itself)
  std::unique_ptr<Machine> unused_machine;
};

// Opens the window, starts `machine` (null: one from the factory) on its own thread and
// runs the UI until the window is closed, the guest ends (unless keep_open) or exit_after
// passes. When no window can be opened, `machine` is handed back untouched in
// `result.unused_machine`.
DashboardResult run_dashboard(const DashboardOptions& options, std::unique_ptr<Machine> machine);

}  // namespace tiervm
