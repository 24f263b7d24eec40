#pragma once

#include <cstdint>
#include <span>

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
};

}  // namespace tiervm
