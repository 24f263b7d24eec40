#include "ui/emulation_session.h"

#include <chrono>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

#include "engine/executor.h"
#include "engine/monitor/block_detail.h"
#include "engine/monitor/report.h"
#include "engine/snapshot.h"

namespace tiervm {

EmulationSession::EmulationSession(Config config) : config_(std::move(config)) {
  launcher_ = std::thread([this] { launcher_main(); });
}

EmulationSession::~EmulationSession() {
  shutdown();
  {
    std::lock_guard<std::mutex> lock(launcher_mutex_);
    launcher_quit_ = true;
  }
  launcher_cv_.notify_all();
  launcher_.join();
}

void EmulationSession::launcher_main() {
  std::unique_lock<std::mutex> lock(launcher_mutex_);
  while (true) {
    launcher_cv_.wait(lock, [this] { return launcher_quit_ || !launcher_tasks_.empty(); });
    if (launcher_tasks_.empty()) return;
    auto task = std::move(launcher_tasks_.front());
    launcher_tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

void EmulationSession::on_launcher(const std::function<void()>& task) {
  std::promise<void> done;
  {
    std::lock_guard<std::mutex> lock(launcher_mutex_);
    launcher_tasks_.push_back([&] {
      task();
      done.set_value();
    });
  }
  launcher_cv_.notify_all();
  done.get_future().wait();
}

bool EmulationSession::start(std::string& error, std::unique_ptr<Machine> machine) {
  bool ok = false;
  on_launcher([&] { ok = start_here(error, std::move(machine)); });
  return ok;
}

bool EmulationSession::start_here(std::string& error, std::unique_ptr<Machine> machine) {
  machine_ = machine ? std::move(machine) : config_.factory(error);
  if (!machine_) return false;
  monitor_ = std::make_unique<PerfMonitor>(*machine_);
  if (config_.symbols) monitor_->set_symbols(config_.symbols);
  monitor_->set_publish_interval(config_.publish_seconds);
  monitor_->enable();
  monitor_->publish();
  if (config_.trace) {
    config_.trace->attach(machine_->events(), monitor_->symbols());
  }
  machine_->set_console([this](uint8_t b) { console_.write(b); },
                        [this](int timeout_ms, const std::function<bool(uint8_t)>& deliver) {
                          return input_.poll(timeout_ms, deliver);
                        });
  quit_ = false;
  finished_ = false;
  paused_ = false;
  thread_ = std::thread([this] { thread_main(); });
  return true;
}

void EmulationSession::thread_main() {
  const auto t0 = std::chrono::steady_clock::now();
  const MachineExit exit = machine_->run(config_.limits);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  monitor_->publish();
  {
    std::lock_guard<std::mutex> lock(result_mutex_);
    exit_ = exit;
    run_seconds_ = seconds;
  }
  finished_.store(true, std::memory_order_release);
  // The machine stays inspectable: commands (reports, block copies) still run here.
  while (!quit_.load(std::memory_order_relaxed)) machine_->service_commands(50);
}

void EmulationSession::shutdown() {
  if (!thread_.joinable()) return;
  quit_ = true;
  machine_->stop(MachineExit::Kind::UserQuit);
  thread_.join();
  if (config_.trace) config_.trace->detach(machine_->events());
  // The monitor keeps the last snapshot for the UI until the next start().
  final_snapshot_ = monitor_->latest();
  monitor_.reset();
  machine_.reset();
}

bool EmulationSession::restart(std::string& error) {
  shutdown();
  console_.clear();
  ++generation_;
  return start(error);
}

std::shared_ptr<const MonitorSnapshot> EmulationSession::snapshot() const {
  if (monitor_) return monitor_->latest();
  if (final_snapshot_) return final_snapshot_;
  auto empty = std::make_shared<MonitorSnapshot>();
  empty->symbols = std::make_shared<const SymbolTable>();
  return empty;
}

MachineExit EmulationSession::exit() const {
  std::lock_guard<std::mutex> lock(result_mutex_);
  return exit_;
}

double EmulationSession::run_seconds() const {
  std::lock_guard<std::mutex> lock(result_mutex_);
  return run_seconds_;
}

void EmulationSession::post(std::function<void(Machine&, PerfMonitor&)> command) {
  if (!machine_) return;
  Machine* m = machine_.get();
  PerfMonitor* mon = monitor_.get();
  m->post([m, mon, command = std::move(command)] { command(*m, *mon); });
}

void EmulationSession::set_paused(bool paused) {
  paused_ = paused;
  if (machine_) machine_->set_paused(paused);
}

void EmulationSession::step_block() {
  post([](Machine& m, PerfMonitor& mon) {
    if (!m.paused()) return;
    m.step_block();
    mon.publish();
  });
}

void EmulationSession::flush_code_cache() {
  post([](Machine& m, PerfMonitor& mon) {
    for (unsigned i = 0; i < m.hart_count(); ++i) m.executor(i).code_cache().flush();
    mon.publish();
  });
}

void EmulationSession::set_jit_tiers(unsigned max_tier) {
  post([max_tier](Machine& m, PerfMonitor& mon) {
    for (unsigned i = 0; i < m.hart_count(); ++i) {
      if (max_tier == 0) {
        m.executor(i).disable_jit();  // drops all compiled code: tier 0 from the next block
      } else {
        // Replaces a running tier safely, with the options the machine was started with.
        m.executor(i).enable_jit(jit_config_for(m.config(), max_tier));
      }
    }
    mon.publish();
  });
}

void EmulationSession::set_monitor_enabled(bool on) {
  post([on](Machine&, PerfMonitor& mon) {
    if (on) {
      mon.enable();
    } else {
      mon.disable();
    }
    mon.publish();
  });
}

void EmulationSession::save_report(const std::string& path,
                                   std::function<void(const std::string&)> done) {
  post([path, done = std::move(done)](Machine&, PerfMonitor& mon) {
    std::ofstream out(path);
    out << mon.to_json().dump(2) << "\n";
    done(out ? std::string() : "cannot write '" + path + "'");
  });
}

void EmulationSession::save_snapshot(const std::string& path,
                                     std::function<void(const std::string&)> done) {
  post([path, done = std::move(done)](Machine& m, PerfMonitor&) {
    SnapshotStats stats;
    std::string error;
    if (!tiervm::save_snapshot(m, path, error, &stats)) {
      done(error);
      return;
    }
    char line[160];
    std::snprintf(line, sizeof line, " (%.1f MiB in %.2f s)",
                  static_cast<double>(stats.bytes) / (1 << 20), stats.seconds);
    done("snapshot saved to " + path + line);
  });
}

void EmulationSession::request_block(uint64_t paddr) {
  post([this, paddr](Machine& m, PerfMonitor&) {
    auto copy = copy_live_block(m, paddr);
    std::lock_guard<std::mutex> lock(result_mutex_);
    block_reply_.emplace(paddr, std::move(copy));
  });
}

std::optional<std::pair<uint64_t, std::optional<LiveBlock>>> EmulationSession::take_block() {
  std::lock_guard<std::mutex> lock(result_mutex_);
  auto reply = std::move(block_reply_);
  block_reply_.reset();
  return reply;
}

}  // namespace tiervm
