#include "devices/virtio_net.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "virtio_driver.h"

namespace tiervm {
namespace {

using testing::VirtioDriver;

class VirtioNetTest : public ::testing::Test {
 public:
  VirtioNet net{[this](std::span<const uint8_t> f) { sent.emplace_back(f.begin(), f.end()); }};
  VirtioDriver d{net};
  std::vector<std::vector<uint8_t>> sent;
  static constexpr unsigned kRx = 0, kTx = 1;  // section 5.1.2: receiveq1, transmitq1
  static constexpr uint64_t kMac = uint64_t{1} << 5;
  static constexpr size_t kHdr = 12;  // virtio_net_hdr incl. num_buffers (5.1.6)

  static std::vector<uint8_t> frame(size_t n, uint8_t seed) {
    std::vector<uint8_t> f(n);
    for (size_t i = 0; i < n; ++i) f[i] = static_cast<uint8_t>(seed + i * 3);
    return f;
  }
};

TEST_F(VirtioNetTest, IdentifiesAsNetworkCardWithAMac) {
  EXPECT_EQ(d.reg(0x008), 1u);  // section 5.1.1: network card
  EXPECT_EQ(d.device_features(), VirtioDriver::kVersion1 | kMac);
  // QEMU's default MAC for the first NIC, 52:54:00:12:34:56, at config offset 0.
  const uint8_t want[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  for (unsigned i = 0; i < 6; ++i) EXPECT_EQ(d.config(i, 1), want[i]) << i;
  for (unsigned q : {0u, 1u}) {
    d.set(0x030, q);
    EXPECT_GT(d.reg(0x034), 0u) << q;
  }
  d.set(0x030, 2);  // no control queue without VIRTIO_NET_F_CTRL_VQ
  EXPECT_EQ(d.reg(0x034), 0u);
}

TEST_F(VirtioNetTest, TransmitStripsTheHeaderAcrossDescriptors) {
  d.init(2, VirtioDriver::kVersion1 | kMac);
  const uint64_t buf = VirtioDriver::kBuffers;
  const std::vector<uint8_t> f = frame(60, 7);
  // Header and the first 8 frame bytes in one descriptor, the rest in a second one.
  std::vector<uint8_t> first(kHdr, 0);
  first.insert(first.end(), f.begin(), f.begin() + 8);
  d.fill(buf, first);
  d.fill(buf + 0x200, std::vector<uint8_t>(f.begin() + 8, f.end()));
  d.desc(kTx, 0, buf, static_cast<uint32_t>(first.size()), VirtioDriver::NEXT, 1);
  d.desc(kTx, 1, buf + 0x200, static_cast<uint32_t>(f.size() - 8), 0);
  d.offer(kTx, 0);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], f);
  ASSERT_EQ(d.used_idx(kTx), 1);
  EXPECT_EQ(d.used_len(kTx, 0), 0u);
  EXPECT_EQ(net.stats.bytes_from_guest.load(), 60u);
}

TEST_F(VirtioNetTest, ReceivedFrameGetsAHeaderWithOneBuffer) {
  d.init(2, VirtioDriver::kVersion1 | kMac);
  const uint64_t buf = VirtioDriver::kBuffers;
  d.fill(buf, std::vector<uint8_t>(kHdr, 0xee));
  d.desc(kRx, 0, buf, 1526, VirtioDriver::WRITE);  // Linux's small buffer: hdr + 1514
  d.offer(kRx, 0);
  EXPECT_EQ(d.used_idx(kRx), 0);  // nothing received yet
  const std::vector<uint8_t> f = frame(98, 1);
  ASSERT_TRUE(net.push_frame(f));
  EXPECT_TRUE(d.mmio.wants_poll());
  d.mmio.poll();
  ASSERT_EQ(d.used_idx(kRx), 1);
  EXPECT_EQ(d.used_len(kRx, 0), kHdr + f.size());
  // flags 0, gso_type GSO_NONE, ..., num_buffers = 1 (little-endian u16 at offset 10).
  std::vector<uint8_t> hdr(kHdr, 0);
  hdr[10] = 1;
  EXPECT_EQ(d.ram(buf, kHdr), hdr);
  EXPECT_EQ(d.ram(buf + kHdr, f.size()), f);
  EXPECT_TRUE(d.irq.level);
}

TEST_F(VirtioNetTest, FramesWaitForBuffersAndTooSmallBuffersDropThem) {
  d.init(2, VirtioDriver::kVersion1 | kMac);
  ASSERT_TRUE(net.push_frame(frame(200, 2)));
  ASSERT_TRUE(net.push_frame(frame(50, 3)));
  d.mmio.poll();
  EXPECT_FALSE(d.mmio.wants_poll());  // no buffers: waits without busy polling
  const uint64_t buf = VirtioDriver::kBuffers;
  d.desc(kRx, 0, buf, 100, VirtioDriver::WRITE);  // too small for 12 + 200
  d.offer(kRx, 0);
  ASSERT_EQ(d.used_idx(kRx), 1);
  EXPECT_EQ(d.used_len(kRx, 0), 0u);
  EXPECT_EQ(net.frames_dropped.load(), 1u);
  d.desc(kRx, 1, buf + 0x400, 100, VirtioDriver::WRITE);
  d.offer(kRx, 1);
  ASSERT_EQ(d.used_idx(kRx), 2);
  EXPECT_EQ(d.used_len(kRx, 1), kHdr + 50);
  EXPECT_EQ(d.ram(buf + 0x400 + kHdr, 50), frame(50, 3));
}

TEST_F(VirtioNetTest, PendingFramesAreBounded) {
  for (size_t i = 0; i < VirtioNet::kMaxPendingFrames; ++i)
    ASSERT_TRUE(net.push_frame(frame(60, 0)));
  EXPECT_FALSE(net.push_frame(frame(60, 0)));
}

}  // namespace
}  // namespace tiervm
