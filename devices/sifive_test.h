#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "mem/mmio_device.h"

namespace tiervm {

// What the guest asked for through the SiFive test finisher.
struct TestDeviceEvent {
  enum class Kind : uint8_t { Pass, Fail, Reset };
  Kind kind;
  uint32_t code;  // the exit code of a Fail (bits 31:16 of the written value); 0 otherwise
};

// SiFive test finisher ("sifive,test0", QEMU's sifive_test.c), also the syscon that the
// poweroff and reboot nodes point at: writing 0x5555 passes (power off), 0x3333 with a
// code in bits 31:16 fails, 0x7777 resets. Reads return 0.
class SifiveTest final : public MmioDevice {
 public:
  static constexpr uint64_t kSize = 0x1000;
  static constexpr uint32_t kFail = 0x3333;
  static constexpr uint32_t kPass = 0x5555;
  static constexpr uint32_t kReset = 0x7777;

  explicit SifiveTest(std::function<void(TestDeviceEvent)> on_event);

  std::string_view name() const override { return "sifive_test"; }
  // OpenSBI writes the finisher with 16-bit stores, Linux's syscon with 32-bit ones
  // (QEMU: valid sizes 2..4).
  unsigned access_sizes() const override { return 2 | 4; }
  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;

 private:
  std::function<void(TestDeviceEvent)> on_event_;
};

}  // namespace tiervm
