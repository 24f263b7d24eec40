#include "devices/clint.h"

#include <gtest/gtest.h>

#include "test_lines.h"

namespace tiervm {
namespace {

using testing::RecordingLine;

// SiFive CLINT layout (also ACLINT MSWI/MTIMER with SiFive offsets).
constexpr uint64_t kMsip0 = 0x0000, kMtimecmp0 = 0x4000, kMtime = 0xbff8;

class ClintTest : public ::testing::Test {
 protected:
  uint64_t rd(uint64_t offset, unsigned size) {
    uint64_t v = 0;
    EXPECT_TRUE(clint.read(offset, size, v));
    return v;
  }
  void wr(uint64_t offset, unsigned size, uint64_t v) { EXPECT_TRUE(clint.write(offset, size, v)); }

  ManualClock clock;
  RecordingLine msip, mtip;
  Clint clint{clock, msip, mtip};
};

TEST_F(ClintTest, MtimeFollowsTheClock) {
  clock.set(0x1'2345'6789);
  EXPECT_EQ(rd(kMtime, 8), 0x1'2345'6789u);
  EXPECT_EQ(rd(kMtime, 4), 0x2345'6789u);
  EXPECT_EQ(rd(kMtime + 4, 4), 0x1u);
}

TEST_F(ClintTest, TimerInterruptIsLowUntilProgrammed) {
  clock.set(1'000'000);
  clint.update();
  EXPECT_FALSE(mtip.level);
  EXPECT_EQ(clint.ticks_until_deadline(), ~uint64_t{0});
}

TEST_F(ClintTest, MtipIsMtimeAtLeastMtimecmp) {
  clock.set(100);
  wr(kMtimecmp0, 8, 150);
  EXPECT_FALSE(mtip.level);
  EXPECT_EQ(clint.ticks_until_deadline(), 50u);
  clock.set(149);
  clint.update();
  EXPECT_FALSE(mtip.level);
  clock.set(150);
  clint.update();
  EXPECT_TRUE(mtip.level);
  EXPECT_EQ(clint.ticks_until_deadline(), 0u);
  wr(kMtimecmp0, 8, 1000);  // moving the compare value away clears it at once
  EXPECT_FALSE(mtip.level);
  wr(kMtimecmp0, 8, 10);  // and a compare value in the past raises it at once
  EXPECT_TRUE(mtip.level);
}

TEST_F(ClintTest, MtimecmpHalves) {
  clock.set(0x5'0000'0000);
  // The RV32 idiom (priv spec 3.2.1): low half to all ones, high half, then low half.
  wr(kMtimecmp0, 4, 0xffffffff);
  wr(kMtimecmp0 + 4, 4, 0x5);
  EXPECT_EQ(rd(kMtimecmp0, 8), 0x5'ffff'ffffu);
  EXPECT_FALSE(mtip.level);  // never a spurious interrupt in between
  wr(kMtimecmp0, 4, 0x10);
  EXPECT_EQ(rd(kMtimecmp0, 8), 0x5'0000'0010u);
  EXPECT_EQ(rd(kMtimecmp0, 4), 0x10u);
  EXPECT_EQ(rd(kMtimecmp0 + 4, 4), 0x5u);
  EXPECT_FALSE(mtip.level);
  clock.set(0x5'0000'0010);
  clint.update();
  EXPECT_TRUE(mtip.level);
}

TEST_F(ClintTest, WritingMtimeSetsTheCounter) {
  clock.set(50);
  wr(kMtime, 8, 1000);
  EXPECT_EQ(rd(kMtime, 8), 1000u);
  clock.advance(10);
  EXPECT_EQ(rd(kMtime, 8), 1010u);
  wr(kMtime + 4, 4, 2);  // high half only
  EXPECT_EQ(rd(kMtime, 8), 0x2'0000'0000u + 1010u);
}

TEST_F(ClintTest, MsipBitZeroDrivesSoftwareInterrupt) {
  wr(kMsip0, 4, 1);
  EXPECT_TRUE(msip.level);
  EXPECT_EQ(rd(kMsip0, 4), 1u);
  wr(kMsip0, 4, 0xfffffffe);  // only bit 0 exists
  EXPECT_FALSE(msip.level);
  EXPECT_EQ(rd(kMsip0, 4), 0u);
}

TEST_F(ClintTest, MisalignedAccessRefused) {
  uint64_t v;
  EXPECT_FALSE(clint.read(kMtime + 4, 8, v));
  EXPECT_FALSE(clint.write(kMtimecmp0 + 2, 4, 0));
}

}  // namespace
}  // namespace tiervm
