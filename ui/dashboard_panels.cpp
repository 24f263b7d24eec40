#include "ui/dashboard_panels.h"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "engine/jit/llvm_backend.h"
#include "engine/monitor/report.h"

namespace tiervm {

namespace {

constexpr double kTimelineSeconds = 30;
// Colours of the tiers in bars, plots and the timeline (interp, LLVM fast, LLVM O2).
// By tier_index: interpreter, LLVM fast, LLVM O2, baseline.
constexpr ImU32 kTierColour[kTierCount] = {IM_COL32(90, 160, 230, 255), IM_COL32(240, 190, 60, 255),
                                           IM_COL32(235, 100, 60, 255),
                                           IM_COL32(120, 200, 110, 255)};
constexpr ImU32 kIdleColour = IM_COL32(110, 110, 110, 255);
constexpr ImU32 kUnknownColour = IM_COL32(170, 90, 200, 255);

double share(double part, double whole) {
  return whole > 0 ? part / whole : 0.0;
}

// A horizontal bar split in coloured parts, with a legend below.
void stacked_bar(const char* id, const std::vector<std::pair<double, ImU32>>& parts,
                 const std::vector<const char*>& names) {
  ImGui::PushID(id);
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = ImGui::GetTextLineHeight() + 4;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  double total = 0;
  for (const auto& [v, c] : parts) total += v;
  float x = p.x;
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), IM_COL32(40, 40, 40, 255));
  for (const auto& [v, c] : parts) {
    const float pw = total > 0 ? static_cast<float>(v / total) * w : 0.f;
    dl->AddRectFilled(ImVec2(x, p.y), ImVec2(x + pw, p.y + h), c);
    x += pw;
  }
  ImGui::Dummy(ImVec2(w, h));
  for (size_t i = 0; i < parts.size() && i < names.size(); ++i) {
    if (i) ImGui::SameLine();
    ImGui::ColorButton(names[i], ImGui::ColorConvertU32ToFloat4(parts[i].second),
                       ImGuiColorEditFlags_NoTooltip, ImVec2(10, 10));
    ImGui::SameLine(0, 3);
    ImGui::Text("%s %.0f%%", names[i], 100 * share(parts[i].first, total));
  }
  ImGui::PopID();
}

}  // namespace

DashboardPanels::DashboardPanels(EmulationSession& session, DashboardSettings settings)
    : session_(session), settings_(std::move(settings)) {
  std::snprintf(report_path_, sizeof report_path_, "%s", settings_.report_path.c_str());
  std::snprintf(snapshot_path_, sizeof snapshot_path_, "%s", settings_.snapshot_path.c_str());
}

DashboardPanels::~DashboardPanels() = default;

void DashboardPanels::place(const PanelRect& r) {
  const float sx = win_w_ / kDashboardWidth, sy = win_h_ / kDashboardHeight;
  ImGui::SetNextWindowPos(ImVec2(r.x * sx, r.y * sy), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(r.w * sx, r.h * sy), ImGuiCond_Always);
}

void DashboardPanels::draw() {
  snap_ = session_.snapshot();
  const MonitorSnapshot& s = *snap_;
  poll_block_reply(s);
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoSavedSettings;
  place(kPanelConsole);
  if (ImGui::Begin(kPanelConsole.title, nullptr, fixed)) draw_console();
  ImGui::End();
  place(kPanelControls);
  if (ImGui::Begin(kPanelControls.title, nullptr, fixed)) draw_controls(s);
  ImGui::End();
  place(kPanelHotBlocks);
  if (ImGui::Begin(kPanelHotBlocks.title, nullptr, fixed)) draw_hot_blocks(s);
  ImGui::End();
  place(kPanelDetail);
  if (ImGui::Begin(kPanelDetail.title, nullptr, fixed)) draw_detail(s);
  ImGui::End();
  place(kPanelPerformance);
  if (ImGui::Begin(kPanelPerformance.title, nullptr, fixed)) draw_performance(s);
  ImGui::End();
  place(kPanelMemory);
  if (ImGui::Begin(kPanelMemory.title, nullptr, fixed)) draw_memory(s);
  ImGui::End();
  place(kPanelCompile);
  if (ImGui::Begin(kPanelCompile.title, nullptr, fixed)) draw_compile(s);
  ImGui::End();
}

