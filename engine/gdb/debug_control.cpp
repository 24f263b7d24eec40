#include "engine/gdb/debug_control.h"

#include <algorithm>

namespace tiervm {

void DebugControl::insert_breakpoint(uint64_t pc) {
  if (breakpoints_.insert(pc).second) ++generation_;
}

bool DebugControl::remove_breakpoint(uint64_t pc) {
  if (breakpoints_.erase(pc) == 0) return false;
  ++generation_;
  return true;
}

void DebugControl::insert_watchpoint(WatchKind kind, uint64_t addr, uint64_t len) {
  watchpoints_.push_back({kind, addr, len == 0 ? 1 : len});
}

bool DebugControl::remove_watchpoint(WatchKind kind, uint64_t addr, uint64_t len) {
  if (len == 0) len = 1;
  auto it = std::find_if(watchpoints_.begin(), watchpoints_.end(), [&](const Watchpoint& w) {
    return w.kind == kind && w.addr == addr && w.len == len;
  });
  if (it == watchpoints_.end()) return false;
  watchpoints_.erase(it);
  return true;
}

void DebugControl::check_access(uint64_t vaddr, unsigned size, bool read, bool write) {
  if (hit_) return;
  for (const Watchpoint& w : watchpoints_) {
    const bool kind_matches = w.kind == WatchKind::Access || (w.kind == WatchKind::Read && read) ||
                              (w.kind == WatchKind::Write && write);
    if (!kind_matches || vaddr >= w.addr + w.len || w.addr >= vaddr + size) continue;
    hit_ = WatchHit{w.kind, std::max(vaddr, w.addr)};
    return;
  }
}

std::optional<WatchHit> DebugControl::take_watch_hit() {
  std::optional<WatchHit> h = hit_;
  hit_.reset();
  return h;
}

void DebugControl::clear() {
  if (!breakpoints_.empty()) ++generation_;
  breakpoints_.clear();
  watchpoints_.clear();
  hit_.reset();
}

}  // namespace tiervm
