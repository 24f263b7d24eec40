#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/ir.h"
#include "engine/machine.h"
#include "engine/monitor/block_detail.h"
#include "engine/monitor/chrome_trace.h"
#include "engine/monitor/perf_monitor.h"
#include "ui/console_buffer.h"

namespace tiervm {

// One machine running on its own thread for the dashboard. The UI thread never touches
// the machine: it reads the monitor's published snapshots and the console buffer, and
// sends everything else as commands that the machine's thread runs between slices
// (Machine::post). restart() rebuilds the machine from the factory (the same config).
class EmulationSession {
 public:
  using Factory = std::function<std::unique_ptr<Machine>(std::string& error)>;
  struct Config {
    Factory factory;
    std::shared_ptr<const SymbolTable> symbols;  // null: the machine's ELF symbols
    RunLimits limits;
    double publish_seconds = 0.03;       // snapshot period
    ChromeTraceWriter* trace = nullptr;  // optional, outlives the session
  };

  explicit EmulationSession(Config config);
  ~EmulationSession();
  EmulationSession(const EmulationSession&) = delete;
  EmulationSession& operator=(const EmulationSession&) = delete;

  // Starts `machine` (or, when null, one from the factory) on its thread; false + error
  // when the factory fails.
  bool start(std::string& error, std::unique_ptr<Machine> machine = nullptr);
  // Stops and joins the machine's thread, then start()s a fresh machine.
  bool restart(std::string& error);
  void shutdown();

  // ---- Any thread.
  std::shared_ptr<const MonitorSnapshot> snapshot() const;
  ConsoleBuffer& console() { return console_; }
  GuestInput& input() { return input_; }
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  MachineExit exit() const;    // valid once finished()
  double run_seconds() const;  // wall time of Machine::run, once finished()
  bool paused() const { return paused_.load(std::memory_order_relaxed); }
  uint64_t generation() const { return generation_; }  // bumped by restart()

  // ---- Commands, run on the machine's thread.
  void set_paused(bool paused);
  void step_block();
  void flush_code_cache();
  // JIT off -> on (the engine cannot turn a running JIT off yet: see jit_available()).
  // 0: interpreter only, 1: + LLVM fast tier, 2: + O2 regions. Runs between slices.
  void set_jit_tiers(unsigned max_tier);
  void set_monitor_enabled(bool on);
  // Writes the monitor's JSON report; `done` gets "" or the error (machine thread).
  void save_report(const std::string& path, std::function<void(const std::string&)> done);
  // Saves a snapshot of the machine to `path` (engine/snapshot.h) between two slices;
  // `done` gets the line saying where and how big, or the error (machine thread).
  void save_snapshot(const std::string& path, std::function<void(const std::string&)> done);
  // Copies the live translation at paddr; the copy shows up in take_block() (nullopt
  // there when no translation is live).
  void request_block(uint64_t paddr);
  // The answer to the last request_block(), once: {requested paddr, copy}.
  std::optional<std::pair<uint64_t, std::optional<LiveBlock>>> take_block();
  void post(std::function<void(Machine&, PerfMonitor&)> command);

 private:
  void thread_main();
  bool start_here(std::string& error, std::unique_ptr<Machine> machine);
  // Runs `task` on the launcher thread and waits for it.
  void on_launcher(const std::function<void()>& task);
  void launcher_main();

  Config config_;
  // Machines and their threads are created on this thread, started with the session: new
  // threads inherit their creator's scheduling priority, and the dashboard lowers its own.
  std::thread launcher_;
  std::mutex launcher_mutex_;
  std::condition_variable launcher_cv_;
  std::deque<std::function<void()>> launcher_tasks_;
  bool launcher_quit_ = false;
  std::unique_ptr<Machine> machine_;
  std::unique_ptr<PerfMonitor> monitor_;
  std::thread thread_;
  std::atomic<bool> quit_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> paused_{false};
  uint64_t generation_ = 0;
  ConsoleBuffer console_;
  GuestInput input_;

  mutable std::mutex result_mutex_;
  MachineExit exit_{};
  double run_seconds_ = 0;
  std::optional<std::pair<uint64_t, std::optional<LiveBlock>>> block_reply_;
  std::shared_ptr<const MonitorSnapshot> final_snapshot_;
};

}  // namespace tiervm
