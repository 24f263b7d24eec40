#include "devices/plic.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "test_lines.h"

namespace tiervm {
namespace {

using testing::RecordingLine;

// Register layout of the SiFive PLIC (riscv,plic0 binding; PLIC spec chapter 3).
constexpr uint64_t priority(unsigned id) {
  return 4 * id;
}
constexpr uint64_t pending_word(unsigned w) {
  return 0x1000 + 4 * w;
}
constexpr uint64_t enable_word(unsigned ctx, unsigned w) {
  return 0x2000 + 0x80 * ctx + 4 * w;
}
constexpr uint64_t threshold(unsigned ctx) {
  return 0x200000 + 0x1000 * ctx;
}
constexpr uint64_t claim(unsigned ctx) {
  return 0x200004 + 0x1000 * ctx;
}
constexpr unsigned M = 0, S = 1;

class PlicTest : public ::testing::Test {
 protected:
  uint32_t rd(uint64_t offset) {
    uint64_t v = 0;
    EXPECT_TRUE(plic.read(offset, 4, v));
    return static_cast<uint32_t>(v);
  }
  void wr(uint64_t offset, uint32_t v) { EXPECT_TRUE(plic.write(offset, 4, v)); }
  void enable(unsigned ctx, unsigned id) {
    wr(enable_word(ctx, id / 32), rd(enable_word(ctx, id / 32)) | (1u << (id % 32)));
  }

