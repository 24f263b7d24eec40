#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "engine/tier.h"

namespace tiervm {

// What happened. Events are small values; which fields an event fills depends on its kind.
enum class EventKind : uint8_t {
  BlockCompiled,     // paddr, pc, tier, guest_insns, compile_ns (per block: its batch
                     // share), host_bytes
  TierUp,            // paddr, pc, tier (the new tier)
  BlockInvalidated,  // paddr, pc, tier (the one dropped), bytes (the write that caused it)
  TlbFlush,          // count (TLB flushes since the dispatcher last looked)
  Trap,              // pc = epc, cause, tval
  Interrupt,         // pc = epc, cause (without the interrupt bit)
  GuestExit,         // exit_code
};

const char* event_kind_name(EventKind kind);

struct Event {
  EventKind kind = EventKind::Trap;
  Tier tier = Tier::Interpreter;
  uint32_t machine_id = 0;  // several machines in one process stay apart
  uint64_t time_ns = 0;     // steady clock, set by publish()
  uint64_t pc = 0;
  uint64_t paddr = 0;
  uint32_t guest_insns = 0;
  uint32_t host_bytes = 0;
  uint64_t compile_ns = 0;
  uint64_t cause = 0;
  uint64_t tval = 0;
  uint64_t bytes = 0;
  uint64_t count = 0;
  int64_t exit_code = 0;
};

// Typed events from the hart thread and the compiler thread to subscribers (the monitor,
// the dashboard, the Chrome-trace writer). publish() only appends to a buffer under a
// short lock, and costs one relaxed load when nobody listens; drain(), called by the
// machine loop between slices, delivers the buffered events on that thread, so
// subscribers never run on the compiler thread or inside generated code.
class EventBus {
 public:
  explicit EventBus(uint32_t machine_id) : machine_id_(machine_id) {}

  using Subscriber = std::function<void(const Event&)>;
  int subscribe(Subscriber s);
  void unsubscribe(int id);
  bool active() const { return active_.load(std::memory_order_relaxed); }
  uint32_t machine_id() const { return machine_id_; }

  void publish(Event e);
  // Delivers everything published so far, in order. Returns the number of events.
  size_t drain();
  uint64_t dropped() const { return dropped_; }

 private:
  static constexpr size_t kMaxPending = 1 << 16;  // beyond this, events are counted, dropped

  uint32_t machine_id_;
  std::atomic<bool> active_{false};
  std::mutex pending_mutex_;
  std::vector<Event> pending_;
  std::vector<Event> delivering_;
  uint64_t dropped_ = 0;
  std::mutex subscribers_mutex_;
  std::vector<std::pair<int, Subscriber>> subscribers_;
  int next_id_ = 1;
};

}  // namespace tiervm
