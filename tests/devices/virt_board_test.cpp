#include "devices/virt_board.h"

#include <gtest/gtest.h>
#include <libfdt.h>

#include <stdexcept>
#include <vector>

#include "test_lines.h"

namespace tiervm {
namespace {

using testing::RecordingLine;
using testing::TempFile;

// Guest-visible addresses of QEMU's virt machine, spelled out independently.
constexpr uint64_t kUart = 0x1000'0000, kTest = 0x10'0000, kRtc = 0x10'1000, kClint = 0x200'0000,
                   kPlic = 0xc00'0000, kRam = 0x8000'0000;
constexpr uint64_t virtio(unsigned n) {
  return 0x1000'1000 + 0x1000 * n;
}

class BoardTest : public ::testing::Test {
 protected:
  VirtBoardConfig config() {
    VirtBoardConfig c;
    c.ram_size = 16 << 20;
    c.clock = &clock;
    c.uart_output = [this](uint8_t b) { out.push_back(b); };
    c.on_test_event = [this](TestDeviceEvent e) { events.push_back(e); };
    c.rtc_now_ns = [] { return uint64_t{1'700'000'000} * 1'000'000'000; };
    return c;
  }
  void make(VirtBoardConfig c) {
    board = std::make_unique<VirtBoard>(bus, std::move(c), HartIrqLines{msip, mtip, meip, seip});
  }
  uint64_t rd(uint64_t addr, unsigned size) {
    uint64_t v = 0;
    EXPECT_TRUE(bus.read(addr, size, v)) << std::hex << addr;
    return v;
  }
  void wr(uint64_t addr, unsigned size, uint64_t v) {
    EXPECT_TRUE(bus.write(addr, size, v)) << std::hex << addr;
  }

  ManualClock clock;
  RecordingLine msip, mtip, meip, seip;
  std::vector<uint8_t> out;
  std::vector<TestDeviceEvent> events;
  Bus bus;
  std::unique_ptr<VirtBoard> board;
};

TEST_F(BoardTest, DevicesAnswerAtTheirAddresses) {
  make(config());
  EXPECT_EQ(rd(kUart + 5, 1), 0x60u);  // LSR: THRE | TEMT
  EXPECT_EQ(rd(kRtc + 0x00, 4), (uint64_t{1'700'000'000} * 1'000'000'000) & 0xffffffff);
  for (unsigned n = 0; n < 8; ++n) EXPECT_EQ(rd(virtio(n), 4), 0x74726976u) << n;
  // No drives: the console (virtio device id 3) and the entropy device (4) take the top
  // slots, the others are empty.
  EXPECT_EQ(rd(virtio(7) + 8, 4), 3u);
  EXPECT_EQ(rd(virtio(6) + 8, 4), 4u);
  for (unsigned n = 0; n < 6; ++n) EXPECT_EQ(rd(virtio(n) + 8, 4), 0u) << n;
  EXPECT_EQ(rd(kRam, 8), 0u);
  EXPECT_EQ(rd(kRam + (16 << 20) - 8, 8), 0u);
  uint64_t v;
  EXPECT_FALSE(bus.read(kRam + (16 << 20), 4, v));
  EXPECT_EQ(rd(kPlic + 0x200000, 4), 0u);
}

TEST_F(BoardTest, UartOutputAndTestFinisher) {
  make(config());
  wr(kUart, 1, 'A');
  EXPECT_EQ(out, std::vector<uint8_t>{'A'});
  wr(kTest, 4, (3u << 16) | 0x3333);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, TestDeviceEvent::Kind::Fail);
  EXPECT_EQ(events[0].code, 3u);
}

TEST_F(BoardTest, UartInterruptReachesSupervisorThroughPlic) {
  make(config());
  wr(kPlic + 4 * 10, 4, 1);                    // priority of source 10
  wr(kPlic + 0x2000 + 0x80 * 1, 4, 1u << 10);  // enable in context 1 (S)
  wr(kUart + 1, 1, 0x02);                      // IER: THR empty -> interrupt now
  EXPECT_TRUE(seip.level);
  EXPECT_FALSE(meip.level);
  EXPECT_EQ(rd(kPlic + 0x201004, 4), 10u);  // claim
  EXPECT_FALSE(seip.level);
  EXPECT_EQ(rd(kUart + 2, 1) & 0x0f, 0x02u);  // IIR read acknowledges the UART
  wr(kPlic + 0x201004, 4, 10);                // complete
  EXPECT_FALSE(seip.level);
}

TEST_F(BoardTest, UartInputThroughPoll) {
  make(config());
  ASSERT_TRUE(board->uart().push_input('z'));
  EXPECT_EQ(board->next_deadline_ticks(), 0u);  // input waiting: poll now
  board->poll();
  EXPECT_EQ(rd(kUart + 5, 1) & 1, 1u);
  EXPECT_EQ(rd(kUart, 1), 'z');
}

TEST_F(BoardTest, ClintTimerAndDeadline) {
  make(config());
  clock.set(1000);
  EXPECT_EQ(rd(kClint + 0xbff8, 8), 1000u);
  wr(kClint + 0x4000, 8, 1500);
  EXPECT_EQ(board->next_deadline_ticks(), 500u);
  clock.set(1500);
  EXPECT_FALSE(mtip.level);  // evaluated when the machine polls
  board->poll();
  EXPECT_TRUE(mtip.level);
  wr(kClint, 4, 1);
  EXPECT_TRUE(msip.level);
  uint64_t v;
  EXPECT_FALSE(bus.read(kClint + 0xbff8, 1, v));  // CLINT takes 4- and 8-byte accesses
}

TEST_F(BoardTest, RtcAlarmShortensDeadline) {
  uint64_t now = 1'000'000'000;
  VirtBoardConfig c = config();
  c.rtc_now_ns = [&now] { return now; };
  make(std::move(c));
  wr(kRtc + 0x0c, 4, 0);
  wr(kRtc + 0x08, 4, 1'000'000'000 + 250);      // 250 ns from now
  EXPECT_EQ(board->next_deadline_ticks(), 3u);  // 2.5 ticks of 100 ns, rounded up
  wr(kPlic + 4 * 11, 4, 1);
  wr(kPlic + 0x2000 + 0x80, 4, 1u << 11);
  wr(kRtc + 0x10, 4, 1);
  now += 250;
  board->poll();
  EXPECT_TRUE(seip.level);
}

TEST_F(BoardTest, DrivesFillSlotsFromTheTopLikeQemu) {
  TempFile a(std::vector<uint8_t>(4096, 1));
  TempFile b(std::vector<uint8_t>(8192, 2));
  VirtBoardConfig c = config();
  c.drives = {{a.path(), false, false}, {b.path(), true, false}};
  make(std::move(c));
  EXPECT_EQ(rd(virtio(7) + 8, 4), 2u);  // first drive at 0x10008000
  EXPECT_EQ(rd(virtio(7) + 0x100, 4), 8u);
  EXPECT_EQ(rd(virtio(6) + 8, 4), 2u);
  EXPECT_EQ(rd(virtio(6) + 0x100, 4), 16u);
  EXPECT_EQ(rd(virtio(5) + 8, 4), 3u);  // the console and the entropy device follow
  EXPECT_EQ(rd(virtio(4) + 8, 4), 4u);
  EXPECT_EQ(rd(virtio(3) + 8, 4), 0u);
  EXPECT_EQ(board->drive_count(), 2u);
  EXPECT_TRUE(board->drive(1).backend().read_only());
  EXPECT_FALSE(board->drive(0).backend().read_only());
}

TEST_F(BoardTest, LockedDriveFailsConstruction) {
  TempFile a(std::vector<uint8_t>(4096, 1));
  BlockFile holder(a.path(), BlockFile::Mode::ReadWrite);
  VirtBoardConfig c = config();
  c.drives = {{a.path(), false, false}};
  EXPECT_THROW(make(std::move(c)), std::runtime_error);
}

TEST_F(BoardTest, PrepareBootLoadsFdtAndRom) {
  VirtBoardConfig c = config();
  c.bootargs = "console=ttyS0";
  make(std::move(c));
  board->set_initrd(0x8100'0000, 0x8120'0000);
  uint64_t fdt_addr = board->prepare_boot(0x8000'0000, 0x8020'0000);
  // 16 MiB of RAM ends at 0x81000000: the blob sits in the last 2 MiB.
  EXPECT_EQ(fdt_addr, 0x80e0'0000u);
  EXPECT_EQ(rd(fdt_addr, 4), 0xedfe0dd0u);  // FDT magic 0xd00dfeed, big-endian
  uint8_t* blob = bus.host_ptr(fdt_addr, 64, false);
  ASSERT_NE(blob, nullptr);
  int chosen = fdt_path_offset(blob, "/chosen");
  ASSERT_GE(chosen, 0);
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(blob, chosen, "bootargs", nullptr)),
               "console=ttyS0");
  EXPECT_NE(fdt_getprop(blob, chosen, "linux,initrd-start", nullptr), nullptr);
  EXPECT_EQ(rd(0x1000, 4), 0x00000297u);  // auipc t0, 0
  EXPECT_EQ(rd(0x1018, 8), 0x8000'0000u);
  EXPECT_EQ(rd(0x1020, 8), fdt_addr);
  EXPECT_EQ(rd(0x1038, 8), 0x8020'0000u);  // fw_dynamic_info.next_addr
  EXPECT_EQ(rd(0x1000 + 0xeff8, 8), 0u);   // the ROM spans QEMU's 0xf000 bytes
  EXPECT_FALSE(bus.write(0x1000, 4, 0));   // and is read-only
  EXPECT_THROW(board->map_boot_rom({}), std::logic_error);
}

TEST_F(BoardTest, TooManyDrives) {
  VirtBoardConfig c = config();
  c.drives.resize(9);
  EXPECT_THROW(make(std::move(c)), std::invalid_argument);
}

}  // namespace
}  // namespace tiervm

namespace tiervm {
namespace {

TEST_F(BoardTest, ResetReturnsDevicesToTheirPowerOnState) {
  TempFile a(std::vector<uint8_t>(4096, 1));
  VirtBoardConfig c = config();
  c.drives = {{a.path(), false, false}};
  make(std::move(c));
  wr(kUart + 1, 1, 0x0f);           // IER: every interrupt
  wr(kUart + 3, 1, 0x03);           // LCR: 8N1
  wr(kPlic + 4 * 10, 4, 5);         // priority of source 10 (the UART)
  wr(kPlic + 0x2000, 4, 1u << 10);  // enabled for context 0
  wr(kClint + 0x4000, 8, 1234);     // mtimecmp
  wr(virtio(7) + 0x70, 4, 1 | 2);   // virtio status ACKNOWLEDGE | DRIVER
  wr(kRam + 0x100, 8, 0x1122334455667788);
  board->reset();
  EXPECT_EQ(rd(kUart + 1, 1), 0u);  // PC16550D: IER and LCR reset to 0
  EXPECT_EQ(rd(kUart + 3, 1), 0u);
  EXPECT_EQ(rd(kUart + 5, 1), 0x60u);  // LSR: THRE | TEMT
  EXPECT_EQ(rd(kPlic + 4 * 10, 4), 0u);
  EXPECT_EQ(rd(kPlic + 0x2000, 4), 0u);
  EXPECT_EQ(rd(kClint + 0x4000, 8), ~uint64_t{0});
  EXPECT_EQ(rd(virtio(7) + 0x70, 4), 0u);               // virtio 1.1 2.1: status 0 after a reset
  EXPECT_EQ(rd(virtio(7) + 8, 4), 2u);                  // the drive is still there
  EXPECT_EQ(rd(kRam + 0x100, 8), 0x1122334455667788u);  // RAM keeps its contents
}

}  // namespace
}  // namespace tiervm
