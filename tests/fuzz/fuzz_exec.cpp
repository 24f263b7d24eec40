// Runs the input bytes as a guest program on tier 0, in a small virt machine (64 KiB of
// RAM, every virt device, a manual clock that advances with the guest, and a trap handler
// that skips the trapping instruction).
// Invariants: no crash or hang, x0 == 0, pc 2-byte aligned, a valid privilege level, no
// trap left pending, and run(limit) stops within one block of its limit.
//
// The hart, its executor and RAM are built once and reset between inputs (RAM zeroed,
// architectural reset, TLB and code cache flushed), so an input behaves the same whether
// it runs first or after others. The devices have no reset of their own: each input gets a
// fresh VirtBoard on a scratch bus, and the hart's bus forwards every device window of
// the virt memory map to it.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "devices/virt_board.h"
#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/hart_irq.h"
#include "engine/translator.h"
#include "mem/bus.h"
#include "mem/mmio_device.h"
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

// One device window of the hart's bus: accesses go to the same address on the current
// input's board bus, which splits or refuses them as the device declares.
class Forward final : public MmioDevice {
 public:
  Forward(uint64_t base, Bus*& target) : base_(base), target_(target) {}
  std::string_view name() const override { return "forward"; }
  unsigned access_sizes() const override { return 1 | 2 | 4 | 8; }
  bool read(uint64_t offset, unsigned size, uint64_t& value) override {
    return target_->read(base_ + offset, size, value);
  }
  bool write(uint64_t offset, unsigned size, uint64_t value) override {
    return target_->write(base_ + offset, size, value);
  }

 private:
  uint64_t base_;
  Bus*& target_;
};

// The devices of one input: a board on its own bus (its RAM is unused: no virtio slot has
// a backend, so nothing does DMA).
struct Board {
  Bus bus;
  std::unique_ptr<VirtBoard> board;
};

struct SmallMachine {
  Bus bus;
  Hart hart{bus, 0};
  HartIrqLine msip{hart.s, Irq::MSI}, mtip{hart.s, Irq::MTI}, meip{hart.s, Irq::MEI},
      seip{hart.s, Irq::SEI};
  ManualClock clock;
  bool test_event = false;
  Bus* device_bus = nullptr;
  std::vector<std::unique_ptr<Forward>> windows;
  std::unique_ptr<Board> devices;
  Executor exec{hart};

  SmallMachine() {
    bus.map_ram(kRamBase, kRamSize);
    auto window = [&](uint64_t base, uint64_t size) {
      windows.push_back(std::make_unique<Forward>(base, device_bus));
      bus.map_device(base, size, *windows.back());
    };
    window(virt::kTestBase, virt::kTestSize);
    window(virt::kRtcBase, virt::kRtcSize);
    window(virt::kClintBase, virt::kClintSize);
    window(virt::kPlicBase, virt::kPlicSize);
    window(virt::kUartBase, virt::kUartSize);
    for (unsigned slot = 0; slot < virt::kVirtioCount; ++slot) {
      window(virt::virtio_base(slot), virt::kVirtioSize);
    }
    hart.read_time = [this] { return devices->board->clint().mtime(); };
  }

  // Frees what the last input allocated (blocks, devices), so that libFuzzer sees as many
  // frees as mallocs per input and does not rerun every input to look for a leak.
  void release() {
    exec.code_cache().flush();
    exec.code_cache().collect();
    device_bus = nullptr;
    devices.reset();
  }

