#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace tiervm {

// What a debugger watches (the Z2, Z3, Z4 packets of the GDB remote protocol).
enum class WatchKind : uint8_t { Write = 2, Read = 3, Access = 4 };

struct WatchHit {
  WatchKind kind = WatchKind::Write;
  uint64_t addr = 0;  // the watched address the access touched
};

// The breakpoints and watchpoints of an attached debugger, as the engine sees them. The
// executor checks breakpoints at the dispatcher only (the translator ends every block
// before a breakpoint pc, so the dispatcher sees each one); while watchpoints exist the
// executor runs one instruction at a time in the interpreter with every access on the
// hart's slow path, which calls check_access. Addresses are virtual, as the debugger
// gives them. Machine thread only.
class DebugControl {
 public:
  void insert_breakpoint(uint64_t pc);
  // False when there was none at `pc`.
  bool remove_breakpoint(uint64_t pc);
  bool breakpoint_at(uint64_t pc) const {
    return !breakpoints_.empty() && breakpoints_.count(pc) != 0;
  }
  // Bumped whenever the set of breakpoints changes: compiled code translated under an older
  // set may run through a breakpoint, so the executor drops it (Executor::debug_resume).
  uint64_t breakpoint_generation() const { return generation_; }

  void insert_watchpoint(WatchKind kind, uint64_t addr, uint64_t len);
  bool remove_watchpoint(WatchKind kind, uint64_t addr, uint64_t len);
  bool watching() const { return !watchpoints_.empty(); }
  // A guest access of `size` bytes at `vaddr`; records the first watchpoint it hits.
  void check_access(uint64_t vaddr, unsigned size, bool read, bool write);
  std::optional<WatchHit> take_watch_hit();
  bool has_watch_hit() const { return hit_.has_value(); }

  void clear();

 private:
  struct Watchpoint {
    WatchKind kind;
    uint64_t addr;
    uint64_t len;
  };
  std::set<uint64_t> breakpoints_;
  std::vector<Watchpoint> watchpoints_;
  std::optional<WatchHit> hit_;
  uint64_t generation_ = 0;
};

}  // namespace tiervm
