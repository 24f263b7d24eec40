#include "app/tiervm_main.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "app/console.h"
#include "app/gdb_server.h"
#include "app/options.h"
#include "app/perf_report.h"
#include "app/sanitizers.h"
#include "engine/executor.h"
#include "engine/machine.h"
#include "engine/monitor/chrome_trace.h"
#include "engine/monitor/perf_map.h"
#include "engine/monitor/perf_monitor.h"
#include "engine/monitor/report.h"
#include "engine/snapshot.h"
#include "ui/dashboard.h"

#ifndef TIERVM_VERSION
#define TIERVM_VERSION "0.0.0"
#endif

namespace tiervm {

namespace {

constexpr const char* kDefaultBios = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

Machine* g_machine = nullptr;

void on_signal(int) {
  restore_terminal();
  if (g_machine) g_machine->stop(MachineExit::Kind::Signal);
}

int host_error(const std::string& msg) {
  std::fprintf(stderr, "tiervm: error: %s\n", msg.c_str());
  return kExitHostError;
}

MachineConfig machine_config(const Options& o) {
  MachineConfig c;
  c.ram_size = o.memory_bytes;
  c.harts = o.harts;
  // gdb stops and steps harts one by one: they take turns on the machine's thread.
  c.hart_threads = o.hart_threads && o.gdb_port == 0;
  c.vlen = o.vlen;
  c.image = o.image;
  c.kernel = o.kernel;
  c.bios = o.bios == "none" ? "" : o.bios;
  if (o.bios.empty() && !o.kernel.empty()) c.bios = kDefaultBios;
  c.initrd = o.initrd;
  c.append = o.append;
  for (const DriveOption& d : o.drives) {
    c.drives.push_back({d.file, d.readonly, d.snapshot || o.snapshot});
  }
  c.deterministic = o.deterministic;
  c.no_reboot = o.no_reboot;
  c.netdev = o.netdev;
  c.jit_threshold = o.jit_threshold;
  c.learned_policy = o.learned_policy;
  c.max_tier = o.jit == JitMode::Off ? 0 : (o.jit == JitMode::Tiered ? 2 : 1);
  c.tier1 = o.jit == JitMode::Fast ? Tier::Fast : Tier::Baseline;
  c.trace = o.trace;
  return c;
}

// The machine of `config`, restored from `snapshot` when one is given (one line in `error`
// when that fails).
std::unique_ptr<Machine> create_machine(const MachineConfig& config, const std::string& snapshot,
                                        std::string& error, SnapshotStats* stats = nullptr) {
  std::unique_ptr<Machine> m = Machine::create(config, error);
  if (m && !snapshot.empty() && !load_snapshot(*m, snapshot, error, stats)) m.reset();
  return m;
}

double mib(uint64_t bytes) {
  return static_cast<double>(bytes) / (1 << 20);
}

// Machine thread: saves to `path` and says so in one line on stderr.
void save_snapshot_now(Machine& m, const std::string& path) {
  SnapshotStats stats;
  std::string error;
  if (save_snapshot(m, path, error, &stats)) {
    std::fprintf(stderr, "\ntiervm: snapshot saved to %s (%.1f MiB in %.2f s)\n", path.c_str(),
                 mib(stats.bytes), stats.seconds);
  } else {
    std::fprintf(stderr, "\ntiervm: error: %s\n", error.c_str());
  }
}

// The symbols reports name guest code with: --symbols, else a System.map beside the
// kernel (roms/linux/build.sh leaves one there), else the loaded ELF's (nullptr). The one
// beside the kernel is read only when something will name code (`named`: the dashboard,
// the monitor's reports, a trace, a perf map): parsing it takes 15 ms, 2.5 % of a boot.
bool load_symbols(const Options& o, bool named, std::shared_ptr<const SymbolTable>& out,
                  std::string& error) {
  std::string path = o.symbols;
  if (path.empty() && !o.kernel.empty()) {
    if (!named) return true;
    const auto beside = std::filesystem::path(o.kernel).parent_path() / "System.map";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(beside, ec)) return true;
    path = beside.string();
  }
  if (path.empty()) return true;
  auto table = SymbolTable::load_system_map(path, error);
  if (!table) return o.symbols.empty();  // a default map that does not parse is skipped
  out = std::make_shared<const SymbolTable>(std::move(*table));
  return true;
}

bool has_display() {
  const char* x = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  return (x && *x) || (wayland && *wayland);
}

// Exit status and the one line on stderr for how the run ended.
int finish(const Options& o, const MachineExit& exit) {
  switch (exit.kind) {
    case MachineExit::Kind::Timeout:
      std::fprintf(stderr, "\ntiervm: timeout after %.1f s\n", o.timeout_seconds);
      return kExitTimeout;
    case MachineExit::Kind::InstructionLimit:
      std::fprintf(stderr, "\ntiervm: instruction limit reached (%llu)\n",
                   static_cast<unsigned long long>(o.max_instructions));
      return kExitTimeout;
    case MachineExit::Kind::Signal:
      std::fprintf(stderr, "\ntiervm: stopped by a signal\n");
      return 130;
    default:
      return exit.code;
  }
}

void write_reports(const Options& o, const MonitorSnapshot& snap, const MachineExit& exit,
                   double seconds) {
  if (!o.perf_report.empty() && !write_perf_report(o.perf_report, snap, exit, seconds)) {
    std::fprintf(stderr, "tiervm: error: cannot write '%s'\n", o.perf_report.c_str());
  }
  if (o.perf_summary) std::fputs(monitor_report_text(snap, seconds).c_str(), stderr);
}

// The dashboard; nullopt when no window could be opened (the machine is handed back).
std::optional<int> run_with_dashboard(const Options& o, const MachineConfig& config,
                                      std::shared_ptr<const SymbolTable> symbols,
                                      ChromeTraceWriter* trace, std::unique_ptr<Machine>& machine) {
  DashboardOptions d;
  d.session.factory = [config, snapshot = o.load_snapshot](std::string& error) {
    return create_machine(config, snapshot, error);
  };
  d.session.symbols = std::move(symbols);
  d.session.limits = {o.max_instructions, o.timeout_seconds};
  d.session.trace = trace;
  d.title = "tiervm - " + (o.kernel.empty() ? (o.image.empty() ? o.bios : o.image) : o.kernel);
  d.screenshot = o.screenshot;
  d.exit_after = o.exit_after;
  d.keep_open = o.keep_open;
  if (!o.perf_report.empty()) d.settings.report_path = o.perf_report;
  d.settings.jit_mode = jit_mode_name(o.jit);
  if (!o.save_snapshot.empty()) d.settings.snapshot_path = o.save_snapshot;
  DashboardResult r = run_dashboard(d, std::move(machine));
  if (!r.opened) {
    machine = std::move(r.unused_machine);
    if (!o.screenshot.empty()) return host_error("--screenshot: " + r.error);
    std::fprintf(stderr, "tiervm: %s; running headless\n", r.error.c_str());
    return std::nullopt;
  }
  if (r.exit_code < 0) return host_error(r.error);
  if (trace) trace->close();
  if (r.final_snapshot) write_reports(o, *r.final_snapshot, r.exit, r.run_seconds);
  if (r.exit.kind == MachineExit::Kind::Running) return 0;  // closed by the user
  return finish(o, r.exit);
}

}  // namespace

