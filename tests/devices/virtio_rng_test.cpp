#include "devices/virtio_rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "virtio_driver.h"

namespace tiervm {
namespace {

using testing::VirtioDriver;

TEST(VirtioRng, IdentifiesAsEntropyDeviceWithOneQueueAndNoFeatures) {
  VirtioRng rng;
  VirtioDriver d(rng);
  EXPECT_EQ(d.reg(0x000), 0x74726976u);  // "virt"
  EXPECT_EQ(d.reg(0x004), 2u);           // non-legacy virtio-mmio
  EXPECT_EQ(d.reg(0x008), 4u);           // section 5.4.1: entropy source
  // Section 5.4.3: no device-specific feature bits; VIRTIO_F_VERSION_1 from the transport.
  EXPECT_EQ(d.device_features(), VirtioDriver::kVersion1);
  d.set(0x030, 0);
  EXPECT_GT(d.reg(0x034), 0u);  // requestq exists
  d.set(0x030, 1);
  EXPECT_EQ(d.reg(0x034), 0u);  // and is the only queue (section 5.4.2)
}

TEST(VirtioRng, FillsWriteOnlyBuffersFromTheSource) {
  uint8_t next = 1;
  VirtioRng rng([&next](std::span<uint8_t> out) {
    for (uint8_t& b : out) b = next++;
    return true;
  });
  VirtioDriver d(rng);
  EXPECT_EQ(d.init(1) & VirtioDriver::FEATURES_OK, VirtioDriver::FEATURES_OK);
  const uint64_t buf = VirtioDriver::kBuffers;
  d.fill(buf, std::vector<uint8_t>(64, 0xee));
  // Two descriptors, 16 + 24 bytes: the device's bytes run across both.
  d.desc(0, 0, buf, 16, VirtioDriver::NEXT | VirtioDriver::WRITE, 1);
  d.desc(0, 1, buf + 32, 24, VirtioDriver::WRITE);
  d.offer(0, 0);
  ASSERT_EQ(d.used_idx(0), 1);
  EXPECT_EQ(d.used_id(0, 0), 0u);
  EXPECT_EQ(d.used_len(0, 0), 40u);
  std::vector<uint8_t> want(16);
  for (unsigned i = 0; i < 16; ++i) want[i] = static_cast<uint8_t>(1 + i);
  EXPECT_EQ(d.ram(buf, 16), want);
  EXPECT_EQ(d.ram(buf + 16, 16), std::vector<uint8_t>(16, 0xee));  // not part of the chain
  std::vector<uint8_t> rest(24);
  for (unsigned i = 0; i < 24; ++i) rest[i] = static_cast<uint8_t>(17 + i);
  EXPECT_EQ(d.ram(buf + 32, 24), rest);
  // A used buffer notification (section 2.6.10 / 4.2.3.3).
  EXPECT_EQ(d.interrupt_status() & 1, 1u);
  EXPECT_TRUE(d.irq.level);
  d.ack(1);
  EXPECT_FALSE(d.irq.level);
}

TEST(VirtioRng, HostRandomGivesDifferentBytesEachRequest) {
  VirtioRng rng;
  VirtioDriver d(rng);
  d.init(1);
  const uint64_t buf = VirtioDriver::kBuffers;
  d.desc(0, 0, buf, 32, VirtioDriver::WRITE);
  d.offer(0, 0);
  const std::vector<uint8_t> first = d.ram(buf, 32);
  d.desc(0, 1, buf + 64, 32, VirtioDriver::WRITE);
  d.offer(0, 1);
  ASSERT_EQ(d.used_idx(0), 2);
  EXPECT_EQ(d.used_len(0, 1), 32u);
  const std::vector<uint8_t> second = d.ram(buf + 64, 32);
  // 2^-256 of failing by chance.
  EXPECT_NE(first, second);
  EXPECT_NE(first, std::vector<uint8_t>(32, 0));
}

TEST(VirtioRng, FailedSourceAnswersWithNoBytes) {
  VirtioRng rng([](std::span<uint8_t>) { return false; });
  VirtioDriver d(rng);
  d.init(1);
  d.desc(0, 0, VirtioDriver::kBuffers, 32, VirtioDriver::WRITE);
  d.offer(0, 0);
  ASSERT_EQ(d.used_idx(0), 1);
  EXPECT_EQ(d.used_len(0, 0), 0u);
}

TEST(VirtioRng, NothingHappensBeforeDriverOk) {
  VirtioRng rng;
  VirtioDriver d(rng);
  d.init(1);
  d.set(0x070, 0);  // reset
  d.set(0x070, VirtioDriver::ACK | VirtioDriver::DRIVER);
  EXPECT_EQ(d.reg(0x070), VirtioDriver::ACK | VirtioDriver::DRIVER);
  EXPECT_EQ(d.interrupt_status(), 0u);
}

}  // namespace
}  // namespace tiervm
