#pragma once

// A guest's side of a virtio block device for the tests: the device behind virtio-mmio on
// a bus with 1 MiB of RAM, driven through its registers and a split virtqueue in RAM as a
// driver would (virtio 1.1 sections 2.6, 3.1, 4.2 and 5.2).

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"
#include "mem/bus.h"
#include "test_lines.h"

namespace tiervm::testing {

inline constexpr uint64_t kRam = 0x8000'0000;
inline constexpr uint64_t kRamSize = 1 << 20;
inline constexpr uint64_t kMmio = 0x1000'1000;

// virtio 1.1 values, written out from the spec.
inline constexpr uint32_t kMagic = 0x74726976;
inline constexpr uint64_t kVersion1 = uint64_t{1} << 32;
inline constexpr uint64_t kBlkFlush = uint64_t{1} << 9, kBlkRo = uint64_t{1} << 5,
                          kBlkBlkSize = uint64_t{1} << 6;
inline constexpr uint32_t ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 64;
inline constexpr uint16_t NEXT = 1, WRITE = 2, INDIRECT = 4;
inline constexpr uint32_t T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11;
inline constexpr uint8_t S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;

inline constexpr uint64_t kDesc = kRam + 0x1000, kAvail = kRam + 0x2000, kUsed = kRam + 0x3000;
inline constexpr uint64_t kHeader = kRam + 0x4000, kStatus = kRam + 0x4100, kData = kRam + 0x10000;
inline constexpr uint32_t kQueueSize = 8;
inline constexpr unsigned kSectors = 64;

inline std::vector<uint8_t> pattern() {
  std::vector<uint8_t> bytes(kSectors * 512);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + i / 512);
  return bytes;
}

// Sectors [first, first + count) of the image's initial contents.
inline std::vector<uint8_t> sectors(unsigned first, unsigned count) {
  std::vector<uint8_t> all = pattern();
  return {all.begin() + first * 512, all.begin() + (first + count) * 512};
}

// An in-memory disk whose requests fail on demand, as a host's disk can: reads, writes or
// flushes return `error` (an errno value) from byte `fail_from` on. A failing write first
// stores the bytes before `fail_from`, like a short write that ran into a full disk.
class FaultyDisk final : public BlockBackend {
 public:
  enum class Op : uint8_t { None, Read, Write, Flush };

  explicit FaultyDisk(std::vector<uint8_t> image) : bytes(std::move(image)) {}
  uint64_t sectors() const override { return bytes.size() / kSectorSize; }
  bool read_only() const override { return false; }
  int read(uint64_t offset, std::span<uint8_t> out) override {
    if (failing == Op::Read && offset + out.size() > fail_from) return error;
    std::memcpy(out.data(), bytes.data() + offset, out.size());
    return 0;
  }
  int write(uint64_t offset, std::span<const uint8_t> in) override {
    if (failing == Op::Write && offset + in.size() > fail_from) {
      if (offset < fail_from) std::memcpy(bytes.data() + offset, in.data(), fail_from - offset);
      return error;
    }
    std::memcpy(bytes.data() + offset, in.data(), in.size());
    return 0;
  }
  int flush() override {
    ++flushes;
    return failing == Op::Flush ? error : 0;
  }

  std::vector<uint8_t> bytes;
  Op failing = Op::None;
  int error = 0;
  uint64_t fail_from = 0;
  unsigned flushes = 0;
};

// A minimal virtio-mmio driver speaking to the device through the bus, as a guest would.
class VirtioBlkDriver : public ::testing::Test {
 public:
  void SetUp() override { bus.map_ram(kRam, kRamSize); }

  void attach(BlockFile::Mode mode) { attach(std::make_unique<VirtioBlk>(file.path(), mode)); }
  FaultyDisk& attach_faulty() {
    auto owned = std::make_unique<FaultyDisk>(pattern());
    FaultyDisk& disk = *owned;
    attach(std::make_unique<VirtioBlk>(std::move(owned)));
    return disk;
  }
  void attach(std::unique_ptr<VirtioBlk> device) {
    blk = std::move(device);
    mmio = std::make_unique<VirtioMmio>(bus, irq, blk.get());
    bus.map_device(kMmio, 0x1000, *mmio);
  }

