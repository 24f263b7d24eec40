#include "engine/machine.h"

#include <bit>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "devices/virt_board.h"
#include "engine/decoder.h"
#include "engine/event_bus.h"
#include "engine/exclusive_gate.h"
#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/hart_irq.h"
#include "engine/htif.h"
#include "mem/bus.h"

namespace tiervm {

namespace {

// Instructions between device polls: ~0.1-0.5 ms of guest time, short enough for timer
// and console latency, long enough that polling costs nothing measurable.
constexpr uint64_t kSliceInstructions = 20'000;
// With several harts taking turns, a hart spinning on a lock another hart holds wastes the
// rest of its turn (Linux 6.1's riscv spinlocks spin without a pause hint): shorter turns.
// A 4-hart Linux boot ran 198 M instructions with 20 000, 152 M with 5 000, 144 M with 2 000.
constexpr uint64_t kSmpSliceInstructions = 5'000;
// With a thread per hart, a slice only bounds how often a hart reports its progress (the
// instruction limit) and calls the slice hook.
constexpr uint64_t kThreadSliceInstructions = 200'000;
// In --deterministic mode time advances one 10 MHz tick per 10 instructions (a nominal
// 100 MIPS hart), and idle time in wfi is skipped.
constexpr uint64_t kInstructionsPerTick = 10;
// Where QEMU puts the kernel after the firmware on RV64: the next 2 MiB boundary.
constexpr uint64_t kKernelAlign = 2ull << 20;

int exit_code_from_guest(uint64_t code) {
  // Process exit codes are 8 bits; a failure must not wrap to 0 (success).
  const int c = static_cast<int>(code & 0xff);
  return (c == 0 && code != 0) ? 1 : c;
}

std::optional<std::vector<uint8_t>> read_input(const std::string& what, const std::string& path,
                                               std::string& error) {
  std::string why;
  auto bytes = read_file(path, why);
  if (!bytes) error = what + ": " + why;
  return bytes;
}

// The device name of the last console= option of a kernel command line ("" if none).
std::string last_console(const std::string& cmdline) {
  std::string last;
  size_t pos = 0;
  while ((pos = cmdline.find("console=", pos)) != std::string::npos) {
    if (pos == 0 || cmdline[pos - 1] == ' ') {
      const size_t start = pos + 8;
      const size_t end = cmdline.find_first_of(" ,", start);
      last = cmdline.substr(start, end == std::string::npos ? std::string::npos : end - start);
    }
    pos += 8;
  }
  return last;
}

}  // namespace

Machine::Machine() = default;

Machine::~Machine() {
  if (leak_code_) {
    // Nothing runs guest code any more: stopped workers are all the leaked tiers need.
    for (auto& e : executors_) {
      e->stop_background_work();
      // The pointer is dropped on purpose: the process exit reclaims the executor.
      static_cast<void>(e.release());  // NOLINT(bugprone-unused-return-value)
    }
  }
  // The executors' code caches unhook themselves from the bus; devices go before the bus.
  executors_.clear();
  htif_.reset();
  board_.reset();
}

void Machine::publish_instret() {
  for (size_t i = 0; i < published_instret_.size(); ++i) {
    published_instret_[i].store(harts_[i]->s.instret, std::memory_order_relaxed);
  }
}

uint64_t Machine::hart_instructions(unsigned i) const {
  // With threads, called from any hart thread: the count at the end of the hart's last
  // slice.
  if (threaded_) return published_instret_[i].load(std::memory_order_relaxed);
  return harts_[i]->s.instret;
}

uint64_t Machine::instructions() const {
  uint64_t sum = 0;
  for (unsigned i = 0; i < harts_.size(); ++i) sum += hart_instructions(i);
  return sum;
}

uint64_t Machine::traps_taken() const {
  uint64_t sum = 0;
  for (const auto& e : executors_) sum += e->traps_taken();
  return sum;
}

void Machine::request_stop_all() {
  for (auto& e : executors_) e->request_stop();
}

std::unique_ptr<Machine> Machine::create(const MachineConfig& config, std::string& error) {
  std::unique_ptr<Machine> m(new Machine());
  if (!m->boot(config, error)) return nullptr;
  return m;
}

void Machine::set_console(std::function<void(uint8_t)> output, InputPoller poll_input) {
  output_ = std::move(output);
  poll_input_ = std::move(poll_input);
}

bool Machine::boot(const MachineConfig& config, std::string& error) {
  config_ = config;
  if (config.harts < 1 || config.harts > MachineConfig::kMaxHarts) {
    error = "--smp " + std::to_string(config.harts) + ": 1 to " +
            std::to_string(MachineConfig::kMaxHarts) + " harts are supported";
    return false;
  }
  if (config.vlen != 0 &&
      (config.vlen < kMinVlen || config.vlen > kMaxVlen || !std::has_single_bit(config.vlen))) {
    error = "--vlen " + std::to_string(config.vlen) + ": 0 (no V) or a power of two from " +
            std::to_string(kMinVlen) + " to " + std::to_string(kMaxVlen);
    return false;
  }
  bus_ = std::make_unique<Bus>();
  std::vector<HartIrqLines> hart_lines;
  for (unsigned i = 0; i < config.harts; ++i) {
    harts_.push_back(std::make_unique<Hart>(*bus_, i));
    if (config.vlen != 0) harts_.back()->set_vlen(config.vlen);
    HartState& s = harts_.back()->s;
    for (Irq irq : {Irq::MSI, Irq::MTI, Irq::MEI, Irq::SEI}) {
      irq_lines_.push_back(std::make_unique<HartIrqLine>(s, irq));
    }
    const size_t l = irq_lines_.size() - 4;
    hart_lines.push_back(
        {*irq_lines_[l], *irq_lines_[l + 1], *irq_lines_[l + 2], *irq_lines_[l + 3]});
  }
  deterministic_ = config.deterministic;
  threaded_ = config.harts > 1 && config.hart_threads && !config.deterministic && !config.trace;
  if (threaded_) published_instret_ = std::vector<std::atomic<uint64_t>>(config.harts);
  if (deterministic_) {
    // All harts' instructions drive time, so a run is the same whatever the hart order.
    clock_ = std::make_unique<FunctionClock>(
        [this] { return instructions() / kInstructionsPerTick + skipped_ticks_; });
  }

  VirtBoardConfig bc;
  bc.isa = isa_string(config.vlen != 0);
  bc.ram_size = config.ram_size;
  bc.bootargs = config.append;
  bc.clock = clock_.get();
  bc.uart_output = [this](uint8_t byte) {
    if (output_) output_(byte);
  };
  bc.console_output = bc.uart_output;
  bc.on_test_event = [this](TestDeviceEvent ev) {
    switch (ev.kind) {
      case TestDeviceEvent::Kind::Pass:
        device_exit_ = {MachineExit::Kind::Poweroff, 0};
        break;
      case TestDeviceEvent::Kind::Fail:
        device_exit_ = {MachineExit::Kind::GuestFail, exit_code_from_guest(ev.code)};
        break;
      case TestDeviceEvent::Kind::Reset:
        device_exit_ = {MachineExit::Kind::Reset, 0};
        break;
    }
    request_stop_all();
  };
  for (const MachineDrive& d : config.drives) bc.drives.push_back({d.file, d.readonly, d.snapshot});
  bc.netdev = config.netdev;
  try {
    board_ = std::make_unique<VirtBoard>(*bus_, bc, std::move(hart_lines));
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }

  const uint64_t ram_base = bus_->ram_base();
  uint64_t start = 0;
  uint64_t next = 0;
  uint64_t loaded_end = ram_base;
  auto load = [&](const std::string& what, const std::string& path, uint64_t raw_addr,
                  LoadedImage& out) {
    auto bytes = read_input(what, path, error);
    if (!bytes) return false;
    LoadResult r = load_image(*bus_, *bytes, raw_addr);
    if (!r.image) {
      error = what + " '" + path + "': " + r.error;
      return false;
    }
    out = std::move(*r.image);
    loaded_end = std::max(loaded_end, out.high);
    boot_blobs_.push_back({raw_addr, std::move(*bytes), true});
    return true;
  };

  LoadedImage main_image;
  if (!config.image.empty()) {
    if (!load("image", config.image, ram_base, main_image)) return false;
    start = main_image.entry;
  } else {
    LoadedImage bios;
    const bool has_bios = !config.bios.empty();
    if (has_bios) {
      if (!load("bios", config.bios, ram_base, bios)) return false;
      start = bios.entry;
    }
    if (!config.kernel.empty()) {
      const uint64_t kernel_addr =
          has_bios ? (loaded_end + kKernelAlign - 1) & ~(kKernelAlign - 1) : ram_base;
      if (!load("kernel", config.kernel, kernel_addr, main_image)) return false;
      if (has_bios && main_image.low < bios.high && bios.low < main_image.high) {
        error = "kernel '" + config.kernel + "' overlaps the firmware";
        return false;
      }
      next = main_image.entry;
      if (!has_bios) start = main_image.entry;
    } else {
      main_image = bios;
    }
  }
  symbols_ = main_image.symbols;
  if (main_image.tohost) {
    htif_ = std::make_unique<Htif>(*bus_, *main_image.tohost, main_image.fromhost,
                                   [this](uint8_t byte) {
                                     if (output_) output_(byte);
                                   });
  }

  if (!config.initrd.empty()) {
    auto bytes = read_input("initrd", config.initrd, error);
    if (!bytes) return false;
    // As QEMU (riscv_load_initrd): halfway into RAM below 256 MiB, else at 128 MiB, so a
    // decompressing kernel does not overwrite it.
    const uint64_t ram = bus_->ram_size();
    const uint64_t at = ram_base + (ram < (256ull << 20) ? ram / 2 : (128ull << 20));
    const uint64_t fdt_room = 2ull << 20;
    if (at < loaded_end || bytes->size() > ram - (at - ram_base) - fdt_room) {
      error = "initrd '" + config.initrd + "' (" + std::to_string(bytes->size()) +
              " bytes) does not fit in guest memory; use a larger --memory";
      return false;
    }
    bus_->load_image(at, *bytes);
    board_->set_initrd(at, at + bytes->size());
    boot_blobs_.push_back({at, std::move(*bytes), false});
  }

  try {
    const uint64_t fdt_addr = board_->prepare_boot(start, next);
    fdt_ = board_->fdt();
    boot_blobs_.push_back({fdt_addr, fdt_, false});
  } catch (const std::exception& e) {
    error = std::string("device tree: ") + e.what();
    return false;
  }
  static std::atomic<uint32_t> next_machine_id{0};
  events_ = std::make_unique<EventBus>(next_machine_id.fetch_add(1));
  // Every hart starts in the boot ROM, which hands its mhartid to the firmware (OpenSBI
  // picks a boot hart and parks the others until the kernel starts them through HSM).
  for (auto& hart : harts_) {
    hart->reset(virt::kBootRomBase);
    hart->read_time = [this] { return board_->clint().mtime(); };
    auto& ex = executors_.emplace_back(std::make_unique<Executor>(*hart));
    ex->set_event_bus(events_.get());
    ex->set_trace(config.trace);
    // Turn-taking harts give their turn away when they spin; threads just spin.
    ex->set_yield_hints(config.harts > 1 && !threaded_);
    if (config.max_tier >= 1 && !config.trace) {
      ex->enable_jit(jit_config_for(config, config.max_tier));
    }
  }
  if (threaded_) {
    gate_ = std::make_unique<ExclusiveGate>([this](unsigned i) { kick(i); });
    gate_->set_harts(config.harts);
    bus_->set_threads({[this](const std::function<void()>& fn) { gate_->exclusive(fn); },
                       [this] { lock_devices(); }, [this] { unlock_devices(); },
                       [this](unsigned w) {
                         for (unsigned i = 0; i < harts_.size(); ++i) {
                           if (executors_[i]->code_cache().watcher() == w) kick(i);
                         }
                       }});
  }
  return true;
}

JitConfig jit_config_for(const MachineConfig& config, unsigned max_tier) {
  JitConfig jc;
  jc.tier1 = config.tier1;
  jc.tier1_threshold = config.tier1 == Tier::Baseline ? JitConfig::kDefaultBaselineThreshold
                                                      : JitConfig::kDefaultFastThreshold;
  if (config.jit_threshold) {
    jc.tier1_threshold = *config.jit_threshold;
    // The baseline tier compiles on the hart's thread anyway; LLVM fast must be made to.
    jc.synchronous = *config.jit_threshold == 0 && config.tier1 == Tier::Fast;
  }
  jc.tier2 = max_tier >= 2;
  jc.policy.mode = config.learned_policy ? TierPolicyMode::Learned : TierPolicyMode::Ewma;
  return jc;
}

void Machine::stop(MachineExit::Kind why) {
  stop_kind_.store(static_cast<int>(why), std::memory_order_relaxed);
  request_stop_all();
  // A paused run() or service_commands() waits on the command queue.
  commands_cv_.notify_all();
}

void Machine::post(std::function<void()> command) {
  {
    std::lock_guard<std::mutex> lock(commands_mutex_);
    commands_.push_back(std::move(command));
    commands_pending_.store(true, std::memory_order_release);
  }
  commands_cv_.notify_all();
}

void Machine::run_commands() {
  std::vector<std::function<void()>> commands;
  {
    std::lock_guard<std::mutex> lock(commands_mutex_);
    commands.swap(commands_);
    commands_pending_.store(false, std::memory_order_relaxed);
  }
  for (auto& c : commands) c();
}

void Machine::service_commands(int timeout_ms) {
  {
    std::unique_lock<std::mutex> lock(commands_mutex_);
    commands_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] {
      return !commands_.empty() || stop_kind_.load(std::memory_order_relaxed) >= 0;
    });
  }
  run_commands();
}

