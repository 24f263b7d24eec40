#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "devices/block_backend.h"
#include "devices/block_file.h"
#include "devices/virtio_device.h"

namespace tiervm {

// virtio block device (virtio 1.1 section 5.2) on a disk image file or another backend.
// It offers
// VIRTIO_BLK_F_SEG_MAX, F_BLK_SIZE and F_FLUSH (plus F_RO for a read-only image) and
// handles IN, OUT, FLUSH and GET_ID; other request types complete with UNSUPP. A request
// the backend fails completes with IOERR; once a flush failed, every flush does.
class VirtioBlk final : public VirtioDevice {
 public:
  static constexpr uint32_t kDeviceId = 2;
  static constexpr uint64_t kFeatureSegMax = uint64_t{1} << 2;
  static constexpr uint64_t kFeatureRo = uint64_t{1} << 5;
  static constexpr uint64_t kFeatureBlkSize = uint64_t{1} << 6;
  static constexpr uint64_t kFeatureFlush = uint64_t{1} << 9;
  // Request types and status values, section 5.2.6.
  static constexpr uint32_t kTypeIn = 0, kTypeOut = 1, kTypeFlush = 4, kTypeGetId = 8;
  static constexpr uint8_t kStatusOk = 0, kStatusIoErr = 1, kStatusUnsupp = 2;
  static constexpr size_t kIdBytes = 20;  // VIRTIO_BLK_ID_BYTES

  // Opens the image (see BlockFile for the modes and errors).
  VirtioBlk(const std::string& path, BlockFile::Mode mode, std::string serial = "tiervm");
  explicit VirtioBlk(std::unique_ptr<BlockBackend> backend, std::string serial = "tiervm");

  uint32_t device_id() const override { return kDeviceId; }
  uint64_t device_features() const override;
  unsigned num_queues() const override { return 1; }
  uint64_t read_config(uint64_t offset, unsigned size) override;
  bool process_queue(unsigned index, Virtqueue& queue, Bus& bus) override;
  const char* kind() const override { return "blk"; }

  BlockBackend& backend() { return *backend_; }

  void save_state(StateWriter& w) const override;
  bool load_state(StateReader& r, std::string& error) override;

 private:
  // Returns the status byte's value, with the bytes written before it in `data_written`;
  // false when the chain is malformed (too short for a header and a status byte).
  bool handle(Bus& bus, const VirtqChain& chain, uint8_t& status, uint64_t& data_written);
  uint8_t transfer(Bus& bus, const VirtqChain& chain, bool to_guest, uint64_t sector, uint64_t len);

  std::unique_ptr<BlockBackend> backend_;
  std::string serial_;
  std::array<uint8_t, 64> config_{};
  std::vector<uint8_t> bounce_;
  bool flush_failed_ = false;  // for the device's lifetime, across resets
};

}  // namespace tiervm
