#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "devices/user_net.h"
#include "engine/loader.h"
#include "engine/tier.h"

namespace tiervm {

class Bus;
class Hart;
class Executor;
class VirtBoard;
class Htif;
class Clock;
class EventBus;
struct JitConfig;              // engine/jit/jit_tier.h
enum class RunStop : uint8_t;  // engine/executor.h

struct MachineDrive {
  std::string file;
  bool readonly = false;
  bool snapshot = false;
};

// What to build and boot; the CLI maps onto it (app/), tests and benchmarks fill it
// directly.
struct MachineConfig {
  uint64_t ram_size = 256ull << 20;
  // Harts (--smp, 1 to kMaxHarts). With more than one and `hart_threads`, each runs on a
  // host thread of its own (QEMU's MTTCG, docs/smp.md); else (the default, one hart,
  // --deterministic, --trace, a debugger) they run in turns on the machine's thread, a
  // slice of instructions each (QEMU's single-threaded TCG). Threads are opt-in until
  // ThreadSanitizer has checked them and the threaded boot is not slower than the turns
  // (docs/smp.md, "Status").
  unsigned harts = 1;
  bool hart_threads = false;
  static constexpr unsigned kMaxHarts = 8;
  // VLEN of the vector extension in bits (--vlen): 0 = no V, else a power of two from 128
  // to 1024. Off by default while only part of RVV is implemented (docs/vector.md).
  unsigned vlen = 0;
  // A bare-metal program (ELF/raw at the RAM base), started in M-mode by the boot ROM...
  std::string image;
  // ...or firmware + kernel: the boot ROM starts the firmware with fw_dynamic info
  // pointing at the kernel (next mode S).
  std::string bios;  // empty: none; a kernel without bios is entered directly in M-mode
  std::string kernel;
  std::string initrd;
  std::string append;
  std::vector<MachineDrive> drives;
  bool deterministic = false;  // time from instret, idle time skipped
  bool trace = false;          // print each executed instruction (forces tier 0)
  // Highest execution tier: 0 = interpreter only, 1 = tier 1 only, 2 = tiered (tier 1,
  // then LLVM O2 regions for hot code).
  unsigned max_tier = 2;
  // What compiles tier 1: the baseline tier (copy-and-patch) or LLVM's fast pipeline.
  Tier tier1 = Tier::Baseline;
  // Tier-0 runs before a block is compiled (JitConfig::tier1_threshold); 0 compiles every
  // block before its first run, on the hart's thread (tier 2 still waits for heat, except
  // under LLVM fast, where everything is then compiled synchronously). Unset: the JIT's
  // default for the tier.
  std::optional<uint32_t> jit_threshold;
  bool learned_policy = false;  // tier 2 asks the online payback model (--tier-policy learned)
  // A guest reset (syscon 0x7777, SBI system reset) ends run() with Kind::Reset instead of
  // rebooting the machine (QEMU's -no-reboot).
  bool no_reboot = false;
  // --netdev user: a virtio-net device on user-mode networking (slirp).
  std::optional<UserNetConfig> netdev;
};

// The JIT configuration for running `config` with tiers up to `max_tier` (1 or 2). The one
// place that maps machine options onto the JIT: booting and the dashboard's tier switch.
JitConfig jit_config_for(const MachineConfig& config, unsigned max_tier);

// How a run ended.
struct MachineExit {
  enum class Kind : uint8_t {
    Poweroff,
    GuestFail,
    Reset,
    Timeout,
    InstructionLimit,
    UserQuit,
    Signal,
    Running
  };
  Kind kind = Kind::Running;
  int code = 0;  // process exit code for this end
};

// Limits and host hooks for run().
struct RunLimits {
  uint64_t max_instructions = 0;  // 0 = none
  double timeout_seconds = 0;     // 0 = none
};

// One slice of Machine::run, as seen by the slice hook (the monitor's sampling point).
struct SliceInfo {
  RunStop why;
  uint64_t run_ns = 0;        // wall time inside Executor::run
  uint64_t instructions = 0;  // retired in the slice
  unsigned hart = 0;          // the hart that ran it
};

// The virt machine: RAM, devices, 1 to 8 harts with an execution engine each, and the
// boot flow.
class Machine {
 public:
  // Builds the machine and loads the images. Returns nullptr with one clear line in
  // `error` on bad input (missing file, corrupt ELF, image that does not fit...).
  static std::unique_ptr<Machine> create(const MachineConfig& config, std::string& error);
  ~Machine();
  // For a process about to exit: the destructor stops the JIT's compile threads but does
  // not free the harts' code caches (tens of thousands of blocks after a Linux boot, 15 ms
  // of frees), as clang's -disable-free. Devices still close (disk images are flushed).
  // Not for a build that checks leaks (ASan).
  void leak_code_on_destruction() { leak_code_ = true; }

