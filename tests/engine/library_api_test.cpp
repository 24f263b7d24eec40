// The engine as a library: build a machine from a config, choose the JIT tiers, run a
// bounded number of instructions, read the statistics. This is also the example of the
// API (README "Using the engine as a library").
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/machine.h"

namespace tiervm {
namespace {

const std::string kRom = std::string(TIERVM_BINARY_DIR) + "/roms/bench/crc32_small.elf";

TEST(LibraryApi, RunsAGuestOnEachTierAndReportsStatistics) {
  ASSERT_TRUE(std::filesystem::exists(kRom)) << "rom not built: " << kRom;
  for (unsigned tier : {0u, 1u, 2u}) {
    MachineConfig config;
    config.image = kRom;
    config.max_tier = tier;
    config.ram_size = 64ull << 20;
    std::string error;
    std::unique_ptr<Machine> m = Machine::create(config, error);
    ASSERT_NE(m, nullptr) << error;
    std::string console;
    m->set_console([&](uint8_t c) { console += static_cast<char>(c); }, nullptr);

    const MachineExit exit = m->run({});
    EXPECT_EQ(exit.kind, MachineExit::Kind::Poweroff) << "tier " << tier << ":\n" << console;
    EXPECT_EQ(exit.code, 0);
    EXPECT_GT(m->instructions(), 1000u);
    EXPECT_GT(m->executor().blocks_executed(), 0u);
    EXPECT_GT(m->executor().code_cache().translations(), 0u);
    EXPECT_EQ(m->executor().jit() != nullptr, tier >= 1) << "tier " << tier;
  }
}

TEST(LibraryApi, InstructionLimitStopsTheGuest) {
  MachineConfig config;
  config.image = kRom;
  config.max_tier = 0;
  std::string error;
  std::unique_ptr<Machine> m = Machine::create(config, error);
  ASSERT_NE(m, nullptr) << error;
  const MachineExit exit = m->run({.max_instructions = 5000});
  EXPECT_EQ(exit.kind, MachineExit::Kind::InstructionLimit);
  EXPECT_EQ(exit.code, 124);
  // Limits are checked between slices of guest execution, so the count is at least the
  // limit and less than one slice beyond it.
  EXPECT_GE(m->instructions(), 5000u);
  EXPECT_LT(m->instructions(), 5000u + 20'000u);
}

TEST(LibraryApi, BadImageIsAnErrorNotACrash) {
  MachineConfig config;
  config.image = "/nonexistent/image.elf";
  std::string error;
  EXPECT_EQ(Machine::create(config, error), nullptr);
  EXPECT_NE(error.find("/nonexistent/image.elf"), std::string::npos) << error;
}

}  // namespace
}  // namespace tiervm
