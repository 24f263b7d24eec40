// A guest reset (the syscon's 0x7777, what Linux's reboot and OpenSBI's SBI system reset
// write) reboots the machine: the hart starts again at the reset vector with the images
// reloaded, while RAM outside them keeps its contents, as on QEMU. --no-reboot
// (MachineConfig::no_reboot) ends the run instead.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "engine/machine.h"
#include "mem/bus.h"
#include "tests/engine/asm_util.h"

namespace tiervm {
namespace {

// Counts its boots in RAM at 0x80100000 (outside the image) and resets the machine
// through the syscon until the count reaches 3, then powers off.
std::vector<uint32_t> boot_counter() {
  return test::assemble({
      "auipc t0, 0x100",     // 0x80000000: t0 = 0x80100000
      "lw t1, 0(t0)",        //
      "addiw t1, t1, 1",     //
      "sw t1, 0(t0)",        //
      "lui t2, 0x100",       // the SiFive test / syscon at 0x100000
      "addi t3, zero, 3",    //
      "blt t1, t3, .+16",    // fewer than 3 boots: reset
      "lui t4, 0x5",         //
      "addi t4, t4, 0x555",  // 0x5555: pass / power off
      "jal zero, .+16",      //
      "lui t4, 0x7",         //
      "addi t4, t4, 0x777",  // 0x7777: reset
      "addi zero, zero, 0",  //
      "sw t4, 0(t2)",        //
      "jal zero, .+0",       //
  });
}

class MachineReboot : public ::testing::TestWithParam<unsigned> {
 public:
  std::unique_ptr<Machine> make(bool no_reboot) {
    const std::vector<uint32_t> code = boot_counter();
    EXPECT_EQ(code.size(), 15u);
    {
      std::ofstream out(path_, std::ios::binary);
      out.write(reinterpret_cast<const char*>(code.data()),
                static_cast<std::streamsize>(code.size() * 4));
    }
    MachineConfig config;
    config.image = path_;
    config.ram_size = 16ull << 20;
    config.max_tier = GetParam();
    config.jit_threshold = 0;
    config.no_reboot = no_reboot;
    std::string error;
    auto m = Machine::create(config, error);
    EXPECT_NE(m, nullptr) << error;
    return m;
  }
  uint32_t counter(Machine& m) {
    uint32_t v = 0;
    EXPECT_TRUE(m.bus().dma_read(0x8010'0000, std::span(reinterpret_cast<uint8_t*>(&v), 4)));
    return v;
  }
  ~MachineReboot() override { std::remove(path_.c_str()); }

 private:
  std::string path_ = "/tmp/tiervm_reboot_test_" + std::to_string(getpid()) + ".bin";
};

TEST_P(MachineReboot, ResetRebootsUntilTheGuestPowersOff) {
  auto m = make(/*no_reboot=*/false);
  ASSERT_NE(m, nullptr);
  const MachineExit exit = m->run({.max_instructions = 1'000'000});
  EXPECT_EQ(exit.kind, MachineExit::Kind::Poweroff);
  EXPECT_EQ(exit.code, 0);
  EXPECT_EQ(m->boots(), 3u);
  EXPECT_EQ(counter(*m), 3u);
}

TEST_P(MachineReboot, NoRebootEndsTheRunAtTheFirstReset) {
  auto m = make(/*no_reboot=*/true);
  ASSERT_NE(m, nullptr);
  const MachineExit exit = m->run({.max_instructions = 1'000'000});
  EXPECT_EQ(exit.kind, MachineExit::Kind::Reset);
  EXPECT_EQ(exit.code, 0);  // QEMU's -no-reboot exits with status 0
  EXPECT_EQ(m->boots(), 1u);
  EXPECT_EQ(counter(*m), 1u);
}

INSTANTIATE_TEST_SUITE_P(Tiers, MachineReboot, ::testing::Values(0u, 1u, 2u),
                         [](const auto& info) { return "tier" + std::to_string(info.param); });

}  // namespace
}  // namespace tiervm
