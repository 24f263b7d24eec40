#pragma once

#include "devices/irq_line.h"
#include "engine/hart_state.h"
#include "engine/trap.h"

namespace tiervm {

// An interrupt wire into a hart's mip (MSIP, MTIP, MEIP or SEIP), driven by the CLINT or
// the PLIC. Safe to drive from any thread: the dispatcher reads mip_hw at block
// boundaries.
class HartIrqLine final : public IrqLine {
 public:
  HartIrqLine(HartState& state, Irq irq) : state_(state), bit_(irq_bit(irq)) {}
  void set_level(bool high) override {
    if (high) {
      state_.mip_hw.fetch_or(bit_, std::memory_order_relaxed);
    } else {
      state_.mip_hw.fetch_and(~bit_, std::memory_order_relaxed);
    }
    // Chained compiled code returns to the dispatcher at its next block exit; a hart
    // thread asleep in wfi waits on exit_request (Machine::hart_thread).
    state_.request_exit(std::memory_order_release);
    state_.exit_request.notify_all();
  }

 private:
  HartState& state_;
  uint64_t bit_;
};

}  // namespace tiervm
