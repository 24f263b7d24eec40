#pragma once

#include <cstdint>
#include <functional>
#include <optional>

namespace tiervm {

class Bus;

// Host-target interface of Spike and riscv-tests: the guest writes a command to the
// `tohost` word and the host answers in `fromhost`. Supported: exit (bit 0 set: exit
// code = tohost >> 1) and the syscall proxy's write(fd 1/2) (tohost = address of a
// magic_mem block {64 = SYS_write, fd, buf, len}), which riscv-tests' printf uses, and
// the console putchar command (device 1, command 1).
class Htif {
 public:
  Htif(Bus& bus, uint64_t tohost, std::optional<uint64_t> fromhost,
       std::function<void(uint8_t)> output);

  // Looks at tohost and serves a pending command. Returns the exit code when the guest
  // asked to exit.
  std::optional<int> poll();

 private:
  void reply(uint64_t value);

  Bus& bus_;
  uint64_t tohost_;
  std::optional<uint64_t> fromhost_;
  std::function<void(uint8_t)> output_;
};

}  // namespace tiervm
