#include "engine/monitor/chrome_trace.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstring>

#include "engine/event_bus.h"
#include "engine/monitor/report.h"
#include "engine/monitor/symbol_table.h"

namespace tiervm {

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

ChromeTraceWriter::~ChromeTraceWriter() {
  close();
}

bool ChromeTraceWriter::open(const std::string& path, std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  file_ = std::fopen(path.c_str(), "w");
  if (file_ == nullptr) {
    error = "cannot write trace file '" + path + "': " + std::strerror(errno);
    return false;
  }
  origin_ns_ = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                         std::chrono::steady_clock::now().time_since_epoch())
                                         .count());
  std::fputs("[\n", file_);
  return true;
}

double ChromeTraceWriter::micros(uint64_t time_ns) const {
  return time_ns > origin_ns_ ? static_cast<double>(time_ns - origin_ns_) / 1e3 : 0.0;
}

void ChromeTraceWriter::write_record(const std::string& record) {
  if (file_ == nullptr) return;
  if (written_++ != 0) std::fputs(",\n", file_);
  std::fputs(record.c_str(), file_);
}

void ChromeTraceWriter::attach(EventBus& bus, std::shared_ptr<const SymbolTable> symbols) {
  const uint32_t pid = bus.machine_id();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Machine& m = machines_[pid];
    m.symbols = std::move(symbols);
    const std::string p = std::to_string(pid);
    write_record(R"({"name":"process_name","ph":"M","pid":)" + p +
                 R"(,"tid":0,"args":{"name":"tiervm machine )" + p + R"("}})");
    write_record(R"({"name":"thread_name","ph":"M","pid":)" + p +
                 R"(,"tid":0,"args":{"name":"hart 0"}})");
    write_record(R"({"name":"thread_name","ph":"M","pid":)" + p +
                 R"(,"tid":1,"args":{"name":"compiler"}})");
  }
  const int id = bus.subscribe([this](const Event& e) { on_event(e); });
  std::lock_guard<std::mutex> lock(mutex_);
  machines_[pid].subscription = id;
}

void ChromeTraceWriter::detach(EventBus& bus) {
  int id = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = machines_.find(bus.machine_id());
    if (it == machines_.end()) return;
    id = it->second.subscription;
    machines_.erase(it);
  }
  bus.unsubscribe(id);
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_) std::fflush(file_);
}

void ChromeTraceWriter::on_event(const Event& e) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ == nullptr) return;
  Machine& m = machines_[e.machine_id];
  char buf[512] = "";
  const std::string name = event_kind_name(e.kind);
  if (e.kind == EventKind::BlockCompiled) {
    const uint64_t dur = e.compile_ns;
    uint64_t start = e.time_ns > dur ? e.time_ns - dur : 0;
    start = std::max(start, m.compiler_free_ns);
    m.compiler_free_ns = start + dur;
    std::string label = m.symbols ? m.symbols->describe(e.pc) : std::string();
    if (label.empty()) label = hex_address(e.pc);
    std::snprintf(buf, sizeof buf,
                  R"(,"ph":"X","ts":%.3f,"dur":%.3f,"pid":%u,"tid":1,"cat":"jit",)"
                  R"("args":{"pc":"0x%)" PRIx64 R"(","paddr":"0x%)" PRIx64
                  R"(","tier":%u,"guest_insns":%u,"host_bytes":%u}})",
                  micros(start), static_cast<double>(dur) / 1e3, e.machine_id, e.pc, e.paddr,
                  tier_index(e.tier), e.guest_insns, e.host_bytes);
    write_record(R"({"name":)" + json_string("compile " + label) + buf);
    return;
  }
  std::string args;
  switch (e.kind) {
    case EventKind::TierUp:
      std::snprintf(buf, sizeof buf,
                    R"("pc":"0x%)" PRIx64 R"(","paddr":"0x%)" PRIx64 R"(","tier":%u)", e.pc,
                    e.paddr, tier_index(e.tier));
      break;
    case EventKind::BlockInvalidated:
      std::snprintf(buf, sizeof buf,
                    R"("pc":"0x%)" PRIx64 R"(","paddr":"0x%)" PRIx64
                    R"(","bytes_written":%)" PRIu64,
                    e.pc, e.paddr, e.bytes);
      break;
    case EventKind::TlbFlush:
      std::snprintf(buf, sizeof buf, R"("flushes":%)" PRIu64, e.count);
      break;
    case EventKind::Trap:
      std::snprintf(buf, sizeof buf,
                    R"("pc":"0x%)" PRIx64 R"(","cause":%)" PRIu64 R"(,"tval":"0x%)" PRIx64 "\"",
                    e.pc, e.cause, e.tval);
      break;
    case EventKind::Interrupt:
      std::snprintf(buf, sizeof buf, R"("pc":"0x%)" PRIx64 R"(","cause":%)" PRIu64, e.pc, e.cause);
      break;
    case EventKind::GuestExit:
      std::snprintf(buf, sizeof buf, R"("code":%)" PRId64, e.exit_code);
      break;
    case EventKind::BlockCompiled:
      break;
  }
  args = buf;
  std::snprintf(buf, sizeof buf, R"(,"ph":"i","s":"t","ts":%.3f,"pid":%u,"tid":0,"cat":"hart",)",
                micros(e.time_ns), e.machine_id);
  write_record(R"({"name":")" + name + "\"" + buf + R"("args":{)" + args + "}}");
}

void ChromeTraceWriter::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ == nullptr) return;
  std::fputs("\n]\n", file_);
  std::fclose(file_);
  file_ = nullptr;
}

}  // namespace tiervm
