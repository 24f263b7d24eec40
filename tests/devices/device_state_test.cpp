// Snapshots of each device (save, then load into a fresh device or one reset since): the
// loaded device behaves as the saved one did, drives its lines as it did, and a load of
// corrupt or truncated state is refused without changing the device.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "devices/block_file.h"
#include "devices/clint.h"
#include "devices/goldfish_rtc.h"
#include "devices/plic.h"
#include "devices/state_stream.h"
#include "devices/uart16550.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_rng.h"
#include "test_lines.h"
#include "virtio_driver.h"

namespace tiervm {
namespace {

using testing::RecordingLine;
using testing::TempFile;
using testing::VirtioDriver;

template <class Device>
std::vector<uint8_t> saved(Device& d) {
  std::vector<uint8_t> out;
  StateWriter w(out);
  d.save(w);
  return out;
}

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Crc32c, KnownValues) {
  // The check value of CRC-32C (Castagnoli), and RFC 3720 B.4's 32 zero bytes.
  EXPECT_EQ(crc32c(bytes_of("123456789")), 0xe3069283u);
  EXPECT_EQ(crc32c(std::vector<uint8_t>(32, 0)), 0x8a9136aau);
  EXPECT_EQ(crc32c(std::vector<uint8_t>(32, 0xff)), 0x62a8ab43u);
  EXPECT_EQ(crc32c({}), 0u);
  // In pieces, continued: the same value.
  const std::string text = "The quick brown fox jumps over the lazy dog, twice over.";
  const auto all = bytes_of(text);
  for (size_t cut : {1u, 7u, 8u, 13u, 40u}) {
    EXPECT_EQ(crc32c(all.subspan(cut), crc32c(all.first(cut))), crc32c(all)) << cut;
  }
}

TEST(StateStream, ReadsWhatWasWrittenAndFailsPastTheEnd) {
  std::vector<uint8_t> out;
  StateWriter w(out);
  w.u8(0xab);
  w.u16(0x1234);
  w.u32(0xdeadbeef);
  w.u64(0x0102030405060708);
  w.boolean(true);
  w.string("tiervm");
  EXPECT_EQ(out.size(), 1u + 2 + 4 + 8 + 1 + 4 + 6);
  EXPECT_EQ(out[1], 0x34);  // little-endian
  StateReader r(out);
  EXPECT_EQ(r.u8(), 0xab);
  EXPECT_EQ(r.u16(), 0x1234);
  EXPECT_EQ(r.u32(), 0xdeadbeefu);
  EXPECT_EQ(r.u64(), 0x0102030405060708u);
  EXPECT_TRUE(r.boolean());
  EXPECT_EQ(r.string(), "tiervm");
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_FALSE(r.ok());

  const std::vector<uint8_t> two = {2};
  StateReader bad(two);
  bad.boolean();  // neither 0 nor 1
  EXPECT_FALSE(bad.ok());
  const std::vector<uint8_t> huge_blob = {0xff, 0xff, 0xff, 0xff, 1, 2};
  StateReader blob(huge_blob);
  EXPECT_TRUE(blob.blob().empty());
  EXPECT_FALSE(blob.ok());
}

TEST(ClintState, MtimeGoesOnFromTheSavedValueOnAnotherClock) {
  ManualClock clock_a;
  RecordingLine msip_a, mtip_a;
  Clint a(clock_a, msip_a, mtip_a);
  clock_a.set(1'000);
  ASSERT_TRUE(a.write(Clint::kMtime, 8, 50'000));  // guest sets mtime
  ASSERT_TRUE(a.write(Clint::kMtimecmp, 8, 50'100));
  ASSERT_TRUE(a.write(Clint::kMsip, 4, 1));
  clock_a.advance(40);
  EXPECT_EQ(a.mtime(), 50'040u);
  const auto state = saved(a);

  // The new process' clock started later, or earlier: mtime is what was saved either way.
  for (uint64_t start : {0ull, 7'000'000ull}) {
    ManualClock clock_b;
    clock_b.set(start);
    RecordingLine msip_b, mtip_b;
    Clint b(clock_b, msip_b, mtip_b);
    StateReader r(state);
    ASSERT_TRUE(b.load(r));
    EXPECT_TRUE(r.done());
    EXPECT_EQ(b.mtime(), 50'040u);
    EXPECT_EQ(b.mtimecmp(), 50'100u);
    EXPECT_TRUE(msip_b.level);
    EXPECT_FALSE(mtip_b.level);
    EXPECT_EQ(saved(b), state);
    clock_b.advance(60);  // reaches mtimecmp
    b.update();
    EXPECT_TRUE(mtip_b.level);
  }
}

TEST(ClintState, CorruptStateChangesNothing) {
  ManualClock clock;
  RecordingLine msip, mtip;
  Clint c(clock, msip, mtip);
  std::vector<uint8_t> state;
  StateWriter w(state);
  w.u32(2);  // msip has one bit
  w.u64(0);
  w.u64(0);
  StateReader r(state);
  EXPECT_FALSE(c.load(r));
  const std::vector<uint8_t> short_state(10, 0);
  StateReader r2(short_state);
  EXPECT_FALSE(c.load(r2));
  EXPECT_EQ(c.mtimecmp(), ~uint64_t{0});
  EXPECT_TRUE(msip.history.empty());
}

TEST(PlicState, ClaimedAndPendingSourcesSurvive) {
  // Registers (PLIC spec): priority at 4*id, enables at 0x2000 + 0x80*ctx, threshold at
  // 0x200000 + 0x1000*ctx, claim/complete 4 above it.
  auto rd = [](Plic& p, uint64_t off) {
    uint64_t v = 0;
    EXPECT_TRUE(p.read(off, 4, v));
    return static_cast<uint32_t>(v);
  };
  auto wr = [](Plic& p, uint64_t off, uint32_t v) { EXPECT_TRUE(p.write(off, 4, v)); };
  RecordingLine meip_a, seip_a;
  Plic a(meip_a, seip_a);
  wr(a, 4 * 5, 3);
  wr(a, 4 * 7, 2);
  wr(a, 4 * 40, 6);
  wr(a, 0x2000, (1u << 5) | (1u << 7));  // context 0 (M)
  wr(a, 0x2080 + 4, 1u << (40 - 32));    // context 1 (S)
  wr(a, 0x201000, 1);                    // S threshold 1
  a.source(5).set_level(true);
  EXPECT_EQ(rd(a, 0x200004), 5u);  // M claims 5
  a.source(7).set_level(true);
  a.source(40).set_level(true);
  const auto state = saved(a);

  RecordingLine meip_b, seip_b;
  Plic b(meip_b, seip_b);
  // The devices' loads come first and drive their lines: the PLIC's load overrides.
  b.source(5).set_level(true);
  b.source(7).set_level(true);
  b.source(40).set_level(true);
  StateReader r(state);
  ASSERT_TRUE(b.load(r));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(saved(b), state);
  EXPECT_TRUE(meip_b.level);  // 7 is pending for M; 5 is still claimed
  EXPECT_TRUE(seip_b.level);
  EXPECT_FALSE(b.pending(5));
  EXPECT_EQ(rd(b, 0x200004), 7u);
  EXPECT_EQ(rd(b, 0x201004), 40u);
  wr(b, 0x200004, 5);  // complete 5: its line is still high, so it is pending again
  EXPECT_TRUE(b.pending(5));
  EXPECT_EQ(rd(b, 0x201000), 1u);
  EXPECT_EQ(rd(b, 4 * 40), 6u);
}

TEST(PlicState, PriorityOutOfRangeIsRefused) {
  RecordingLine meip_a, seip_a;
  Plic a(meip_a, seip_a);
  auto state = saved(a);
  state[8 + 4 * 3] = 9;  // priority of source 3: 3 bits only
  RecordingLine meip_b, seip_b;
  Plic b(meip_b, seip_b);
  StateReader r(state);
  EXPECT_FALSE(b.load(r));
  EXPECT_TRUE(meip_b.history.empty());
}

TEST(UartState, ReceivedBytesAndRegistersSurvive) {
  RecordingLine irq_a;
  std::string out_a;
  Uart16550 a(irq_a, [&](uint8_t c) { out_a += static_cast<char>(c); });
  // 16550 registers: IER 1, FCR 2 (FIFO on, trigger 4), LCR 3, MCR 4, SCR 7.
  ASSERT_TRUE(a.write(Uart16550::kIirFcr, 1, 0x41));
  ASSERT_TRUE(a.write(Uart16550::kLcr, 1, 0x03));
  ASSERT_TRUE(a.write(Uart16550::kScr, 1, 0x5a));
  ASSERT_TRUE(a.write(Uart16550::kIer, 1, Uart16550::kIerRdi));
  for (uint8_t c : {'a', 'b', 'c', 'd', 'e'}) ASSERT_TRUE(a.push_input(c));
  a.poll();
  ASSERT_TRUE(irq_a.level);  // 5 bytes >= trigger level 4
  uint64_t v = 0;
  ASSERT_TRUE(a.read(Uart16550::kRbrThr, 1, v));
  EXPECT_EQ(v, 'a');
  const auto state = saved(a);

  RecordingLine irq_b;
  std::string out_b;
  Uart16550 b(irq_b, [&](uint8_t c) { out_b += static_cast<char>(c); });
  StateReader r(state);
  ASSERT_TRUE(b.load(r));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(saved(b), state);
  EXPECT_EQ(irq_b.level, irq_a.level);
  ASSERT_TRUE(b.read(Uart16550::kScr, 1, v));
  EXPECT_EQ(v, 0x5au);
  ASSERT_TRUE(b.read(Uart16550::kLcr, 1, v));
  EXPECT_EQ(v, 0x03u);
  std::string rest;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(b.read(Uart16550::kLsr, 1, v));
    ASSERT_NE(v & Uart16550::kLsrDr, 0u);
    ASSERT_TRUE(b.read(Uart16550::kRbrThr, 1, v));
    rest += static_cast<char>(v);
  }
  EXPECT_EQ(rest, "bcde");
  ASSERT_TRUE(b.read(Uart16550::kLsr, 1, v));
  EXPECT_EQ(v & Uart16550::kLsrDr, 0u);
  ASSERT_TRUE(b.write(Uart16550::kRbrThr, 1, 'z'));
  EXPECT_EQ(out_b, "z");
}

TEST(UartState, TruncatedStateChangesNothing) {
  RecordingLine irq_a;
  Uart16550 a(irq_a, {});
  ASSERT_TRUE(a.write(Uart16550::kScr, 1, 0x77));
  auto state = saved(a);
  state.pop_back();
  RecordingLine irq_b;
  Uart16550 b(irq_b, {});
  StateReader r(state);
  EXPECT_FALSE(b.load(r));
  uint64_t v = 0;
  ASSERT_TRUE(b.read(Uart16550::kScr, 1, v));
  EXPECT_EQ(v, 0u);
}

TEST(RtcState, GuestOffsetAndAlarmSurvive) {
  uint64_t now_a = 1'000'000'000;
  RecordingLine irq_a;
  GoldfishRtc a(irq_a, [&] { return now_a; });
  // The guest sets the time to 5 s past the source's and arms an alarm 1 s later.
  ASSERT_TRUE(a.write(GoldfishRtc::kTimeHigh, 4, 0));
  ASSERT_TRUE(a.write(GoldfishRtc::kTimeLow, 4, 6'000'000'000 & 0xffffffff));
  EXPECT_EQ(a.time_ns(), 6'000'000'000u & 0xffffffff);
  ASSERT_TRUE(a.write(GoldfishRtc::kIrqEnabled, 4, 1));
  const uint64_t alarm = a.time_ns() + 1'000'000'000;
  ASSERT_TRUE(a.write(GoldfishRtc::kAlarmHigh, 4, alarm >> 32));
  ASSERT_TRUE(a.write(GoldfishRtc::kAlarmLow, 4, alarm & 0xffffffff));
  const uint64_t offset = a.time_ns() - now_a;
  const auto state = saved(a);

  uint64_t now_b = 3'000'000'000;
  RecordingLine irq_b;
  GoldfishRtc b(irq_b, [&] { return now_b; });
  StateReader r(state);
  ASSERT_TRUE(b.load(r));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(b.time_ns(), now_b + offset);
  uint64_t v = 0;
  ASSERT_TRUE(b.read(GoldfishRtc::kAlarmStatus, 4, v));
  EXPECT_EQ(v, 1u);
  EXPECT_FALSE(irq_b.level);
  now_b += b.ns_until_alarm();
  b.poll();
  EXPECT_TRUE(irq_b.level);
}

TEST(VirtioState, QueuesGoOnAfterALoad) {
  uint8_t next = 1;
  VirtioRng rng([&next](std::span<uint8_t> out) {
    for (uint8_t& b : out) b = next++;
    return true;
  });
  VirtioDriver d(rng);
  d.init(1);
  const uint64_t buf = VirtioDriver::kBuffers;
  d.desc(0, 0, buf, 4, VirtioDriver::WRITE);
  d.offer(0, 0);
  ASSERT_EQ(d.used_idx(0), 1);
  ASSERT_EQ(d.interrupt_status(), 1u);
  ASSERT_TRUE(d.irq.level);
  std::vector<uint8_t> state;
  StateWriter w(state);
  d.mmio.save(w);

  // The driver resets the device: queues and status gone. The load brings them back.
  d.set(0x070, 0);
  ASSERT_EQ(d.reg(0x070), 0u);
  ASSERT_FALSE(d.irq.level);
  StateReader r(state);
  std::string error;
  ASSERT_TRUE(d.mmio.load(r, error)) << error;
  EXPECT_TRUE(r.done());
  EXPECT_TRUE(d.irq.level);
  EXPECT_EQ(d.interrupt_status(), 1u);
  EXPECT_EQ(d.reg(0x070) & VirtioDriver::DRIVER_OK, VirtioDriver::DRIVER_OK);
  d.set(0x030, 0);
  EXPECT_EQ(d.reg(0x038), VirtioDriver::kQueueSize);
  EXPECT_EQ(d.reg(0x080), static_cast<uint32_t>(VirtioDriver::desc_table(0)));
  // The next request goes to the next used slot (the device's ring positions survived).
  d.desc(0, 1, buf + 16, 4, VirtioDriver::WRITE);
  d.offer(0, 1);
  ASSERT_EQ(d.used_idx(0), 2);
  EXPECT_EQ(d.used_id(0, 1), 1u);
  EXPECT_EQ(d.used_len(0, 1), 4u);
  EXPECT_EQ(d.ram(buf + 16, 4), (std::vector<uint8_t>{5, 6, 7, 8}));
}

TEST(VirtioState, AnotherDeviceTypeIsRefused) {
  VirtioRng rng;
  VirtioDriver d(rng);
  d.init(1);
  std::vector<uint8_t> state;
  StateWriter w(state);
  d.mmio.save(w);
  state[0] = 2;  // device id: a block device's state
  StateReader r(state);
  std::string error;
  EXPECT_FALSE(d.mmio.load(r, error));
}

TEST(BlockFileState, SnapshotOverlaySurvivesAndTheFileDoesNot) {
  std::vector<uint8_t> image(8 * 512);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<uint8_t>(i / 512);
  TempFile file(image);
  std::vector<uint8_t> state;
  std::string identity;
  {
    BlockFile a(file.path(), BlockFile::Mode::Snapshot);
    std::vector<uint8_t> sector(512, 0xcd);
    ASSERT_EQ(a.write(3 * 512, sector), 0);
    StateWriter w(state);
    a.save_state(w);
    identity = a.identity();
  }
  EXPECT_EQ(file.read_all(), image);
  BlockFile b(file.path(), BlockFile::Mode::Snapshot);
  EXPECT_EQ(b.identity(), identity);
  StateReader r(state);
  std::string error;
  ASSERT_TRUE(b.load_state(r, error)) << error;
  EXPECT_TRUE(r.done());
  std::vector<uint8_t> got(512);
  ASSERT_EQ(b.read(3 * 512, got), 0);
  EXPECT_EQ(got, std::vector<uint8_t>(512, 0xcd));
  ASSERT_EQ(b.read(4 * 512, got), 0);
  EXPECT_EQ(got, std::vector<uint8_t>(512, 4));
}

TEST(BlockFileState, IdentityIsModeSizeAndContent) {
  std::vector<uint8_t> image(4 * 512, 0);
  TempFile file(image);
  std::string before;
  {
    BlockFile rw(file.path(), BlockFile::Mode::ReadWrite);
    before = rw.identity();
    // CRC-32C of 2048 zero bytes, computed independently of crc32c() here.
    uint32_t crc = ~0u;
    for (size_t i = 0; i < image.size(); ++i) {
      crc ^= 0;
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
    }
    char want[64];
    std::snprintf(want, sizeof want, "mode=rw bytes=2048 crc32c=%08x", ~crc);
    EXPECT_EQ(before, want);
    std::vector<uint8_t> sector(512, 1);
    ASSERT_EQ(rw.write(0, sector), 0);
    EXPECT_NE(rw.identity(), before);  // the guest wrote: another disk
  }
  BlockFile ro(file.path(), BlockFile::Mode::ReadOnly);
  EXPECT_EQ(ro.identity().substr(0, 8), "mode=ro ");
}

TEST(BlockFileState, AnOverlayNeedsASnapshotDrive) {
  std::vector<uint8_t> image(4 * 512, 0);
  TempFile file(image);
  std::vector<uint8_t> state;
  {
    BlockFile a(file.path(), BlockFile::Mode::Snapshot);
    ASSERT_EQ(a.write(0, std::vector<uint8_t>(512, 9)), 0);
    StateWriter w(state);
    a.save_state(w);
  }
  BlockFile rw(file.path(), BlockFile::Mode::ReadWrite);
  StateReader r(state);
  std::string error;
  EXPECT_FALSE(rw.load_state(r, error));
  EXPECT_NE(error.find("snapshot=on"), std::string::npos) << error;
  EXPECT_EQ(file.read_all(), image);
}

}  // namespace
}  // namespace tiervm
