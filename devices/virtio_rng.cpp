#include "devices/virtio_rng.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

namespace tiervm {

bool host_random(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

VirtioRng::VirtioRng(Source source) : source_(source ? std::move(source) : Source(host_random)) {}

bool VirtioRng::process_queue(unsigned /*index*/, Virtqueue& queue, Bus& bus) {
  std::array<uint8_t, kMaxBytesPerRequest> bytes{};
  return queue.serve_all(bus, [&](const VirtqChain& chain) -> std::optional<uint32_t> {
    // The driver gives write-only buffers (section 5.4.6.1); a readable part is ignored.
    const auto n = static_cast<uint32_t>(std::min<uint64_t>(chain.writable_len, bytes.size()));
    std::span<uint8_t> out(bytes.data(), n);
    // A failed source answers with no bytes rather than with predictable ones.
    const uint32_t written = source_(out) && chain.write(bus, 0, out) ? n : 0;
    stats.bytes_to_guest.fetch_add(written, std::memory_order_relaxed);
    return written;
  });
}

}  // namespace tiervm
