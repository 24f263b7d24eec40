// Guest RAM's host mapping: 2 MiB aligned and advised as transparent huge pages (one host
// page fault per 2 MiB the guest touches), zero-filled and fully usable.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "mem/bus.h"

namespace tiervm {
namespace {

constexpr uint64_t kRamBase = 0x8000'0000;
constexpr uint64_t kHuge = uint64_t{2} << 20;

// The VmFlags line of the mapping that contains `addr` in /proc/self/smaps, or "".
std::string vm_flags_of(const void* addr) {
  std::ifstream smaps("/proc/self/smaps");
  const auto a = reinterpret_cast<uintptr_t>(addr);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= a && a < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

TEST(RamMapping, AlignedZeroFilledAndUsableToTheEnd) {
  for (uint64_t size : {uint64_t{64} << 20, (uint64_t{3} << 20) + 4096}) {
    Bus bus;
    bus.map_ram(kRamBase, size);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(bus.ram_data()) % kHuge, 0u) << size;
    uint64_t v = 1;
    ASSERT_TRUE(bus.read(kRamBase + size - 8, 8, v));
    EXPECT_EQ(v, 0u);
    ASSERT_TRUE(bus.write(kRamBase + size - 8, 8, 0x0123456789abcdef));
    ASSERT_TRUE(bus.read(kRamBase + size - 8, 8, v));
    EXPECT_EQ(v, 0x0123456789abcdefu);
    EXPECT_FALSE(bus.read(kRamBase + size, 1, v));
  }
}

TEST(RamMapping, AdvisedAsHugePages) {
  if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0) {
    GTEST_SKIP() << "the host kernel has no transparent huge pages";
  }
  Bus bus;
  bus.map_ram(kRamBase, uint64_t{64} << 20);
  const std::string flags = vm_flags_of(bus.ram_data());
  ASSERT_FALSE(flags.empty());
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;  // VM_HUGEPAGE (MADV_HUGEPAGE)
}

}  // namespace
}  // namespace tiervm