void Machine::set_paused(bool paused) {
  paused_.store(paused, std::memory_order_relaxed);
  if (!paused) commands_cv_.notify_all();
}

RunStop Machine::run_slice(unsigned i, uint64_t limit) {
  using Clock = std::chrono::steady_clock;
  Executor& ex = *executors_[i];
  HartState& s = harts_[i]->s;
  const uint64_t instret = s.instret;
  const auto t0 = slice_hook_ ? Clock::now() : Clock::time_point{};
  const RunStop why = ex.run(limit);
  const auto t1 = slice_hook_ ? Clock::now() : Clock::time_point{};
  // Another hart runs next and may write the reserved address: an SC after the switch
  // fails, as after a context switch (spec 8.3 lets any SC fail; retry loops go on).
  if (harts_.size() > 1) s.reservation_valid = false;
  ex.clear_stop();
  poll_devices();
  events_->drain();
  if (slice_hook_) {
    slice_hook_({why,
                 static_cast<uint64_t>(
                     std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()),
                 s.instret - instret, i});
  }
  return why;
}

void Machine::step_block() {
  run_slice(0, harts_[0]->s.instret + 1);
}

void Machine::reboot() {
  board_->reset();
  for (const BootBlob& blob : boot_blobs_) {
    if (blob.parse) {
      load_image(*bus_, blob.bytes, blob.addr);
    } else {
      bus_->load_image(blob.addr, blob.bytes);
    }
  }
  for (auto& ex : executors_) ex->code_cache().flush();
  for (auto& hart : harts_) {
    const uint64_t instret = hart->s.instret;
    hart->reset(virt::kBootRomBase);
    // Limits, the monitor and --deterministic time count on; the guest's counters restart.
    hart->s.instret = instret;
    hart->s.instret_offset = hart->s.cycle_offset = uint64_t{0} - instret;
  }
  device_exit_ = {};
  ++boots_;
}

