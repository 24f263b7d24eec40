#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "devices/state_stream.h"
#include "devices/virtqueue.h"
#include "mem/bus.h"

namespace tiervm {

// Bytes a device moved, for the dashboard (written on the hart's thread, read anywhere).
struct VirtioDeviceStats {
  std::atomic<uint64_t> bytes_to_guest{0};
  std::atomic<uint64_t> bytes_from_guest{0};
};

// A virtio device type (block, console, ...) as its transport sees it (virtio 1.1
// chapter 5). The transport owns feature negotiation, status and the queues' registers;
// the device owns its configuration space and what requests mean.
class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;
  virtual uint32_t device_id() const = 0;
  // Device-type feature bits; the transport adds VIRTIO_F_VERSION_1.
  virtual uint64_t device_features() const = 0;
  virtual unsigned num_queues() const = 0;
  // Little-endian reads of the configuration space; bytes past its end read as zero.
  virtual uint64_t read_config(uint64_t offset, unsigned size) = 0;
  virtual void write_config(uint64_t /*offset*/, unsigned /*size*/, uint64_t /*value*/) {}
  // The driver wrote 0 to Status: forget negotiated state.
  virtual void reset() {}
  // Handles every chain available on the queue. Returns false when the driver broke the
  // protocol (the transport then sets DEVICE_NEEDS_RESET).
  virtual bool process_queue(unsigned index, Virtqueue& queue, Bus& bus) = 0;
  // Hart thread: true when host input waits for the guest and the device expects to
  // place it (it has not found its receive queue empty since). The transport then runs
  // process_queue on every queue at its next poll().
  virtual bool wants_poll() const { return false; }
  // A short name for the dashboard ("blk", "console", ...).
  virtual const char* kind() const = 0;
  // Snapshots: the device's own state (the transport saves the queues). Host-side
  // input not yet placed in the guest's buffers is not guest state and is not saved.
  // load_state returns false (nothing changed) when corrupt, with a reason in `error`
  // when there is more to say than that.
  virtual void save_state(StateWriter& /*w*/) const {}
  virtual bool load_state(StateReader& /*r*/, std::string& /*error*/) { return true; }

  VirtioDeviceStats stats;
};

}  // namespace tiervm
