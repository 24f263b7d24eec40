// The hot-blocks table and the block detail panel of the dashboard.
#include <imgui.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "engine/jit/llvm_backend.h"
#include "engine/monitor/report.h"
#include "ui/dashboard_panels.h"

namespace tiervm {

namespace {

constexpr uint64_t kAutoSelectSamples = 1000;
constexpr double kAutoSelectSeconds = 2;

enum Column : int {
  kColPc,
  kColSymbol,
  kColTier,
  kColShare,
  kColSamples,
  kColInsns,
  kColVector,
  kColHostBytes,
  kColCompile,
  kColCompiled,
  kColInvalidated,
  kColChained,
  kColumns
};

// A block's samples: all of them (hart < 0), or those taken on one hart.
uint64_t samples_of(const BlockProfile& b, int hart) {
  if (hart < 0 || static_cast<size_t>(hart) >= b.samples_by_hart.size()) return b.samples;
  return b.samples_by_hart[static_cast<size_t>(hart)];
}

// Sort key of a block for a column; symbols sort by address (their order in memory).
double sort_key(const BlockProfile& b, int column, int hart) {
  switch (column) {
    case kColTier:
      return tier_index(b.tier);
    case kColShare:
    case kColSamples:
      return static_cast<double>(samples_of(b, hart));
    case kColInsns:
      return b.guest_insns;
    case kColVector:
      return b.vector_insns;
    case kColHostBytes:
      return b.host_bytes;
    case kColCompile:
      return static_cast<double>(b.compile_ns_last);
    case kColCompiled:
      return b.times_compiled;
    case kColInvalidated:
      return b.times_invalidated;
    case kColChained:
      return b.chained_exits;
    default:
      return static_cast<double>(b.pc);
  }
}

}  // namespace

void DashboardPanels::rebuild_rows(const MonitorSnapshot& s) {
  rows_.clear();
  ImGuiTextFilter filter;
  std::snprintf(filter.InputBuf, sizeof filter.InputBuf, "%s", applied_filter_.c_str());
  filter.Build();
  const bool filtering = filter.IsActive();
  for (uint32_t i = 0; i < s.blocks.size(); ++i) {
    const BlockProfile& b = s.blocks[i];
    if (b.samples == 0 && b.times_compiled == 0) continue;
    // One hart's view: the blocks it was sampled in.
    if (hart_filter_ >= 0 && samples_of(b, hart_filter_) == 0) continue;
    if (only_live_ && !b.live) continue;
    if (filtering) {
      const std::string text = hex_address(b.pc) + " " + s.symbols->describe(b.pc);
      if (!filter.PassFilter(text.c_str())) continue;
    }
    rows_.push_back(i);
  }
  const int col = sort_column_;
  const bool asc = sort_ascending_;
  std::stable_sort(rows_.begin(), rows_.end(), [&](uint32_t a, uint32_t b) {
    const double ka = sort_key(s.blocks[a], col, hart_filter_);
    const double kb = sort_key(s.blocks[b], col, hart_filter_);
    if (ka != kb) return asc ? ka < kb : ka > kb;
    return s.blocks[a].paddr < s.blocks[b].paddr;
  });
  rows_sequence_ = s.sequence;
}

void DashboardPanels::draw_hot_blocks(const MonitorSnapshot& s) {
  bool dirty = s.sequence != rows_sequence_;
  ImGui::SetNextItemWidth(240);
  if (ImGui::InputTextWithHint("##filter", "filter: symbol or address", filter_, sizeof filter_)) {
    applied_filter_ = filter_;
    dirty = true;
  }
  ImGui::SameLine();
  if (ImGui::Checkbox("live only", &only_live_)) dirty = true;
  if (hart_filter_ >= static_cast<int>(s.harts.size())) {
    hart_filter_ = -1;
    dirty = true;
  }
  if (s.harts.size() > 1) {
    // --smp: the table of one hart (its samples; the code itself is shared by address).
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    char current[16];
    std::snprintf(current, sizeof current, hart_filter_ < 0 ? "all harts" : "hart %d",
                  hart_filter_);
    if (ImGui::BeginCombo("##hart", current)) {
      if (ImGui::Selectable("all harts", hart_filter_ < 0)) {
        hart_filter_ = -1;
        dirty = true;
      }
      for (int h = 0; h < static_cast<int>(s.harts.size()); ++h) {
        char label[16];
        std::snprintf(label, sizeof label, "hart %d", h);
        if (ImGui::Selectable(label, hart_filter_ == h)) {
          hart_filter_ = h;
          dirty = true;
        }
      }
      ImGui::EndCombo();
    }
  }
  ImGui::SameLine();
  // Non-idle samples of the harts shown: the base of the % column.
  uint64_t sampled = s.samples - s.samples_idle;
  if (hart_filter_ >= 0) {
    sampled = 0;
    for (const BlockProfile& b : s.blocks) sampled += samples_of(b, hart_filter_);
  }
  ImGui::Text("%zu blocks, %" PRIu64 " samples", rows_.size(), sampled);

  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_BordersV | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX;
  if (!ImGui::BeginTable("blocks", kColumns, flags)) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("pc", ImGuiTableColumnFlags_None, 0, kColPc);
  ImGui::TableSetupColumn("symbol", ImGuiTableColumnFlags_WidthFixed, 170, kColSymbol);
  ImGui::TableSetupColumn("tier", ImGuiTableColumnFlags_None, 0, kColTier);
  ImGui::TableSetupColumn("%", ImGuiTableColumnFlags_None, 0, kColShare);
  ImGui::TableSetupColumn(
      "samples", ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_PreferSortDescending, 0,
      kColSamples);
  ImGui::TableSetupColumn("insns", ImGuiTableColumnFlags_PreferSortDescending, 0, kColInsns);
  ImGui::TableSetupColumn("vec", ImGuiTableColumnFlags_PreferSortDescending, 0, kColVector);
  ImGui::TableSetupColumn("host B", ImGuiTableColumnFlags_PreferSortDescending, 0, kColHostBytes);
  ImGui::TableSetupColumn("compile us", ImGuiTableColumnFlags_PreferSortDescending, 0, kColCompile);
  ImGui::TableSetupColumn("comp", ImGuiTableColumnFlags_PreferSortDescending, 0, kColCompiled);
  ImGui::TableSetupColumn("inval", ImGuiTableColumnFlags_PreferSortDescending, 0, kColInvalidated);
  ImGui::TableSetupColumn("chained", ImGuiTableColumnFlags_PreferSortDescending, 0, kColChained);
  ImGui::TableHeadersRow();
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
    if (specs->SpecsCount > 0) {
      sort_column_ = static_cast<int>(specs->Specs[0].ColumnUserID);
      sort_ascending_ = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    }
    specs->SpecsDirty = false;
    dirty = true;
  }
  if (dirty) rebuild_rows(s);
  // Until the user picks one, the detail panel follows the hottest block (re-checked every
  // couple of seconds, so it does not flicker).
  if (!user_selected_ && !rows_.empty() && sampled >= kAutoSelectSamples &&
      sort_column_ == kColSamples && !sort_ascending_ && s.uptime_s >= next_auto_select_s_) {
    next_auto_select_s_ = s.uptime_s + kAutoSelectSeconds;
    if (s.blocks[rows_.front()].paddr != selected_paddr_) select(s.blocks[rows_.front()]);
  }
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows_.size()));
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      const BlockProfile& b = s.blocks[rows_[static_cast<size_t>(r)]];
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(kColPc);
      char label[32];
      std::snprintf(label, sizeof label, "%016" PRIx64, b.pc);
      if (ImGui::Selectable(label, b.paddr == selected_paddr_,
                            ImGuiSelectableFlags_SpanAllColumns)) {
        user_selected_ = true;
        select(b);
      }
      ImGui::TableSetColumnIndex(kColSymbol);
      const std::string sym = s.symbols->describe(b.pc);
      ImGui::TextUnformatted(sym.empty() ? "-" : sym.c_str());
      ImGui::TableSetColumnIndex(kColTier);
      ImGui::TextUnformatted(b.live ? tier_name(b.tier) : "(gone)");
      ImGui::TableSetColumnIndex(kColShare);
      const uint64_t samples = samples_of(b, hart_filter_);
      ImGui::Text("%.2f", sampled
                              ? 100.0 * static_cast<double>(samples) / static_cast<double>(sampled)
                              : 0.0);
      ImGui::TableSetColumnIndex(kColSamples);
      ImGui::Text("%" PRIu64, samples);
      ImGui::TableSetColumnIndex(kColInsns);
      ImGui::Text("%u", b.guest_insns);
      ImGui::TableSetColumnIndex(kColVector);
      if (b.vector_insns) {
        ImGui::Text("%u", b.vector_insns);
      } else {
        ImGui::TextDisabled("-");
      }
      ImGui::TableSetColumnIndex(kColHostBytes);
      if (b.host_bytes) {
        ImGui::Text("%u", b.host_bytes);
      } else {
        ImGui::TextDisabled("-");
      }
      ImGui::TableSetColumnIndex(kColCompile);
      if (b.times_compiled) {
        ImGui::Text("%.0f", static_cast<double>(b.compile_ns_last) / 1e3);
      } else {
        ImGui::TextDisabled("-");
      }
      ImGui::TableSetColumnIndex(kColCompiled);
      ImGui::Text("%u", b.times_compiled);
      ImGui::TableSetColumnIndex(kColInvalidated);
      ImGui::Text("%u", b.times_invalidated);
      ImGui::TableSetColumnIndex(kColChained);
      ImGui::Text("%u/%u", b.chained_exits, b.chainable_exits);
    }
  }
  ImGui::EndTable();
}

