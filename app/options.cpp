#include "app/options.h"

#include <charconv>

#include <arpa/inet.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <sstream>

#include "app/gdb_server.h"

namespace tiervm {

namespace po = boost::program_options;

namespace {

constexpr uint64_t kMinMemory = 16ull << 20;
constexpr uint64_t kMaxMemory = 16ull << 30;

bool on_off(const std::string& v, bool& out) {
  if (v == "on" || v == "true" || v == "1") {
    out = true;
    return true;
  }
  if (v == "off" || v == "false" || v == "0") {
    out = false;
    return true;
  }
  return false;
}

// "ADDR:PORT" of a hostfwd rule, ADDR possibly empty (keeps `addr`).
bool parse_endpoint(const std::string& text, uint32_t& addr, uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string a = text.substr(0, colon), p = text.substr(colon + 1);
  if (!a.empty()) {
    in_addr parsed{};
    if (inet_pton(AF_INET, a.c_str(), &parsed) != 1) return false;
    addr = ntohl(parsed.s_addr);
  }
  if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), ::isdigit)) return false;
  const unsigned long n = std::stoul(p);
  if (n == 0 || n > 65535) return false;
  port = static_cast<uint16_t>(n);
  return true;
}

}  // namespace

std::optional<UserNetConfig> parse_netdev(const std::string& text, std::string& error) {
  std::stringstream ss(text);
  std::string item;
  std::getline(ss, item, ',');
  if (item != "user") {
    error = "--netdev: only 'user' networking is supported (got '" + item + "')";
    return std::nullopt;
  }
  UserNetConfig config;
  while (std::getline(ss, item, ',')) {
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "id") continue;  // the device is created with the netdev, so no name is needed
    if (key != "hostfwd") {
      error = "--netdev: unknown key '" + key + "'";
      return std::nullopt;
    }
    // [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport
    HostForward f;
    const std::string& rule = value;
    const auto first = rule.find(':');
    const std::string proto = first == std::string::npos ? "" : rule.substr(0, first);
    const auto dash = rule.find('-');
    if (first == std::string::npos || dash == std::string::npos || dash < first ||
        (proto != "tcp" && proto != "udp" && !proto.empty()) ||
        !parse_endpoint(rule.substr(first + 1, dash - first - 1), f.host_addr, f.host_port) ||
        !parse_endpoint(rule.substr(dash + 1), f.guest_addr, f.guest_port)) {
      error = "--netdev: bad hostfwd '" + value +
              "' (want [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT)";
      return std::nullopt;
    }
    f.udp = proto == "udp";
    config.forwards.push_back(f);
  }
  return config;
}

std::optional<uint64_t> parse_memory_size(const std::string& text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  size_t pos = 0;
  uint64_t n = 0;
  try {
    n = std::stoull(text, &pos);
  } catch (...) {
    return std::nullopt;
  }
  std::string suffix = text.substr(pos);
  for (auto& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (suffix == "B") return n;
  if (suffix == "K" || suffix == "KB" || suffix == "KIB") return n << 10;
  if (suffix.empty() || suffix == "M" || suffix == "MB" || suffix == "MIB") return n << 20;
  if (suffix == "G" || suffix == "GB" || suffix == "GIB") return n << 30;
  return std::nullopt;
}

std::optional<DriveOption> parse_drive(const std::string& text, std::string& error) {
  DriveOption d;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto eq = item.find('=');
    const std::string key = eq == std::string::npos ? "file" : item.substr(0, eq);
    const std::string value = eq == std::string::npos ? item : item.substr(eq + 1);
    if (key == "file") {
      d.file = value;
    } else if (key == "readonly") {
      if (!on_off(value, d.readonly)) {
        error = "--drive: readonly takes on or off";
        return std::nullopt;
      }
    } else if (key == "snapshot") {
      if (!on_off(value, d.snapshot)) {
        error = "--drive: snapshot takes on or off";
        return std::nullopt;
      }
    } else if (key == "format") {
      if (value != "raw") {
        error = "--drive: only format=raw is supported";
        return std::nullopt;
      }
    } else if (key == "if") {
      if (value != "virtio" && value != "none") {
        error = "--drive: only if=virtio is supported";
        return std::nullopt;
      }
    } else {
      error = "--drive: unknown key '" + key + "'";
      return std::nullopt;
    }
  }
  if (d.file.empty()) {
    error = "--drive needs file=PATH";
    return std::nullopt;
  }
  return d;
}

