#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "devices/state_stream.h"
#include "mem/bus.h"

namespace tiervm {

// One guest-physical buffer of a descriptor chain.
struct VirtqSegment {
  uint64_t addr = 0;
  uint32_t len = 0;
};

// A descriptor chain taken from the available ring, split into the part the device reads
// (driver-readable, first) and the part it writes (device-writable, last), virtio 1.1
// section 2.7.4. Each part is a byte stream across its segments: the device makes no
// assumption about framing (section 2.6.4, message framing).
struct VirtqChain {
  uint16_t head = 0;
  std::vector<VirtqSegment> readable;
  std::vector<VirtqSegment> writable;
  uint64_t readable_len = 0;
  uint64_t writable_len = 0;

  // Copy bytes at stream position `pos`; false when the range exceeds the stream or the
  // memory cannot be accessed.
  bool read(Bus& bus, uint64_t pos, std::span<uint8_t> out) const;
  bool write(Bus& bus, uint64_t pos, std::span<const uint8_t> in) const;
};

// A split virtqueue (virtio 1.1 section 2.6) living in guest memory, as the device sees
// it. Every guest-controlled value is checked: a chain longer than the queue (a loop),
// an index out of range, a buffer outside RAM or an indirect descriptor (not offered)
// make pop() report Error, and the transport then marks the device as needing a reset.
class Virtqueue {
 public:
  static constexpr uint32_t kMaxSize = 256;

  enum class Pop : uint8_t { Empty, Chain, Error };

  // Transport-visible state (QueueNum, QueueReady, QueueDesc/Driver/Device).
  uint32_t num = 0;
  bool ready = false;
  uint64_t desc_addr = 0;
  uint64_t driver_addr = 0;  // available ring
  uint64_t device_addr = 0;  // used ring

  void reset();
  Pop pop(Bus& bus, VirtqChain& chain);
  // Return a chain to the driver with the number of bytes written into it.
  bool push_used(Bus& bus, uint16_t head, uint32_t written);
  // Serves every chain the driver has made available, in order: `serve(chain)` handles
  // one and returns the bytes it wrote into it, or nullopt for a chain it cannot serve.
  // True when the queue ran empty; false on a malformed queue or chain (a reset is due).
  template <class Serve>
  bool serve_all(Bus& bus, Serve&& serve) {
    VirtqChain chain;
    for (;;) {
      switch (pop(bus, chain)) {
        case Pop::Empty:
          return true;
        case Pop::Error:
          return false;
        case Pop::Chain:
          break;
      }
      const std::optional<uint32_t> written = serve(std::as_const(chain));
      if (!written || !push_used(bus, chain.head, *written)) return false;
    }
  }
  // True unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT (section 2.6.7.1).
  bool interrupt_wanted(Bus& bus) const;
  uint16_t used_idx() const { return used_idx_; }

  // Snapshots: the registers and the device's two ring positions; the rings themselves
  // are guest memory. false (nothing changed) when corrupt.
  void save_state(StateWriter& w) const;
  bool load_state(StateReader& r);

 private:
  bool valid_size() const;

  uint16_t last_avail_ = 0;
  uint16_t used_idx_ = 0;
};

}  // namespace tiervm
