#include "engine/exclusive_gate.h"

namespace tiervm {

namespace {

// The hart the calling thread runs between enter() and leave(), or -1.
thread_local int inside_hart = -1;
// The calling thread owns an exclusive section.
thread_local bool owns_exclusive = false;

}  // namespace

void ExclusiveGate::enter(unsigned hart) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [this] { return !pending_ && !closed_; });
  ++running_;
  inside_hart = static_cast<int>(hart);
}

void ExclusiveGate::leave() {
  std::lock_guard<std::mutex> lock(mutex_);
  --running_;
  inside_hart = -1;
  cv_.notify_all();
}

void ExclusiveGate::exclusive(const std::function<void()>& fn) {
  if (owns_exclusive) {
    fn();
    return;
  }
  const int self = inside_hart;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (self >= 0) {
      // Not running guest code while waiting: another thread's section may go first.
      --running_;
      cv_.notify_all();
    }
    cv_.wait(lock, [this] { return !pending_; });
    pending_ = true;
    pending_flag_.store(true, std::memory_order_relaxed);
    for (unsigned i = 0; i < harts_; ++i) {
      if (static_cast<int>(i) != self) kick_(i);
    }
    cv_.wait(lock, [this] { return running_ == 0; });
  }
  owns_exclusive = true;
  fn();
  owns_exclusive = false;
  std::lock_guard<std::mutex> lock(mutex_);
  pending_ = false;
  pending_flag_.store(false, std::memory_order_relaxed);
  if (self >= 0) ++running_;
  cv_.notify_all();
}

void ExclusiveGate::yield_to_exclusive() {
  if (inside_hart < 0 || owns_exclusive) return;
  std::unique_lock<std::mutex> lock(mutex_);
  if (!pending_) return;
  --running_;
  cv_.notify_all();
  cv_.wait(lock, [this] { return !pending_; });
  ++running_;
}

void ExclusiveGate::set_closed(bool closed) {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = closed;
  closed_flag_.store(closed, std::memory_order_relaxed);
  if (closed) {
    for (unsigned i = 0; i < harts_; ++i) kick_(i);
  }
  cv_.notify_all();
}

}  // namespace tiervm
