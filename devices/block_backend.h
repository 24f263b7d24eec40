#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "devices/state_stream.h"

namespace tiervm {

// The storage behind a virtio block device, in 512-byte sectors: an image file
// (BlockFile), or a test's fault-injecting stand-in. Offsets and lengths are multiples
// of kSectorSize inside sectors(). Each request returns 0, or an errno value saying why
// it failed (EIO, ENOSPC, EROFS, EINVAL for a request outside the disk, ...); the device
// turns any failure into VIRTIO_BLK_S_IOERR for the guest. Only the backend knows what a
// host fault means for its storage, so it reports host faults to the user itself.
class BlockBackend {
 public:
  static constexpr uint64_t kSectorSize = 512;

  virtual ~BlockBackend() = default;
  virtual uint64_t sectors() const = 0;
  virtual bool read_only() const = 0;
  virtual int read(uint64_t offset, std::span<uint8_t> out) = 0;
  virtual int write(uint64_t offset, std::span<const uint8_t> in) = 0;
  // Makes the writes completed so far durable.
  virtual int flush() = 0;

  // Snapshots. identity() is what the guest's disk is outside the process, for the
  // snapshot's machine description: a snapshot is only loaded on a disk that is the same
  // (an image written since the save would not match the guest's caches). save_state and
  // load_state carry what the backend keeps in the process (an overlay); load_state
  // returns false, with the reason in `error`, and changes nothing when it cannot.
  virtual std::string identity() { return "sectors=" + std::to_string(sectors()); }
  virtual void save_state(StateWriter& /*w*/) const {}
  virtual bool load_state(StateReader& /*r*/, std::string& /*error*/) { return true; }
};

}  // namespace tiervm
