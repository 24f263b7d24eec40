#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devices/user_net.h"

namespace tiervm {

// Exit codes of the tiervm command (documented in --help and the README).
inline constexpr int kExitTimeout = 124;    // --timeout or --max-instructions reached
inline constexpr int kExitHostError = 125;  // bad option, unreadable or invalid image, ...

struct DriveOption {
  std::string file;
  bool readonly = false;
  bool snapshot = false;
};

enum class JitMode : uint8_t { Off, Baseline, Fast, Tiered };

// The --jit word of a mode.
constexpr const char* jit_mode_name(JitMode m) {
  switch (m) {
    case JitMode::Off:
      return "off";
    case JitMode::Baseline:
      return "baseline";
    case JitMode::Fast:
      return "fast";
    case JitMode::Tiered:
      return "tiered";
  }
  return "?";
}

// Everything the command line can say, validated.
struct Options {
  std::string image;  // positional: bare-metal ELF / raw binary / Linux Image
  std::string kernel;
  std::string bios;  // empty = default (OpenSBI fw_dynamic with --kernel), "none" = none
  std::string initrd;
  std::string append;
  std::vector<DriveOption> drives;
  bool snapshot = false;
  uint64_t memory_bytes = 256ull << 20;
  unsigned harts = 1;         // --smp
  bool hart_threads = false;  // --hart-threads
  unsigned vlen = 128;        // --vlen: VLEN in bits, 0 = no vector extension
  bool headless = false;
  JitMode jit = JitMode::Tiered;
  bool learned_policy = false;  // --tier-policy learned
  // Tier-0 runs before a block is compiled; 0 = compile every block, synchronously,
  // before its first run (tests, differential runs). Unset: the engine's default.
  std::optional<uint32_t> jit_threshold;
  uint64_t max_instructions = 0;  // 0 = no limit
  double timeout_seconds = 0;     // 0 = no limit
  std::string perf_report;
  bool perf_summary = false;
  // --perf-map: "map" writes /tmp/perf-PID.map, "jitdump" also ./jit-PID.dump.
  std::string perf_map;      // print the monitor's text report on stderr at exit
  std::string symbols;       // System.map for the monitor (default: beside --kernel)
  std::string trace_events;  // Chrome trace JSON of the event bus
  std::string screenshot;    // dashboard: PNG of the window after exit_after seconds
  double exit_after = 0;     // dashboard: close after SECONDS
  bool keep_open = false;    // dashboard: stay open after the guest ends
  std::string dump_dtb;
  // --save-snapshot: where Ctrl-A S and the dashboard's button save the machine;
  // --load-snapshot: a snapshot to restore instead of booting (QEMU's savevm / -loadvm).
  std::string save_snapshot;
  std::string load_snapshot;
  bool trace = false;
  bool deterministic = false;
  std::optional<UserNetConfig> netdev;  // --netdev user,...
  bool no_reboot = false;  // --no-reboot: a guest reset exits (status 0), as QEMU's -no-reboot
  // --gdb tcp::PORT / -s (tcp::1234): the GDB remote stub; port 0 = none. -S: the hart
  // waits for gdb's first continue (QEMU's -S with -gdb).
  std::string gdb_host;
  int gdb_port = 0;
  bool gdb_wait = false;
  bool show_help = false;
  bool show_version = false;
};

struct ParseResult {
  std::optional<Options> options;
  std::string error;  // one line, when options is empty and neither help nor version
  std::string help;   // the --help text
};

ParseResult parse_options(int argc, const char* const* argv);

// "256M", "1G", "512" (MiB, as QEMU's -m) -> bytes; nullopt when malformed.
std::optional<uint64_t> parse_memory_size(const std::string& text);
// "user[,id=NAME][,hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]..." (QEMU's
// -netdev user); nullopt with one line in `error` when malformed.
std::optional<UserNetConfig> parse_netdev(const std::string& text, std::string& error);
// "file=disk.img[,readonly=on][,snapshot=on][,format=raw][,if=virtio]"
std::optional<DriveOption> parse_drive(const std::string& text, std::string& error);

}  // namespace tiervm
