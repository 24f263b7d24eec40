#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace tiervm {

// The guest console's scrollback for the dashboard: bytes from the UART (machine thread)
// become lines of text (UI thread). A small terminal: \n, \r (back to column 0, later
// characters overwrite), \b, \t (next multiple of 8), CSI "erase in line" (ESC [ K, what
// shells send when editing a line); other escape sequences are dropped.
class ConsoleBuffer {
 public:
  explicit ConsoleBuffer(size_t max_lines = 5000) : max_lines_(max_lines) { lines_.emplace_back(); }

  void write(uint8_t byte);
  // Changes on every write; the UI copies the lines only when it moved.
  uint64_t version() const;
  std::vector<std::string> lines() const;
  // Everything as one string, lines joined with '\n'.
  std::string text() const;
  void clear();

 private:
  void put(char c);

  mutable std::mutex mutex_;
  size_t max_lines_;
  std::deque<std::string> lines_;
  size_t column_ = 0;
  enum class Escape : uint8_t { None, Esc, Csi } escape_ = Escape::None;
  std::string csi_params_;
  uint64_t version_ = 0;
};

// Keys from the UI to the guest's UART. push() from the UI thread; poll() is the
// machine's InputPoller (Machine::set_console): it hands bytes over while the UART takes
// them and waits up to `timeout_ms` for input when there is none.
class GuestInput {
 public:
  void push(const std::string& bytes);
  bool poll(int timeout_ms, const std::function<bool(uint8_t)>& deliver);
  size_t pending() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<uint8_t> bytes_;
};

}  // namespace tiervm