void DashboardPanels::select(const BlockProfile& b) {
  selected_paddr_ = b.paddr;
  selected_pc_ = b.pc;
  detail_pending_ = true;
  detail_missing_ = false;
  session_.request_block(b.paddr);
}

void DashboardPanels::poll_block_reply(const MonitorSnapshot& s) {
  auto reply = session_.take_block();
  if (!reply || reply->first != selected_paddr_) return;
  detail_pending_ = false;
  if (!reply->second) {
    detail_missing_ = true;
    return;
  }
  if (!backend_) backend_ = std::make_unique<LlvmBackend>();
  detail_ = describe_block(*reply->second, selected_pc_, s.symbols.get(), backend_.get());
  detail_missing_ = false;
}

void DashboardPanels::draw_detail(const MonitorSnapshot& s) {
  if (selected_paddr_ == ~uint64_t{0}) {
    ImGui::TextDisabled(
        "Click a block in the table to see its code (until then, this panel "
        "follows the hottest block).");
    return;
  }
  auto it = std::find_if(s.blocks.begin(), s.blocks.end(),
                         [&](const BlockProfile& b) { return b.paddr == selected_paddr_; });
  const std::string sym = s.symbols->describe(selected_pc_);
  ImGui::Text("pc %016" PRIx64 "  paddr %" PRIx64 "  %s", selected_pc_, selected_paddr_,
              sym.c_str());
  if (it != s.blocks.end()) {
    ImGui::TextWrapped("tier %s, %u guest insns, %" PRIu64
                       " samples, compiled %ux (last %.0f us, total %.0f us), invalidated %ux, "
                       "host code %s",
                       tier_name(it->tier), it->guest_insns, it->samples, it->times_compiled,
                       static_cast<double>(it->compile_ns_last) / 1e3,
                       static_cast<double>(it->compile_ns_total) / 1e3, it->times_invalidated,
                       it->host_bytes ? std::to_string(it->host_bytes).c_str() : "size unknown");
  }
  if (ImGui::SmallButton("Refresh")) {
    detail_pending_ = true;
    session_.request_block(selected_paddr_);
  }
  if (detail_pending_) {
    ImGui::TextDisabled("fetching the block from the machine thread...");
    return;
  }
  if (detail_missing_) {
    ImGui::TextDisabled("No live translation at this address (invalidated or flushed).");
    return;
  }
  // Guest code, tiervm IR and host code side by side; the LLVM IR in a tab of its own
  // (it is long, and the same for every tier-1 block of this shape).
  if (!ImGui::BeginTabBar("detail_tabs")) return;
  auto text_child = [](const char* id, const std::string& text) {
    ImGui::BeginChild(id, ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::TextUnformatted(text.data(), text.data() + text.size());
    ImGui::EndChild();
  };
  if (ImGui::BeginTabItem("Guest | IR | host")) {
    constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV;
    if (ImGui::BeginTable("side_by_side", 3, kFlags)) {
      ImGui::TableSetupColumn("Guest code (RISC-V)");
      ImGui::TableSetupColumn("tiervm IR");
      ImGui::TableSetupColumn("Host code (LLVM MC disassembly)");
      ImGui::TableHeadersRow();
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      text_child("guest", detail_.guest_asm);
      ImGui::TableNextColumn();
      text_child("ir", detail_.ir);
      ImGui::TableNextColumn();
      text_child("host", detail_.host_asm.empty()
                             ? std::string("(not compiled: tier 0 interprets this block)")
                             : detail_.host_asm);
      ImGui::EndTable();
    }
    ImGui::EndTabItem();
  }
  if (ImGui::BeginTabItem("LLVM IR (tier 1 input)")) {
    text_child("llvm_ir", detail_.llvm_ir);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace tiervm
