#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace tiervm {

// The rendezvous of harts running on host threads of their own (QEMU's cpu_exec_start /
// start_exclusive, docs/smp.md). A hart thread brackets its guest code with enter() and
// leave(); exclusive(fn) asks every other hart to leave (the `kick`: its executor's stop
// request), waits until none runs guest code, runs fn and lets them go on. An exclusive
// section may change anything a stopped hart owns: its TLB, code cache, state.
class ExclusiveGate {
 public:
  // `kick(i)` makes hart i's thread leave guest code soon (from any thread, gate lock held:
  // it must not block).
  explicit ExclusiveGate(std::function<void(unsigned)> kick) : kick_(std::move(kick)) {}

  void set_harts(unsigned n) { harts_ = n; }
  // Hart thread `hart`: waits while an exclusive section is pending or the gate is
  // closed, then counts the thread as running guest code.
  void enter(unsigned hart);
  void leave();
  // Runs fn while no hart other than the calling one (if it is a hart thread between
  // enter and leave) runs guest code. Nested calls (fn calling exclusive) just run.
  void exclusive(const std::function<void()>& fn);
  // A hart thread between enter() and leave() about to wait for something the owner of an
  // exclusive section may hold (the device lock): steps aside while one is pending.
  void yield_to_exclusive();
  bool pending() const { return pending_flag_.load(std::memory_order_relaxed); }
  // Closed: enter() waits (the machine is paused). Closing kicks every hart.
  void set_closed(bool closed);
  bool closed() const { return closed_flag_.load(std::memory_order_relaxed); }

 private:
  std::function<void(unsigned)> kick_;
  unsigned harts_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  unsigned running_ = 0;
  bool pending_ = false;
  bool closed_ = false;
  std::atomic<bool> pending_flag_{false};
  std::atomic<bool> closed_flag_{false};
};

}  // namespace tiervm
