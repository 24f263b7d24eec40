// The device tree a machine hands its guest names the ISA the decoder implements, so Linux
// and OpenSBI see Zba/Zbb (the string used to be written by hand in devices/, without them).
#include <libfdt.h>

#include <gtest/gtest.h>

#include <string>

#include "engine/decoder.h"
#include "engine/hart.h"
#include "engine/machine.h"

namespace tiervm {
namespace {

TEST(MachineIsa, DeviceTreeAndMisaNameTheDecodedExtensions) {
  MachineConfig config;
  config.image = std::string(TIERVM_BINARY_DIR) + "/roms/isa/rv64i.elf";
  std::string error;
  auto machine = Machine::create(config, error);
  ASSERT_NE(machine, nullptr) << error;
  const void* fdt = machine->fdt().data();
  const int cpu = fdt_path_offset(fdt, "/cpus/cpu@0");
  ASSERT_GE(cpu, 0);
  int len = 0;
  const auto* isa = static_cast<const char*>(fdt_getprop(fdt, cpu, "riscv,isa", &len));
  ASSERT_NE(isa, nullptr);
  EXPECT_EQ(std::string(isa), "rv64imafdc_zicsr_zifencei_zba_zbb");
  EXPECT_EQ(machine->hart().s.misa, 0x800000000014112dull);
}

// --vlen: V in riscv,isa (after C, in canonical order) and misa, VLEN / 8 in every hart's
// vlenb; a VLEN the hart cannot have is refused with one line.
TEST(MachineIsa, VlenAddsVToTheDeviceTreeAndMisa) {
  MachineConfig config;
  config.image = std::string(TIERVM_BINARY_DIR) + "/roms/isa/rv64i.elf";
  config.vlen = 256;
  config.harts = 2;
  std::string error;
  auto machine = Machine::create(config, error);
  ASSERT_NE(machine, nullptr) << error;
  const void* fdt = machine->fdt().data();
  for (const char* path : {"/cpus/cpu@0", "/cpus/cpu@1"}) {
    const int cpu = fdt_path_offset(fdt, path);
    ASSERT_GE(cpu, 0) << path;
    int len = 0;
    const auto* isa = static_cast<const char*>(fdt_getprop(fdt, cpu, "riscv,isa", &len));
    ASSERT_NE(isa, nullptr);
    EXPECT_EQ(std::string(isa), "rv64imafdcv_zicsr_zifencei_zba_zbb") << path;
  }
  for (unsigned i = 0; i < 2; ++i) {
    EXPECT_EQ(machine->hart(i).s.misa, 0x800000000034112dull);  // ... | V (bit 21)
    EXPECT_EQ(machine->hart(i).s.vlenb, 32u);
  }
  for (unsigned bad : {64u, 100u, 2048u}) {
    config.vlen = bad;
    EXPECT_EQ(Machine::create(config, error), nullptr) << bad;
    EXPECT_NE(error.find("--vlen"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace tiervm