void Machine::poll_devices() {
  board_->poll();
  if (htif_) {
    if (auto code = htif_->poll()) {
      device_exit_ = {*code == 0 ? MachineExit::Kind::Poweroff : MachineExit::Kind::GuestFail,
                      exit_code_from_guest(static_cast<uint64_t>(*code))};
    }
  }
}

MachineExit Machine::run(const RunLimits& limits) {
  if (threaded_) return run_threaded(limits);
  using Clock = std::chrono::steady_clock;
  const auto deadline =
      limits.timeout_seconds > 0
          ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(limits.timeout_seconds))
          : Clock::time_point::max();
  const uint64_t max_instret =
      limits.max_instructions ? instructions() + limits.max_instructions : ~uint64_t{0};
  // Host input goes to the console Linux uses: the last console= of the command line.
  const bool input_to_hvc = last_console(config_.append).starts_with("hvc");
  auto deliver = [this, input_to_hvc](uint8_t byte) {
    return input_to_hvc ? board_->console().push_input(byte) : board_->uart().push_input(byte);
  };

  while (true) {
    const int stop = stop_kind_.load(std::memory_order_relaxed);
    if (stop >= 0) {
      const auto kind = static_cast<MachineExit::Kind>(stop);
      return {kind, kind == MachineExit::Kind::Timeout ? 124 : 0};
    }
    if (device_exit_.kind == MachineExit::Kind::Reset && !config_.no_reboot) {
      reboot();
      continue;
    }
    if (device_exit_.kind != MachineExit::Kind::Running) {
      if (events_->active()) {
        Event e;
        e.kind = EventKind::GuestExit;
        e.pc = harts_[0]->s.pc;
        e.exit_code = device_exit_.code;
        events_->publish(e);
        events_->drain();
      }
      return device_exit_;
    }
    // Traps that retire nothing (a fault loop) count towards the limit too.
    const uint64_t done = instructions();
    if (done + traps_taken() >= max_instret) return {MachineExit::Kind::InstructionLimit, 124};
    if (Clock::now() >= deadline) return {MachineExit::Kind::Timeout, 124};
    if (commands_pending_.load(std::memory_order_acquire)) run_commands();
    if (paused_.load(std::memory_order_relaxed)) {
      service_commands(10);
      if (poll_input_ && !poll_input_(0, [](uint8_t) { return false; })) {
        return {MachineExit::Kind::UserQuit, 0};
      }
      continue;
    }

    // The next hart in turn that has work: not asleep in wfi, or woken by an interrupt.
    const auto n = static_cast<unsigned>(harts_.size());
    unsigned hart = n;
    for (unsigned k = 0; k < n && hart == n; ++k) {
      const unsigned i = (next_hart_ + k) % n;
      // One hart always runs its slice: its executor reports the wait (and the slice hook
      // sees it).
      if ((held_harts_ >> i) & 1) continue;
      if (n == 1 || !harts_[i]->s.waiting || harts_[i]->pending_interrupts() != 0) hart = i;
    }
    RunStop why = RunStop::Waiting;
    if (hart < n) {
      next_hart_ = (hart + 1) % n;
      const uint64_t own = harts_[hart]->s.instret;
      const uint64_t slice = n == 1 ? kSliceInstructions : kSmpSliceInstructions;
      why = run_slice(hart, own + std::min(slice, max_instret - done));
      // With other harts to run, one going to sleep is not the machine going idle (host
      // input is still taken: a hart may yield turn after turn).
      if ((why == RunStop::Waiting && n > 1) || why == RunStop::Yield) {
        if (poll_input_ && !poll_input_(0, deliver)) return {MachineExit::Kind::UserQuit, 0};
        continue;
      }
    } else {
      poll_devices();
      events_->drain();
    }
    if (why == RunStop::Debug) {
      paused_.store(true, std::memory_order_relaxed);
      if (debug_stop_hook_) debug_stop_hook_(hart);
      continue;
    }
    if (why == RunStop::Waiting && device_exit_.kind == MachineExit::Kind::Running) {
      const uint64_t ticks = board_->next_deadline_ticks();
      if (deterministic_ && ticks != ~uint64_t{0}) {
        skipped_ticks_ += ticks;  // nothing happens until then: jump there
        board_->poll();
        if (poll_input_ && !poll_input_(0, deliver)) return {MachineExit::Kind::UserQuit, 0};
        continue;
      }
      // Sleep until the next timer deadline or host input, at most 10 ms so limits and
      // stop requests are seen promptly. 10 MHz timebase: 10'000 ticks per ms.
      const uint64_t ms = std::min<uint64_t>(ticks / 10'000, 10);
      if (poll_input_) {
        if (!poll_input_(static_cast<int>(ms), deliver)) return {MachineExit::Kind::UserQuit, 0};
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      }
      board_->poll();
    } else if (poll_input_ && !poll_input_(0, deliver)) {
      return {MachineExit::Kind::UserQuit, 0};
    }
  }
}

