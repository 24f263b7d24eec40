#include "devices/virtio_net.h"

#include <algorithm>
#include <utility>

namespace tiervm {

VirtioNet::VirtioNet(Transmit transmit, std::array<uint8_t, 6> mac)
    : transmit_(std::move(transmit)), mac_(mac) {}

uint64_t VirtioNet::read_config(uint64_t offset, unsigned size) {
  // struct virtio_net_config: mac[6] first (section 5.1.4); the rest needs features not
  // offered and reads as zero.
  uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) {
    if (offset + i < mac_.size()) value |= uint64_t{mac_[offset + i]} << (8 * i);
  }
  return value;
}

void VirtioNet::reset() {
  starved_ = false;
  std::lock_guard<std::mutex> lock(pending_mutex_);
  pending_.clear();
  pending_nonempty_.store(false, std::memory_order_release);
}

bool VirtioNet::push_frame(std::span<const uint8_t> frame) {
  std::lock_guard<std::mutex> lock(pending_mutex_);
  if (pending_.size() >= kMaxPendingFrames || frame.size() > kMaxFrame) {
    frames_dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  pending_.emplace_back(frame.begin(), frame.end());
  pending_nonempty_.store(true, std::memory_order_release);
  return true;
}

bool VirtioNet::wants_poll() const {
  return !starved_ && pending_nonempty_.load(std::memory_order_acquire);
}

bool VirtioNet::process_queue(unsigned index, Virtqueue& queue, Bus& bus) {
  return index == kReceiveQueue ? receive(queue, bus) : transmit(queue, bus);
}

bool VirtioNet::receive(Virtqueue& queue, Bus& bus) {
  starved_ = false;
  VirtqChain chain;
  while (pending_nonempty_.load(std::memory_order_acquire)) {
    switch (queue.pop(bus, chain)) {
      case Virtqueue::Pop::Empty:
        starved_ = true;
        return true;
      case Virtqueue::Pop::Error:
        return false;
      case Virtqueue::Pop::Chain:
        break;
    }
    std::vector<uint8_t> frame;
    {
      std::lock_guard<std::mutex> lock(pending_mutex_);
      frame = std::move(pending_.front());
      pending_.pop_front();
      pending_nonempty_.store(!pending_.empty(), std::memory_order_release);
    }
    // Header: no flags, GSO_NONE, num_buffers = 1 (section 5.1.6.4: without
    // VIRTIO_NET_F_MRG_RXBUF the device sets it to 1).
    std::array<uint8_t, kHeaderSize> header{};
    header[10] = 1;
    uint32_t written = 0;
    if (kHeaderSize + frame.size() <= chain.writable_len) {
      if (!chain.write(bus, 0, header) || !chain.write(bus, kHeaderSize, frame)) return false;
      written = static_cast<uint32_t>(kHeaderSize + frame.size());
      frames_to_guest.fetch_add(1, std::memory_order_relaxed);
      stats.bytes_to_guest.fetch_add(frame.size(), std::memory_order_relaxed);
    } else {
      // A buffer too small for the frame: the frame is lost, the buffer returned empty.
      frames_dropped.fetch_add(1, std::memory_order_relaxed);
    }
    if (!queue.push_used(bus, chain.head, written)) return false;
  }
  return true;
}

bool VirtioNet::transmit(Virtqueue& queue, Bus& bus) {
  return queue.serve_all(bus, [&](const VirtqChain& chain) -> std::optional<uint32_t> {
    // The header, then the frame, as one byte stream over the readable descriptors.
    if (chain.readable_len > kHeaderSize && chain.readable_len - kHeaderSize <= kMaxFrame) {
      tx_buffer_.resize(chain.readable_len - kHeaderSize);
      if (!chain.read(bus, kHeaderSize, tx_buffer_)) return std::nullopt;
      frames_from_guest.fetch_add(1, std::memory_order_relaxed);
      stats.bytes_from_guest.fetch_add(tx_buffer_.size(), std::memory_order_relaxed);
      if (transmit_) transmit_(tx_buffer_);
    } else {
      frames_dropped.fetch_add(1, std::memory_order_relaxed);
    }
    return 0;
  });
}

}  // namespace tiervm