  // Console: the UART's output goes to `output`; `poll_input` is called between slices
  // (and while the hart waits, with the time it may block in ms) and feeds host input to
  // the guest with the given function; it returns false when the user asked to quit.
  using InputPoller = std::function<bool(int timeout_ms, const std::function<bool(uint8_t)>&)>;
  void set_console(std::function<void(uint8_t)> output, InputPoller poll_input);

  // Runs until the guest powers off, fails, a limit is reached or stop() is called.
  MachineExit run(const RunLimits& limits);
  // Thread-safe: ends run() soon (e.g. from a signal handler's flag or the UI).
  void stop(MachineExit::Kind why);

  // Thread-safe: queues `command` to run on the machine's thread between two slices of
  // run() (or in service_commands()). Everything that touches the hart, the code cache or
  // the JIT from another thread goes through here.
  void post(std::function<void()> command);
  // Runs the queued commands, waiting up to `timeout_ms` for one when none is queued; for
  // the machine's thread when run() is not running (before it, after the guest ended).
  void service_commands(int timeout_ms);
  // Thread-safe: a paused run() executes no guest code; it keeps running commands and
  // honours stop() and its limits (wall time goes on).
  void set_paused(bool paused);
  bool paused() const { return paused_.load(std::memory_order_relaxed); }
  // Harts run() does not schedule (bit i = hart i): a debugger resuming one thread only
  // (gdb's vCont;c:TID). Machine thread.
  void set_held_harts(uint32_t mask) { held_harts_ = mask; }
  // Machine thread: runs one block (Executor::run with a limit of instret + 1), then
  // polls devices and delivers events like a slice. Meant for a paused machine.
  void step_block();
  // Machine thread: a system reset, as the guest's reboot does: every device to its
  // power-on state, the images reloaded, the hart at the reset vector, compiled code
  // dropped. The host-side count of retired instructions goes on.
  void reboot();
  // Boots since create() (a guest reboot counts one).
  uint64_t boots() const { return boots_; }

  // Machine thread: called when the executor stopped for an attached debugger
  // (RunStop::Debug); run() is paused first, so the guest stays where it stopped until
  // set_paused(false).
  // Called (machine thread) when a hart stops at a breakpoint or watchpoint; the machine
  // pauses. The argument is the hart that stopped.
  void set_debug_stop_hook(std::function<void(unsigned)> hook) {
    debug_stop_hook_ = std::move(hook);
  }

  // Machine thread: called after every slice; an empty function turns it off (then
  // slices are not timed).
  using SliceHook = std::function<void(const SliceInfo&)>;
  void set_slice_hook(SliceHook hook) { slice_hook_ = std::move(hook); }

