#include "app/tiervm_main.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>

#include "app/console.h"
#include "app/options.h"
#include "app/perf_report.h"
#include "engine/machine.h"

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
  c.jit_threshold = o.jit_threshold;
  c.learned_policy = o.learned_policy;
  c.max_tier = o.jit == JitMode::Off ? 0 : (o.jit == JitMode::Fast ? 1 : 2);
  c.trace = o.trace;
  return c;
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
  std::unique_ptr<Machine> machine = Machine::create(machine_config(o), error);
  if (!machine) return host_error(error);

  if (!o.dump_dtb.empty()) {
    std::ofstream out(o.dump_dtb, std::ios::binary);
    out.write(reinterpret_cast<const char*>(machine->fdt().data()),
              static_cast<std::streamsize>(machine->fdt().size()));
    if (!out) return host_error("cannot write '" + o.dump_dtb + "'");
    return 0;
  }

  HostConsole console;
  machine->set_console([&console](uint8_t b) { console.write(b); },
                       [&console](int timeout_ms, const std::function<bool(uint8_t)>& deliver) {
                         console.flush();
                         return console.poll(timeout_ms, deliver);
                       });
  g_machine = machine.get();
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_signal);

  const auto started = std::chrono::steady_clock::now();
  const MachineExit exit = machine->run({o.max_instructions, o.timeout_seconds});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  console.flush();
  g_machine = nullptr;
  if (!o.perf_report.empty() && !write_perf_report(o.perf_report, *machine, exit, seconds)) {
    std::fprintf(stderr, "tiervm: error: cannot write '%s'\n", o.perf_report.c_str());
  }
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

}  // namespace tiervm
