#include "engine/gdb/gdb_session.h"

#include <algorithm>
#include <cstdio>

#include "engine/gdb/rsp.h"

namespace tiervm {

namespace {

constexpr const char* kError = "E01";
constexpr const char* kMemoryError = "E14";  // EFAULT, as gdbserver and QEMU answer
constexpr size_t kPacketSize = 0x4000;

// Little-endian bytes of a register value, as the g and p packets carry them.
std::string reg_hex(uint64_t value, unsigned bits) {
  uint8_t bytes[8];
  for (unsigned i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
  return rsp_hex(bytes, bits / 8);
}

std::optional<uint64_t> reg_value(std::string_view hex, unsigned bits) {
  if (hex.size() != bits / 4) return std::nullopt;
  auto bytes = rsp_unhex(hex);
  if (!bytes) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < bytes->size(); ++i) v |= uint64_t{(*bytes)[i]} << (8 * i);
  return v;
}

// "ADDR,LEN" (and what follows LEN after `stop`, when given).
bool parse_addr_len(std::string_view args, uint64_t& addr, uint64_t& len, char stop = '\0',
                    std::string_view* rest = nullptr) {
  const size_t comma = args.find(',');
  if (comma == std::string_view::npos) return false;
  const size_t end = stop ? args.find(stop, comma) : args.size();
  if (end == std::string_view::npos) return false;
  auto a = rsp_parse_hex(args.substr(0, comma));
  auto l = rsp_parse_hex(args.substr(comma + 1, end - comma - 1));
  if (!a || !l) return false;
  addr = *a;
  len = *l;
  if (rest) *rest = args.substr(std::min(end + 1, args.size()));
  return true;
}

std::string hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02x", v & 0xff);
  return buf;
}

}  // namespace

std::string gdb_stop_reply(const GdbStop& stop) {
  switch (stop.kind) {
    case GdbStop::Kind::Exited:
      return "W" + hex2(static_cast<unsigned>(stop.exit_code));
    case GdbStop::Kind::Watch: {
      const char* name = stop.watch.kind == WatchKind::Write  ? "watch"
                         : stop.watch.kind == WatchKind::Read ? "rwatch"
                                                              : "awatch";
      char addr[24];
      std::snprintf(addr, sizeof addr, "%llx", static_cast<unsigned long long>(stop.watch.addr));
      return "T05" + std::string(name) + ":" + addr + ";thread:" + hex2(stop.hart + 1) + ";";
    }
    case GdbStop::Kind::Signal:
      break;
  }
  return "T" + hex2(static_cast<unsigned>(stop.signal)) + "thread:" + hex2(stop.hart + 1) + ";";
}

std::optional<unsigned> GdbSession::hart_of(std::string_view id, bool& valid) {
  valid = true;
  if (id == "-1" || id == "0") return std::nullopt;  // all threads, any thread
  auto n = rsp_parse_hex(id);
  if (!n || *n == 0 || *n > target_.hart_count()) {
    valid = false;
    return std::nullopt;
  }
  return static_cast<unsigned>(*n - 1);
}

std::string GdbSession::set_thread(std::string_view args) {
  // Hg TID: registers and memory; Hc TID: the thread a step or continue applies to.
  if (args.empty()) return kError;
  bool valid = false;
  const std::optional<unsigned> hart = hart_of(args.substr(1), valid);
  if (!valid) return kError;
  if (args[0] == 'g') {
    if (hart && !target_.select_hart(*hart)) return kError;
    if (hart) step_hart_ = *hart;
    return "OK";
  }
  if (args[0] == 'c') {
    if (hart) step_hart_ = *hart;
    return "OK";
  }
  return kError;
}

