#include "devices/virtio_blk.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "devices/virtio_mmio.h"
#include "mem/bus.h"
#include "test_lines.h"
#include "virtio_blk_driver.h"

namespace tiervm {
namespace {

using namespace testing;  // the driver, its constants and FaultyDisk
using Fixture = VirtioBlkDriver;

TEST_F(Fixture, IdentityAndConfig) {
  attach(BlockFile::Mode::ReadWrite);
  EXPECT_EQ(reg(0x000), kMagic);
  EXPECT_EQ(reg(0x004), 2u);
  EXPECT_EQ(reg(0x008), 2u);  // block device
  EXPECT_EQ(reg(0x00c), 0x554d4551u);
  set(0x014, 1);
  EXPECT_EQ(reg(0x010) & 1, 1u);  // VIRTIO_F_VERSION_1
  set(0x014, 0);
  uint32_t low = reg(0x010);
  EXPECT_NE(low & kBlkFlush, 0u);
  EXPECT_NE(low & kBlkBlkSize, 0u);
  EXPECT_EQ(low & kBlkRo, 0u);
  set(0x030, 0);
  EXPECT_EQ(reg(0x034), 256u);
  set(0x030, 1);
  EXPECT_EQ(reg(0x034), 0u);  // only one queue
  // Capacity, in 512-byte sectors, read as two 32-bit halves as Linux does.
  EXPECT_EQ(reg(0x100), kSectors);
  EXPECT_EQ(reg(0x104), 0u);
  uint64_t v = 0;
  ASSERT_TRUE(bus.read(kMmio + 0x100, 8, v));
  EXPECT_EQ(v, kSectors);
  ASSERT_TRUE(bus.read(kMmio + 0x100 + 20, 4, v));
  EXPECT_EQ(v, 512u);  // blk_size
  ASSERT_TRUE(bus.read(kMmio + 0x100, 1, v));
  EXPECT_EQ(v, kSectors);
}

TEST_F(Fixture, EmptySlotAnswersWithDeviceIdZero) {
  VirtioMmio empty(bus, irq, nullptr);
  bus.map_device(kMmio + 0x1000, 0x1000, empty);
  uint64_t v = 0;
  ASSERT_TRUE(bus.read(kMmio + 0x1000, 4, v));
  EXPECT_EQ(v, kMagic);
  ASSERT_TRUE(bus.read(kMmio + 0x1004, 4, v));
  EXPECT_EQ(v, 2u);
  ASSERT_TRUE(bus.read(kMmio + 0x1008, 4, v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(bus.write(kMmio + 0x1070, 4, ACK));
  EXPECT_TRUE(bus.write(kMmio + 0x1050, 4, 0));
  ASSERT_TRUE(bus.read(kMmio + 0x1070, 4, v));
  EXPECT_EQ(v, 0u);
}

TEST_F(Fixture, FeaturesOkNeedsVersion1) {
  attach(BlockFile::Mode::ReadWrite);
  EXPECT_EQ(init(kBlkFlush) & FEATURES_OK, 0u);
  EXPECT_EQ(init() & FEATURES_OK, FEATURES_OK);
}

TEST_F(Fixture, ReadSectors) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  EXPECT_EQ(request(T_IN, 3, 1024, true), S_OK);
  std::vector<uint8_t> expect = sectors(3, 2);
  EXPECT_EQ(ram(kData, 1024), expect);
  EXPECT_EQ(used_idx(), 1u);
  EXPECT_EQ(used_id(0), 0u);
  EXPECT_EQ(used_len(0), 1025u);  // data and status byte
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(reg(0x060), 1u);  // used buffer notification
  set(0x064, 1);
  EXPECT_FALSE(irq.level);
  EXPECT_EQ(reg(0x060), 0u);
}

TEST_F(Fixture, WriteSectorsReachTheFile) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  std::vector<uint8_t> data(512, 0xab);
  ASSERT_TRUE(bus.dma_write(kData, data));
  EXPECT_EQ(request(T_OUT, 10, 512, false), S_OK);
  EXPECT_EQ(used_len(0), 1u);
  EXPECT_EQ(request_no_data(T_FLUSH), S_OK);
  std::vector<uint8_t> expect = pattern();
  std::fill(expect.begin() + 10 * 512, expect.begin() + 11 * 512, 0xab);
  EXPECT_EQ(file.read_all(), expect);
}

TEST_F(Fixture, GetIdReturnsSerial) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  std::vector<uint8_t> junk(20, 0xff);
  ASSERT_TRUE(bus.dma_write(kData, junk));
  EXPECT_EQ(request(T_GET_ID, 0, 20, true), S_OK);
  std::vector<uint8_t> expect(20, 0);
  std::memcpy(expect.data(), "tiervm", 6);
  EXPECT_EQ(ram(kData, 20), expect);
  EXPECT_EQ(used_len(0), 21u);
}

TEST_F(Fixture, UnsupportedAndOutOfRangeRequests) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  EXPECT_EQ(request(T_DISCARD, 0, 16, false), S_UNSUPP);
  EXPECT_EQ(request(T_IN, kSectors - 1, 1024, true), S_IOERR);  // runs past the end
  EXPECT_EQ(request(T_IN, ~uint64_t{0}, 512, true), S_IOERR);
  EXPECT_EQ(request(T_IN, 0, 100, true), S_IOERR);  // not a whole sector
  EXPECT_EQ(request(T_IN, kSectors - 1, 512, true), S_OK);
  EXPECT_EQ(reg(0x070) & NEEDS_RESET, 0u);
}

