// Random register traffic to the virt board's devices (UART, PLIC, CLINT, RTC, SiFive
// test, empty virtio slots) through the bus, mixed with host input, time passing and
// polls. Invariants: no crash; the hart's interrupt wires carry levels the devices can
// explain; a PLIC claim returns a source id that exists; next_deadline_ticks() is 0 when
// the timer is already due.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>

#include "devices/virt_board.h"
#include "mem/bus.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using namespace tiervm;

class Line final : public IrqLine {
 public:
  void set_level(bool high) override { level = high; }
  bool level = false;
};

struct Region {
  uint64_t base;
  uint64_t size;
};

// Offsets that mean something, so short inputs reach the registers.
uint64_t plic_offset(FuzzedDataProvider& in) {
  const unsigned ctx = in.ConsumeIntegralInRange<unsigned>(0, 2);  // 2: past the last
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0:
      return Plic::kPriorityBase + 4 * in.ConsumeIntegralInRange<uint64_t>(0, 100);
    case 1:
      return Plic::kPendingBase + 4 * in.ConsumeIntegralInRange<uint64_t>(0, 4);
    case 2:
      return Plic::kEnableBase + ctx * Plic::kEnableStride +
             4 * in.ConsumeIntegralInRange<uint64_t>(0, 4);
    case 3:
      return Plic::kContextBase + ctx * Plic::kContextStride +
             4 * in.ConsumeIntegralInRange<uint64_t>(0, 2);
    default:
      return in.ConsumeIntegralInRange<uint64_t>(0, Plic::kSize + 16);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Bus bus;
  Line msip, mtip, meip, seip;
  ManualClock clock;
  VirtBoardConfig c;
  c.ram_size = 64 * 1024;
  c.clock = &clock;
  c.uart_output = [](uint8_t) {};
  c.on_test_event = [](TestDeviceEvent) {};
  c.rtc_now_ns = [&clock] { return clock.now_ticks() * 100; };
  VirtBoard board(bus, c, HartIrqLines{msip, mtip, meip, seip});

  const Region regions[] = {
      {virt::kUartBase, virt::kUartSize},   {virt::kPlicBase, virt::kPlicSize},
      {virt::kClintBase, virt::kClintSize}, {virt::kRtcBase, virt::kRtcSize},
      {virt::kTestBase, virt::kTestSize},   {virt::virtio_base(3), virt::kVirtioSize},
  };
  const unsigned sizes[] = {1, 2, 4, 8};
  while (in.remaining_bytes() > 0) {
    const int op = in.ConsumeIntegralInRange<int>(0, 9);
    if (op <= 5) {  // an access to device `op`
      const Region& r = regions[op];
      uint64_t offset =
          op == 1 ? plic_offset(in) : in.ConsumeIntegralInRange<uint64_t>(0, r.size + 8);
      if (op == 2 && in.ConsumeBool())
        offset = in.PickValueInArray({Clint::kMsip, Clint::kMtimecmp, Clint::kMtime,
                                      Clint::kMtimecmp + 4, Clint::kMtime + 4});
      const unsigned sz = sizes[in.ConsumeIntegralInRange<int>(0, 3)];
      if (in.ConsumeBool()) {
        uint64_t v = 0;
        const bool ok = bus.read(r.base + offset, sz, v);
        if (ok && op == 1 && sz == 4 && offset >= Plic::kContextBase &&
            (offset - Plic::kContextBase) % Plic::kContextStride == 4) {
          FUZZ_CHECK(v <= Plic::kNumSources, "PLIC claim returned source %llu",
                     static_cast<unsigned long long>(v));
        }
        if (ok && sz < 8) {
          FUZZ_CHECK(v >> (8 * sz) == 0, "a %u-byte read returned %#llx", sz,
                     static_cast<unsigned long long>(v));
        }
      } else {
        bus.write(r.base + offset, sz, in.ConsumeIntegral<uint64_t>());
      }
    } else if (op == 6) {
      board.uart().push_input(in.ConsumeIntegral<uint8_t>());
    } else if (op == 7) {
      clock.advance(in.ConsumeIntegralInRange<uint64_t>(0, 1'000'000));
    } else if (op == 8) {
      board.poll();
    } else {
      const uint64_t ticks = board.next_deadline_ticks();
      board.poll();
      const uint64_t cmp = board.clint().mtimecmp();
      if (board.clint().mtime() >= cmp) {
        FUZZ_CHECK(ticks == 0 || cmp == ~uint64_t{0}, "timer due but deadline in %llu ticks",
                   static_cast<unsigned long long>(ticks));
        FUZZ_CHECK(mtip.level, "mtime >= mtimecmp after poll() but MTIP is low");
      }
    }
  }
  return 0;
}
