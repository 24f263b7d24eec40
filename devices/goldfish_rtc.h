#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "devices/irq_line.h"
#include "devices/state_stream.h"
#include "mem/mmio_device.h"

namespace tiervm {

// Goldfish RTC ("google,goldfish-rtc", QEMU's goldfish_rtc.c; Android emulator's
// GOLDFISH-VIRTUAL-HARDWARE.TXT): a 64-bit nanosecond wall clock with one alarm.
class GoldfishRtc final : public MmioDevice {
 public:
  static constexpr uint64_t kSize = 0x1000;
  static constexpr uint64_t kTimeLow = 0x00;  // reading it latches TIME_HIGH
  static constexpr uint64_t kTimeHigh = 0x04;
  static constexpr uint64_t kAlarmLow = 0x08;  // writing it arms the alarm
  static constexpr uint64_t kAlarmHigh = 0x0c;
  static constexpr uint64_t kIrqEnabled = 0x10;
  static constexpr uint64_t kClearAlarm = 0x14;
  static constexpr uint64_t kAlarmStatus = 0x18;
  static constexpr uint64_t kClearInterrupt = 0x1c;

  // now_ns: nanoseconds since the Unix epoch; empty means the host's CLOCK_REALTIME.
  GoldfishRtc(IrqLine& irq, std::function<uint64_t()> now_ns = {});

  std::string_view name() const override { return "goldfish_rtc"; }
  unsigned access_sizes() const override { return 4; }
  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;

  // Fires the alarm when its time has come. The machine calls it periodically.
  void poll();
  // System reset: alarm and interrupt off; the wall clock (and a guest-set offset) stays.
  void reset();
  // Nanoseconds until the armed alarm fires; UINT64_MAX when none is armed.
  uint64_t ns_until_alarm();
  uint64_t time_ns();

  // Snapshots: the guest's offset from the time source, the alarm and the interrupt
  // state. The wall clock itself is not saved: a loaded guest reads the time source's
  // now (plus its offset), as after a suspend. A load drives the interrupt line; false
  // (nothing changed) when corrupt.
  void save(StateWriter& w) const;
  bool load(StateReader& r);

 private:
  void set_alarm();
  void raise_alarm();
  void update_irq();

  IrqLine& irq_;
  std::function<uint64_t()> now_ns_;
  uint64_t offset_ = 0;  // guest time minus source time (guest writes to TIME_*)
  uint64_t alarm_next_ = 0;
  uint32_t time_high_ = 0;
  bool alarm_running_ = false;
  bool irq_pending_ = false;
  bool irq_enabled_ = false;
  bool irq_level_ = false;
};

}  // namespace tiervm
