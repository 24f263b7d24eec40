#include "devices/virtio_mmio.h"

#include <algorithm>

namespace tiervm {

namespace {

uint64_t deposit32(uint64_t old, unsigned half, uint32_t value) {
  unsigned shift = half * 32;
  uint64_t mask = uint64_t{0xffffffff} << shift;
  return (old & ~mask) | (uint64_t{value} << shift);
}

}  // namespace

VirtioMmio::VirtioMmio(Bus& bus, IrqLine& irq, VirtioDevice* device)
    : bus_(bus), irq_(irq), device_(device) {}

uint64_t VirtioMmio::offered_features() const {
  return device_ == nullptr ? 0 : device_->device_features() | kFeatureVersion1;
}

Virtqueue* VirtioMmio::selected() {
  if (device_ == nullptr) return nullptr;
  unsigned count = std::min<unsigned>(device_->num_queues(), kMaxQueues);
  return queue_sel_ < count ? &queues_[queue_sel_] : nullptr;
}

bool VirtioMmio::read(uint64_t offset, unsigned size, uint64_t& value) {
  if (offset % size != 0) return false;
  if (offset >= kConfig) {
    value = device_ == nullptr ? 0 : device_->read_config(offset - kConfig, size);
    return true;
  }
  // Registers take 32-bit accesses only (section 4.2.2.2); others read as zero, as QEMU.
  value = size == 4 ? read_register(offset) : 0;
  return true;
}

bool VirtioMmio::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset % size != 0) return false;
  if (offset >= kConfig) {
    if (device_ != nullptr) device_->write_config(offset - kConfig, size, value);
    return true;
  }
  if (size == 4) write_register(offset, static_cast<uint32_t>(value));
  return true;
}

uint32_t VirtioMmio::read_register(uint64_t offset) {
  switch (offset) {
    case kMagicValue:
      return kMagic;
    case kVersion:
      return 2;
    case kDeviceId:
      return device_ == nullptr ? 0 : device_->device_id();
    case kVendorId:
      return kVendor;
    default:
      break;
  }
  if (device_ == nullptr) return 0;
  Virtqueue* q = selected();
  switch (offset) {
    case kDeviceFeatures:
      if (device_features_sel_ > 1) return 0;
      return static_cast<uint32_t>(offered_features() >> (32 * device_features_sel_));
    case kQueueNumMax:
      return q != nullptr ? Virtqueue::kMaxSize : 0;
    case kQueueNum:
      return q != nullptr ? q->num : 0;
    case kQueueReady:
      return q != nullptr && q->ready ? 1 : 0;
    case kInterruptStatus:
      return interrupt_status_;
    case kStatus:
      return status_;
    case kQueueDescLow:
    case kQueueDescHigh:
      return q != nullptr ? static_cast<uint32_t>(q->desc_addr >> (offset & 4 ? 32 : 0)) : 0;
    case kQueueDriverLow:
    case kQueueDriverHigh:
      return q != nullptr ? static_cast<uint32_t>(q->driver_addr >> (offset & 4 ? 32 : 0)) : 0;
    case kQueueDeviceLow:
    case kQueueDeviceHigh:
      return q != nullptr ? static_cast<uint32_t>(q->device_addr >> (offset & 4 ? 32 : 0)) : 0;
    case kShmLenLow:
    case kShmLenHigh:
    case kShmBaseLow:
    case kShmBaseHigh:
      // No shared memory regions: a non-existent region reads as length -1 (4.2.2).
      return 0xffffffff;
    case kConfigGeneration:
      // The configuration space never changes after the device is created.
      return 0;
    default:
      return 0;
  }
}

void VirtioMmio::write_register(uint64_t offset, uint32_t value) {
  if (device_ == nullptr) return;
  Virtqueue* q = selected();
  switch (offset) {
    case kDeviceFeaturesSel:
      device_features_sel_ = value;
      break;
    case kDriverFeatures:
      // Only the first two words exist; a driver cannot accept what was not offered.
      if (driver_features_sel_ <= 1) {
        driver_features_ =
            deposit32(driver_features_, driver_features_sel_, value) & offered_features();
      }
      break;
    case kDriverFeaturesSel:
      driver_features_sel_ = value;
      break;
    case kQueueSel:
      queue_sel_ = value;
      break;
    case kQueueNum:
      if (q != nullptr) q->num = value;
      break;
    case kQueueReady:
      if (q != nullptr) q->ready = (value & 1) != 0;
      break;
    case kQueueNotify:
      notifications.fetch_add(1, std::memory_order_relaxed);
      notify(value);
      break;
    case kInterruptAck:
      interrupt_status_ &= ~value;
      update_irq();
      break;
    case kStatus:
      set_status(value);
      break;
    case kQueueDescLow:
    case kQueueDescHigh:
      if (q != nullptr) q->desc_addr = deposit32(q->desc_addr, (offset & 4) ? 1 : 0, value);
      break;
    case kQueueDriverLow:
    case kQueueDriverHigh:
      if (q != nullptr) q->driver_addr = deposit32(q->driver_addr, (offset & 4) ? 1 : 0, value);
      break;
    case kQueueDeviceLow:
    case kQueueDeviceHigh:
      if (q != nullptr) q->device_addr = deposit32(q->device_addr, (offset & 4) ? 1 : 0, value);
      break;
    default:
      break;
  }
}