std::optional<std::string> GdbSession::handle(std::string_view p) {
  if (p.empty()) return "";
  const std::string_view args = p.substr(1);
  switch (p[0]) {
    case '?': {
      const GdbStop stop = target_.last_stop();
      step_hart_ = stop.hart;
      return gdb_stop_reply(stop);
    }
    case 'g':
      return read_registers();
    case 'G':
      return write_registers(args);
    case 'p':
      return read_register(args);
    case 'P':
      return write_register(args);
    case 'm':
      return read_memory(args);
    case 'M':
      return write_memory(args, false);
    case 'X':
      return write_memory(args, true);
    case 'c':
    case 's':
    case 'C':
    case 'S': {
      // An optional resume address (c ADDR, C SIG;ADDR); the signal is not delivered
      // (a RISC-V hart has no signals to give).
      std::string_view addr = args;
      if (p[0] == 'C' || p[0] == 'S') {
        const size_t semi = args.find(';');
        addr = semi == std::string_view::npos ? std::string_view{} : args.substr(semi + 1);
      }
      if (!addr.empty()) {
        auto pc = rsp_parse_hex(addr);
        const GdbRegister* reg = regs_.find(kGdbPcRegno);
        if (!pc || !target_.write_register(*reg, *pc)) return kError;
      }
      target_.resume(p[0] == 's' || p[0] == 'S', step_hart_);
      return std::nullopt;
    }
    case 'Z':
    case 'z':
      return breakpoint(p);
    case 'D':
      target_.detach();
      finished_ = true;
      return "OK";
    case 'k':
      target_.kill();
      finished_ = true;
      return std::nullopt;  // no reply to k
    case 'H':
      return set_thread(args);
    case 'T': {  // is the thread alive: every hart always is
      bool valid = false;
      hart_of(args, valid);
      return valid ? "OK" : kError;
    }
    case 'q':
    case 'Q':
      return query(p);
    case 'v':
      return v_packet(p);
    default:
      return "";  // not supported
  }
}

std::string GdbSession::read_registers() {
  std::string out;
  for (unsigned n = 0; n < kGdbGRegisters; ++n) {
    const GdbRegister* r = regs_.find(n);
    uint64_t v = 0;
    if (!target_.read_register(*r, v)) return kError;
    out += reg_hex(v, r->bits);
  }
  return out;
}

std::string GdbSession::write_registers(std::string_view hex) {
  if (hex.size() != kGdbGRegisters * 16) return kError;
  for (unsigned n = 0; n < kGdbGRegisters; ++n) {
    auto v = reg_value(hex.substr(n * 16, 16), 64);
    if (!v || !target_.write_register(*regs_.find(n), *v)) return kError;
  }
  return "OK";
}

std::string GdbSession::read_register(std::string_view args) {
  auto n = rsp_parse_hex(args);
  const GdbRegister* r = n ? regs_.find(static_cast<unsigned>(*n)) : nullptr;
  if (r == nullptr) return kError;
  if (r->kind == GdbRegister::Kind::V) {
    std::vector<uint8_t> bytes;
    if (!target_.read_vector(r->index, bytes) || bytes.size() * 8 != r->bits) return kError;
    return rsp_hex(bytes.data(), bytes.size());
  }
  uint64_t v = 0;
  if (!target_.read_register(*r, v)) return kError;
  return reg_hex(v, r->bits);
}

std::string GdbSession::write_register(std::string_view args) {
  const size_t eq = args.find('=');
  if (eq == std::string_view::npos) return kError;
  auto n = rsp_parse_hex(args.substr(0, eq));
  const GdbRegister* r = n ? regs_.find(static_cast<unsigned>(*n)) : nullptr;
  if (r == nullptr) return kError;
  if (r->kind == GdbRegister::Kind::V) {
    const std::string_view hex = args.substr(eq + 1);
    const auto bytes = rsp_unhex(hex);
    if (hex.size() * 4 != r->bits || !bytes) return kError;
    return target_.write_vector(r->index, *bytes) ? "OK" : kError;
  }
  auto v = reg_value(args.substr(eq + 1), r->bits);
  if (!v || !target_.write_register(*r, *v)) return kError;
  return "OK";
}

std::string GdbSession::read_memory(std::string_view args) {
  uint64_t addr = 0, len = 0;
  if (!parse_addr_len(args, addr, len) || len > kPacketSize / 2) return kError;
  std::vector<uint8_t> data;
  if (!target_.read_memory(addr, len, data)) return kMemoryError;
  return rsp_hex(data.data(), data.size());
}

std::string GdbSession::write_memory(std::string_view args, bool binary) {
  uint64_t addr = 0, len = 0;
  std::string_view rest;
  if (!parse_addr_len(args, addr, len, ':', &rest)) return kError;
  std::vector<uint8_t> data;
  if (binary) {
    const std::string raw = rsp_unescape(rest);
    data.assign(raw.begin(), raw.end());
  } else {
    auto bytes = rsp_unhex(rest);
    if (!bytes) return kError;
    data = std::move(*bytes);
  }
  if (data.size() != len) return kError;
  if (len == 0) return "OK";  // gdb probes X support with an empty write
  return target_.write_memory(addr, data) ? "OK" : kMemoryError;
}

