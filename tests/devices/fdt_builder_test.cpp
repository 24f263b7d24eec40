#include "devices/fdt_builder.h"

#include <gtest/gtest.h>
#include <libfdt.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_lines.h"

namespace tiervm {
namespace {

class FdtTest : public ::testing::Test {
 protected:
  void build(const FdtConfig& config) {
    blob = build_fdt(config);
    ASSERT_EQ(fdt_check_header(blob.data()), 0);
    ASSERT_EQ(fdt_totalsize(blob.data()), blob.size());
  }
  const void* fdt() const { return blob.data(); }
  int node(const char* path) {
    int off = fdt_path_offset(fdt(), path);
    EXPECT_GE(off, 0) << path;
    return off;
  }
  std::string str(int off, const char* prop) {
    int len = 0;
    auto* p = static_cast<const char*>(fdt_getprop(fdt(), off, prop, &len));
    if (p == nullptr || len == 0) return "<missing>";
    return std::string(p, static_cast<size_t>(len - 1));
  }
  std::vector<uint32_t> cells(int off, const char* prop) {
    int len = 0;
    auto* p = static_cast<const fdt32_t*>(fdt_getprop(fdt(), off, prop, &len));
    std::vector<uint32_t> out;
    for (int i = 0; p != nullptr && i < len / 4; ++i) out.push_back(fdt32_to_cpu(p[i]));
    return out;
  }
  bool compatible(int off, const char* c) { return fdt_node_check_compatible(fdt(), off, c) == 0; }
  // reg with two address and two size cells
  std::vector<uint32_t> reg(uint64_t addr, uint64_t size) {
    return {static_cast<uint32_t>(addr >> 32), static_cast<uint32_t>(addr),
            static_cast<uint32_t>(size >> 32), static_cast<uint32_t>(size)};
  }

