#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "devices/block_backend.h"

namespace tiervm {

// A disk image file behind a block device, in 512-byte sectors.
//  - ReadWrite: writes go to the file in order (pwrite); flush() is fsync().
//  - ReadOnly: the guest cannot write.
//  - Snapshot: the guest writes, but into an in-memory overlay; the file never changes.
//    When the host has no memory left for it, the write fails (ENOMEM).
// The file is locked with flock(): exclusively when it can be written, shared otherwise,
// so two emulators cannot corrupt one image. Construction throws std::runtime_error on
// host errors (missing file, lock held elsewhere). A host fault while running (EIO,
// ENOSPC, a short write) fails the request and is reported once per kind on stderr
// ("tiervm: warning: disk image '...': write failed: ..."); so is a failed final flush.
// An image truncated while running, or (ReadWrite) removed or replaced by another file,
// is no longer the guest's disk: every later request fails with ESTALE, after one
// warning. A read-only or snapshot image that is replaced keeps serving the file it
// opened (it is never written), with one warning. The file is checked before every write
// to it and every flush, and every 64 requests (a read past a new end sees EOF anyway).
class BlockFile final : public BlockBackend {
 public:
  enum class Mode : uint8_t { ReadWrite, ReadOnly, Snapshot };

  BlockFile(const std::string& path, Mode mode);
  ~BlockFile() override;
  BlockFile(const BlockFile&) = delete;
  BlockFile& operator=(const BlockFile&) = delete;

  const std::string& path() const { return path_; }
  Mode mode() const { return mode_; }
  bool read_only() const override { return mode_ == Mode::ReadOnly; }
  // Whole sectors only: a trailing partial sector of the file is not visible.
  uint64_t sectors() const override { return size_ / kSectorSize; }

  // 0, or errno: the host's error, EINVAL for a misaligned or out-of-range request, EROFS
  // for a write to a read-only image.
  int read(uint64_t offset, std::span<uint8_t> out) override;
  int write(uint64_t offset, std::span<const uint8_t> in) override;
  int flush() override;

  // "mode=... bytes=N crc32c=X": the mode and the image file's size and checksum (of the
  // file, not the overlay): it reads the whole file. Snapshot mode saves its overlay.
  std::string identity() override;
  void save_state(StateWriter& w) const override;
  bool load_state(StateReader& r, std::string& error) override;

 private:
  enum class Op : uint8_t { Read, Write, Flush };

  bool in_range(uint64_t offset, uint64_t len) const;
  int pread_all(uint64_t offset, std::span<uint8_t> out);
  int pwrite_all(uint64_t offset, std::span<const uint8_t> in);
  // True the first time this image meets `err` in `op`: a full disk is reported once, not
  // per request. Allocates nothing (it runs when memory is short).
  bool first_report(Op op, int err);
  // Returns `err`, after one line on stderr the first time.
  int host_fault(Op op, int err);
  // How closely check_image() looks: cheap on the frequent path, fully before data could
  // go to the wrong place or be claimed durable.
  enum class Check : uint8_t {
    Sometimes,  // a read: every kCheckInterval requests (past the end, it sees EOF)
    File,       // a write into the file: fstat now (a truncated file must not grow back)
    All,        // a flush, or a read that met EOF: fstat and the path now
  };
  // 0 while the file is still the image opened, ESTALE from the moment it is not.
  int check_image(Op op, Check how);

  std::string path_;
  Mode mode_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::unordered_map<uint64_t, std::array<uint8_t, kSectorSize>> overlay_;
  std::array<std::pair<Op, int>, 16> reported_{};
  size_t reported_count_ = 0;
  bool stale_ = false;              // truncated, or replaced while ReadWrite
  bool replacement_noted_ = false;  // replaced while ReadOnly or Snapshot
  uint32_t unchecked_requests_ = 0;
};

}  // namespace tiervm