TEST_F(Fixture, AnyDescriptorLayout) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  // Header split over two descriptors; data and status share one (section 2.6.4).
  header(T_IN, 2);
  desc(5, kHeader, 4, NEXT, 3);
  desc(3, kHeader + 4, 12, NEXT, 7);
  desc(7, kData, 513, WRITE);
  offer(5);
  std::vector<uint8_t> expect = sectors(2, 1);
  expect.push_back(S_OK);
  EXPECT_EQ(ram(kData, 513), expect);
  EXPECT_EQ(used_id(0), 5u);
  EXPECT_EQ(used_len(0), 513u);
}

TEST_F(Fixture, SeveralRequestsInOneNotify) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  header(T_IN, 0);
  for (unsigned r = 0; r < 2; ++r) {
    desc(3 * r, kHeader, 16, NEXT, static_cast<uint16_t>(3 * r + 1));
    desc(3 * r + 1, kData + 512 * r, 512, NEXT | WRITE, static_cast<uint16_t>(3 * r + 2));
    desc(3 * r + 2, kStatus + r, 1, WRITE);
    offer(static_cast<uint16_t>(3 * r), r == 1);
  }
  EXPECT_EQ(used_idx(), 2u);
  EXPECT_EQ(used_id(0), 0u);
  EXPECT_EQ(used_id(1), 3u);
}

TEST_F(Fixture, NoInterruptFlagSuppressesNotification) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  poke<uint16_t>(kAvail, 1);  // VIRTQ_AVAIL_F_NO_INTERRUPT
  EXPECT_EQ(request(T_IN, 0, 512, true), S_OK);
  EXPECT_EQ(used_idx(), 1u);
  EXPECT_FALSE(irq.level);
}

TEST_F(Fixture, NothingIsProcessedBeforeDriverOk) {
  attach(BlockFile::Mode::ReadWrite);
  uint32_t status = init(kVersion1, false);
  header(T_IN, 0);
  desc(0, kHeader, 16, NEXT, 1);
  desc(1, kData, 512, NEXT | WRITE, 2);
  desc(2, kStatus, 1, WRITE);
  offer(0);
  EXPECT_EQ(used_idx(), 0u);
  set(0x070, status | DRIVER_OK);  // the pending request is served now
  EXPECT_EQ(used_idx(), 1u);
}