ParseResult parse_options(int argc, const char* const* argv) {
  ParseResult result;
  po::options_description desc(
      "Usage: tiervm [options] [image]\n"
      "Full-system RISC-V RV64GC emulator (QEMU virt board) with a tiered LLVM JIT.\n"
      "\n"
      "Exit status (headless): the guest's exit code (SiFive test device fail code or\n"
      "HTIF exit value; 0 on poweroff/pass), 124 when --timeout or --max-instructions\n"
      "stops the guest, 125 for a host-side error (bad option, unreadable image), 130\n"
      "when SIGINT/SIGTERM/SIGHUP stopped it (disk images are flushed first).\n"
      "Console: stdin/stdout; Ctrl-A X quits, Ctrl-A S saves a snapshot (--save-snapshot),\n"
      "Ctrl-A H lists the keys.\n"
      "With a display (DISPLAY or WAYLAND_DISPLAY) and without --headless, the guest runs\n"
      "in the dashboard window instead (console panel, hot blocks, JIT, TLB, controls).\n"
      "\nOptions");
  std::string memory = "256M", jit = "tiered";
  std::vector<std::string> drives;
  // clang-format off
  desc.add_options()
      ("help,h", "print this help and exit")
      ("version,V", "print the version and exit")
      ("kernel", po::value<std::string>(), "Linux kernel Image (or ELF) to boot in S-mode")
      ("bios", po::value<std::string>(),
       "M-mode firmware: a file, or 'none' (default: Debian's OpenSBI fw_dynamic with --kernel)")
      ("initrd", po::value<std::string>(), "initial ramdisk for the kernel")
      ("append", po::value<std::string>(), "kernel command line")
      ("drive", po::value<std::vector<std::string>>(&drives),
       "virtio block device: file=IMG[,readonly=on][,snapshot=on] (repeatable)")
      ("snapshot", "write disk changes to a throw-away overlay, never to the image files")
      ("memory,m", po::value<std::string>(&memory), "guest RAM size, e.g. 256M, 1G (default 256M)")
      ("smp", po::value<std::string>(),
       "harts: N or cpus=N, 1 to 8 (default 1; as QEMU's -smp); they take turns on one "
       "host thread unless --hart-threads on")
      ("hart-threads", po::value<std::string>(),
       "off (default): the harts take turns on one host thread (QEMU's thread=single); "
       "on: with --smp N > 1 every hart runs on a host thread of its own (QEMU's MTTCG; "
       "experimental, docs/smp.md), except with --deterministic, --trace or --gdb")
      ("vlen", po::value<std::string>(),
       "vector extension (RVV 1.0, docs/vector.md) with VLEN = 128 (default), 256, 512 or "
       "1024 bits; 0 = no V")
      ("headless", "no dashboard window: console on stdin/stdout")
      ("screenshot", po::value<std::string>(),
       "dashboard: write the window to FILE.png after --exit-after SECONDS (default 5), then exit")
      ("exit-after", po::value<double>(), "dashboard: close the window after SECONDS")
      ("keep-open", "dashboard: keep the window open after the guest powers off")
      ("jit", po::value<std::string>(&jit), "execution tiers: off (interpreter) | baseline (copy-and-patch tier only) | fast (LLVM "
       "fast tier only) | tiered (default: baseline, then LLVM O2 for hot code)")
      ("tier-policy", po::value<std::string>(),
       "tier-2 decisions: ewma (hotness threshold, default) | learned (online model)")
      ("jit-threshold", po::value<int64_t>(),
       "tier-0 runs before tier 1 compiles a block (0: compile all before their first run)")
      ("max-instructions", po::value<uint64_t>(), "stop after about N guest instructions (exit 124)")
      ("timeout", po::value<double>(), "stop after SECONDS of wall time (exit 124)")
      ("perf-report", po::value<std::string>(),
       "write a JSON performance report to FILE at exit (turns the monitor on; "
       "docs/perf-report.md)")
      ("perf-summary", "print the performance monitor's report on stderr at exit")
      ("perf-map", po::value<std::string>()->implicit_value("map"),
       "name JIT code for Linux perf: /tmp/perf-PID.map; --perf-map=jitdump also writes "
       "./jit-PID.dump for perf inject --jit (record with perf record -k mono)")
      ("symbols", po::value<std::string>(),
       "Linux System.map naming guest code in reports (default: System.map beside --kernel)")
      ("trace-events", po::value<std::string>(),
       "write every engine event to FILE as Chrome trace JSON (open in Perfetto)")
      ("dump-dtb", po::value<std::string>(), "write the generated device tree to FILE and exit")
      ("save-snapshot", po::value<std::string>(),
       "where Ctrl-A S (console) and the dashboard's button save a snapshot of the machine")
      ("load-snapshot", po::value<std::string>(),
       "restore the machine from a snapshot instead of booting (give the options it was saved "
       "with: the same memory, drives and devices)")
      ("deterministic", "derive time from the instruction count (reproducible runs)")
      ("no-reboot", "exit (status 0) when the guest resets instead of rebooting it")
      ("netdev", po::value<std::vector<std::string>>(),
       "user-mode network on a virtio-net device: user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]... "
       "(guest 10.0.2.15 by DHCP, host 10.0.2.2, DNS 10.0.2.3)")
      ("trace", "print every executed instruction to stderr")
      ("gdb", po::value<std::string>(),
       "wait for a gdb connection on tcp::PORT (or tcp:HOST:PORT; QEMU's -gdb); headless")
      (",s", "shorthand for --gdb tcp::1234 (as QEMU's -s)")
      (",S", "do not start the hart until gdb continues it (as QEMU's -S; needs --gdb or -s)");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("image", po::value<std::string>(), "image");
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("image", 1);

  std::ostringstream help;
  help << desc;
  result.help = help.str();

  po::variables_map vm;
  try {
    // A bare --perf-map means the map alone: Boost would take the next word (the image)
    // as its value.
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::string& a : args) {
      if (a == "--perf-map") a = "--perf-map=map";
    }
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    result.error = e.what();
    return result;
  }

  Options o;
  o.show_help = vm.count("help") > 0;
  o.show_version = vm.count("version") > 0;
  if (o.show_help || o.show_version) {
    result.options = o;
    return result;
  }
  auto str = [&](const char* name, std::string& out) {
    if (vm.count(name)) out = vm[name].as<std::string>();
  };
  str("image", o.image);
  str("kernel", o.kernel);
  str("bios", o.bios);
  str("initrd", o.initrd);
  str("append", o.append);
  str("perf-report", o.perf_report);
  str("symbols", o.symbols);
  str("trace-events", o.trace_events);
  str("screenshot", o.screenshot);
  o.perf_summary = vm.count("perf-summary") > 0;
  str("perf-map", o.perf_map);
  if (!o.perf_map.empty() && o.perf_map != "map" && o.perf_map != "jitdump") {
    result.error = "--perf-map: '" + o.perf_map + "' is not one of map, jitdump";
    return result;
  }
  o.keep_open = vm.count("keep-open") > 0;
  if (vm.count("exit-after")) {
    o.exit_after = vm["exit-after"].as<double>();
    if (!(o.exit_after > 0)) {
      result.error = "--exit-after must be a positive number of seconds";
      return result;
    }
  }
  str("dump-dtb", o.dump_dtb);
  str("save-snapshot", o.save_snapshot);
  str("load-snapshot", o.load_snapshot);
  for (const char* name : {"save-snapshot", "load-snapshot"}) {
    if (vm.count(name) && vm[name].as<std::string>().empty()) {
      result.error = std::string("--") + name + " needs a file name";
      return result;
    }
  }
  o.snapshot = vm.count("snapshot") > 0;
  o.headless = vm.count("headless") > 0;
  o.trace = vm.count("trace") > 0;
  o.deterministic = vm.count("deterministic") > 0;
  if (vm.count("hart-threads")) {
    const std::string v = vm["hart-threads"].as<std::string>();
    if (v != "on" && v != "off") {
      result.error = "--hart-threads: '" + v + "' is not on or off";
      return result;
    }
    o.hart_threads = v == "on";
  }
  o.no_reboot = vm.count("no-reboot") > 0;
  if (vm.count("netdev")) {
    const auto& netdevs = vm["netdev"].as<std::vector<std::string>>();
    if (netdevs.size() > 1) {
      result.error = "--netdev: only one network is supported";
      return result;
    }
    std::string err;
    o.netdev = parse_netdev(netdevs.front(), err);
    if (!o.netdev) {
      result.error = err;
      return result;
    }
  }
  if (vm.count("gdb") || vm.count("-s")) {
    const std::string spec = vm.count("gdb") ? vm["gdb"].as<std::string>() : "tcp::1234";
    std::string err;
    if (!parse_gdb_spec(spec, o.gdb_host, o.gdb_port, err)) {
      result.error = err;
      return result;
    }
  }
  o.gdb_wait = vm.count("-S") > 0;
  if (o.gdb_wait && o.gdb_port == 0) {
    result.error = "-S needs --gdb tcp::PORT or -s (there is no monitor to start the hart)";
    return result;
  }
  if (vm.count("tier-policy")) {
    const std::string p = vm["tier-policy"].as<std::string>();
    if (p != "ewma" && p != "learned") {
      result.error = "--tier-policy: '" + p + "' is not one of ewma, learned";
      return result;
    }
    o.learned_policy = p == "learned";
  }
  if (vm.count("jit-threshold")) {
    const int64_t threshold = vm["jit-threshold"].as<int64_t>();
    if (threshold < 0 || threshold > 1'000'000'000) {
      result.error = "--jit-threshold must be between 0 and 1000000000";
      return result;
    }
    o.jit_threshold = static_cast<uint32_t>(threshold);
  }
  if (vm.count("max-instructions")) o.max_instructions = vm["max-instructions"].as<uint64_t>();
  if (vm.count("timeout")) {
    o.timeout_seconds = vm["timeout"].as<double>();
    if (!(o.timeout_seconds > 0)) {
      result.error = "--timeout must be a positive number of seconds";
      return result;
    }
  }
  if (vm.count("smp")) {
    std::string text = vm["smp"].as<std::string>();
    if (text.starts_with("cpus=")) text = text.substr(5);
    unsigned harts = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), harts);
    if (ec != std::errc() || end != text.data() + text.size() || harts < 1 || harts > 8) {
      result.error = "--smp: '" + vm["smp"].as<std::string>() +
                     "' is not a hart count from 1 to 8 (N or cpus=N)";
      return result;
    }
    o.harts = harts;
  }
  if (vm.count("vlen")) {
    const std::string text = vm["vlen"].as<std::string>();
    unsigned vlen = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), vlen);
    if (ec != std::errc() || end != text.data() + text.size() ||
        (vlen != 0 && vlen != 128 && vlen != 256 && vlen != 512 && vlen != 1024)) {
      result.error = "--vlen: '" + text + "' is not 0 (no V) or 128, 256, 512, 1024";
      return result;
    }
    o.vlen = vlen;
  }
  const auto mem = parse_memory_size(memory);
  if (!mem) {
    result.error = "--memory: cannot parse '" + memory + "' (use e.g. 256M or 1G)";
    return result;
  }
  if (*mem < kMinMemory || *mem > kMaxMemory) {
    result.error = "--memory: " + memory + " is outside 16M..16G";
    return result;
  }
  o.memory_bytes = *mem;
  if (jit == "off")
    o.jit = JitMode::Off;
  else if (jit == "baseline")
    o.jit = JitMode::Baseline;
  else if (jit == "fast")
    o.jit = JitMode::Fast;
  else if (jit == "tiered")
    o.jit = JitMode::Tiered;
  else {
    result.error = "--jit: '" + jit + "' is not one of off, baseline, fast, tiered";
    return result;
  }
  for (const auto& d : drives) {
    std::string err;
    auto drive = parse_drive(d, err);
    if (!drive) {
      result.error = err;
      return result;
    }
    o.drives.push_back(*drive);
  }
  if (o.image.empty() && o.kernel.empty() && !(o.bios.size() && o.bios != "none")) {
    result.error = "no guest given: pass an image, --kernel or --bios";
    return result;
  }
  if (!o.image.empty() && !o.kernel.empty()) {
    result.error = "give either an image or --kernel, not both";
    return result;
  }
  if (o.headless && (!o.screenshot.empty() || o.exit_after > 0 || o.keep_open)) {
    result.error = "--screenshot, --exit-after and --keep-open need the dashboard, not --headless";
    return result;
  }
  if ((!o.initrd.empty() || !o.append.empty()) && o.kernel.empty()) {
    result.error = "--initrd and --append need --kernel";
    return result;
  }
  result.options = o;
  return result;
}

}  // namespace tiervm
