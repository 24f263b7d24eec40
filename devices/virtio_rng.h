#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "devices/virtio_device.h"

namespace tiervm {

// virtio entropy device (virtio 1.1 section 5.4): one request queue whose device-writable
// buffers it fills with bytes from the host's getrandom(2) (or a test's source). No
// feature bits, no configuration space.
class VirtioRng final : public VirtioDevice {
 public:
  static constexpr uint32_t kDeviceId = 4;
  // At most this many bytes per request: a driver asking for more gets a short answer,
  // which section 5.4.6.1 allows ("MAY return less than the buffer").
  static constexpr uint32_t kMaxBytesPerRequest = 4096;

  // Fills `out` completely; false when the source failed.
  using Source = std::function<bool(std::span<uint8_t> out)>;
  // `source` empty: the host's getrandom(2).
  explicit VirtioRng(Source source = {});

  uint32_t device_id() const override { return kDeviceId; }
  uint64_t device_features() const override { return 0; }
  unsigned num_queues() const override { return 1; }
  uint64_t read_config(uint64_t /*offset*/, unsigned /*size*/) override { return 0; }
  bool process_queue(unsigned index, Virtqueue& queue, Bus& bus) override;
  const char* kind() const override { return "rng"; }

 private:
  Source source_;
};

// getrandom(2) until `out` is full; false on an error other than EINTR.
bool host_random(std::span<uint8_t> out);

}  // namespace tiervm
