#include "ui/console_buffer.h"

#include <chrono>

namespace tiervm {

void ConsoleBuffer::write(uint8_t byte) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++version_;
  const char c = static_cast<char>(byte);
  switch (escape_) {
    case Escape::Esc:
      escape_ = c == '[' ? Escape::Csi : Escape::None;
      csi_params_.clear();
      return;
    case Escape::Csi:
      // ECMA-48 5.4: parameter and intermediate bytes 0x20-0x3f, then one final byte.
      if (byte >= 0x20 && byte <= 0x3f) {
        csi_params_ += c;
        return;
      }
      escape_ = Escape::None;
      if (c == 'K') {
        std::string& line = lines_.back();
        // EL: 0 (default) erases from the cursor to the end, 2 the whole line.
        if (csi_params_ == "2") {
          line.clear();
        } else if (csi_params_.empty() || csi_params_ == "0") {
          if (column_ < line.size()) line.resize(column_);
        }
      }
      return;
    case Escape::None:
      break;
  }
  switch (c) {
    case '\x1b':
      escape_ = Escape::Esc;
      return;
    case '\n':
      lines_.emplace_back();
      column_ = 0;
      if (lines_.size() > max_lines_) lines_.pop_front();
      return;
    case '\r':
      column_ = 0;
      return;
    case '\b':
      if (column_ > 0) --column_;
      return;
    case '\t':
      do put(' ');
      while (column_ % 8 != 0);
      return;
    case '\a':
      return;
    default:
      if (byte < 0x20 || byte == 0x7f) return;
      put(c);
  }
}

void ConsoleBuffer::put(char c) {
  std::string& line = lines_.back();
  if (column_ < line.size()) {
    line[column_] = c;
  } else {
    line.resize(column_, ' ');
    line += c;
  }
  ++column_;
}

uint64_t ConsoleBuffer::version() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return version_;
}

std::vector<std::string> ConsoleBuffer::lines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {lines_.begin(), lines_.end()};
}

std::string ConsoleBuffer::text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (size_t i = 0; i < lines_.size(); ++i) {
    if (i) out += '\n';
    out += lines_[i];
  }
  return out;
}

void ConsoleBuffer::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  lines_.clear();
  lines_.emplace_back();
  column_ = 0;
  ++version_;
}

void GuestInput::push(const std::string& bytes) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }
  cv_.notify_all();
}

bool GuestInput::poll(int timeout_ms, const std::function<bool(uint8_t)>& deliver) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (bytes_.empty() && timeout_ms > 0) {
    cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return !bytes_.empty(); });
  }
  while (!bytes_.empty() && deliver(bytes_.front())) bytes_.pop_front();
  return true;
}

size_t GuestInput::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_.size();
}

}  // namespace tiervm
