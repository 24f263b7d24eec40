#pragma once

#include <cstdint>
#include <functional>
#include <utility>

namespace tiervm {

// The host side of the guest console in headless mode: stdin (raw mode when it is a
// terminal, restored on every exit path incl. signals) and stdout. Ctrl-A starts a
// command, as in QEMU: Ctrl-A X quits, Ctrl-A S saves a snapshot, Ctrl-A H prints help,
// Ctrl-A Ctrl-A sends Ctrl-A.
class HostConsole {
 public:
  HostConsole();
  ~HostConsole();
  HostConsole(const HostConsole&) = delete;
  HostConsole& operator=(const HostConsole&) = delete;

  // Reads what stdin has (waiting at most `timeout_ms`, 0 = don't wait) and feeds guest
  // bytes to `deliver` while it accepts them. Returns false when the user asked to quit.
  bool poll(int timeout_ms, const std::function<bool(uint8_t)>& deliver);
  void write(uint8_t byte);
  void flush();
  bool input_open() const { return input_open_; }
  // Ctrl-A S calls `save` (on the thread that polls); without one it says how to get one.
  void set_snapshot_key(std::function<void()> save) { save_snapshot_ = std::move(save); }

 private:
  bool handle_escape(uint8_t c, const std::function<bool(uint8_t)>& deliver);

  std::function<void()> save_snapshot_;
  bool raw_ = false;
  bool input_open_ = true;
  bool escape_ = false;
  uint8_t pending_[256];
  unsigned pending_len_ = 0;
  unsigned pending_pos_ = 0;
};

// Restores the terminal if a HostConsole put it in raw mode (async-signal-safe).
void restore_terminal();

}  // namespace tiervm
