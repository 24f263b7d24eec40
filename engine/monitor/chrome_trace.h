#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace tiervm {

class EventBus;
class SymbolTable;
struct Event;

// Writes event-bus events as a Chrome trace (the "JSON Array Format" of the Trace Event
// Format, which Perfetto and chrome://tracing open; a file cut short by a crash still
// loads because the closing bracket is optional there). One process per machine (pid =
// machine id); tid 0 is the hart, tid 1 the compiler thread. Compilations are complete
// events ("X") on tid 1; everything else is an instant event ("i") on tid 0.
//
// The event bus reports a compilation when its code is installed, with the block's share
// of its batch's LLVM time; the compiler thread is serial, so spans are laid end to end
// on tid 1, each ending at its install time unless the previous one ends later.
class ChromeTraceWriter {
 public:
  ChromeTraceWriter() = default;
  ~ChromeTraceWriter();
  ChromeTraceWriter(const ChromeTraceWriter&) = delete;
  ChromeTraceWriter& operator=(const ChromeTraceWriter&) = delete;

  bool open(const std::string& path, std::string& error);
  // Subscribes to `bus` (and names its process); `symbols` (may be null) names compiled
  // blocks. detach() before the bus goes away.
  void attach(EventBus& bus, std::shared_ptr<const SymbolTable> symbols);
  void detach(EventBus& bus);
  void on_event(const Event& e);
  // Writes the closing bracket; later events are ignored.
  void close();
  uint64_t events_written() const { return written_; }

 private:
  void write_record(const std::string& record);
  double micros(uint64_t time_ns) const;

  std::mutex mutex_;
  std::FILE* file_ = nullptr;
  uint64_t origin_ns_ = 0;
  uint64_t written_ = 0;
  struct Machine {
    int subscription = 0;
    uint64_t compiler_free_ns = 0;  // end of the last compile span on tid 1
    std::shared_ptr<const SymbolTable> symbols;
  };
  std::unordered_map<uint32_t, Machine> machines_;
};

}  // namespace tiervm
