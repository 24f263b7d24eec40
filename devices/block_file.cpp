#include "devices/block_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <vector>

namespace tiervm {

BlockFile::BlockFile(const std::string& path, Mode mode) : path_(path), mode_(mode) {
  int flags = (mode == Mode::ReadWrite ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  fd_ = ::open(path.c_str(), flags);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open disk image " + path + ": " + std::strerror(errno));
  }
  int lock = (mode == Mode::ReadWrite ? LOCK_EX : LOCK_SH) | LOCK_NB;
  if (::flock(fd_, lock) != 0) {
    int err = errno;
    ::close(fd_);
    if (err == EWOULDBLOCK) {
      throw std::runtime_error("disk image " + path + " is locked by another process");
    }
    throw std::runtime_error("cannot lock disk image " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    int err = errno;
    ::close(fd_);
    throw std::runtime_error("cannot stat disk image " + path + ": " + std::strerror(err));
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

BlockFile::~BlockFile() {
  if (fd_ < 0) return;
  // On every orderly exit (poweroff, timeout, Ctrl-A X, SIGINT/SIGTERM) what the guest
  // wrote reaches the disk, flushed by the guest or not. Closing releases the flock.
  if (mode_ == Mode::ReadWrite && ::fsync(fd_) != 0) {
    std::fprintf(stderr,
                 "tiervm: warning: disk image '%s': final flush failed: %s; the guest's last "
                 "writes may be lost\n",
                 path_.c_str(), std::strerror(errno));
  }
  ::close(fd_);
}

bool BlockFile::first_report(Op op, int err) {
  const auto seen = reported_.begin() + static_cast<ptrdiff_t>(reported_count_);
  if (std::find(reported_.begin(), seen, std::pair(op, err)) != seen) return false;
  if (reported_count_ < reported_.size()) reported_[reported_count_++] = {op, err};
  return true;
}

int BlockFile::host_fault(Op op, int err) {
  if (first_report(op, err)) {
    const char* what = op == Op::Read ? "read" : op == Op::Write ? "write" : "flush";
    std::fprintf(stderr,
                 "tiervm: warning: disk image '%s': %s failed: %s; the guest sees I/O errors\n",
                 path_.c_str(), what, std::strerror(err));
  }
  return err;
}

int BlockFile::check_image(Op op, Check how) {
  // fstat sees a truncation, or the file's last name removed; a file replaced while
  // another name keeps the old one only shows at the path. Each costs a system call, as
  // much as a small read, so reads check only now and then.
  constexpr uint32_t kCheckInterval = 64;
  if (stale_) return ESTALE;
  const bool due = ++unchecked_requests_ >= kCheckInterval;
  if (how == Check::Sometimes && !due) return 0;
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return host_fault(op, errno);
  if (static_cast<uint64_t>(st.st_size) < size_) {
    stale_ = true;
    std::fprintf(stderr,
                 "tiervm: warning: disk image '%s' was truncated while running (from %llu to "
                 "%llu bytes); its requests fail from now on\n",
                 path_.c_str(), static_cast<unsigned long long>(size_),
                 static_cast<unsigned long long>(st.st_size));
    return ESTALE;
  }
  const bool look_at_path = how == Check::All || due || st.st_nlink == 0;
  if (look_at_path) unchecked_requests_ = 0;
  if (replacement_noted_ || !look_at_path) return 0;
  struct stat named {};
  bool removed = false;
  if (::stat(path_.c_str(), &named) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) return 0;  // cannot tell now; next time
    removed = true;
  } else if (st.st_nlink != 0 && named.st_dev == st.st_dev && named.st_ino == st.st_ino) {
    return 0;
  }
  const char* what = removed ? "removed" : "replaced";
  if (mode_ != Mode::ReadWrite) {
    replacement_noted_ = true;
    std::fprintf(stderr,
                 "tiervm: warning: disk image '%s' was %s while running; the guest keeps "
                 "reading the image it started with\n",
                 path_.c_str(), what);
    return 0;
  }
  // Writes would go to a file that is no longer the image the user sees (and is lost at
  // exit when no name leads to it).
  stale_ = true;
  std::fprintf(stderr,
               "tiervm: warning: disk image '%s' was %s while running; its requests fail from "
               "now on\n",
               path_.c_str(), what);
  return ESTALE;
}

bool BlockFile::in_range(uint64_t offset, uint64_t len) const {
  uint64_t limit = sectors() * kSectorSize;
  return offset % kSectorSize == 0 && len % kSectorSize == 0 && offset <= limit &&
         len <= limit - offset;
}

int BlockFile::pread_all(uint64_t offset, std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n =
        ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return host_fault(Op::Read, errno);
    if (n == 0) {  // the file ended early: truncated since the request's check?
      const int err = check_image(Op::Read, Check::All);
      return err != 0 ? err : host_fault(Op::Read, EIO);
    }
    done += static_cast<size_t>(n);
  }
  return 0;
}

int BlockFile::read(uint64_t offset, std::span<uint8_t> out) {
  if (!in_range(offset, out.size())) return EINVAL;
  if (int err = check_image(Op::Read, Check::Sometimes); err != 0) return err;
  if (overlay_.empty()) return pread_all(offset, out);
  for (uint64_t pos = 0; pos < out.size(); pos += kSectorSize) {
    auto sector = out.subspan(pos, kSectorSize);
    auto it = overlay_.find((offset + pos) / kSectorSize);
    if (it != overlay_.end()) {
      std::memcpy(sector.data(), it->second.data(), kSectorSize);
    } else if (int err = pread_all(offset + pos, sector); err != 0) {
      return err;
    }
  }
  return 0;
}

int BlockFile::write(uint64_t offset, std::span<const uint8_t> in) {
  if (mode_ == Mode::ReadOnly) return EROFS;
  if (!in_range(offset, in.size())) return EINVAL;
  const Check how = mode_ == Mode::ReadWrite ? Check::File : Check::Sometimes;
  if (int err = check_image(Op::Write, how); err != 0) return err;
  if (mode_ == Mode::Snapshot) {
    try {
      for (uint64_t pos = 0; pos < in.size(); pos += kSectorSize) {
        std::memcpy(overlay_[(offset + pos) / kSectorSize].data(), in.data() + pos, kSectorSize);
      }
    } catch (const std::bad_alloc&) {
      // The overlay is unchanged by the sector that did not fit (an insertion that throws
      // has no effect); the sectors before it were written, as a failed write may leave.
      if (first_report(Op::Write, ENOMEM)) {
        std::fprintf(stderr,
                     "tiervm: warning: disk image '%s': snapshot overlay: out of host memory; "
                     "the guest sees I/O errors\n",
                     path_.c_str());
      }
      return ENOMEM;
    }
    return 0;
  }
  return pwrite_all(offset, in);
}

int BlockFile::pwrite_all(uint64_t offset, std::span<const uint8_t> in) {
  // A short write (the disk filled up, a file size limit) is followed by one that
  // reports why the rest cannot be written.
  size_t done = 0;
  while (done < in.size()) {
    ssize_t n =
        ::pwrite(fd_, in.data() + done, in.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return host_fault(Op::Write, errno);
    if (n == 0) return host_fault(Op::Write, EIO);
    done += static_cast<size_t>(n);
  }
  return 0;
}

std::string BlockFile::identity() {
  const char* mode = mode_ == Mode::ReadWrite ? "rw" : mode_ == Mode::ReadOnly ? "ro" : "snapshot";
  std::vector<uint8_t> buffer(1 << 20);
  uint32_t crc = 0;
  std::string checksum;
  for (uint64_t pos = 0; pos < size_;) {
    const ssize_t n = ::pread(fd_, buffer.data(), std::min<uint64_t>(buffer.size(), size_ - pos),
                              static_cast<off_t>(pos));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Unreadable: an identity no snapshot has, so that none is loaded on it.
      checksum = std::string("unreadable (") + (n < 0 ? std::strerror(errno) : "EOF") + ")";
      break;
    }
    crc = crc32c({buffer.data(), static_cast<size_t>(n)}, crc);
    pos += static_cast<uint64_t>(n);
  }
  if (checksum.empty()) {
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", crc);
    checksum = hex;
  }
  return std::string("mode=") + mode + " bytes=" + std::to_string(size_) + " crc32c=" + checksum;
}

void BlockFile::save_state(StateWriter& w) const {
  std::vector<uint64_t> sectors;
  sectors.reserve(overlay_.size());
  for (const auto& entry : overlay_) sectors.push_back(entry.first);
  std::sort(sectors.begin(), sectors.end());  // the same state, the same bytes
  w.u64(sectors.size());
  for (uint64_t s : sectors) {
    w.u64(s);
    w.bytes(overlay_.at(s));
  }
}

bool BlockFile::load_state(StateReader& r, std::string& error) {
  const uint64_t count = r.u64();
  if (count != 0 && mode_ != Mode::Snapshot) {
    error =
        "disk image '" + path_ + "': the snapshot has an overlay but the drive is not snapshot=on";
    return false;
  }
  if (count > sectors() || r.remaining() < count * (8 + kSectorSize)) r.fail();
  std::unordered_map<uint64_t, std::array<uint8_t, kSectorSize>> overlay;
  for (uint64_t i = 0; i < count && r.ok(); ++i) {
    const uint64_t sector = r.u64();
    const auto bytes = r.bytes(kSectorSize);
    if (!r.ok() || sector >= sectors()) {
      r.fail();
      break;
    }
    std::copy(bytes.begin(), bytes.end(), overlay[sector].begin());
  }
  if (!r.ok()) return false;
  overlay_ = std::move(overlay);
  return true;
}

int BlockFile::flush() {
  if (int err = check_image(Op::Flush, Check::All); err != 0) return err;
  if (mode_ != Mode::ReadWrite) return 0;
  return ::fsync(fd_) == 0 ? 0 : host_fault(Op::Flush, errno);
}

}  // namespace tiervm
