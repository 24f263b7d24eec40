#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace tiervm {

class Machine;
class MachineGdbTarget;

// "tcp::PORT" or "tcp:HOST:PORT" (QEMU's -gdb), or a bare port; false with a message on
// a malformed spec.
bool parse_gdb_spec(const std::string& spec, std::string& host, int& port, std::string& error);

// QEMU's gdbstub on a TCP socket: one debugger at a time, on a thread of its own; the
// protocol is engine/gdb's. The guest stops when gdb connects and runs on when it
// detaches or disconnects.
class GdbServer {
 public:
  explicit GdbServer(Machine& machine);
  ~GdbServer();
  GdbServer(const GdbServer&) = delete;
  GdbServer& operator=(const GdbServer&) = delete;

  // Binds and listens (host empty: 127.0.0.1); false with one line in `error`.
  bool listen(const std::string& host, int port, std::string& error);
  void start();
  // The machine's run() returned with `exit_code`: a connected gdb hears W (exited), the
  // server stops. Call before the machine goes away.
  void machine_ended(int exit_code);

 private:
  void serve();
  bool serve_client(int fd);
  void send_packet(int fd, const std::string& payload);
  void wake();

  Machine& machine_;
  std::unique_ptr<MachineGdbTarget> target_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> quit_{false};
  std::atomic<int> exit_code_{-1};
  std::string last_sent_;
  std::thread thread_;
};

}  // namespace tiervm