void DashboardPanels::draw_console() {
  ConsoleBuffer& console = session_.console();
  if (const uint64_t v = console.version(); v != console_version_) {
    console_version_ = v;
    console_lines_ = console.lines();
  }
  const float input_h = ImGui::GetFrameHeightWithSpacing();
  ImGui::BeginChild("scrollback", ImVec2(0, -input_h), true, ImGuiWindowFlags_HorizontalScrollbar);
  const bool at_bottom = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 2;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(console_lines_.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const std::string& l = console_lines_[static_cast<size_t>(i)];
      ImGui::TextUnformatted(l.data(), l.data() + l.size());
    }
  }
  if (scroll_to_bottom_ || at_bottom) ImGui::SetScrollHereY(1.0f);
  scroll_to_bottom_ = false;
  ImGui::EndChild();
  // A line is sent with CR, as a serial terminal's Enter key (the tty maps it to NL).
  ImGui::SetNextItemWidth(-150);
  if (ImGui::InputText("##input", input_, sizeof input_, ImGuiInputTextFlags_EnterReturnsTrue)) {
    session_.input().push(std::string(input_) + "\r");
    input_[0] = 0;
    scroll_to_bottom_ = true;
    ImGui::SetKeyboardFocusHere(-1);
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("Tab")) session_.input().push("\t");
  ImGui::SameLine();
  if (ImGui::SmallButton("^C")) session_.input().push("\x03");
  ImGui::SameLine();
  if (ImGui::SmallButton("^D")) session_.input().push("\x04");
}