// ---- Harts on host threads (docs/smp.md).

void Machine::kick(unsigned i) {
  executors_[i]->request_stop();
  HartState& s = harts_[i]->s;
  s.request_exit(std::memory_order_release);
  s.exit_request.notify_all();
}

void Machine::lock_devices() {
  if (devices_mutex_.try_lock()) return;
  // The holder may be waiting for an exclusive section that waits for this thread.
  while (!devices_mutex_.try_lock()) {
    gate_->yield_to_exclusive();
    std::this_thread::yield();
  }
}

void Machine::hart_thread(unsigned i, uint64_t max_progress) {
  using Clock = std::chrono::steady_clock;
  Executor& ex = *executors_[i];
  Hart& hart = *harts_[i];
  HartState& s = hart.s;
  Bus::set_thread_watcher(ex.code_cache().watcher());
  while (!quit_threads_.load(std::memory_order_acquire)) {
    ex.clear_stop();
    gate_->enter(i);
    // Between enter() and leave() this thread owns the hart; outside, exclusive sections
    // (commands, reboot, another hart's code writes) may change it.
    if (quit_threads_.load(std::memory_order_acquire)) {
      gate_->leave();
      break;
    }
    const uint64_t done = progress_.load(std::memory_order_relaxed);
    const uint64_t slice =
        done >= max_progress ? 0 : std::min(kThreadSliceInstructions, max_progress - done);
    RunStop why = RunStop::Limit;
    if (slice != 0) {
      const uint64_t instret = s.instret;
      const uint64_t traps = ex.traps_taken();
      const auto t0 = slice_hook_ ? Clock::now() : Clock::time_point{};
      bus_->apply_pending(ex.code_cache().watcher());
      why = ex.run(s.instret + slice);
      published_instret_[i].store(s.instret, std::memory_order_relaxed);
      bus_->apply_pending(ex.code_cache().watcher());
      progress_.fetch_add((s.instret - instret) + (ex.traps_taken() - traps),
                          std::memory_order_relaxed);
      if (slice_hook_) {
        const auto t1 = Clock::now();
        std::lock_guard<std::mutex> lock(slice_mutex_);
        slice_hook_({why,
                     static_cast<uint64_t>(
                         std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()),
                     s.instret - instret, i});
      }
    }
    if (why == RunStop::Waiting || slice == 0) {
      // wfi (or the instruction limit, which the machine thread ends): sleep until an
      // interrupt line, a kick or an exclusive section wakes the thread.
      while (!quit_threads_.load(std::memory_order_acquire) && !gate_->pending() &&
             !gate_->closed() && (slice == 0 || hart.pending_interrupts() == 0)) {
        if (s.exit_request.load(std::memory_order_acquire) != 0) {
          s.exit_request.store(0, std::memory_order_relaxed);
          // A kick from another hart's code: revoke at once, so that hart's sync_code
          // need not wait for this one to wake.
          bus_->apply_pending(ex.code_cache().watcher());
          continue;
        }
        s.exit_request.wait(0, std::memory_order_acquire);
      }
    }
    gate_->leave();
  }
}