TEST_F(Fixture, ReadOnlyImageRefusesWrites) {
  attach(BlockFile::Mode::ReadOnly);
  set(0x014, 0);
  EXPECT_NE(reg(0x010) & kBlkRo, 0u);
  init(kVersion1 | kBlkRo);
  EXPECT_EQ(request(T_OUT, 0, 512, false), S_IOERR);
  EXPECT_EQ(request(T_IN, 0, 512, true), S_OK);
  EXPECT_EQ(file.read_all(), pattern());
}

TEST_F(Fixture, SnapshotKeepsFileUntouched) {
  attach(BlockFile::Mode::Snapshot);
  init();
  std::vector<uint8_t> data(1024, 0x5c);
  ASSERT_TRUE(bus.dma_write(kData, data));
  EXPECT_EQ(request(T_OUT, 7, 1024, false), S_OK);
  EXPECT_EQ(request_no_data(T_FLUSH), S_OK);
  std::vector<uint8_t> zero(2048, 0);
  ASSERT_TRUE(bus.dma_write(kData, zero));
  EXPECT_EQ(request(T_IN, 6, 2048, true), S_OK);  // one old sector, two new, one old
  std::vector<uint8_t> expect = sectors(6, 4);
  std::fill(expect.begin() + 512, expect.begin() + 1536, 0x5c);
  EXPECT_EQ(ram(kData, 2048), expect);
  EXPECT_EQ(file.read_all(), pattern());
}

TEST_F(Fixture, SecondWriterIsRefused) {
  VirtioBlk first(file.path(), BlockFile::Mode::ReadWrite);
  try {
    VirtioBlk second(file.path(), BlockFile::Mode::ReadWrite);
    FAIL() << "second open succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is locked by another process"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(file.path()), std::string::npos);
  }
  EXPECT_THROW(VirtioBlk(file.path(), BlockFile::Mode::Snapshot), std::runtime_error);
}

TEST_F(Fixture, ReadersShareButExcludeAWriter) {
  VirtioBlk a(file.path(), BlockFile::Mode::ReadOnly);
  VirtioBlk b(file.path(), BlockFile::Mode::Snapshot);
  EXPECT_THROW(VirtioBlk(file.path(), BlockFile::Mode::ReadWrite), std::runtime_error);
}

TEST_F(Fixture, MissingFileIsAHostError) {
  EXPECT_THROW(VirtioBlk("/nonexistent/disk.img", BlockFile::Mode::ReadWrite), std::runtime_error);
}

// Faults of the host's storage reach the guest as VIRTIO_BLK_S_IOERR (section 5.2.6) with
// nothing claimed written into its buffers; the device keeps serving the next request.
struct HostFault {
  const char* what;
  FaultyDisk::Op op;
  int error;
  uint64_t fail_from;  // byte offset on the disk
  uint32_t type;       // the request that meets the fault: 4 sectors from sector 8
};

class HostFaultTest : public Fixture, public ::testing::WithParamInterface<HostFault> {};

TEST_P(HostFaultTest, GuestSeesIoErrorAndTheDeviceGoesOn) {
  const HostFault& f = GetParam();
  FaultyDisk& disk = attach_faulty();
  init();
  disk.failing = f.op;
  disk.error = f.error;
  disk.fail_from = f.fail_from;
  std::vector<uint8_t> data(2048, 0x3c);
  ASSERT_TRUE(bus.dma_write(kData, data));
  const uint8_t status =
      f.type == T_FLUSH ? request_no_data(T_FLUSH) : request(f.type, 8, 2048, f.type == T_IN);
  EXPECT_EQ(status, S_IOERR);
  EXPECT_EQ(used_idx(), 1u);
  EXPECT_EQ(used_len(0), 1u);  // the status byte only: no data was read
  EXPECT_EQ(reg(0x070) & NEEDS_RESET, 0u);
  disk.failing = FaultyDisk::Op::None;
  EXPECT_EQ(request(T_IN, 0, 512, true), S_OK);
  EXPECT_EQ(ram(kData, 512), sectors(0, 1));
}