  uint32_t reg(uint64_t offset) {
    uint64_t v = 0;
    EXPECT_TRUE(bus.read(kMmio + offset, 4, v));
    return static_cast<uint32_t>(v);
  }
  void set(uint64_t offset, uint32_t v) { EXPECT_TRUE(bus.write(kMmio + offset, 4, v)); }
  template <typename T>
  T peek(uint64_t addr) {
    T v{};
    EXPECT_TRUE(bus.dma_read(addr, std::span(reinterpret_cast<uint8_t*>(&v), sizeof v)));
    return v;
  }
  template <typename T>
  void poke(uint64_t addr, T v) {
    EXPECT_TRUE(bus.dma_write(addr, std::span(reinterpret_cast<const uint8_t*>(&v), sizeof v)));
  }

  // Section 3.1.1 driver initialization; returns the status after FEATURES_OK.
  uint32_t init(uint64_t features = kVersion1 | kBlkFlush, bool driver_ok = true) {
    set(0x070, 0);
    set(0x070, ACK);
    set(0x070, ACK | DRIVER);
    set(0x024, 0);
    set(0x020, static_cast<uint32_t>(features));
    set(0x024, 1);
    set(0x020, static_cast<uint32_t>(features >> 32));
    set(0x070, ACK | DRIVER | FEATURES_OK);
    uint32_t status = reg(0x070);
    set(0x030, 0);
    set(0x038, kQueueSize);
    set(0x080, static_cast<uint32_t>(kDesc));
    set(0x084, static_cast<uint32_t>(kDesc >> 32));
    set(0x090, static_cast<uint32_t>(kAvail));
    set(0x094, 0);
    set(0x0a0, static_cast<uint32_t>(kUsed));
    set(0x0a4, 0);
    set(0x044, 1);
    if (driver_ok) set(0x070, status | DRIVER_OK);
    return status;
  }

  void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next = 0) {
    uint64_t d = kDesc + 16 * i;
    poke<uint64_t>(d, addr);
    poke<uint32_t>(d + 8, len);
    poke<uint16_t>(d + 12, flags);
    poke<uint16_t>(d + 14, next);
  }
  void offer(uint16_t head, bool notify = true) {
    poke<uint16_t>(kAvail + 4 + 2 * (avail_idx % kQueueSize), head);
    ++avail_idx;
    poke<uint16_t>(kAvail + 2, avail_idx);
    if (notify) set(0x050, 0);
  }
  void header(uint32_t type, uint64_t sector) {
    poke<uint32_t>(kHeader, type);
    poke<uint32_t>(kHeader + 4, 0);
    poke<uint64_t>(kHeader + 8, sector);
  }
  // header / data / status in three descriptors; returns the status byte.
  uint8_t request(uint32_t type, uint64_t sector, uint32_t data_len, bool device_writes) {
    header(type, sector);
    poke<uint8_t>(kStatus, 0xee);
    desc(0, kHeader, 16, NEXT, 1);
    desc(1, kData, data_len, static_cast<uint16_t>(NEXT | (device_writes ? WRITE : 0)), 2);
    desc(2, kStatus, 1, WRITE);
    offer(0);
    return peek<uint8_t>(kStatus);
  }
  uint8_t request_no_data(uint32_t type) {
    header(type, 0);
    poke<uint8_t>(kStatus, 0xee);
    desc(0, kHeader, 16, NEXT, 1);
    desc(1, kStatus, 1, WRITE);
    offer(0);
    return peek<uint8_t>(kStatus);
  }
  uint16_t used_idx() { return peek<uint16_t>(kUsed + 2); }
  uint32_t used_len(unsigned i) { return peek<uint32_t>(kUsed + 4 + 8 * i + 4); }
  uint32_t used_id(unsigned i) { return peek<uint32_t>(kUsed + 4 + 8 * i); }
  std::vector<uint8_t> ram(uint64_t addr, size_t len) {
    std::vector<uint8_t> v(len);
    EXPECT_TRUE(bus.dma_read(addr, v));
    return v;
  }

  TempFile file{pattern()};
  Bus bus;
  RecordingLine irq;
  std::unique_ptr<VirtioBlk> blk;
  std::unique_ptr<VirtioMmio> mmio;
  uint16_t avail_idx = 0;
};

}  // namespace tiervm::testing