void VirtioMmio::save(StateWriter& w) const {
  w.u32(device_ == nullptr ? 0 : device_->device_id());
  w.u32(status_);
  w.u32(interrupt_status_);
  w.u32(device_features_sel_);
  w.u32(driver_features_sel_);
  w.u64(driver_features_);
  w.u32(queue_sel_);
  w.u32(kMaxQueues);
  for (const Virtqueue& q : queues_) q.save_state(w);
  if (device_ != nullptr) device_->save_state(w);
}

bool VirtioMmio::load(StateReader& r, std::string& error) {
  if (r.u32() != (device_ == nullptr ? 0 : device_->device_id())) r.fail();
  const uint32_t status = r.u32();
  const uint32_t interrupt_status = r.u32();
  const uint32_t device_features_sel = r.u32();
  const uint32_t driver_features_sel = r.u32();
  const uint64_t driver_features = r.u64();
  const uint32_t queue_sel = r.u32();
  if (r.u32() != kMaxQueues || (interrupt_status & ~(kIntUsedBuffer | kIntConfigChange)) != 0 ||
      (driver_features & ~offered_features()) != 0) {
    r.fail();
  }
  std::array<Virtqueue, kMaxQueues> queues;
  for (Virtqueue& q : queues) q.load_state(r);
  if (!r.ok()) return false;
  if (device_ != nullptr && !device_->load_state(r, error)) return false;
  status_ = status;
  interrupt_status_ = interrupt_status;
  device_features_sel_ = device_features_sel;
  driver_features_sel_ = driver_features_sel;
  driver_features_ = driver_features;
  queue_sel_ = queue_sel;
  queues_ = queues;
  irq_level_ = interrupt_status_ != 0;
  irq_.set_level(irq_level_);
  return true;
}

void VirtioMmio::reset() {
  for (Virtqueue& q : queues_) q.reset();
  status_ = 0;
  interrupt_status_ = 0;
  device_features_sel_ = driver_features_sel_ = 0;
  driver_features_ = 0;
  queue_sel_ = 0;
  if (device_ != nullptr) device_->reset();
  update_irq();
}

void VirtioMmio::set_status(uint32_t value) {
  if (value == 0) {
    reset();
    return;
  }
  uint32_t old = status_;
  // DEVICE_NEEDS_RESET stays until the driver resets the device (section 2.1.1).
  status_ = (value & 0xff & ~kStatusNeedsReset) | (old & kStatusNeedsReset);
  // This transport speaks only the 1.x interface, so it refuses FEATURES_OK unless the
  // driver accepted VIRTIO_F_VERSION_1 (section 6.1).
  if ((status_ & kStatusFeaturesOk) != 0 && (old & kStatusFeaturesOk) == 0 &&
      (driver_features_ & kFeatureVersion1) == 0) {
    status_ &= ~kStatusFeaturesOk;
  }
  // Buffers made available before DRIVER_OK were not processed; catch up now.
  if ((status_ & kStatusDriverOk) != 0 && (old & kStatusDriverOk) == 0) {
    unsigned count = std::min<unsigned>(device_->num_queues(), kMaxQueues);
    for (unsigned i = 0; i < count; ++i) {
      if (queues_[i].ready) notify(i);
    }
  }
}

void VirtioMmio::notify(uint32_t index) {
  // Devices do not consume buffers before DRIVER_OK (section 3.1.1) nor once broken.
  if ((status_ & kStatusDriverOk) == 0 || (status_ & kStatusNeedsReset) != 0) return;
  unsigned count = std::min<unsigned>(device_->num_queues(), kMaxQueues);
  if (index >= count || !queues_[index].ready) return;
  Virtqueue& q = queues_[index];
  uint16_t before = q.used_idx();
  bool ok = device_->process_queue(index, q, bus_);
  if (q.used_idx() != before && q.interrupt_wanted(bus_)) {
    if ((interrupt_status_ & kIntUsedBuffer) == 0)
      interrupts.fetch_add(1, std::memory_order_relaxed);
    interrupt_status_ |= kIntUsedBuffer;
  }
  if (!ok) fail();
  update_irq();
}

bool VirtioMmio::wants_poll() const {
  return device_ != nullptr && (status_ & kStatusDriverOk) != 0 && device_->wants_poll();
}

void VirtioMmio::poll() {
  if (!wants_poll()) return;
  unsigned count = std::min<unsigned>(device_->num_queues(), kMaxQueues);
  for (unsigned i = 0; i < count; ++i) notify(i);
}

void VirtioMmio::fail() {
  // Section 2.1.2: set DEVICE_NEEDS_RESET and send a configuration change notification.
  status_ |= kStatusNeedsReset;
  if ((status_ & kStatusDriverOk) != 0) interrupt_status_ |= kIntConfigChange;
}

void VirtioMmio::update_irq() {
  bool level = interrupt_status_ != 0;
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set_level(level);
  }
}

}  // namespace tiervm
