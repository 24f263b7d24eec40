#include "devices/block_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

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

int BlockFile::host_fault(Op op, int err) {
  if (std::find(reported_.begin(), reported_.end(), std::pair(op, err)) != reported_.end()) {
    return err;
  }
  reported_.emplace_back(op, err);
  const char* what = op == Op::Read ? "read" : op == Op::Write ? "write" : "flush";
  std::fprintf(stderr,
               "tiervm: warning: disk image '%s': %s failed: %s; the guest sees I/O errors\n",
               path_.c_str(), what, std::strerror(err));
  return err;
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
    if (n == 0) return host_fault(Op::Read, EIO);  // the file ended early
    done += static_cast<size_t>(n);
  }
  return 0;
}

int BlockFile::read(uint64_t offset, std::span<uint8_t> out) {
  if (!in_range(offset, out.size())) return EINVAL;
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
  if (mode_ == Mode::Snapshot) {
    for (uint64_t pos = 0; pos < in.size(); pos += kSectorSize) {
      std::memcpy(overlay_[(offset + pos) / kSectorSize].data(), in.data() + pos, kSectorSize);
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

int BlockFile::flush() {
  if (mode_ != Mode::ReadWrite) return 0;
  return ::fsync(fd_) == 0 ? 0 : host_fault(Op::Flush, errno);
}

}  // namespace tiervm
