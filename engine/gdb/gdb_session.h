#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gdb/debug_control.h"
#include "engine/gdb/gdb_registers.h"

namespace tiervm {

// Why the target stopped, as a stop reply says it.
struct GdbStop {
  enum class Kind : uint8_t { Signal, Watch, Exited };
  Kind kind = Kind::Signal;
  int signal = 5;  // SIGTRAP (breakpoint, step, attach); 2 = SIGINT (Ctrl-C)
  WatchHit watch{};
  int exit_code = 0;
  unsigned hart = 0;  // the hart that stopped: gdb's thread hart + 1
};

// The stop reply packet (gdb manual, "Stop Reply Packets"): T05thread:01; and so on. Harts
// are gdb's threads (as QEMU shows vCPUs): thread id = hart index + 1.
std::string gdb_stop_reply(const GdbStop& stop);

// What the session asks of the thing being debugged. All calls come on the session's
// thread; resume() returns at once and the stop is announced later (GdbSession is told
// nothing: whoever owns the session sends gdb_stop_reply()).
class GdbTarget {
 public:
  virtual ~GdbTarget() = default;
  virtual bool read_register(const GdbRegister& reg, uint64_t& value) = 0;
  virtual bool write_register(const GdbRegister& reg, uint64_t value) = 0;
  // Vector register `index` as its VLEN / 8 bytes, little-endian (GdbRegister::Kind::V).
  // A target without the vector extension keeps these defaults.
  virtual bool read_vector(unsigned index, std::vector<uint8_t>& bytes) {
    static_cast<void>(index);
    static_cast<void>(bytes);
    return false;
  }
  virtual bool write_vector(unsigned index, const std::vector<uint8_t>& bytes) {
    static_cast<void>(index);
    static_cast<void>(bytes);
    return false;
  }
  // Virtual addresses through the MMU of the hart's current mode.
  virtual bool read_memory(uint64_t addr, size_t len, std::vector<uint8_t>& out) = 0;
  virtual bool write_memory(uint64_t addr, const std::vector<uint8_t>& data) = 0;
  virtual bool set_breakpoint(bool insert, uint64_t addr) = 0;
  virtual bool set_watchpoint(bool insert, WatchKind kind, uint64_t addr, uint64_t len) = 0;
  // Harts: how many, and the one register and memory accesses use from now on (gdb's Hg;
  // after a stop it is the hart that stopped).
  virtual unsigned hart_count() { return 1; }
  virtual bool select_hart(unsigned hart) { return hart == 0; }
  // Resumes the harts (all-stop mode: one hart's stop stops them all). A step runs one
  // instruction of `hart` only, the others stay where they are; a continue resumes every
  // hart, or `hart` alone when `only` (gdb's vCont;c:TID, how it steps one thread over a
  // breakpoint with a software single-step).
  virtual void resume(bool step, unsigned hart, bool only = false) = 0;
  virtual GdbStop last_stop() = 0;
  virtual void detach() = 0;  // remove breakpoints and watchpoints and let the guest run
  virtual void kill() = 0;    // end the machine (QEMU quits)
};

// The remote protocol's commands (gdb manual, "Packets"), one packet at a time: the
// session answers each with its reply payload, or with nothing when the reply is a stop
// reply that comes when the target stops (c, s, vCont). Framing is rsp.h's.
class GdbSession {
 public:
  GdbSession(GdbTarget& target, const GdbRegisterMap& registers)
      : target_(target), regs_(registers) {}
  std::optional<std::string> handle(std::string_view packet);
  // After QStartNoAckMode: neither side sends + or - any more.
  bool no_ack() const { return no_ack_; }
  // After D or k: the connection ends once the reply is sent.
  bool finished() const { return finished_; }

 private:
  std::string read_registers();
  std::string write_registers(std::string_view hex);
  std::string read_register(std::string_view args);
  std::string write_register(std::string_view args);
  std::string read_memory(std::string_view args);
  std::string write_memory(std::string_view args, bool binary);
  std::string breakpoint(std::string_view packet);
  std::optional<std::string> query(std::string_view packet);
  std::optional<std::string> v_packet(std::string_view packet);
  std::string set_thread(std::string_view args);
  // A thread id of a packet: hart index, or nullopt for "any"/"all" (0, -1) and bad ids.
  std::optional<unsigned> hart_of(std::string_view id, bool& valid);

  GdbTarget& target_;
  const GdbRegisterMap& regs_;
  bool no_ack_ = false;
  bool finished_ = false;
  unsigned step_hart_ = 0;  // the hart a step runs (Hc, else the selected one)
};

}  // namespace tiervm