  const std::vector<uint8_t>& fdt() const { return fdt_; }
  // Typed events of this machine (compilations, traps, ...), delivered between slices.
  EventBus& events() { return *events_; }
  // Hart 0 and its executor (the boot hart: debugger, monitor and dashboard views)...
  Hart& hart() { return *harts_[0]; }
  Executor& executor() { return *executors_[0]; }
  // ...and every hart's.
  unsigned hart_count() const { return static_cast<unsigned>(harts_.size()); }
  Hart& hart(unsigned i) { return *harts_.at(i); }
  Executor& executor(unsigned i) { return *executors_.at(i); }
  Bus& bus() { return *bus_; }
  VirtBoard& board() { return *board_; }
  const std::vector<ElfSymbol>& symbols() const { return symbols_; }
  uint64_t instructions() const;  // retired by all harts
  // Retired by hart i; with hart threads, as of the end of its last slice (any thread may
  // ask).
  uint64_t hart_instructions(unsigned i) const;
  // Whether the harts run on host threads of their own (--hart-threads on, several harts).
  bool hart_threads() const { return threaded_; }
  const MachineConfig& config() const { return config_; }

 private:
  Machine();
  bool boot(const MachineConfig& config, std::string& error);
  void poll_devices();
  void run_commands();
  // Runs hart `i` up to `limit` of its instret (a slice), then polls the devices.
  RunStop run_slice(unsigned i, uint64_t limit);
  // Traps taken by all harts (a fault loop retires nothing but must reach the limits).
  uint64_t traps_taken() const;
  void request_stop_all();
  // ---- Harts on host threads (threaded_).
  MachineExit run_threaded(const RunLimits& limits);
  // published_instret_ from the harts' states (no hart thread running).
  void publish_instret();
  void hart_thread(unsigned i, uint64_t max_progress);
  // Makes hart i's thread leave guest code soon (and wakes it from wfi).
  void kick(unsigned i);
  // The device lock: any thread; a hart thread steps aside for a pending exclusive section
  // while it waits.
  void lock_devices();
  void unlock_devices() { devices_mutex_.unlock(); }

  std::unique_ptr<Bus> bus_;
  std::vector<std::unique_ptr<Hart>> harts_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<VirtBoard> board_;
  std::vector<std::unique_ptr<Executor>> executors_;
  bool leak_code_ = false;
  std::unique_ptr<Htif> htif_;
  std::unique_ptr<EventBus> events_;
  std::vector<std::unique_ptr<class HartIrqLine>> irq_lines_;
  std::vector<uint8_t> fdt_;
  std::vector<ElfSymbol> symbols_;
  std::function<void(uint8_t)> output_;
  InputPoller poll_input_;
  std::atomic<int> stop_kind_{-1};
  MachineExit device_exit_{};
  MachineConfig config_;
  SliceHook slice_hook_;
  std::function<void(unsigned)> debug_stop_hook_;
  std::mutex commands_mutex_;
  std::condition_variable commands_cv_;
  std::vector<std::function<void()>> commands_;
  std::atomic<bool> commands_pending_{false};
  std::atomic<bool> paused_{false};
  bool deterministic_ = false;
  bool threaded_ = false;
  std::unique_ptr<class ExclusiveGate> gate_;
  std::mutex devices_mutex_;
  std::mutex slice_mutex_;  // the slice hook, called from hart threads
  std::atomic<bool> quit_threads_{false};
  // Instructions retired plus traps taken by all harts, as the hart threads report them.
  std::atomic<uint64_t> progress_{0};
  // Each hart's instret as its thread last published it (after every slice): what other
  // threads (the monitor) read while the harts run.
  std::vector<std::atomic<uint64_t>> published_instret_;
  // What boot() put in RAM, for reboot(): images (parsed again by the loader) and raw
  // blobs (initrd, device tree).
  struct BootBlob {
    uint64_t addr;
    std::vector<uint8_t> bytes;
    bool parse;
  };
  std::vector<BootBlob> boot_blobs_;
  uint64_t boots_ = 1;
  uint64_t skipped_ticks_ = 0;
  unsigned next_hart_ = 0;   // round-robin position of run()
  uint32_t held_harts_ = 0;  // set_held_harts
};

}  // namespace tiervm
