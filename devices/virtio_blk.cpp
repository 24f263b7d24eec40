#include "devices/virtio_blk.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace tiervm {

namespace {

// Struct virtio_blk_config offsets, section 5.2.4.
constexpr size_t kConfigCapacity = 0;
constexpr size_t kConfigSegMax = 12;
constexpr size_t kConfigBlkSize = 20;

// Requests move through a bounded buffer so a huge (but valid) request costs no more
// host memory than this.
constexpr size_t kBounceSize = 64 * 1024;

void put_le(std::array<uint8_t, 64>& bytes, size_t offset, uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

}  // namespace

VirtioBlk::VirtioBlk(const std::string& path, BlockFile::Mode mode, std::string serial)
    : VirtioBlk(std::make_unique<BlockFile>(path, mode), std::move(serial)) {}

VirtioBlk::VirtioBlk(std::unique_ptr<BlockBackend> backend, std::string serial)
    : backend_(std::move(backend)), serial_(std::move(serial)), bounce_(kBounceSize) {
  put_le(config_, kConfigCapacity, backend_->sectors(), 8);
  // A request needs one descriptor for its header and one for its status besides the data.
  put_le(config_, kConfigSegMax, Virtqueue::kMaxSize - 2, 4);
  put_le(config_, kConfigBlkSize, BlockBackend::kSectorSize, 4);
}

uint64_t VirtioBlk::device_features() const {
  uint64_t features = kFeatureSegMax | kFeatureBlkSize | kFeatureFlush;
  if (backend_->read_only()) features |= kFeatureRo;
  return features;
}

uint64_t VirtioBlk::read_config(uint64_t offset, unsigned size) {
  uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) {
    if (offset + i < config_.size()) value |= uint64_t{config_[offset + i]} << (8 * i);
  }
  return value;
}

bool VirtioBlk::process_queue(unsigned /*index*/, Virtqueue& queue, Bus& bus) {
  return queue.serve_all(bus, [&](const VirtqChain& chain) -> std::optional<uint32_t> {
    uint8_t status = kStatusIoErr;
    uint64_t data_written = 0;
    if (!handle(bus, chain, status, data_written)) return std::nullopt;
    // The status byte is the last device-writable byte (section 5.2.6).
    if (!chain.write(bus, chain.writable_len - 1, std::span(&status, 1))) return std::nullopt;
    return static_cast<uint32_t>(data_written + 1);
  });
}

bool VirtioBlk::handle(Bus& bus, const VirtqChain& chain, uint8_t& status, uint64_t& data_written) {
  struct {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
  } header{};
  static_assert(sizeof(header) == 16);
  if (chain.writable_len < 1 ||
      !chain.read(bus, 0, std::span(reinterpret_cast<uint8_t*>(&header), sizeof header))) {
    return false;
  }
  uint64_t in_len = chain.writable_len - 1;  // device-writable bytes before the status
  switch (header.type) {
    case kTypeIn:
      status = transfer(bus, chain, true, header.sector, in_len);
      if (status == kStatusOk) data_written = in_len;
      return true;
    case kTypeOut:
      status = transfer(bus, chain, false, header.sector, chain.readable_len - sizeof header);
      return true;
    case kTypeFlush:
      // After a failed flush the host may have dropped the data it could not write (Linux
      // reports a writeback error to one fsync, then forgets it): a later flush that
      // succeeded would claim durable what was lost, so every later flush fails too.
      if (!flush_failed_) flush_failed_ = backend_->flush() != 0;
      status = flush_failed_ ? kStatusIoErr : kStatusOk;
      return true;
    case kTypeGetId: {
      // The serial, zero-padded to 20 bytes (not terminated when exactly 20 long).
      std::array<uint8_t, kIdBytes> id{};
      std::memcpy(id.data(), serial_.data(), std::min(serial_.size(), kIdBytes));
      size_t n = static_cast<size_t>(std::min<uint64_t>(in_len, kIdBytes));
      if (!chain.write(bus, 0, std::span(id.data(), n))) return false;
      status = kStatusOk;
      data_written = n;
      return true;
    }
    default:
      status = kStatusUnsupp;
      return true;
  }
}

uint8_t VirtioBlk::transfer(Bus& bus, const VirtqChain& chain, bool to_guest, uint64_t sector,
                            uint64_t len) {
  constexpr uint64_t kSector = BlockBackend::kSectorSize;
  // Data is a whole number of sectors inside the disk (section 5.2.6.1).
  if (len % kSector != 0 || sector > backend_->sectors() ||
      len / kSector > backend_->sectors() - sector) {
    return kStatusIoErr;
  }
  if (!to_guest && backend_->read_only()) return kStatusIoErr;
  uint64_t disk = sector * kSector;
  for (uint64_t done = 0; done < len;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(len - done, bounce_.size()));
    std::span<uint8_t> buf(bounce_.data(), n);
    if (to_guest) {
      if (backend_->read(disk + done, buf) != 0 || !chain.write(bus, done, buf)) {
        return kStatusIoErr;
      }
    } else {
      // OUT data follows the 16-byte header in the driver-readable stream.
      if (!chain.read(bus, 16 + done, buf) || backend_->write(disk + done, buf) != 0) {
        return kStatusIoErr;
      }
    }
    done += n;
  }
  (to_guest ? stats.bytes_to_guest : stats.bytes_from_guest)
      .fetch_add(len, std::memory_order_relaxed);
  return kStatusOk;
}

void VirtioBlk::save_state(StateWriter& w) const {
  w.boolean(flush_failed_);
  backend_->save_state(w);
}

bool VirtioBlk::load_state(StateReader& r, std::string& error) {
  const bool flush_failed = r.boolean();
  if (!r.ok() || !backend_->load_state(r, error)) return false;
  flush_failed_ = flush_failed;
  return true;
}

}  // namespace tiervm