  RecordingLine meip, seip;
  Plic plic{meip, seip};
};

TEST_F(PlicTest, PendingFollowsTheGateway) {
  plic.source(5).set_level(true);
  EXPECT_EQ(rd(pending_word(0)), 1u << 5);
  plic.source(40).set_level(true);
  EXPECT_EQ(rd(pending_word(1)), 1u << 8);
  EXPECT_FALSE(meip.level);  // priority 0 and nothing enabled
  EXPECT_FALSE(seip.level);
}

TEST_F(PlicTest, PriorityMustExceedThreshold) {
  wr(priority(5), 3);
  enable(S, 5);
  wr(threshold(S), 3);
  plic.source(5).set_level(true);
  EXPECT_FALSE(seip.level);
  EXPECT_EQ(rd(claim(S)), 0u);  // nothing above the threshold to claim
  wr(threshold(S), 2);
  EXPECT_TRUE(seip.level);
  wr(threshold(S), 3);
  EXPECT_FALSE(seip.level);
}

TEST_F(PlicTest, PriorityZeroNeverInterrupts) {
  enable(S, 7);
  plic.source(7).set_level(true);
  EXPECT_FALSE(seip.level);
  wr(priority(7), 1);
  EXPECT_TRUE(seip.level);
}

TEST_F(PlicTest, ClaimReturnsHighestPriorityThenLowestId) {
  for (unsigned id : {3u, 7u, 9u, 70u}) enable(S, id);
  wr(priority(3), 2);
  wr(priority(7), 5);
  wr(priority(9), 5);
  wr(priority(70), 4);
  for (unsigned id : {70u, 9u, 7u, 3u}) plic.source(id).set_level(true);
  EXPECT_TRUE(seip.level);
  EXPECT_EQ(rd(claim(S)), 7u);
  EXPECT_EQ(rd(claim(S)), 9u);
  EXPECT_EQ(rd(claim(S)), 70u);
  EXPECT_EQ(rd(claim(S)), 3u);
  EXPECT_FALSE(seip.level);  // all claimed
  EXPECT_EQ(rd(claim(S)), 0u);
}

TEST_F(PlicTest, ClaimClearsPendingAndCompleteRearmsALineStillHigh) {
  wr(priority(10), 1);
  enable(S, 10);
  plic.source(10).set_level(true);
  EXPECT_EQ(rd(claim(S)), 10u);
  EXPECT_EQ(rd(pending_word(0)) & (1u << 10), 0u);
  EXPECT_FALSE(seip.level);
  wr(claim(S), 10);  // complete with the line still high
  EXPECT_TRUE(seip.level);
  EXPECT_EQ(rd(claim(S)), 10u);
  plic.source(10).set_level(false);
  wr(claim(S), 10);  // complete with the line low: nothing more
  EXPECT_FALSE(seip.level);
  EXPECT_EQ(rd(claim(S)), 0u);
}

TEST_F(PlicTest, ClaimedSourceIsNotDeliveredAgainBeforeCompletion) {
  wr(priority(2), 1);
  enable(S, 2);
  plic.source(2).set_level(true);
  EXPECT_EQ(rd(claim(S)), 2u);
  plic.source(2).set_level(false);
  plic.source(2).set_level(true);  // a new request while in service
  EXPECT_FALSE(seip.level);
  EXPECT_EQ(rd(claim(S)), 0u);
  wr(claim(S), 2);
  EXPECT_TRUE(seip.level);
}

TEST_F(PlicTest, LineDroppedBeforeClaimWithdrawsTheRequest) {
  wr(priority(4), 1);
  enable(S, 4);
  plic.source(4).set_level(true);
  EXPECT_TRUE(seip.level);
  plic.source(4).set_level(false);
  EXPECT_FALSE(seip.level);
  EXPECT_EQ(rd(claim(S)), 0u);
}

TEST_F(PlicTest, ContextsHaveTheirOwnEnablesAndThresholds) {
  wr(priority(1), 1);
  wr(priority(2), 1);
  enable(M, 1);
  enable(S, 2);
  plic.source(1).set_level(true);
  EXPECT_TRUE(meip.level);
  EXPECT_FALSE(seip.level);
  plic.source(2).set_level(true);
  EXPECT_TRUE(seip.level);
  EXPECT_EQ(rd(claim(S)), 2u);
  EXPECT_TRUE(meip.level);
  EXPECT_EQ(rd(claim(M)), 1u);
  EXPECT_FALSE(meip.level);
  EXPECT_EQ(rd(enable_word(M, 0)), 1u << 1);
  EXPECT_EQ(rd(enable_word(S, 0)), 1u << 2);
}

TEST_F(PlicTest, RegisterWidthsAndReservedBits) {
  wr(priority(1), 0xffffffff);
  EXPECT_EQ(rd(priority(1)), 7u);  // 7 levels on QEMU virt
  wr(threshold(M), 0xff);
  EXPECT_EQ(rd(threshold(M)), 7u);
  wr(enable_word(M, 0), 0xffffffff);
  EXPECT_EQ(rd(enable_word(M, 0)), 0xfffffffeu);  // source 0 does not exist
  wr(enable_word(M, 3), 0xffffffff);
  EXPECT_EQ(rd(enable_word(M, 3)), 1u);  // only source 96 in the last word
  wr(pending_word(0), 0xffffffff);
  EXPECT_EQ(rd(pending_word(0)), 0u);  // pending bits are read-only
  uint64_t v;
  EXPECT_FALSE(plic.read(priority(1), 1, v));
  EXPECT_FALSE(plic.write(priority(1), 8, 1));
}

TEST_F(PlicTest, HighestSourceWorks) {
  wr(priority(96), 1);
  enable(S, 96);
  plic.source(96).set_level(true);
  EXPECT_EQ(rd(claim(S)), 96u);
  EXPECT_THROW(plic.source(97), std::out_of_range);
  EXPECT_THROW(plic.source(0), std::out_of_range);
}

// Two harts: contexts 0/1 are hart 0's M/S, 2/3 hart 1's (QEMU virt's order).
TEST(PlicSmp, EveryHartHasAnMAndAnSContext) {
  RecordingLine out[4];
  Plic plic({&out[0], &out[1], &out[2], &out[3]});
  auto wr = [&](uint64_t offset, uint32_t v) { EXPECT_TRUE(plic.write(offset, 4, v)); };
  auto rd = [&](uint64_t offset) {
    uint64_t v = 0;
    EXPECT_TRUE(plic.read(offset, 4, v));
    return static_cast<uint32_t>(v);
  };
  wr(4 * 10, 1);                    // source 10, priority 1
  wr(0x2000 + 3 * 0x80, 1u << 10);  // enabled on context 3 only: hart 1's S-mode
  plic.source(10).set_level(true);
  EXPECT_FALSE(out[0].level);
  EXPECT_FALSE(out[1].level);
  EXPECT_FALSE(out[2].level);
  EXPECT_TRUE(out[3].level);
  EXPECT_EQ(rd(0x200000 + 2 * 0x1000 + 4), 0u);   // hart 1 M claims nothing
  EXPECT_EQ(rd(0x200000 + 3 * 0x1000 + 4), 10u);  // hart 1 S claims source 10
  EXPECT_FALSE(out[3].level);
  // A context past the last hart's is not there.
  wr(0x2000 + 4 * 0x80, 1u << 10);
  EXPECT_EQ(rd(0x2000 + 4 * 0x80), 0u);
}

TEST(PlicSmp, OddOrTooManyContextsAreRefused) {
  RecordingLine line;
  EXPECT_THROW(Plic(std::vector<IrqLine*>{&line}), std::invalid_argument);
  EXPECT_THROW(Plic(std::vector<IrqLine*>(18, &line)), std::invalid_argument);
}

}  // namespace
}  // namespace tiervm
