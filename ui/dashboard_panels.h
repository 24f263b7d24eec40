#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/monitor/block_detail.h"
#include "engine/monitor/monitor_snapshot.h"
#include "ui/emulation_session.h"

namespace tiervm {

class LlvmBackend;

// Where the panels sit in a window of the dashboard's default size (1600 x 900); the
// screenshot test looks for their title bars. Panels can be moved and resized.
struct PanelRect {
  const char* title;
  float x, y, w, h;
};
inline constexpr float kDashboardWidth = 1600;
inline constexpr float kDashboardHeight = 900;
inline constexpr PanelRect kPanelConsole{"Guest console", 0, 0, 560, 560};
inline constexpr PanelRect kPanelControls{"Controls", 0, 560, 560, 340};
inline constexpr PanelRect kPanelHotBlocks{"Hot blocks", 560, 0, 620, 470};
inline constexpr PanelRect kPanelDetail{"Block detail", 560, 470, 620, 430};
inline constexpr PanelRect kPanelPerformance{"Performance", 1180, 0, 420, 330};
inline constexpr PanelRect kPanelMemory{"TLB, code cache, JIT", 1180, 330, 420, 220};
inline constexpr PanelRect kPanelCompile{"Compilation", 1180, 550, 420, 350};
// Every title bar has this colour (active or not), so screenshots can find the panels.
inline constexpr uint8_t kTitleBarRgb[3] = {46, 84, 140};

struct DashboardSettings {
  std::string report_path = "tiervm-perf-report.json";
  std::string snapshot_path = "tiervm.snapshot";  // --save-snapshot
  std::string jit_mode;                           // "off", "fast", "tiered" as started
};

// The dashboard's panels and their state (UI thread only). draw() lays out one frame.
class DashboardPanels {
 public:
  DashboardPanels(EmulationSession& session, DashboardSettings settings);
  ~DashboardPanels();
  void draw();
  // Scale of the layout when the window is not the default size.
  void set_window_size(float w, float h) {
    win_w_ = w;
    win_h_ = h;
  }

 private:
  void place(const PanelRect& r);
  void draw_console();
  void draw_controls(const MonitorSnapshot& s);
  void draw_hot_blocks(const MonitorSnapshot& s);
  void draw_detail(const MonitorSnapshot& s);
  void draw_performance(const MonitorSnapshot& s);
  void draw_memory(const MonitorSnapshot& s);
  void draw_devices(const MonitorSnapshot& s);
  void draw_harts(const MonitorSnapshot& s);
  void draw_compile(const MonitorSnapshot& s);
  void rebuild_rows(const MonitorSnapshot& s);
  void poll_block_reply(const MonitorSnapshot& s);
  void select(const BlockProfile& b);

  EmulationSession& session_;
  DashboardSettings settings_;
  float win_w_ = kDashboardWidth;
  float win_h_ = kDashboardHeight;
  std::shared_ptr<const MonitorSnapshot> snap_;

  // Console.
  uint64_t console_version_ = ~uint64_t{0};
  std::vector<std::string> console_lines_;
  char input_[256] = {};
  bool scroll_to_bottom_ = true;

  // Hot blocks table.
  char filter_[128] = {};
  std::string applied_filter_;
  uint64_t rows_sequence_ = ~uint64_t{0};
  int sort_column_ = 4;  // samples
  bool sort_ascending_ = false;
  bool only_live_ = false;
  int hart_filter_ = -1;  // -1: every hart; else only that hart's samples
  std::vector<uint32_t> rows_;

  // Block detail.
  uint64_t selected_paddr_ = ~uint64_t{0};
  uint64_t selected_pc_ = 0;
  bool user_selected_ = false;     // a click ends following the hottest block
  double next_auto_select_s_ = 0;  // snapshot uptime of the next look at the hottest block
  bool detail_pending_ = false;
  bool detail_missing_ = false;
  BlockDetail detail_;
  std::unique_ptr<LlvmBackend> backend_;

  // Controls.
  char report_path_[256] = {};
  char snapshot_path_[256] = {};
  std::string status_;
  // Answers from the machine's thread (saved reports).
  struct AsyncText {
    std::mutex mutex;
    std::string text;
    bool fresh = false;
  };
  std::shared_ptr<AsyncText> async_status_ = std::make_shared<AsyncText>();
};

}  // namespace tiervm
