#include "devices/goldfish_rtc.h"

#include <gtest/gtest.h>

#include <ctime>

#include "test_lines.h"

namespace tiervm {
namespace {

using testing::RecordingLine;

// Goldfish RTC registers (Android GOLDFISH-VIRTUAL-HARDWARE.TXT).
constexpr uint64_t TIME_LOW = 0x00, TIME_HIGH = 0x04, ALARM_LOW = 0x08, ALARM_HIGH = 0x0c,
                   IRQ_ENABLED = 0x10, CLEAR_ALARM = 0x14, ALARM_STATUS = 0x18,
                   CLEAR_INTERRUPT = 0x1c;

class RtcTest : public ::testing::Test {
 protected:
  uint32_t rd(uint64_t offset) {
    uint64_t v = 0;
    EXPECT_TRUE(rtc.read(offset, 4, v));
    return static_cast<uint32_t>(v);
  }
  void wr(uint64_t offset, uint32_t v) { EXPECT_TRUE(rtc.write(offset, 4, v)); }

  uint64_t now = 0x0000'0001'ffff'fff0;
  RecordingLine irq;
  GoldfishRtc rtc{irq, [this] { return now; }};
};

TEST_F(RtcTest, TimeLowLatchesTimeHigh) {
  EXPECT_EQ(rd(TIME_LOW), 0xfffffff0u);
  now += 0x20;  // the high half changes between the two reads
  EXPECT_EQ(rd(TIME_HIGH), 1u);
  EXPECT_EQ(rd(TIME_LOW), 0x10u);
  EXPECT_EQ(rd(TIME_HIGH), 2u);
}

TEST_F(RtcTest, WritingTimeSetsTheClock) {
  wr(TIME_HIGH, 0x10);
  wr(TIME_LOW, 0x100);
  EXPECT_EQ(rtc.time_ns(), 0x10'0000'0100u);
  now += 5;
  EXPECT_EQ(rd(TIME_LOW), 0x105u);
  EXPECT_EQ(rd(TIME_HIGH), 0x10u);
}

TEST_F(RtcTest, AlarmFiresAtItsTime) {
  uint64_t alarm = now + 1000;
  wr(IRQ_ENABLED, 1);
  wr(ALARM_HIGH, static_cast<uint32_t>(alarm >> 32));
  wr(ALARM_LOW, static_cast<uint32_t>(alarm));  // arms
  EXPECT_EQ(rd(ALARM_STATUS), 1u);
  EXPECT_EQ(rtc.ns_until_alarm(), 1000u);
  now += 999;
  rtc.poll();
  EXPECT_FALSE(irq.level);
  now += 1;
  rtc.poll();
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(rd(ALARM_STATUS), 0u);
  wr(CLEAR_INTERRUPT, 1);
  EXPECT_FALSE(irq.level);
}

TEST_F(RtcTest, AlarmInThePastFiresImmediately) {
  wr(IRQ_ENABLED, 1);
  wr(ALARM_HIGH, 0);
  wr(ALARM_LOW, 5);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(rd(ALARM_STATUS), 0u);
}

TEST_F(RtcTest, InterruptNeedsEnableAndClearAlarmDisarms) {
  uint64_t alarm = now + 10;
  wr(ALARM_HIGH, static_cast<uint32_t>(alarm >> 32));
  wr(ALARM_LOW, static_cast<uint32_t>(alarm));
  EXPECT_EQ(rd(ALARM_LOW), static_cast<uint32_t>(alarm));
  EXPECT_EQ(rd(ALARM_HIGH), static_cast<uint32_t>(alarm >> 32));
  wr(CLEAR_ALARM, 1);
  EXPECT_EQ(rd(ALARM_STATUS), 0u);
  EXPECT_EQ(rtc.ns_until_alarm(), ~uint64_t{0});
  now += 100;
  rtc.poll();
  EXPECT_FALSE(irq.level);
  wr(ALARM_LOW, 0);  // in the past: pending, but masked
  EXPECT_FALSE(irq.level);
  wr(IRQ_ENABLED, 1);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(rd(IRQ_ENABLED), 1u);
}

TEST(RtcHostClock, DefaultsToWallClock) {
  RecordingLine irq;
  GoldfishRtc rtc(irq);
  uint64_t t = rtc.time_ns();
  uint64_t host = static_cast<uint64_t>(std::time(nullptr)) * 1'000'000'000;
  EXPECT_LT(t > host ? t - host : host - t, 5'000'000'000u);
}

}  // namespace
}  // namespace tiervm
