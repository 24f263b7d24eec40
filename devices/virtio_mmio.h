#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "devices/irq_line.h"
#include "devices/virtio_device.h"
#include "devices/virtqueue.h"
#include "mem/bus.h"
#include "mem/mmio_device.h"

namespace tiervm {

// virtio-mmio transport, version 2 (non-legacy), virtio 1.1 section 4.2.2. A slot without
// a device still answers with its magic, version and DeviceID 0, as QEMU's empty slots
// do, so that Linux's probe skips it. Queue notifications are handled synchronously,
// inside the guest's write to QueueNotify.
class VirtioMmio final : public MmioDevice {
 public:
  static constexpr uint64_t kSize = 0x1000;
  static constexpr uint32_t kMagic = 0x74726976;   // "virt"
  static constexpr uint32_t kVendor = 0x554d4551;  // "QEMU", as QEMU reports
  static constexpr unsigned kMaxQueues = 8;

  // Register offsets, section 4.2.2.
  enum : uint64_t {
    kMagicValue = 0x000,
    kVersion = 0x004,
    kDeviceId = 0x008,
    kVendorId = 0x00c,
    kDeviceFeatures = 0x010,
    kDeviceFeaturesSel = 0x014,
    kDriverFeatures = 0x020,
    kDriverFeaturesSel = 0x024,
    kQueueSel = 0x030,
    kQueueNumMax = 0x034,
    kQueueNum = 0x038,
    kQueueReady = 0x044,
    kQueueNotify = 0x050,
    kInterruptStatus = 0x060,
    kInterruptAck = 0x064,
    kStatus = 0x070,
    kQueueDescLow = 0x080,
    kQueueDescHigh = 0x084,
    kQueueDriverLow = 0x090,
    kQueueDriverHigh = 0x094,
    kQueueDeviceLow = 0x0a0,
    kQueueDeviceHigh = 0x0a4,
    kShmSel = 0x0ac,
    kShmLenLow = 0x0b0,
    kShmLenHigh = 0x0b4,
    kShmBaseLow = 0x0b8,
    kShmBaseHigh = 0x0bc,
    kConfigGeneration = 0x0fc,
    kConfig = 0x100,
  };
  // Device status bits, section 2.1.
  static constexpr uint32_t kStatusAcknowledge = 1, kStatusDriver = 2, kStatusDriverOk = 4,
                            kStatusFeaturesOk = 8, kStatusNeedsReset = 64, kStatusFailed = 128;
  // InterruptStatus bits, section 4.2.2.
  static constexpr uint32_t kIntUsedBuffer = 1, kIntConfigChange = 2;
  static constexpr uint64_t kFeatureVersion1 = uint64_t{1} << 32;

  // `device` may be null (an empty slot). The transport does not own it.
  VirtioMmio(Bus& bus, IrqLine& irq, VirtioDevice* device);

  std::string_view name() const override { return "virtio_mmio"; }
  // Registers are 32-bit; the configuration space also takes 8- and 16-bit accesses.
  unsigned access_sizes() const override { return 1 | 2 | 4; }
  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;

  // System reset: as if the driver wrote 0 to Status.
  void reset();
  // Hart thread, periodically: lets a device with waiting host input (wants_poll) place
  // it, as a queue notification would.
  void poll();
  bool wants_poll() const;

  // For the dashboard (written on the hart's thread, read anywhere): the driver's queue
  // notifications and the used-buffer interrupts raised.
  std::atomic<uint64_t> notifications{0};
  std::atomic<uint64_t> interrupts{0};

  uint32_t status() const { return status_; }
  uint32_t interrupt_status() const { return interrupt_status_; }
  uint64_t driver_features() const { return driver_features_; }
  VirtioDevice* device() const { return device_; }

  // Snapshots: the transport's registers, every queue and the device's own state
  // (VirtioDevice::save_state). A load drives the interrupt line; false (with a reason in
  // `error` when the device gives one) when corrupt.
  void save(StateWriter& w) const;
  bool load(StateReader& r, std::string& error);

 private:
  uint32_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint32_t value);
  uint64_t offered_features() const;
  void set_status(uint32_t value);
  void notify(uint32_t index);
  void fail();
  void update_irq();
  Virtqueue* selected();

  Bus& bus_;
  IrqLine& irq_;
  VirtioDevice* device_;
  std::array<Virtqueue, kMaxQueues> queues_;
  uint32_t status_ = 0;
  uint32_t interrupt_status_ = 0;
  uint32_t device_features_sel_ = 0;
  uint32_t driver_features_sel_ = 0;
  uint64_t driver_features_ = 0;
  uint32_t queue_sel_ = 0;
  bool irq_level_ = false;
};

}  // namespace tiervm
