#include "devices/virtio_console.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "virtio_driver.h"

namespace tiervm {
namespace {

using testing::VirtioDriver;

class VirtioConsoleTest : public ::testing::Test {
 public:
  VirtioConsole console{[this](uint8_t b) { output.push_back(static_cast<char>(b)); }};
  VirtioDriver d{console};
  std::string output;

  static constexpr unsigned kRx = 0, kTx = 1;  // section 5.3.2: receiveq(port0), transmitq(port0)
  void push(const std::string& s) {
    for (char c : s) ASSERT_TRUE(console.push_input(static_cast<uint8_t>(c)));
  }
};

TEST_F(VirtioConsoleTest, IdentifiesAsConsoleWithTwoQueues) {
  EXPECT_EQ(d.reg(0x008), 3u);  // section 5.3.1: console
  // Neither F_SIZE nor F_MULTIPORT: one port, queues 0 and 1 only.
  EXPECT_EQ(d.device_features(), VirtioDriver::kVersion1);
  for (unsigned q : {0u, 1u}) {
    d.set(0x030, q);
    EXPECT_GT(d.reg(0x034), 0u) << q;
  }
  d.set(0x030, 2);
  EXPECT_EQ(d.reg(0x034), 0u);
}

TEST_F(VirtioConsoleTest, TransmitQueueWritesTheGuestsBytesInOrder) {
  d.init(2);
  const uint64_t buf = VirtioDriver::kBuffers;
  const std::string a = "hello, ", b = "hvc0\n";
  d.fill(buf, std::span(reinterpret_cast<const uint8_t*>(a.data()), a.size()));
  d.fill(buf + 0x100, std::span(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  d.desc(kTx, 0, buf, static_cast<uint32_t>(a.size()), VirtioDriver::NEXT, 1);
  d.desc(kTx, 1, buf + 0x100, static_cast<uint32_t>(b.size()), 0);
  d.offer(kTx, 0);
  EXPECT_EQ(output, "hello, hvc0\n");
  ASSERT_EQ(d.used_idx(kTx), 1);
  EXPECT_EQ(d.used_len(kTx, 0), 0u);  // the device wrote nothing into the chain
  EXPECT_EQ(console.stats.bytes_from_guest.load(), 12u);
}

TEST_F(VirtioConsoleTest, InputWaitsForReceiveBuffersThenFillsThem) {
  d.init(2);
  push("ls -l\n");
  // No receive buffer yet: the input stays with the device.
  EXPECT_TRUE(d.mmio.wants_poll());
  d.mmio.poll();
  EXPECT_EQ(d.used_idx(kRx), 0);
  EXPECT_FALSE(d.mmio.wants_poll());  // it found the queue empty: no busy polling
  // The driver posts a 4-byte buffer: the first 4 bytes arrive at once.
  const uint64_t buf = VirtioDriver::kBuffers;
  d.desc(kRx, 0, buf, 4, VirtioDriver::WRITE);
  d.offer(kRx, 0);
  ASSERT_EQ(d.used_idx(kRx), 1);
  EXPECT_EQ(d.used_len(kRx, 0), 4u);
  EXPECT_EQ(d.ram(buf, 4), (std::vector<uint8_t>{'l', 's', ' ', '-'}));
  EXPECT_TRUE(d.irq.level);
  d.ack(1);
  // Another buffer, made available without a notification: poll() places the rest.
  d.desc(kRx, 1, buf + 0x100, 64, VirtioDriver::WRITE);
  d.offer(kRx, 1, /*notify=*/false);
  EXPECT_FALSE(d.mmio.wants_poll());  // still marked starved until notified...
  d.set(0x050, kRx);                  // ...which a driver does after adding buffers
  ASSERT_EQ(d.used_idx(kRx), 2);
  EXPECT_EQ(d.used_len(kRx, 1), 2u);
  EXPECT_EQ(d.ram(buf + 0x100, 2), (std::vector<uint8_t>{'l', '\n'}));
}

TEST_F(VirtioConsoleTest, InputArrivingLaterIsPlacedByPoll) {
  d.init(2);
  const uint64_t buf = VirtioDriver::kBuffers;
  d.desc(kRx, 0, buf, 16, VirtioDriver::WRITE);
  d.offer(kRx, 0);
  EXPECT_EQ(d.used_idx(kRx), 0);  // nothing to say yet: the buffer stays available
  push("x");
  EXPECT_TRUE(d.mmio.wants_poll());
  d.mmio.poll();
  ASSERT_EQ(d.used_idx(kRx), 1);
  EXPECT_EQ(d.used_len(kRx, 0), 1u);
  EXPECT_EQ(d.ram(buf, 1), std::vector<uint8_t>{'x'});
  EXPECT_FALSE(d.mmio.wants_poll());
}

TEST_F(VirtioConsoleTest, StagingIsBounded) {
  for (size_t i = 0; i < VirtioConsole::kStagingCapacity; ++i) {
    ASSERT_TRUE(console.push_input('a'));
  }
  EXPECT_FALSE(console.push_input('b'));
}

}  // namespace
}  // namespace tiervm