  std::vector<uint8_t> blob;
};

TEST_F(FdtTest, RootCpusAndMemory) {
  FdtConfig config;
  config.ram_size = 512ull << 20;
  config.isa = "rv64imafdc_zicsr_zifencei";
  build(config);
  int root = node("/");
  EXPECT_EQ(cells(root, "#address-cells"), std::vector<uint32_t>{2});
  EXPECT_EQ(cells(root, "#size-cells"), std::vector<uint32_t>{2});
  EXPECT_TRUE(compatible(root, "riscv-virtio"));

  int cpus = node("/cpus");
  EXPECT_EQ(cells(cpus, "timebase-frequency"), std::vector<uint32_t>{10'000'000});
  int cpu = node("/cpus/cpu@0");
  EXPECT_EQ(str(cpu, "device_type"), "cpu");
  EXPECT_TRUE(compatible(cpu, "riscv"));
  EXPECT_EQ(str(cpu, "riscv,isa"), "rv64imafdc_zicsr_zifencei");
  EXPECT_EQ(str(cpu, "mmu-type"), "riscv,sv48");
  EXPECT_EQ(str(cpu, "status"), "okay");
  EXPECT_EQ(cells(cpu, "reg"), std::vector<uint32_t>{0});
  int intc = node("/cpus/cpu@0/interrupt-controller");
  EXPECT_TRUE(compatible(intc, "riscv,cpu-intc"));
  EXPECT_NE(fdt_getprop(fdt(), intc, "interrupt-controller", nullptr), nullptr);
  EXPECT_EQ(cells(intc, "#interrupt-cells"), std::vector<uint32_t>{1});

  int mem = node("/memory@80000000");
  EXPECT_EQ(str(mem, "device_type"), "memory");
  EXPECT_EQ(cells(mem, "reg"), reg(0x8000'0000, 512ull << 20));
}

TEST_F(FdtTest, SocDevices) {
  build(FdtConfig{});
  int soc = node("/soc");
  EXPECT_TRUE(compatible(soc, "simple-bus"));
  EXPECT_NE(fdt_getprop(fdt(), soc, "ranges", nullptr), nullptr);

  int intc = node("/cpus/cpu@0/interrupt-controller");
  uint32_t intc_ph = fdt_get_phandle(fdt(), intc);
  ASSERT_NE(intc_ph, 0u);

  int clint = node("/soc/clint@2000000");
  EXPECT_TRUE(compatible(clint, "sifive,clint0"));
  EXPECT_TRUE(compatible(clint, "riscv,clint0"));
  EXPECT_EQ(cells(clint, "reg"), reg(0x200'0000, 0x10000));
  // Machine software (3) and machine timer (7) interrupts of the hart.
  EXPECT_EQ(cells(clint, "interrupts-extended"), (std::vector<uint32_t>{intc_ph, 3, intc_ph, 7}));

  int plic = node("/soc/plic@c000000");
  EXPECT_TRUE(compatible(plic, "sifive,plic-1.0.0"));
  EXPECT_TRUE(compatible(plic, "riscv,plic0"));
  EXPECT_EQ(cells(plic, "reg"), reg(0xc00'0000, 0x60'0000));
  // Context 0: M external (11); context 1: S external (9).
  EXPECT_EQ(cells(plic, "interrupts-extended"), (std::vector<uint32_t>{intc_ph, 11, intc_ph, 9}));
  EXPECT_EQ(cells(plic, "riscv,ndev"), std::vector<uint32_t>{96});
  EXPECT_NE(fdt_getprop(fdt(), plic, "interrupt-controller", nullptr), nullptr);
  uint32_t plic_ph = fdt_get_phandle(fdt(), plic);
  ASSERT_NE(plic_ph, 0u);

  int uart = node("/soc/serial@10000000");
  EXPECT_TRUE(compatible(uart, "ns16550a"));
  EXPECT_EQ(cells(uart, "reg"), reg(0x1000'0000, 0x100));
  EXPECT_EQ(cells(uart, "interrupts"), std::vector<uint32_t>{10});
  EXPECT_EQ(cells(uart, "interrupt-parent"), std::vector<uint32_t>{plic_ph});
  EXPECT_EQ(cells(uart, "clock-frequency"), std::vector<uint32_t>{0x384000});

  int rtc = node("/soc/rtc@101000");
  EXPECT_TRUE(compatible(rtc, "google,goldfish-rtc"));
  EXPECT_EQ(cells(rtc, "reg"), reg(0x10'1000, 0x1000));
  EXPECT_EQ(cells(rtc, "interrupts"), std::vector<uint32_t>{11});
  EXPECT_EQ(cells(rtc, "interrupt-parent"), std::vector<uint32_t>{plic_ph});

  int test = node("/soc/test@100000");
  EXPECT_TRUE(compatible(test, "sifive,test1"));
  EXPECT_TRUE(compatible(test, "sifive,test0"));
  EXPECT_TRUE(compatible(test, "syscon"));
  EXPECT_EQ(cells(test, "reg"), reg(0x10'0000, 0x1000));
  uint32_t test_ph = fdt_get_phandle(fdt(), test);
  ASSERT_NE(test_ph, 0u);

  int poweroff = node("/poweroff");
  EXPECT_TRUE(compatible(poweroff, "syscon-poweroff"));
  EXPECT_EQ(cells(poweroff, "regmap"), std::vector<uint32_t>{test_ph});
  EXPECT_EQ(cells(poweroff, "offset"), std::vector<uint32_t>{0});
  EXPECT_EQ(cells(poweroff, "value"), std::vector<uint32_t>{0x5555});
  int reboot = node("/reboot");
  EXPECT_TRUE(compatible(reboot, "syscon-reboot"));
  EXPECT_EQ(cells(reboot, "regmap"), std::vector<uint32_t>{test_ph});
  EXPECT_EQ(cells(reboot, "value"), std::vector<uint32_t>{0x7777});

  for (unsigned n = 0; n < 8; ++n) {
    char path[64];
    std::snprintf(path, sizeof path, "/soc/virtio_mmio@%x", 0x10001000 + n * 0x1000);
    int v = node(path);
    EXPECT_TRUE(compatible(v, "virtio,mmio")) << path;
    EXPECT_EQ(cells(v, "reg"), reg(0x10001000 + n * 0x1000, 0x1000)) << path;
    EXPECT_EQ(cells(v, "interrupts"), std::vector<uint32_t>{n + 1}) << path;
    EXPECT_EQ(cells(v, "interrupt-parent"), std::vector<uint32_t>{plic_ph}) << path;
  }
}

TEST_F(FdtTest, VirtioNodesListHighestAddressFirstAsQemu) {
  build(FdtConfig{});
  std::vector<std::string> names;
  int soc = node("/soc");
  int child;
  fdt_for_each_subnode(child, fdt(), soc) {
    std::string name = fdt_get_name(fdt(), child, nullptr);
    if (name.rfind("virtio_mmio@", 0) == 0) names.push_back(name);
  }
  ASSERT_EQ(names.size(), 8u);
  EXPECT_EQ(names.front(), "virtio_mmio@10008000");
  EXPECT_EQ(names.back(), "virtio_mmio@10001000");
}

TEST_F(FdtTest, ChosenNode) {
  FdtConfig config;
  config.bootargs = "console=ttyS0 earlycon=sbi";
  config.initrd_start = 0x8800'0000;
  config.initrd_end = 0x8810'0000;
  config.isa = "rv64imafdc_zicsr_zifencei_zba_zbb";
  build(config);
  int chosen = node("/chosen");
  EXPECT_EQ(str(chosen, "bootargs"), "console=ttyS0 earlycon=sbi");
  EXPECT_EQ(str(chosen, "stdout-path"), "/soc/serial@10000000");
  EXPECT_EQ(cells(chosen, "linux,initrd-start"), (std::vector<uint32_t>{0, 0x8800'0000}));
  EXPECT_EQ(cells(chosen, "linux,initrd-end"), (std::vector<uint32_t>{0, 0x8810'0000}));
  EXPECT_EQ(str(node("/cpus/cpu@0"), "riscv,isa"), "rv64imafdc_zicsr_zifencei_zba_zbb");
  // stdout-path names a node that exists.
  EXPECT_GE(fdt_path_offset(fdt(), str(chosen, "stdout-path").c_str()), 0);
}

TEST_F(FdtTest, ChosenWithoutOptionalProperties) {
  build(FdtConfig{});
  int chosen = node("/chosen");
  EXPECT_EQ(fdt_getprop(fdt(), chosen, "bootargs", nullptr), nullptr);
  EXPECT_EQ(fdt_getprop(fdt(), chosen, "linux,initrd-start", nullptr), nullptr);
  EXPECT_EQ(fdt_getprop(fdt(), chosen, "rng-seed", nullptr), nullptr);
}

TEST_F(FdtTest, LongBootargsGrowTheBuffer) {
  FdtConfig config;
  config.bootargs = std::string(40000, 'x');
  build(config);
  EXPECT_EQ(str(node("/chosen"), "bootargs").size(), 40000u);
}

TEST_F(FdtTest, DtcDecompilesTheBlob) {
  if (std::system("command -v dtc >/dev/null 2>&1") != 0) GTEST_SKIP() << "dtc not installed";
  FdtConfig config;
  config.bootargs = "console=ttyS0";
  build(config);
  testing::TempFile dtb(blob);
  std::string dts = dtb.path() + ".dts";
  std::string cmd = "dtc -q -I dtb -O dts -o " + dts + " " + dtb.path();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(dts);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(dts.c_str());
  EXPECT_NE(text.str().find("ns16550a"), std::string::npos);
  EXPECT_NE(text.str().find("bootargs = \"console=ttyS0\""), std::string::npos);
}

TEST(FdtLoadAddress, BelowEndOfRamAlignedTo2MiB) {
  // 256 MiB at 0x80000000 ends at 0x90000000: the blob goes in the last 2 MiB.
  EXPECT_EQ(fdt_load_address(0x8000'0000, 256ull << 20, 0x1234), 0x8fe0'0000u);
  // A blob of exactly 2 MiB still ends at the end of RAM.
  EXPECT_EQ(fdt_load_address(0x8000'0000, 256ull << 20, 2ull << 20), 0x8fe0'0000u);
  // More than 1 GiB of RAM: capped at 3 GiB so 32-bit code can reach it.
  EXPECT_EQ(fdt_load_address(0x8000'0000, 4ull << 30, 0x1000), 0xbfe0'0000u);
}

// Expected values from QEMU 7.2's `-machine virt -smp 4` device tree (dumpdtb): cpu@3
// takes phandles 1/2 and cpu@0 7/8, the PLIC 9 and the test device 10; the PLIC and CLINT
// list every hart's interrupt controller in hart order.
TEST_F(FdtTest, FourHartsAsQemu) {
  FdtConfig config;
  config.harts = 4;
  config.isa = "rv64imafdc";
  build(config);
  for (unsigned h = 0; h < 4; ++h) {
    const std::string path = "/cpus/cpu@" + std::to_string(h);
    int cpu = node(path.c_str());
    EXPECT_EQ(cells(cpu, "reg"), std::vector<uint32_t>{h});
    EXPECT_EQ(cells(cpu, "phandle"), std::vector<uint32_t>{7 - 2 * h}) << path;
    EXPECT_EQ(str(cpu, "status"), "okay");
    const std::string core = "/cpus/cpu-map/cluster0/core" + std::to_string(h);
    EXPECT_EQ(cells(node(core.c_str()), "cpu"), std::vector<uint32_t>{7 - 2 * h});
  }
  EXPECT_LT(fdt_path_offset(fdt(), "/cpus/cpu@4"), 0);
  int plic = node("/soc/plic@c000000");
  EXPECT_EQ(cells(plic, "phandle"), std::vector<uint32_t>{9});
  EXPECT_EQ(cells(plic, "interrupts-extended"),
            (std::vector<uint32_t>{8, 11, 8, 9, 6, 11, 6, 9, 4, 11, 4, 9, 2, 11, 2, 9}));
  EXPECT_EQ(cells(node("/soc/clint@2000000"), "interrupts-extended"),
            (std::vector<uint32_t>{8, 3, 8, 7, 6, 3, 6, 7, 4, 3, 4, 7, 2, 3, 2, 7}));
  EXPECT_EQ(cells(node("/soc/test@100000"), "phandle"), std::vector<uint32_t>{10});
  EXPECT_EQ(cells(node("/poweroff"), "regmap"), std::vector<uint32_t>{10});
}

}  // namespace
}  // namespace tiervm
