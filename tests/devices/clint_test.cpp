#include "devices/clint.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "test_lines.h"

namespace tiervm {
namespace {

using testing::RecordingLine;

// SiFive CLINT layout (also ACLINT MSWI/MTIMER with SiFive offsets).
constexpr uint64_t kMsip0 = 0x0000, kMtimecmp0 = 0x4000, kMtime = 0xbff8;

// Register access that must succeed, for the fixtures below.
class ClintAccess : public ::testing::Test {
 protected:
  explicit ClintAccess(Clint& c) : target_(c) {}
  uint64_t rd(uint64_t offset, unsigned size) {
    uint64_t v = 0;
    EXPECT_TRUE(target_.read(offset, size, v));
    return v;
  }
  void wr(uint64_t offset, unsigned size, uint64_t v) {
    EXPECT_TRUE(target_.write(offset, size, v));
  }

 private:
  Clint& target_;
};

class ClintTest : public ClintAccess {
 protected:
  ClintTest() : ClintAccess(clint) {}

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

// Three harts: hart h's msip at 4h and mtimecmp at 0x4000 + 8h, as QEMU virt's CLINT
// with -smp 3 (offsets from the SiFive CLINT / ACLINT MSWI and MTIMER layout).
class ClintSmpTest : public ClintAccess {
 protected:
  ClintSmpTest() : ClintAccess(clint) {}

  ManualClock clock;
  RecordingLine msip[3], mtip[3];
  Clint clint{clock, {{&msip[0], &mtip[0]}, {&msip[1], &mtip[1]}, {&msip[2], &mtip[2]}}};
};

TEST_F(ClintSmpTest, EachHartHasItsOwnMsip) {
  wr(0x8, 4, 1);  // hart 2
  EXPECT_FALSE(msip[0].level);
  EXPECT_FALSE(msip[1].level);
  EXPECT_TRUE(msip[2].level);
  EXPECT_EQ(rd(0x0, 4), 0u);
  EXPECT_EQ(rd(0x8, 4), 1u);
  wr(0x4, 4, 1);  // hart 1
  EXPECT_TRUE(msip[1].level);
  wr(0x8, 4, 0);
  EXPECT_FALSE(msip[2].level);
  EXPECT_TRUE(msip[1].level);
  // A hart that does not exist: reads as zero, writes are ignored.
  wr(0xc, 4, 1);
  EXPECT_EQ(rd(0xc, 4), 0u);
}

TEST_F(ClintSmpTest, EachHartHasItsOwnMtimecmp) {
  clock.set(100);
  wr(0x4000 + 8, 8, 150);   // hart 1
  wr(0x4000 + 16, 4, 120);  // hart 2, low half (high half still all ones)
  wr(0x4000 + 20, 4, 0);
  EXPECT_EQ(rd(0x4008, 8), 150u);
  EXPECT_EQ(rd(0x4010, 8), 120u);
  EXPECT_EQ(rd(0x4000, 8), ~uint64_t{0});
  EXPECT_EQ(clint.ticks_until_deadline(), 20u);  // the earliest of the three
  clock.set(130);
  clint.update();
  EXPECT_FALSE(mtip[0].level);
  EXPECT_FALSE(mtip[1].level);
  EXPECT_TRUE(mtip[2].level);
  EXPECT_EQ(clint.ticks_until_deadline(), 0u);
  clock.set(150);
  clint.update();
  EXPECT_TRUE(mtip[1].level);
  EXPECT_FALSE(mtip[0].level);
  // Past the last hart's mtimecmp (0x4018) nothing is mapped before mtime.
  EXPECT_EQ(rd(0x4018, 8), 0u);
}

TEST(ClintHarts, MoreThanEightHartsAreRefused) {
  ManualClock clock;
  RecordingLine line;
  std::vector<ClintHartLines> lines(9, ClintHartLines{&line, &line});
  EXPECT_THROW(Clint(clock, lines), std::invalid_argument);
  EXPECT_THROW(Clint(clock, {}), std::invalid_argument);
}

}  // namespace
}  // namespace tiervm
