#include "devices/goldfish_rtc.h"

#include <time.h>

#include <utility>

namespace tiervm {

namespace {

uint64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t deposit32(uint64_t old, unsigned half, uint64_t value) {
  unsigned shift = half * 32;
  uint64_t mask = uint64_t{0xffffffff} << shift;
  return (old & ~mask) | ((value & 0xffffffff) << shift);
}

}  // namespace

GoldfishRtc::GoldfishRtc(IrqLine& irq, std::function<uint64_t()> now_ns)
    : irq_(irq), now_ns_(now_ns ? std::move(now_ns) : realtime_ns) {}

uint64_t GoldfishRtc::time_ns() {
  return now_ns_() + offset_;
}

void GoldfishRtc::poll() {
  if (alarm_running_ && time_ns() >= alarm_next_) raise_alarm();
}

uint64_t GoldfishRtc::ns_until_alarm() {
  if (!alarm_running_) return ~uint64_t{0};
  uint64_t now = time_ns();
  return now >= alarm_next_ ? 0 : alarm_next_ - now;
}

void GoldfishRtc::set_alarm() {
  if (alarm_next_ <= time_ns()) {
    alarm_running_ = false;
    raise_alarm();
  } else {
    alarm_running_ = true;
  }
}

void GoldfishRtc::raise_alarm() {
  alarm_running_ = false;
  irq_pending_ = true;
  update_irq();
}

void GoldfishRtc::reset() {
  alarm_running_ = false;
  alarm_next_ = 0;
  irq_pending_ = false;
  irq_enabled_ = false;
  update_irq();
}

void GoldfishRtc::update_irq() {
  bool level = irq_pending_ && irq_enabled_;
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set_level(level);
  }
}

void GoldfishRtc::save(StateWriter& w) const {
  w.u64(offset_);
  w.u64(alarm_next_);
  w.u32(time_high_);
  for (bool flag : {alarm_running_, irq_pending_, irq_enabled_}) w.boolean(flag);
}

bool GoldfishRtc::load(StateReader& r) {
  const uint64_t offset = r.u64();
  const uint64_t alarm_next = r.u64();
  const uint32_t time_high = r.u32();
  const bool alarm_running = r.boolean();
  const bool irq_pending = r.boolean();
  const bool irq_enabled = r.boolean();
  if (!r.ok()) return false;
  offset_ = offset;
  alarm_next_ = alarm_next;
  time_high_ = time_high;
  alarm_running_ = alarm_running;
  irq_pending_ = irq_pending;
  irq_enabled_ = irq_enabled;
  irq_level_ = irq_pending_ && irq_enabled_;
  irq_.set_level(irq_level_);
  return true;
}

bool GoldfishRtc::read(uint64_t offset, unsigned size, uint64_t& value) {
  if (size != 4 || offset % 4 != 0) return false;
  switch (offset) {
    case kTimeLow: {
      // TIME_HIGH returns the upper half of the value latched here, so a LOW-then-HIGH
      // read pair is consistent.
      uint64_t now = time_ns();
      time_high_ = static_cast<uint32_t>(now >> 32);
      value = now & 0xffffffff;
      break;
    }
    case kTimeHigh:
      value = time_high_;
      break;
    case kAlarmLow:
      value = alarm_next_ & 0xffffffff;
      break;
    case kAlarmHigh:
      value = alarm_next_ >> 32;
      break;
    case kIrqEnabled:
      value = irq_enabled_ ? 1 : 0;
      break;
    case kAlarmStatus:
      value = alarm_running_ ? 1 : 0;
      break;
    default:
      value = 0;
      break;
  }
  return true;
}

bool GoldfishRtc::write(uint64_t offset, unsigned size, uint64_t value) {
  if (size != 4 || offset % 4 != 0) return false;
  switch (offset) {
    case kTimeLow:
      offset_ = deposit32(time_ns(), 0, value) - now_ns_();
      break;
    case kTimeHigh:
      offset_ = deposit32(time_ns(), 1, value) - now_ns_();
      break;
    case kAlarmLow:
      alarm_next_ = deposit32(alarm_next_, 0, value);
      set_alarm();
      break;
    case kAlarmHigh:
      alarm_next_ = deposit32(alarm_next_, 1, value);
      break;
    case kIrqEnabled:
      irq_enabled_ = (value & 1) != 0;
      update_irq();
      break;
    case kClearAlarm:
      alarm_running_ = false;
      break;
    case kClearInterrupt:
      irq_pending_ = false;
      update_irq();
      break;
    default:
      break;
  }
  return true;
}

}  // namespace tiervm
