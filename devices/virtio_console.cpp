#include "devices/virtio_console.h"

#include <algorithm>
#include <array>
#include <utility>

namespace tiervm {

VirtioConsole::VirtioConsole(std::function<void(uint8_t)> output) : output_(std::move(output)) {}

void VirtioConsole::reset() {
  starved_ = false;
}

bool VirtioConsole::push_input(uint8_t byte) {
  std::lock_guard<std::mutex> lock(staging_mutex_);
  if (staging_.size() >= kStagingCapacity) return false;
  staging_.push_back(byte);
  staging_nonempty_.store(true, std::memory_order_release);
  return true;
}

bool VirtioConsole::wants_poll() const {
  return !starved_ && staging_nonempty_.load(std::memory_order_acquire);
}

bool VirtioConsole::process_queue(unsigned index, Virtqueue& queue, Bus& bus) {
  return index == kReceiveQueue ? receive(queue, bus) : transmit(queue, bus);
}

bool VirtioConsole::receive(Virtqueue& queue, Bus& bus) {
  starved_ = false;
  std::array<uint8_t, 256> bytes{};
  VirtqChain chain;
  while (staging_nonempty_.load(std::memory_order_acquire)) {
    switch (queue.pop(bus, chain)) {
      case Virtqueue::Pop::Empty:
        starved_ = true;
        return true;
      case Virtqueue::Pop::Error:
        return false;
      case Virtqueue::Pop::Chain:
        break;
    }
    size_t n = 0;
    {
      std::lock_guard<std::mutex> lock(staging_mutex_);
      n = std::min<uint64_t>({staging_.size(), bytes.size(), chain.writable_len});
      std::copy_n(staging_.begin(), n, bytes.begin());
      staging_.erase(staging_.begin(), staging_.begin() + static_cast<std::ptrdiff_t>(n));
      staging_nonempty_.store(!staging_.empty(), std::memory_order_release);
    }
    if (!chain.write(bus, 0, std::span<const uint8_t>(bytes.data(), n))) return false;
    stats.bytes_to_guest.fetch_add(n, std::memory_order_relaxed);
    if (!queue.push_used(bus, chain.head, static_cast<uint32_t>(n))) return false;
  }
  return true;
}

bool VirtioConsole::transmit(Virtqueue& queue, Bus& bus) {
  std::array<uint8_t, 256> bytes{};
  return queue.serve_all(bus, [&](const VirtqChain& chain) -> std::optional<uint32_t> {
    for (uint64_t done = 0; done < chain.readable_len;) {
      const size_t n = std::min<uint64_t>(chain.readable_len - done, bytes.size());
      std::span<uint8_t> part(bytes.data(), n);
      if (!chain.read(bus, done, part)) return std::nullopt;
      if (output_) {
        for (uint8_t b : part) output_(b);
      }
      done += n;
    }
    stats.bytes_from_guest.fetch_add(chain.readable_len, std::memory_order_relaxed);
    return 0;
  });
}

}  // namespace tiervm
