#include "devices/sifive_test.h"

#include <gtest/gtest.h>

#include <vector>

namespace tiervm {
namespace {

using Kind = TestDeviceEvent::Kind;

struct Case {
  const char* what;
  unsigned size;
  uint64_t value;
  bool event;
  Kind kind;
  uint32_t code;
};

class SifiveTestDevice : public ::testing::TestWithParam<Case> {};

TEST_P(SifiveTestDevice, WriteReportsEvent) {
  const Case& c = GetParam();
  std::vector<TestDeviceEvent> events;
  SifiveTest dev([&](TestDeviceEvent e) { events.push_back(e); });
  ASSERT_TRUE(dev.write(0, c.size, c.value));
  if (!c.event) {
    EXPECT_TRUE(events.empty());
    return;
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, c.kind);
  EXPECT_EQ(events[0].code, c.code);
}

INSTANTIATE_TEST_SUITE_P(
    Finisher, SifiveTestDevice,
    ::testing::Values(Case{"pass", 4, 0x5555, true, Kind::Pass, 0},
                      Case{"pass16", 2, 0x5555, true, Kind::Pass, 0},
                      Case{"fail7", 4, (7u << 16) | 0x3333, true, Kind::Fail, 7},
                      Case{"fail0xffff", 4, 0xffff3333, true, Kind::Fail, 0xffff},
                      Case{"reset", 4, 0x7777, true, Kind::Reset, 0},
                      Case{"other", 4, 0x1234, false, Kind::Pass, 0},
                      Case{"pass_with_high_bits", 4, 0x00015555, true, Kind::Pass, 0}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.what; });

TEST(SifiveTestDeviceMisc, ReadsZeroAndIgnoresOtherOffsets) {
  int events = 0;
  SifiveTest dev([&](TestDeviceEvent) { ++events; });
  uint64_t v = 1;
  ASSERT_TRUE(dev.read(0, 4, v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(dev.write(4, 4, 0x5555));
  EXPECT_EQ(events, 0);
  EXPECT_EQ(dev.access_sizes() & 1, 0u);  // no byte accesses
}

}  // namespace
}  // namespace tiervm
