#include "app/console.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace tiervm {

namespace {

constexpr uint8_t kCtrlA = 0x01;
struct termios g_saved;
volatile sig_atomic_t g_saved_valid = 0;

}  // namespace

void restore_terminal() {
  if (g_saved_valid) {
    tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
    g_saved_valid = 0;
  }
}

HostConsole::HostConsole() {
  if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &g_saved) == 0) {
    struct termios raw = g_saved;
    // Raw input so the guest sees every key (Ctrl-C goes to the guest shell, as in
    // QEMU -nographic); output processing stays on for the host's newlines.
    raw.c_iflag &=
        ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    g_saved_valid = 1;
    std::atexit(restore_terminal);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) raw_ = true;
  }
}

HostConsole::~HostConsole() {
  flush();
  restore_terminal();
}

bool HostConsole::handle_escape(uint8_t c, const std::function<bool(uint8_t)>& deliver) {
  escape_ = false;
  switch (c) {
    case 'x':
    case 'X':
      return false;
    case 's':
    case 'S':
      if (save_snapshot_) {
        save_snapshot_();
      } else {
        std::fputs("\r\ntiervm: no snapshot file: start with --save-snapshot FILE\r\n", stderr);
      }
      return true;
    case 'h':
    case 'H':
      std::fputs(
          "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\n"
          "C-a s    save a snapshot of the machine (to --save-snapshot FILE)\r\n"
          "C-a C-a  send C-a\r\n",
          stderr);
      return true;
    case kCtrlA:
      deliver(kCtrlA);
      return true;
    default:
      return true;
  }
}

bool HostConsole::poll(int timeout_ms, const std::function<bool(uint8_t)>& deliver) {
  // Bytes read earlier that the guest could not take yet go first.
  while (pending_pos_ < pending_len_) {
    if (!deliver(pending_[pending_pos_])) return true;
    ++pending_pos_;
  }
  if (!input_open_) {
    if (timeout_ms > 0) ::poll(nullptr, 0, timeout_ms);
    return true;
  }
  struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
  const int ready = ::poll(&pfd, 1, timeout_ms);
  if (ready <= 0 || !(pfd.revents & (POLLIN | POLLHUP))) return true;
  const ssize_t n = ::read(STDIN_FILENO, pending_, sizeof pending_);
  if (n <= 0) {
    input_open_ = false;  // EOF on a pipe: the guest just sees no more input
    return true;
  }
  pending_len_ = 0;
  pending_pos_ = 0;
  for (ssize_t i = 0; i < n; ++i) {
    const uint8_t c = pending_[i];
    if (escape_) {
      if (!handle_escape(c, [&](uint8_t b) {
            pending_[pending_len_++] = b;
            return true;
          })) {
        return false;
      }
    } else if (c == kCtrlA && raw_) {
      escape_ = true;
    } else {
      pending_[pending_len_++] = c;
    }
  }
  while (pending_pos_ < pending_len_) {
    if (!deliver(pending_[pending_pos_])) break;
    ++pending_pos_;
  }
  return true;
}

void HostConsole::write(uint8_t byte) {
  std::fputc(byte, stdout);
}

void HostConsole::flush() {
  std::fflush(stdout);
}

}  // namespace tiervm