std::string GdbSession::breakpoint(std::string_view p) {
  // Z TYPE,ADDR,KIND: 0 software and 1 hardware breakpoints are the same thing here (the
  // dispatcher checks them, nothing is written to guest memory); 2-4 are watchpoints with
  // KIND their length.
  const bool insert = p[0] == 'Z';
  if (p.size() < 3 || p[2] != ',') return kError;
  uint64_t addr = 0, kind = 0;
  if (!parse_addr_len(p.substr(3), addr, kind, ';')) {
    if (!parse_addr_len(p.substr(3), addr, kind)) return kError;
  }
  switch (p[1]) {
    case '0':
    case '1':
      return target_.set_breakpoint(insert, addr) ? "OK" : kError;
    case '2':
    case '3':
    case '4':
      return target_.set_watchpoint(insert, static_cast<WatchKind>(p[1] - '0'), addr, kind)
                 ? "OK"
                 : kError;
    default:
      return "";
  }
}

std::optional<std::string> GdbSession::query(std::string_view p) {
  auto starts = [&](std::string_view prefix) { return p.substr(0, prefix.size()) == prefix; };
  if (starts("qSupported")) {
    return "PacketSize=" + std::to_string(kPacketSize) +
           ";qXfer:features:read+;QStartNoAckMode+;vContSupported+";
  }
  if (starts("QStartNoAckMode")) {
    no_ack_ = true;
    return "OK";
  }
  if (starts("qXfer:features:read:target.xml:")) {
    uint64_t offset = 0, len = 0;
    if (!parse_addr_len(p.substr(31), offset, len)) return kError;
    const std::string& xml = regs_.target_xml();
    if (offset >= xml.size()) return "l";
    const std::string part = xml.substr(offset, len);
    return (offset + part.size() >= xml.size() ? "l" : "m") + part;
  }
  if (starts("qXfer:")) return "E00";
  if (p == "qAttached") return "1";
  if (p == "qC") return "QC" + hex2(target_.last_stop().hart + 1);
  if (p == "qfThreadInfo") {
    std::string list = "m";
    for (unsigned h = 0; h < target_.hart_count(); ++h) list += (h ? "," : "") + hex2(h + 1);
    return list;
  }
  if (p == "qsThreadInfo") return "l";
  if (starts("qThreadExtraInfo,")) {
    bool valid = false;
    const std::optional<unsigned> hart = hart_of(p.substr(17), valid);
    if (!valid || !hart) return kError;
    const std::string text = "hart " + std::to_string(*hart);
    return rsp_hex(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  }
  if (p == "qOffsets") return "Text=0;Data=0;Bss=0";
  if (p == "qSymbol::") return "OK";
  return "";
}

std::optional<std::string> GdbSession::v_packet(std::string_view p) {
  if (p == "vCont?") return "vCont;c;C;s;S";
  if (p.substr(0, 6) == "vCont;") {
    // vCont;ACTION[:TID];ACTION...: an action without a thread id applies to every thread
    // not named. A step runs its thread alone; a continue of named threads only (no
    // default action) resumes those alone.
    bool step = false;
    bool default_action = false;
    std::optional<unsigned> named;
    unsigned hart = step_hart_;
    std::string_view rest = p.substr(6);
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      const std::string_view action = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      if (action.empty()) return kError;
      const char a = action[0];
      if (a != 'c' && a != 'C' && a != 's' && a != 'S') return kError;
      const size_t colon = action.find(':');
      std::optional<unsigned> h;
      if (colon != std::string_view::npos) {
        bool valid = false;
        h = hart_of(action.substr(colon + 1), valid);
        if (!valid) return kError;
      }
      if (!h) {
        default_action = true;
        if (a == 's' || a == 'S') step = true;  // s without a thread: the Hc thread
        continue;
      }
      if (a == 's' || a == 'S') {
        step = true;
        hart = *h;
      } else if (!step) {
        named = h;
      }
    }
    if (!step && named && !default_action) {
      target_.resume(false, *named, true);
    } else {
      target_.resume(step, hart);
    }
    return std::nullopt;
  }
  if (p.substr(0, 6) == "vKill;") {
    target_.kill();
    finished_ = true;
    return "OK";
  }
  return "";
}

}  // namespace tiervm