void DashboardPanels::draw_controls(const MonitorSnapshot& s) {
  if (session_.finished()) {
    const MachineExit e = session_.exit();
    ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "guest ended: exit code %d after %.2f s", e.code,
                       session_.run_seconds());
  } else if (session_.paused()) {
    ImGui::TextColored(ImVec4(1, 0.9f, 0.3f, 1), "paused at %.3f M instructions",
                       static_cast<double>(s.instructions) / 1e6);
  } else {
    ImGui::TextColored(ImVec4(0.5f, 1, 0.5f, 1), "running: %.1f M instructions, %.1f MIPS",
                       static_cast<double>(s.instructions) / 1e6, s.mips_recent);
  }
  ImGui::Separator();
  const bool running = !session_.finished();
  ImGui::BeginDisabled(!running);
  if (ImGui::Button(session_.paused() ? "Resume" : "Pause", ImVec2(90, 0))) {
    session_.set_paused(!session_.paused());
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(!session_.paused());
  if (ImGui::Button("Step block", ImVec2(90, 0))) session_.step_block();
  ImGui::EndDisabled();
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Reset", ImVec2(90, 0))) {
    std::string error;
    status_ = session_.restart(error) ? "machine restarted from its configuration"
                                      : "restart failed: " + error;
    selected_paddr_ = ~uint64_t{0};
    user_selected_ = false;
    next_auto_select_s_ = 0;
    rows_sequence_ = ~uint64_t{0};
    console_version_ = ~uint64_t{0};
  }
  ImGui::SameLine();
  if (ImGui::Button("Flush code cache", ImVec2(-1, 0))) {
    session_.flush_code_cache();
    status_ = "code cache flushed";
  }

  ImGui::TextUnformatted("JIT:");
  ImGui::BeginDisabled(!running);
  // Up to tier 0, 1 (the tier 1 the machine was started with) or 2.
  static const char* const kModes[] = {"off", "tier 1", "tiered"};
  for (unsigned tier = 0; tier < 3; ++tier) {
    ImGui::SameLine();
    if (ImGui::SmallButton(kModes[tier])) {
      session_.set_jit_tiers(tier);
      status_ = std::string("JIT switched to ") + kModes[tier];
    }
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::TextDisabled("(%s now)", s.jit_enabled ? "compiling" : "interpreter only");

  bool monitor_on = s.enabled;
  if (ImGui::Checkbox("Performance monitor", &monitor_on)) session_.set_monitor_enabled(monitor_on);
  ImGui::SameLine();
  ImGui::TextDisabled("(samples every slice, ~20k insns)");

  ImGui::SetNextItemWidth(-110);
  ImGui::InputText("##report", report_path_, sizeof report_path_);
  ImGui::SameLine();
  if (ImGui::Button("Save report", ImVec2(-1, 0))) {
    auto out = async_status_;
    const std::string path = report_path_;
    session_.save_report(path, [out, path](const std::string& error) {
      std::lock_guard<std::mutex> lock(out->mutex);
      out->text = error.empty() ? "report written to " + path : error;
      out->fresh = true;
    });
  }
  ImGui::SetNextItemWidth(-110);
  ImGui::InputText("##snapshot", snapshot_path_, sizeof snapshot_path_);
  ImGui::SameLine();
  ImGui::BeginDisabled(!running);
  if (ImGui::Button("Save snapshot", ImVec2(-1, 0))) {
    auto out = async_status_;
    session_.save_snapshot(snapshot_path_, [out](const std::string& message) {
      std::lock_guard<std::mutex> lock(out->mutex);
      out->text = message;
      out->fresh = true;
    });
  }
  ImGui::EndDisabled();
  {
    std::lock_guard<std::mutex> lock(async_status_->mutex);
    if (async_status_->fresh) {
      status_ = async_status_->text;
      async_status_->fresh = false;
    }
  }
  ImGui::Separator();
  ImGui::TextWrapped("%s", status_.c_str());
  ImGui::Separator();
  const uint64_t l2 = s.tlb_l2_hits + s.tlb_l2_misses;
  ImGui::Text("uptime %.1f s   blocks executed %.2f M   samples %" PRIu64, s.uptime_s,
              static_cast<double>(s.blocks_executed) / 1e6, s.samples);
  ImGui::Text("traps %" PRIu64 " (%.0f/s)   interrupts %" PRIu64 " (%.0f/s)", s.traps,
              s.traps_per_s, s.interrupts, s.interrupts_per_s);
  ImGui::Text("TLB L2 lookups %" PRIu64 "   flushes %" PRIu64 "   events dropped %" PRIu64, l2,
              s.tlb_flushes, s.events_dropped);
  draw_harts(s);
  draw_devices(s);
}

void DashboardPanels::draw_harts(const MonitorSnapshot& s) {
  if (s.harts.size() < 2) return;  // one hart: the figures above are its own
  ImGui::Separator();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("harts", 8, flags)) return;
  for (const char* h : {"hart", "state", "mode", "pc", "MIPS", "traps", "compiled", "blocks"}) {
    ImGui::TableSetupColumn(h);
  }
  ImGui::TableHeadersRow();
  for (const HartCounters& h : s.harts) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%u", h.id);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(h.state);
    ImGui::TableNextColumn();
    ImGui::Text("%c", h.priv);
    ImGui::TableNextColumn();
    ImGui::Text("%016llx", static_cast<unsigned long long>(h.pc));
    ImGui::TableNextColumn();
    ImGui::Text("%.1f", h.mips_recent);
    ImGui::TableNextColumn();
    ImGui::Text("%" PRIu64, h.traps);
    ImGui::TableNextColumn();
    ImGui::Text("%" PRIu64, h.blocks_compiled);
    ImGui::TableNextColumn();
    ImGui::Text("%" PRIu64, h.code_blocks);
  }
  ImGui::EndTable();
}

