// The dashboard's console: terminal output into lines, keys to the guest.
#include <gtest/gtest.h>

#include "ui/console_buffer.h"

namespace tiervm {
namespace {

struct ConsoleCase {
  const char* name;
  const char* bytes;
  std::vector<std::string> lines;
};

TEST(ConsoleBuffer, TerminalOutputBecomesLines) {
  const ConsoleCase cases[] = {
      {"newlines", "a\nb\r\nc", {"a", "b", "c"}},
      {"carriage return overwrites", "abc\rX", {"Xbc"}},
      {"backspace moves left", "ab\b\bX", {"Xb"}},
      {"erase in line from the cursor", "abcd\b\b\x1b[K", {"ab"}},
      {"erase in line 0", "abcd\b\b\b\x1b[0K", {"a"}},
      {"erase whole line", "abcd\x1b[2K", {""}},
      {"colours are dropped", "\x1b[1;32mgreen\x1b[0m!", {"green!"}},
      {"tab to column 8", "x\ty", {"x       y"}},
      {"bell and other controls vanish",
       "a\a\x01"
       "b",
       {"ab"}},
      {"two-byte escape dropped",
       "a\x1b"
       "7b",
       {"ab"}},
      {"overwrite then extend", "ab\rxyz", {"xyz"}},
  };
  for (const ConsoleCase& c : cases) {
    ConsoleBuffer buf;
    for (const char* p = c.bytes; *p; ++p) buf.write(static_cast<uint8_t>(*p));
    EXPECT_EQ(buf.lines(), c.lines) << c.name;
  }
}

TEST(ConsoleBuffer, KeepsTheLastLinesAndCountsVersions) {
  ConsoleBuffer buf(3);
  const uint64_t v0 = buf.version();
  for (const char* p = "1\n2\n3\n4\n5"; *p; ++p) buf.write(static_cast<uint8_t>(*p));
  EXPECT_EQ(buf.lines(), (std::vector<std::string>{"3", "4", "5"}));
  EXPECT_EQ(buf.text(), "3\n4\n5");
  EXPECT_EQ(buf.version(), v0 + 9);
  buf.clear();
  EXPECT_EQ(buf.lines(), std::vector<std::string>{""});
}

TEST(GuestInput, HandsBytesOverWhileTheUartTakesThem) {
  GuestInput in;
  in.push("ab");
  std::string got;
  int room = 1;  // a UART FIFO with one free slot
  auto deliver = [&](uint8_t b) {
    if (room == 0) return false;
    --room;
    got += static_cast<char>(b);
    return true;
  };
  EXPECT_TRUE(in.poll(0, deliver));
  EXPECT_EQ(got, "a");
  EXPECT_EQ(in.pending(), 1u);
  room = 5;
  in.poll(0, deliver);
  EXPECT_EQ(got, "ab");
  EXPECT_EQ(in.pending(), 0u);
  // Nothing queued: poll waits for the timeout and delivers nothing.
  const auto t0 = std::chrono::steady_clock::now();
  in.poll(20, deliver);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(15));
  EXPECT_EQ(got, "ab");
}

}  // namespace
}  // namespace tiervm
