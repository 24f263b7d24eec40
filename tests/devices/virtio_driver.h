#pragma once

// A guest's side of any virtio-mmio device for the tests: the transport on a bus with
// 1 MiB of RAM, initialised and driven through its registers, with one split virtqueue
// per queue in RAM, as a driver would (virtio 1.1 sections 2.6, 3.1 and 4.2). Register
// offsets and bits are written out from the spec, not taken from the code under test.

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <vector>

#include "devices/virtio_device.h"
#include "devices/virtio_mmio.h"
#include "mem/bus.h"
#include "test_lines.h"

namespace tiervm::testing {

class VirtioDriver {
 public:
  static constexpr uint64_t kRam = 0x8000'0000, kRamSize = 1 << 20, kMmio = 0x1000'1000;
  static constexpr uint32_t ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 64;
  static constexpr uint16_t NEXT = 1, WRITE = 2;
  static constexpr uint64_t kVersion1 = uint64_t{1} << 32;
  static constexpr uint32_t kQueueSize = 8;
  // Buffers for requests live from here on (below: the rings of up to 8 queues).
  static constexpr uint64_t kBuffers = kRam + 0x20000;

  explicit VirtioDriver(VirtioDevice& device) : mmio(bus, irq, &device) {
    bus.map_ram(kRam, kRamSize);
    bus.map_device(kMmio, 0x1000, mmio);
  }

  uint32_t reg(uint64_t offset) {
    uint64_t v = 0;
    EXPECT_TRUE(bus.read(kMmio + offset, 4, v));
    return static_cast<uint32_t>(v);
  }
  void set(uint64_t offset, uint32_t v) { EXPECT_TRUE(bus.write(kMmio + offset, 4, v)); }
  uint64_t config(uint64_t offset, unsigned size) {
    uint64_t v = 0;
    EXPECT_TRUE(bus.read(kMmio + 0x100 + offset, size, v));
    return v;
  }
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
  std::vector<uint8_t> ram(uint64_t addr, size_t len) {
    std::vector<uint8_t> v(len);
    EXPECT_TRUE(bus.dma_read(addr, v));
    return v;
  }
  void fill(uint64_t addr, std::span<const uint8_t> bytes) {
    EXPECT_TRUE(bus.dma_write(addr, bytes));
  }

  static uint64_t desc_table(unsigned q) { return kRam + 0x1000 + q * 0x3000; }
  static uint64_t avail_ring(unsigned q) { return desc_table(q) + 0x1000; }
  static uint64_t used_ring(unsigned q) { return desc_table(q) + 0x2000; }

  uint64_t device_features() {
    set(0x014, 0);
    uint64_t low = reg(0x010);
    set(0x014, 1);
    return low | (uint64_t{reg(0x010)} << 32);
  }

  // Section 3.1.1 driver initialization with `queues` queues; returns the status after
  // FEATURES_OK.
  uint32_t init(unsigned queues, uint64_t features = kVersion1) {
    set(0x070, 0);
    set(0x070, ACK);
    set(0x070, ACK | DRIVER);
    set(0x024, 0);
    set(0x020, static_cast<uint32_t>(features));
    set(0x024, 1);
    set(0x020, static_cast<uint32_t>(features >> 32));
    set(0x070, ACK | DRIVER | FEATURES_OK);
    const uint32_t status = reg(0x070);
    for (unsigned q = 0; q < queues; ++q) {
      set(0x030, q);
      set(0x038, kQueueSize);
      set(0x080, static_cast<uint32_t>(desc_table(q)));
      set(0x084, 0);
      set(0x090, static_cast<uint32_t>(avail_ring(q)));
      set(0x094, 0);
      set(0x0a0, static_cast<uint32_t>(used_ring(q)));
      set(0x0a4, 0);
      set(0x044, 1);
    }
    avail_idx_.assign(queues, 0);
    set(0x070, status | DRIVER_OK);
    return status;
  }

  void desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
            uint16_t next = 0) {
    const uint64_t d = desc_table(q) + 16 * i;
    poke<uint64_t>(d, addr);
    poke<uint32_t>(d + 8, len);
    poke<uint16_t>(d + 12, flags);
    poke<uint16_t>(d + 14, next);
  }
  // Makes chain `head` available on queue q, and notifies the device unless told not to.
  void offer(unsigned q, uint16_t head, bool notify = true) {
    uint16_t& idx = avail_idx_.at(q);
    poke<uint16_t>(avail_ring(q) + 4 + 2 * (idx % kQueueSize), head);
    ++idx;
    poke<uint16_t>(avail_ring(q) + 2, idx);
    if (notify) set(0x050, q);
  }
  uint16_t used_idx(unsigned q) { return peek<uint16_t>(used_ring(q) + 2); }
  uint32_t used_id(unsigned q, unsigned i) {
    return peek<uint32_t>(used_ring(q) + 4 + 8 * (i % kQueueSize));
  }
  uint32_t used_len(unsigned q, unsigned i) {
    return peek<uint32_t>(used_ring(q) + 4 + 8 * (i % kQueueSize) + 4);
  }
  // InterruptStatus, and acknowledging it (section 4.2.2).
  uint32_t interrupt_status() { return reg(0x060); }
  void ack(uint32_t bits) { set(0x064, bits); }

  Bus bus;
  RecordingLine irq;
  VirtioMmio mmio;

 private:
  std::vector<uint16_t> avail_idx_;
};

}  // namespace tiervm::testing
