#include "engine/event_bus.h"

#include <algorithm>
#include <chrono>

namespace tiervm {

const char* event_kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::BlockCompiled:
      return "block_compiled";
    case EventKind::TierUp:
      return "tier_up";
    case EventKind::BlockInvalidated:
      return "block_invalidated";
    case EventKind::TlbFlush:
      return "tlb_flush";
    case EventKind::Trap:
      return "trap";
    case EventKind::Interrupt:
      return "interrupt";
    case EventKind::GuestExit:
      return "guest_exit";
  }
  return "?";
}

int EventBus::subscribe(Subscriber s) {
  std::lock_guard<std::mutex> lock(subscribers_mutex_);
  subscribers_.emplace_back(next_id_, std::move(s));
  active_.store(true, std::memory_order_relaxed);
  return next_id_++;
}

void EventBus::unsubscribe(int id) {
  std::lock_guard<std::mutex> lock(subscribers_mutex_);
  std::erase_if(subscribers_, [id](const auto& p) { return p.first == id; });
  active_.store(!subscribers_.empty(), std::memory_order_relaxed);
}

void EventBus::publish(Event e) {
  if (!active()) return;
  e.machine_id = machine_id_;
  e.time_ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
  std::lock_guard<std::mutex> lock(pending_mutex_);
  if (pending_.size() >= kMaxPending) {
    ++dropped_;
    return;
  }
  pending_.push_back(e);
}

size_t EventBus::drain() {
  {
    std::lock_guard<std::mutex> lock(pending_mutex_);
    delivering_.swap(pending_);
  }
  if (delivering_.empty()) return 0;
  const size_t n = delivering_.size();
  {
    std::lock_guard<std::mutex> lock(subscribers_mutex_);
    for (const Event& e : delivering_) {
      for (auto& [id, s] : subscribers_) s(e);
    }
  }
  delivering_.clear();
  return n;
}

}  // namespace tiervm