INSTANTIATE_TEST_SUITE_P(
    Faults, HostFaultTest,
    ::testing::Values(
        HostFault{"ReadEio", FaultyDisk::Op::Read, EIO, 0, T_IN},
        HostFault{"ReadEioInTheLastSector", FaultyDisk::Op::Read, EIO, 11 * 512, T_IN},
        HostFault{"WriteEnospc", FaultyDisk::Op::Write, ENOSPC, 0, T_OUT},
        HostFault{"WriteShortThenEnospc", FaultyDisk::Op::Write, ENOSPC, 9 * 512 + 100, T_OUT},
        HostFault{"WriteEio", FaultyDisk::Op::Write, EIO, 0, T_OUT},
        HostFault{"WriteEdquot", FaultyDisk::Op::Write, EDQUOT, 0, T_OUT},
        HostFault{"FlushEio", FaultyDisk::Op::Flush, EIO, 0, T_FLUSH},
        HostFault{"FlushEnospc", FaultyDisk::Op::Flush, ENOSPC, 0, T_FLUSH}),
    [](const ::testing::TestParamInfo<HostFault>& info) { return info.param.what; });

// After a failed flush the host may have dropped the dirty data (Linux reports a writeback
// error to one fsync and then forgets it), so a later flush that succeeds would claim
// durable what was lost: every later flush fails too. Reads and writes go on.
TEST_F(Fixture, AFailedFlushFailsEveryLaterFlush) {
  FaultyDisk& disk = attach_faulty();
  init();
  EXPECT_EQ(request_no_data(T_FLUSH), S_OK);
  disk.failing = FaultyDisk::Op::Flush;
  disk.error = EIO;
  EXPECT_EQ(request_no_data(T_FLUSH), S_IOERR);
  disk.failing = FaultyDisk::Op::None;
  EXPECT_EQ(request_no_data(T_FLUSH), S_IOERR);
  EXPECT_EQ(request_no_data(T_FLUSH), S_IOERR);
  EXPECT_EQ(request(T_OUT, 1, 512, false), S_OK);
  EXPECT_EQ(request(T_IN, 1, 512, true), S_OK);
  EXPECT_EQ(request_no_data(T_FLUSH), S_IOERR);
  EXPECT_EQ(reg(0x070) & NEEDS_RESET, 0u);
}

// A read larger than the device's bounce buffer that fails in a later piece: the part
// already copied must not count as read.
TEST_F(Fixture, ReadFailingPartwayClaimsNoData) {
  auto owned = std::make_unique<FaultyDisk>(std::vector<uint8_t>(256 * 512, 0x11));
  FaultyDisk& disk = *owned;
  attach(std::make_unique<VirtioBlk>(std::move(owned)));
  init();
  disk.failing = FaultyDisk::Op::Read;
  disk.error = EIO;
  disk.fail_from = 200 * 512;
  EXPECT_EQ(request(T_IN, 0, 256 * 512, true), S_IOERR);
  EXPECT_EQ(used_len(0), 1u);
}

// Hostile drivers: each case must neither crash nor touch the file; the device reports
// DEVICE_NEEDS_RESET with a configuration change interrupt and ignores the queue until
// the driver resets it.
struct Hostile {
  const char* what;
  void (*build)(Fixture& h);
};

class HostileTest : public Fixture, public ::testing::WithParamInterface<Hostile> {};

TEST_P(HostileTest, DeviceNeedsResetAndSurvives) {
  attach(BlockFile::Mode::ReadWrite);
  init();
  header(T_OUT, 0);
  GetParam().build(*this);
  EXPECT_NE(reg(0x070) & NEEDS_RESET, 0u);
  EXPECT_NE(reg(0x060) & 2, 0u);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(file.read_all(), pattern());
  set(0x050, 0);  // further notifications are ignored
  EXPECT_EQ(used_idx(), 0u);
  // A reset and a fresh start bring the device back.
  avail_idx = 0;
  poke<uint16_t>(kAvail + 2, 0);
  poke<uint16_t>(kUsed + 2, 0);
  init();
  EXPECT_EQ(reg(0x070) & NEEDS_RESET, 0u);
  EXPECT_EQ(request(T_IN, 1, 512, true), S_OK);
}