  // Everything an input can change goes back to its state after construction.
  void reset() {
    // The old board's devices may hold irq lines high; the new ones start low.
    devices.reset();
    devices = std::make_unique<Board>();
    VirtBoardConfig c;
    c.ram_size = kPageSize;
    c.clock = &clock;
    c.uart_output = [](uint8_t) {};
    c.on_test_event = [this](TestDeviceEvent) {
      test_event = true;
      exec.request_stop();  // as Machine does: the guest asked to end
    };
    c.rtc_now_ns = [] { return uint64_t{1'700'000'000} * 1'000'000'000; };
    devices->board =
        std::make_unique<VirtBoard>(devices->bus, c, HartIrqLines{msip, mtip, meip, seip});
    device_bus = &devices->bus;
    clock.set(0);
    test_event = false;
    exec.code_cache().flush();
    exec.code_cache().collect();
    exec.clear_stop();
    std::memset(bus.ram_data(), 0, kRamSize);
    hart.reset(kRamBase);
    hart.s.mip_hw.store(0);
    hart.s.exit_request.store(0);
    hart.s.reservation = 0;
    hart.s.pending_trap = {};
  }
};

// Unused RAM jumps to this stub (JumpFill), which reports pass to the SiFive test
// device: that stops the run, in any privilege mode.
constexpr uint64_t kExitStubBytes = 20;
constexpr uint64_t kExitStub = kHandler - kExitStubBytes;
void install_exit_stub(Bus& bus) {
  constexpr uint32_t kT5 = 30, kT6 = 31;
  const uint32_t code[] = {rv::lui(kT6, virt::kTestBase), rv::lui(kT5, 0x5000),
                           rv::addi(kT5, kT5, 0x555), rv::store(2, kT5, kT6, 0),  // sw t5, 0(t6)
                           rv::jal(0, 0)};
  static_assert(sizeof code == kExitStubBytes);
  bus.load_image(kExitStub, {reinterpret_cast<const uint8_t*>(code), sizeof code});
}

// Never destroyed: libFuzzer exits without unwinding.
SmallMachine& machine() {
  static SmallMachine* m = new SmallMachine();
  return *m;
}

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

// Freed memory is reused sooner: with ASan's default 256 MB quarantine, the translator,
// which allocates on every block, kept touching fresh pages (page faults were a third to
// half of the time per input). 16 MB still holds the blocks of the last few inputs, so a
// use after free of recently freed memory is still caught.
extern "C" const char* __asan_default_options() {
  return "quarantine_size_mb=16";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tiervm;
  using namespace tiervm::fuzz;
  if (size == 0 || size > kExitStub - kRamBase) return -1;
  SmallMachine& m = machine();
  m.reset();
  m.bus.load_image(kRamBase, {data, size});
  static const JumpFill fill(kRamBase, kExitStub, kExitStub);
  fill.apply(m.bus, kRamBase + size);
  install_exit_stub(m.bus);
  install_skip_handler(m.bus, kHandler, kExitStub);
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
  dog.arm({&m.exec}, kWatchdogMs);
  // Bounded even when runs return without progress (a trap loop, a stop request).
  for (uint64_t slices = 0; s.instret < kBudget && !m.test_event && slices < 4 * kBudget / kSlice;
       ++slices) {
    const uint64_t limit = s.instret + kSlice;
    const uint64_t before = s.instret;
    const RunStop why = m.exec.run(limit);
    if (why == RunStop::Requested) break;  // the watchdog, or the guest ended the run
    check_state(s, limit);
    // A slice that ran out of dispatcher iterations without retiring anything is a trap
    // loop (a trap vector that faults): the next slices would repeat it.
    if (why == RunStop::Limit && s.instret == before) break;
    m.clock.advance(kSlice / 10);
    m.devices->board->poll();
    if (why == RunStop::Waiting) {
      const uint64_t ticks = m.devices->board->next_deadline_ticks();
      if (ticks == ~uint64_t{0}) break;  // nothing will ever wake the hart
      m.clock.advance(ticks);
      m.devices->board->poll();
      if (m.hart.pending_interrupts() == 0) break;
    }
  }
  dog.disarm();
  if (digest_enabled())
    print_digest(data, size, state_digest(s, m.bus.ram_data(), kRamSize), s.instret);
  m.release();
  return 0;
}