void DashboardPanels::draw_performance(const MonitorSnapshot& s) {
  // MIPS over the last 30 s (history points are 100 ms apart).
  const size_t n = std::min<size_t>(s.history.size(), 300);
  std::vector<float> mips(n), native(n);
  float top = 1;
  for (size_t i = 0; i < n; ++i) {
    const RateSample& r = s.history[s.history.size() - n + i];
    mips[i] = static_cast<float>(r.mips);
    native[i] = static_cast<float>(r.native_share * 100);
    top = std::max(top, mips[i]);
  }
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "%.1f MIPS (avg %.1f)", s.mips_recent, s.mips_average);
  ImGui::Text("Guest MIPS, last 30 s");
  ImGui::PlotLines("##mips", mips.data(), static_cast<int>(n), 0, overlay, 0, top * 1.1f,
                   ImVec2(ImGui::GetContentRegionAvail().x, 80));
  ImGui::Text("Samples on compiled code, %%");
  ImGui::PlotLines("##native", native.data(), static_cast<int>(n), 0, nullptr, 0, 100,
                   ImVec2(ImGui::GetContentRegionAvail().x, 40));
  ImGui::Separator();
  ImGui::Text("Tier mix (samples = instructions)");
  stacked_bar("mix",
              {{static_cast<double>(s.samples_by_tier[0]), kTierColour[0]},
               {static_cast<double>(s.samples_by_tier[3]), kTierColour[3]},
               {static_cast<double>(s.samples_by_tier[1]), kTierColour[1]},
               {static_cast<double>(s.samples_by_tier[2]), kTierColour[2]},
               {static_cast<double>(s.samples_idle), kIdleColour},
               {static_cast<double>(s.samples_unresolved), kUnknownColour}},
              {"interp", "baseline", "fast", "O2", "idle", "?"});
  ImGui::Text("Executor time split (estimate)");
  stacked_bar("time",
              {{s.run_s_by_tier[0], kTierColour[0]},
               {s.run_s_by_tier[3], kTierColour[3]},
               {s.run_s_by_tier[1], kTierColour[1]},
               {s.run_s_by_tier[2], kTierColour[2]},
               {s.run_s_unresolved, kUnknownColour}},
              {"interp", "baseline", "fast", "O2", "?"});
  ImGui::Text("compiler thread busy %.0f%% of wall time", 100 * share(s.compile_s, s.uptime_s));
}

void DashboardPanels::draw_memory(const MonitorSnapshot& s) {
  const uint64_t l2 = s.tlb_l2_hits + s.tlb_l2_misses;
  const double minsn = static_cast<double>(s.instructions) / 1e6;
  char text[96];
  std::snprintf(text, sizeof text, "L2 TLB hit rate %.1f%%",
                100 * share(static_cast<double>(s.tlb_l2_hits), static_cast<double>(l2)));
  ImGui::ProgressBar(
      static_cast<float>(share(static_cast<double>(s.tlb_l2_hits), static_cast<double>(l2))),
      ImVec2(-1, 0), text);
  ImGui::Text("L1 misses %.0f / M insns   L2 misses %.0f / M   flushes %.0f / M",
              share(static_cast<double>(s.tlb_l1_misses), minsn),
              share(static_cast<double>(s.tlb_l2_misses), minsn),
              share(static_cast<double>(s.tlb_flushes), minsn));
  ImGui::TextDisabled("(L1 hits are not counted: the fast path has no counter)");
  ImGui::Separator();
  std::snprintf(text, sizeof text, "code cache: %zu of %zu blocks, %.0f KiB host code",
                s.code_blocks, s.code_max_blocks, static_cast<double>(s.code_host_bytes) / 1024);
  ImGui::ProgressBar(s.code_max_blocks ? std::min(1.f, static_cast<float>(s.code_blocks) /
                                                           static_cast<float>(s.code_max_blocks))
                                       : 0.f,
                     ImVec2(-1, 0), text);
  ImGui::Text("translations %" PRIu64 "   invalidations %" PRIu64 "   evicted %" PRIu64,
              s.translations, s.invalidations, s.code_evicted);
  std::snprintf(text, sizeof text, "compile queue: %zu", s.compile_queue);
  ImGui::ProgressBar(std::min(1.f, static_cast<float>(s.compile_queue) / 256.f), ImVec2(-1, 0),
                     text);
  ImGui::Text("compiled: %" PRIu64 " blocks, %" PRIu64 " O2 regions; links %" PRIu64 "/%" PRIu64,
              s.jit.blocks_compiled, s.jit.regions_compiled, s.jit.links_made, s.jit.links_broken);
  ImGui::Text("dispatcher entries: %.2f M interpreted, %.2f M compiled",
              static_cast<double>(s.jit.interpreted_runs) / 1e6,
              static_cast<double>(s.jit.native_runs) / 1e6);
}