int tiervm_main(int argc, const char* const* argv) {
  ParseResult parsed = parse_options(argc, argv);
  if (!parsed.options) return host_error(parsed.error + " (see --help)");
  const Options& o = *parsed.options;
  if (o.show_help) {
    std::fputs(parsed.help.c_str(), stdout);
    return 0;
  }
  if (o.show_version) {
    std::printf("tiervm %s\n", TIERVM_VERSION);
    return 0;
  }

  std::string error;
  const bool dashboard = !o.headless && o.gdb_port == 0 && (has_display() || !o.screenshot.empty());
  const bool named = dashboard || !o.perf_report.empty() || o.perf_summary ||
                     !o.trace_events.empty() || !o.perf_map.empty();
  std::shared_ptr<const SymbolTable> symbols;
  if (!load_symbols(o, named, symbols, error)) return host_error(error);
  const MachineConfig config = machine_config(o);
  SnapshotStats loaded;
  std::unique_ptr<Machine> machine = create_machine(config, o.load_snapshot, error, &loaded);
  if (!machine) return host_error(error);
  if (!o.load_snapshot.empty()) {
    std::fprintf(stderr, "tiervm: snapshot loaded from %s (%.1f MiB in %.2f s)\n",
                 o.load_snapshot.c_str(), mib(loaded.bytes), loaded.seconds);
  }

  if (!o.dump_dtb.empty()) {
    std::ofstream out(o.dump_dtb, std::ios::binary);
    out.write(reinterpret_cast<const char*>(machine->fdt().data()),
              static_cast<std::streamsize>(machine->fdt().size()));
    if (!out) return host_error("cannot write '" + o.dump_dtb + "'");
    return 0;
  }

  ChromeTraceWriter trace;
  if (!o.trace_events.empty() && !trace.open(o.trace_events, error)) return host_error(error);
  ChromeTraceWriter* tracer = o.trace_events.empty() ? nullptr : &trace;

  if (dashboard) {
    if (auto code = run_with_dashboard(o, config, symbols, tracer, machine)) return *code;
  } else if (o.exit_after > 0 || o.keep_open) {
    std::fprintf(stderr, "tiervm: no display: --exit-after and --keep-open are ignored\n");
  }

  // Headless: the console on stdin/stdout.
  std::unique_ptr<PerfMonitor> monitor;
  if (!o.perf_report.empty() || o.perf_summary) {
    monitor = std::make_unique<PerfMonitor>(*machine);
    if (symbols) monitor->set_symbols(symbols);
    monitor->enable();
  }
  if (tracer) {
    std::shared_ptr<const SymbolTable> names =
        monitor ? monitor->symbols()
                : (symbols ? symbols : std::make_shared<const SymbolTable>(machine->symbols()));
    tracer->attach(machine->events(), std::move(names));
  }

  HostConsole console;
  machine->set_console([&console](uint8_t b) { console.write(b); },
                       [&console](int timeout_ms, const std::function<bool(uint8_t)>& deliver) {
                         console.flush();
                         return console.poll(timeout_ms, deliver);
                       });
  if (!o.save_snapshot.empty()) {
    console.set_snapshot_key([m = machine.get(), path = o.save_snapshot] {
      m->post([m, path] { save_snapshot_now(*m, path); });
    });
  }
  g_machine = machine.get();
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_signal);

  PerfMapWriter perf_map;
  if (!o.perf_map.empty()) {
    const std::string dump = o.perf_map == "jitdump" ? PerfMapWriter::default_jitdump_path() : "";
    if (!perf_map.open(PerfMapWriter::default_map_path(), dump, error)) return host_error(error);
    std::shared_ptr<const SymbolTable> names =
        symbols ? symbols : std::make_shared<const SymbolTable>(machine->symbols());
    for (unsigned i = 0; i < machine->hart_count(); ++i) {
      machine->executor(i).set_code_hook(
          [&perf_map, names](uint64_t pc, const void* code, uint32_t bytes, Tier tier) {
            perf_map.code_loaded(code, bytes, perf_map_name(tier, pc, names.get()));
          });
    }
  }

  std::unique_ptr<GdbServer> gdb;
  if (o.gdb_port != 0) {
    gdb = std::make_unique<GdbServer>(*machine);
    if (!gdb->listen(o.gdb_host, o.gdb_port, error)) return host_error(error);
    if (o.gdb_wait) machine->set_paused(true);
    gdb->start();
  }

  const auto started = std::chrono::steady_clock::now();
  const MachineExit exit = machine->run({o.max_instructions, o.timeout_seconds});
  if (gdb) gdb->machine_ended(exit.code);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  console.flush();
  g_machine = nullptr;
  if (tracer) {
    tracer->detach(machine->events());
    tracer->close();
  }
  if (monitor) write_reports(o, monitor->capture(), exit, seconds);
  // Not where a leak checker (ASan's) would report the code caches left to the exit.
  if (!kAddressSanitizer) machine->leak_code_on_destruction();
  return finish(o, exit);
}

}  // namespace tiervm