MachineExit Machine::run_threaded(const RunLimits& limits) {
  using Clock = std::chrono::steady_clock;
  const auto deadline =
      limits.timeout_seconds > 0
          ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(limits.timeout_seconds))
          : Clock::time_point::max();
  // No hart thread runs yet: the counters are the machine thread's to read.
  publish_instret();
  progress_.store(instructions() + traps_taken(), std::memory_order_relaxed);
  const uint64_t max_progress =
      limits.max_instructions ? progress_.load(std::memory_order_relaxed) + limits.max_instructions
                              : ~uint64_t{0};
  const bool input_to_hvc = last_console(config_.append).starts_with("hvc");
  auto deliver = [this, input_to_hvc](uint8_t byte) {
    lock_devices();
    const bool taken =
        input_to_hvc ? board_->console().push_input(byte) : board_->uart().push_input(byte);
    unlock_devices();
    return taken;
  };
  // Devices first, then the harts: the device lock is never taken inside a section.
  auto exclusive = [this](const std::function<void()>& fn) {
    lock_devices();
    gate_->exclusive(fn);
    unlock_devices();
  };

  bool paused = paused_.load(std::memory_order_relaxed);
  gate_->set_closed(paused);
  quit_threads_.store(false, std::memory_order_relaxed);
  std::vector<std::thread> threads;
  threads.reserve(harts_.size());
  for (unsigned i = 0; i < harts_.size(); ++i) {
    threads.emplace_back([this, i, max_progress] { hart_thread(i, max_progress); });
  }

  MachineExit result{};
  while (true) {
    const int stop = stop_kind_.load(std::memory_order_relaxed);
    if (stop >= 0) {
      const auto kind = static_cast<MachineExit::Kind>(stop);
      result = {kind, kind == MachineExit::Kind::Timeout ? 124 : 0};
      break;
    }
    lock_devices();
    const MachineExit device_exit = device_exit_;
    unlock_devices();
    if (device_exit.kind == MachineExit::Kind::Reset && !config_.no_reboot) {
      exclusive([this] { reboot(); });
      continue;
    }
    if (device_exit.kind != MachineExit::Kind::Running) {
      result = device_exit;
      break;
    }
    if (progress_.load(std::memory_order_relaxed) >= max_progress) {
      result = {MachineExit::Kind::InstructionLimit, 124};
      break;
    }
    if (Clock::now() >= deadline) {
      result = {MachineExit::Kind::Timeout, 124};
      break;
    }
    if (commands_pending_.load(std::memory_order_acquire)) exclusive([this] { run_commands(); });
    if (paused_.load(std::memory_order_relaxed) != paused) {
      paused = !paused;
      gate_->set_closed(paused);
    }
    lock_devices();
    poll_devices();
    const uint64_t ticks = board_->next_deadline_ticks();
    unlock_devices();
    events_->drain();
    // Timers are the machine thread's: it wakes for the next deadline (10 MHz: 100 ns per
    // tick), at least every millisecond (limits, commands, host input), at most every
    // 50 us (a timer already due stays due until the guest moves mtimecmp, and that write
    // updates the line itself).
    const uint64_t sleep_ns = std::clamp<uint64_t>(ticks, 500, 10'000) * 100;
    if (poll_input_ && !poll_input_(sleep_ns >= 1'000'000 ? 1 : 0, deliver)) {
      result = {MachineExit::Kind::UserQuit, 0};
      break;
    }
    if (!poll_input_ || sleep_ns < 1'000'000) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(sleep_ns));
    }
  }

  quit_threads_.store(true, std::memory_order_release);
  gate_->set_closed(false);
  for (unsigned i = 0; i < harts_.size(); ++i) kick(i);
  for (std::thread& t : threads) t.join();
  publish_instret();  // exact again: the harts' threads are gone
  for (auto& e : executors_) e->clear_stop();
  events_->drain();
  if (result.kind == MachineExit::Kind::Poweroff || result.kind == MachineExit::Kind::GuestFail) {
    if (events_->active()) {
      Event e;
      e.kind = EventKind::GuestExit;
      e.pc = harts_[0]->s.pc;
      e.exit_code = result.code;
      events_->publish(e);
      events_->drain();
    }
  }
  return result;
}

}  // namespace tiervm