void DashboardPanels::draw_devices(const MonitorSnapshot& s) {
  if (s.devices.empty()) return;
  ImGui::Separator();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("devices", 6, flags)) return;
  for (const char* h : {"virtio", "slot", "notifies", "IRQs", "KiB in", "KiB out"}) {
    ImGui::TableSetupColumn(h);
  }
  ImGui::TableHeadersRow();
  for (const DeviceCounters& d : s.devices) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(d.kind.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%u", d.slot);
    ImGui::TableNextColumn();
    ImGui::Text("%llu", static_cast<unsigned long long>(d.notifications));
    ImGui::TableNextColumn();
    ImGui::Text("%llu", static_cast<unsigned long long>(d.interrupts));
    // In: to the guest (reads, received frames, typed input); out: from the guest.
    ImGui::TableNextColumn();
    ImGui::Text("%.1f", static_cast<double>(d.bytes_to_guest) / 1024);
    ImGui::TableNextColumn();
    ImGui::Text("%.1f", static_cast<double>(d.bytes_from_guest) / 1024);
  }
  ImGui::EndTable();
}

void DashboardPanels::draw_compile(const MonitorSnapshot& s) {
  if (ImGui::BeginTabBar("compile_tabs")) {
    for (unsigned tier = 1; tier < kTierCount; ++tier) {
      char name[48];
      std::snprintf(name, sizeof name, "%s histogram", tier_name(static_cast<Tier>(tier)));
      if (!ImGui::BeginTabItem(name)) continue;
      std::vector<float> bins(kCompileHistogramBins);
      uint64_t total = 0;
      unsigned last = 0;
      for (unsigned i = 0; i < kCompileHistogramBins; ++i) {
        bins[i] = static_cast<float>(s.compile_histogram[tier][i]);
        total += s.compile_histogram[tier][i];
        if (bins[i] > 0) last = i;
      }
      const int shown = static_cast<int>(std::max(last + 1, 12u));
      std::snprintf(name, sizeof name, "%" PRIu64 " compilations", total);
      ImGui::PlotHistogram("##hist", bins.data(), shown, 0, name, 0, FLT_MAX,
                           ImVec2(ImGui::GetContentRegionAvail().x, 110));
      ImGui::TextDisabled("bins: 1, 2, 4, ... %u us (log2)", 1u << (shown - 1));
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  // Timeline: one dot per compilation in the last 30 s; height = log10(duration).
  ImGui::Text("Compile timeline (last %.0f s; y: 10 us .. 100 ms, log)", kTimelineSeconds);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 size(ImGui::GetContentRegionAvail().x, ImGui::GetContentRegionAvail().y - 4);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(25, 25, 30, 255));
  for (int decade = 1; decade < 4; ++decade) {
    const float y = p.y + size.y - size.y * static_cast<float>(decade) / 4.f;
    dl->AddLine(ImVec2(p.x, y), ImVec2(p.x + size.x, y), IM_COL32(60, 60, 70, 255));
  }
  const double t1 = s.uptime_s, t0 = t1 - kTimelineSeconds;
  for (const CompileRecord& c : s.compiles) {
    if (c.t < t0) continue;
    const float x = p.x + static_cast<float>((c.t - t0) / kTimelineSeconds) * size.x;
    const double us = std::max(10.0, static_cast<double>(c.ns) / 1e3);
    const float fy = static_cast<float>(std::min(1.0, (std::log10(us) - 1) / 4));
    const float y = p.y + size.y - fy * size.y;
    dl->AddRectFilled(ImVec2(x - 2, y - 2), ImVec2(x + 2, y + 2), kTierColour[tier_index(c.tier)]);
  }
  ImGui::Dummy(size);
}

}  // namespace tiervm
