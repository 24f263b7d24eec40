#pragma once

#include <atomic>
#include <functional>
#include <mutex>

#include "engine/gdb/debug_control.h"
#include "engine/gdb/gdb_registers.h"
#include "engine/gdb/gdb_session.h"

namespace tiervm {

class Hart;
class Machine;

// The GdbTarget of a Machine, every hart a thread (all-stop: a breakpoint on any hart
// stops them all, and they resume together): every call runs on the machine's thread
// (Machine::post) and
// the caller waits for it; stops (breakpoint, watchpoint, step, Ctrl-C) are announced
// through `on_stop`, called on the machine's thread. The machine is paused while gdb
// looks at it (QEMU stops the VM when gdb connects). Built and destroyed on the machine's
// thread while Machine::run is not running.
class MachineGdbTarget : public GdbTarget {
 public:
  MachineGdbTarget(Machine& machine, std::function<void()> on_stop);
  ~MachineGdbTarget() override;
  MachineGdbTarget(const MachineGdbTarget&) = delete;
  MachineGdbTarget& operator=(const MachineGdbTarget&) = delete;

  // The registers this hart has (every CSR of the table readable in M-mode).
  const GdbRegisterMap& registers() const { return regs_; }
  // A debugger connected: stop the guest and attach the breakpoint set.
  bool attach();
  // Ctrl-C: stop the guest at the next slice boundary and report SIGINT.
  void interrupt();
  // The machine's run() returned: later calls fail instead of waiting for it.
  void machine_ended();

  bool read_register(const GdbRegister& reg, uint64_t& value) override;
  bool write_register(const GdbRegister& reg, uint64_t value) override;
  bool read_vector(unsigned index, std::vector<uint8_t>& bytes) override;
  bool write_vector(unsigned index, const std::vector<uint8_t>& bytes) override;
  bool read_memory(uint64_t addr, size_t len, std::vector<uint8_t>& out) override;
  bool write_memory(uint64_t addr, const std::vector<uint8_t>& data) override;
  bool set_breakpoint(bool insert, uint64_t addr) override;
  bool set_watchpoint(bool insert, WatchKind kind, uint64_t addr, uint64_t len) override;
  unsigned hart_count() override;
  bool select_hart(unsigned hart) override;
  void resume(bool step, unsigned hart, bool only) override;
  GdbStop last_stop() override;
  void detach() override;
  void kill() override;

 private:
  // Runs `fn` on the machine thread and waits; false when the machine has ended.
  bool on_machine(const std::function<void()>& fn);
  void stopped(const GdbStop& stop);  // machine thread
  Hart& hart() const;                 // the selected one (machine thread)
  void attach_debug(DebugControl* debug);

  Machine& machine_;
  std::function<void()> on_stop_;
  GdbRegisterMap regs_;
  DebugControl debug_;
  std::mutex mutex_;
  GdbStop last_stop_;
  std::atomic<bool> ended_{false};
  unsigned current_ = 0;  // the hart registers and memory are read from (machine thread)
};

}  // namespace tiervm
