#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "devices/virtio_device.h"

namespace tiervm {

// virtio console (virtio 1.1 section 5.3) with one port and no optional features: queue 0
// (receiveq) carries host input to the guest, queue 1 (transmitq) the guest's output to
// the sink. Linux names it hvc0.
//
// Threads: push_input() may be called from any thread (the host's stdin reader);
// everything else runs on the hart's thread.
class VirtioConsole final : public VirtioDevice {
 public:
  static constexpr uint32_t kDeviceId = 3;
  static constexpr unsigned kReceiveQueue = 0, kTransmitQueue = 1;
  // Host input waiting for receive buffers, like a character backend holding data.
  static constexpr size_t kStagingCapacity = 4096;

  explicit VirtioConsole(std::function<void(uint8_t)> output);

  uint32_t device_id() const override { return kDeviceId; }
  uint64_t device_features() const override { return 0; }
  unsigned num_queues() const override { return 2; }
  // struct virtio_console_config (cols, rows, max_nr_ports, emerg_wr): only meaningful
  // with features this device does not offer; reads as zero.
  uint64_t read_config(uint64_t /*offset*/, unsigned /*size*/) override { return 0; }
  void reset() override;
  bool process_queue(unsigned index, Virtqueue& queue, Bus& bus) override;
  bool wants_poll() const override;
  const char* kind() const override { return "console"; }

  // Any thread. Queues a byte typed by the host user; false when the staging queue is
  // full (the caller keeps the byte and retries later).
  bool push_input(uint8_t byte);

 private:
  bool receive(Virtqueue& queue, Bus& bus);
  bool transmit(Virtqueue& queue, Bus& bus);

  std::function<void(uint8_t)> output_;
  mutable std::mutex staging_mutex_;
  std::deque<uint8_t> staging_;
  std::atomic<bool> staging_nonempty_{false};
  // The receive queue had no buffer for waiting input; cleared when the driver adds some.
  bool starved_ = false;
};

}  // namespace tiervm
