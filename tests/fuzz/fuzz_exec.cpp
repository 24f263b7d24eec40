// Runs the input bytes as a guest program on tier 0, in a fresh small virt machine
// (64 KiB of RAM, every virt device, a manual clock that advances with the guest, and a
// trap handler that skips the trapping instruction).
// Invariants: no crash or hang, x0 == 0, pc 2-byte aligned, a valid privilege level, no
// trap left pending, and run(limit) stops within one block of its limit.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "devices/virt_board.h"
#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/hart_irq.h"
#include "engine/translator.h"
#include "mem/bus.h"
#include "tests/fuzz/fuzz_util.h"

namespace tiervm::fuzz {
namespace {

constexpr uint64_t kRamBase = virt::kRamBase;
constexpr uint64_t kRamSize = 64 * 1024;
constexpr uint64_t kBudget = 20'000;  // guest instructions per input
constexpr uint64_t kSlice = 1'000;    // between device polls, as Machine::run does
constexpr int kWatchdogMs = 250;
// The trap handler sits at the top of RAM, after the largest program.
constexpr uint64_t kHandler = kRamBase + kRamSize - kSkipHandlerBytes;

struct SmallMachine {
  Bus bus;
  Hart hart{bus, 0};
  HartIrqLine msip{hart.s, Irq::MSI}, mtip{hart.s, Irq::MTI}, meip{hart.s, Irq::MEI},
      seip{hart.s, Irq::SEI};
  ManualClock clock;
  bool test_event = false;
  std::unique_ptr<VirtBoard> board;
  std::unique_ptr<Executor> exec;

  SmallMachine() {
    VirtBoardConfig c;
    c.ram_size = kRamSize;
    c.clock = &clock;
    c.uart_output = [](uint8_t) {};
    c.on_test_event = [this](TestDeviceEvent) { test_event = true; };
    c.rtc_now_ns = [] { return uint64_t{1'700'000'000} * 1'000'000'000; };
    board = std::make_unique<VirtBoard>(bus, c, HartIrqLines{msip, mtip, meip, seip});
    exec = std::make_unique<Executor>(hart);
    hart.reset(kRamBase);
    hart.read_time = [this] { return board->clint().mtime(); };
  }
  ~SmallMachine() {
    exec.reset();  // unhooks the code cache from the bus before the devices go
    board.reset();
  }
};

void check_state(const HartState& s, uint64_t limit) {
  FUZZ_CHECK(s.slot[kSlotX0] == 0, "x0 = %#llx", static_cast<unsigned long long>(s.slot[0]));
  FUZZ_CHECK((s.pc & 1) == 0, "pc %#llx is not 2-byte aligned",
             static_cast<unsigned long long>(s.pc));
  FUZZ_CHECK(s.priv == Priv::M || s.priv == Priv::S || s.priv == Priv::U, "priv %u",
             static_cast<unsigned>(s.priv));
  FUZZ_CHECK(!s.trap_pending, "a trap is left pending at pc %#llx",
             static_cast<unsigned long long>(s.pc));
  FUZZ_CHECK(s.instret < limit + kMaxBlockInsns, "instret %llu overshoots limit %llu by a block",
             static_cast<unsigned long long>(s.instret), static_cast<unsigned long long>(limit));
}

}  // namespace
}  // namespace tiervm::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tiervm;
  using namespace tiervm::fuzz;
  if (size == 0 || size > kRamSize - kSkipHandlerBytes) return -1;
  SmallMachine m;
  m.bus.load_image(kRamBase, {data, size});
  install_skip_handler(m.bus, kHandler);
  HartState& s = m.hart.s;
  // Device bases in argument registers give random code a fair chance to reach MMIO.
  s.set_x(2, kHandler);
  s.set_x(10, virt::kUartBase);
  s.set_x(11, virt::kClintBase);
  s.set_x(12, virt::kPlicBase);
  s.set_x(13, virt::virtio_base(0));
  s.set_x(14, kRamBase);
  s.set_x(15, virt::kTestBase);
  s.mtvec = kHandler;

  Watchdog& dog = Watchdog::instance();
  dog.arm({m.exec.get()}, kWatchdogMs);
  // Bounded even when runs return without progress (a trap loop, a stop request).
  for (uint64_t slices = 0; s.instret < kBudget && !m.test_event && slices < 4 * kBudget / kSlice;
       ++slices) {
    const uint64_t limit = s.instret + kSlice;
    const RunStop why = m.exec->run(limit);
    if (why == RunStop::Requested) break;  // the watchdog
    check_state(s, limit);
    m.clock.advance(kSlice / 10);
    m.board->poll();
    if (why == RunStop::Waiting) {
      const uint64_t ticks = m.board->next_deadline_ticks();
      if (ticks == ~uint64_t{0}) break;  // nothing will ever wake the hart
      m.clock.advance(ticks);
      m.board->poll();
      if (m.hart.pending_interrupts() == 0) break;
    }
  }
  dog.disarm();
  return 0;
}
