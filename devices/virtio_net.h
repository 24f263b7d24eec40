#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

#include "devices/virtio_device.h"

namespace tiervm {

// virtio network device (virtio 1.1 section 5.1) with one queue pair and VIRTIO_NET_F_MAC
// only: no checksum offload, no segmentation offload, no mergeable receive buffers, so
// every frame is a plain Ethernet frame after the 12-byte virtio_net_hdr. Frames the guest
// sends go to `transmit`; frames for the guest arrive through push_frame() from the
// network backend (slirp), on any thread, and are placed on the hart's thread.
class VirtioNet final : public VirtioDevice {
 public:
  static constexpr uint32_t kDeviceId = 1;
  static constexpr uint64_t kFeatureMac = uint64_t{1} << 5;
  static constexpr unsigned kReceiveQueue = 0, kTransmitQueue = 1;
  // struct virtio_net_hdr with num_buffers: the header of a VIRTIO_F_VERSION_1 device
  // (section 5.1.6).
  static constexpr size_t kHeaderSize = 12;
  // Frames waiting for receive buffers; more are dropped, as a full NIC drops them (TCP
  // retransmits).
  static constexpr size_t kMaxPendingFrames = 256;
  static constexpr size_t kMaxFrame = 65536;
  // QEMU's default MAC address for the first NIC.
  static constexpr std::array<uint8_t, 6> kDefaultMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

  using Transmit = std::function<void(std::span<const uint8_t> frame)>;
  explicit VirtioNet(Transmit transmit, std::array<uint8_t, 6> mac = kDefaultMac);

  uint32_t device_id() const override { return kDeviceId; }
  uint64_t device_features() const override { return kFeatureMac; }
  unsigned num_queues() const override { return 2; }
  uint64_t read_config(uint64_t offset, unsigned size) override;
  void reset() override;
  bool process_queue(unsigned index, Virtqueue& queue, Bus& bus) override;
  bool wants_poll() const override;
  const char* kind() const override { return "net"; }

  // Any thread: a frame for the guest. False when it was dropped (queue full, too big).
  bool push_frame(std::span<const uint8_t> frame);

  std::atomic<uint64_t> frames_to_guest{0};
  std::atomic<uint64_t> frames_from_guest{0};
  std::atomic<uint64_t> frames_dropped{0};

 private:
  bool receive(Virtqueue& queue, Bus& bus);
  bool transmit(Virtqueue& queue, Bus& bus);

  Transmit transmit_;
  std::array<uint8_t, 6> mac_;
  mutable std::mutex pending_mutex_;
  std::deque<std::vector<uint8_t>> pending_;
  std::atomic<bool> pending_nonempty_{false};
  bool starved_ = false;
  std::vector<uint8_t> tx_buffer_;
};

}  // namespace tiervm