void loop(Fixture& h) {
  h.desc(0, kHeader, 16, NEXT, 1);
  h.desc(1, kData, 512, NEXT, 0);
  h.offer(0);
}
void self_loop(Fixture& h) {
  h.desc(4, kHeader, 16, NEXT, 4);
  h.offer(4);
}
void outside_ram(Fixture& h) {
  h.desc(0, kHeader, 16, NEXT, 1);
  h.desc(1, 0x1000'0000, 512, NEXT, 2);
  h.desc(2, kStatus, 1, WRITE);
  h.offer(0);
}
void huge_length(Fixture& h) {
  h.desc(0, kHeader, 16, NEXT, 1);
  h.desc(1, kData, 0xffffffff, NEXT, 2);
  h.desc(2, kStatus, 1, WRITE);
  h.offer(0);
}
void wraps_address_space(Fixture& h) {
  h.desc(0, ~uint64_t{0} - 8, 16, NEXT, 1);
  h.desc(1, kStatus, 1, WRITE);
  h.offer(0);
}
void head_out_of_range(Fixture& h) {
  h.offer(200);
}
void next_out_of_range(Fixture& h) {
  h.desc(0, kHeader, 16, NEXT, 9);
  h.offer(0);
}
void avail_idx_jump(Fixture& h) {
  h.poke<uint16_t>(kAvail + 2, 1000);
  h.set(0x050, 0);
}
void indirect(Fixture& h) {
  h.desc(0, kHeader, 16, INDIRECT);
  h.offer(0);
}
void no_status_byte(Fixture& h) {
  h.desc(0, kHeader, 16, 0);
  h.offer(0);
}
void short_header(Fixture& h) {
  h.desc(0, kHeader, 8, NEXT, 1);
  h.desc(1, kStatus, 1, WRITE);
  h.offer(0);
}
void writable_before_readable(Fixture& h) {
  h.desc(0, kStatus, 1, NEXT | WRITE, 1);
  h.desc(1, kHeader, 16, 0);
  h.offer(0);
}
void rings_outside_ram(Fixture& h) {
  h.set(0x044, 0);
  h.set(0x090, 0x2000'0000);
  h.set(0x044, 1);
  h.set(0x050, 0);
}
void bad_queue_size(Fixture& h) {
  h.set(0x044, 0);
  h.set(0x038, 6);  // not a power of two
  h.set(0x044, 1);
  h.desc(0, kHeader, 16, NEXT, 1);
  h.desc(1, kStatus, 1, WRITE);
  h.offer(0);
}

INSTANTIATE_TEST_SUITE_P(
    Virtqueue, HostileTest,
    ::testing::Values(
        Hostile{"loop", loop}, Hostile{"self_loop", self_loop}, Hostile{"outside_ram", outside_ram},
        Hostile{"huge_length", huge_length}, Hostile{"wraps_address_space", wraps_address_space},
        Hostile{"head_out_of_range", head_out_of_range},
        Hostile{"next_out_of_range", next_out_of_range}, Hostile{"avail_idx_jump", avail_idx_jump},
        Hostile{"indirect", indirect}, Hostile{"no_status_byte", no_status_byte},
        Hostile{"short_header", short_header},
        Hostile{"writable_before_readable", writable_before_readable},
        Hostile{"rings_outside_ram", rings_outside_ram}, Hostile{"bad_queue_size", bad_queue_size}),
    [](const ::testing::TestParamInfo<Hostile>& info) { return info.param.what; });

}  // namespace
}  // namespace tiervm
