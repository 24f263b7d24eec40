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

namespace tiervm {
namespace {

using testing::RecordingLine;
using testing::TempFile;

constexpr uint64_t kRam = 0x8000'0000;
constexpr uint64_t kRamSize = 1 << 20;
constexpr uint64_t kMmio = 0x1000'1000;

// virtio 1.1 values, written out from the spec.
constexpr uint32_t kMagic = 0x74726976;
constexpr uint64_t kVersion1 = uint64_t{1} << 32;
constexpr uint64_t kBlkFlush = uint64_t{1} << 9, kBlkRo = uint64_t{1} << 5,
                   kBlkBlkSize = uint64_t{1} << 6;
constexpr uint32_t ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 64;
constexpr uint16_t NEXT = 1, WRITE = 2, INDIRECT = 4;
constexpr uint32_t T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11;
constexpr uint8_t S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;

constexpr uint64_t kDesc = kRam + 0x1000, kAvail = kRam + 0x2000, kUsed = kRam + 0x3000;
constexpr uint64_t kHeader = kRam + 0x4000, kStatus = kRam + 0x4100, kData = kRam + 0x10000;
constexpr uint32_t kQueueSize = 8;
constexpr unsigned kSectors = 64;

std::vector<uint8_t> pattern() {
  std::vector<uint8_t> bytes(kSectors * 512);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + i / 512);
  return bytes;
}

// Sectors [first, first + count) of the image's initial contents.
std::vector<uint8_t> sectors(unsigned first, unsigned count) {
  std::vector<uint8_t> all = pattern();
  return {all.begin() + first * 512, all.begin() + (first + count) * 512};
}

// An in-memory disk whose requests fail on demand, as a host's disk can: reads, writes or
// flushes return `error` (an errno value) from byte `fail_from` on. A failing write first
// stores the bytes before `fail_from`, like a short write that ran into a full disk.
class FaultyDisk final : public BlockBackend {
 public:
  enum class Op : uint8_t { None, Read, Write, Flush };

  explicit FaultyDisk(std::vector<uint8_t> image) : bytes(std::move(image)) {}
  uint64_t sectors() const override { return bytes.size() / kSectorSize; }
  bool read_only() const override { return false; }
  int read(uint64_t offset, std::span<uint8_t> out) override {
    if (failing == Op::Read && offset + out.size() > fail_from) return error;
    std::memcpy(out.data(), bytes.data() + offset, out.size());
    return 0;
  }
  int write(uint64_t offset, std::span<const uint8_t> in) override {
    if (failing == Op::Write && offset + in.size() > fail_from) {
      if (offset < fail_from) std::memcpy(bytes.data() + offset, in.data(), fail_from - offset);
      return error;
    }
    std::memcpy(bytes.data() + offset, in.data(), in.size());
    return 0;
  }
  int flush() override {
    ++flushes;
    return failing == Op::Flush ? error : 0;
  }

  std::vector<uint8_t> bytes;
  Op failing = Op::None;
  int error = 0;
  uint64_t fail_from = 0;
  unsigned flushes = 0;
};

// A minimal virtio-mmio driver speaking to the device through the bus, as a guest would.
class Fixture : public ::testing::Test {
 public:
  void SetUp() override { bus.map_ram(kRam, kRamSize); }

  void attach(BlockFile::Mode mode) { attach(std::make_unique<VirtioBlk>(file.path(), mode)); }
  FaultyDisk& attach_faulty() {
    auto owned = std::make_unique<FaultyDisk>(pattern());
    FaultyDisk& disk = *owned;
    attach(std::make_unique<VirtioBlk>(std::move(owned)));
    return disk;
  }
  void attach(std::unique_ptr<VirtioBlk> device) {
    blk = std::move(device);
    mmio = std::make_unique<VirtioMmio>(bus, irq, blk.get());
    bus.map_device(kMmio, 0x1000, *mmio);
  }

  uint32_t reg(uint64_t offset) {
    uint64_t v = 0;
    EXPECT_TRUE(bus.read(kMmio + offset, 4, v));
    return static_cast<uint32_t>(v);
  }
  void set(uint64_t offset, uint32_t v) { EXPECT_TRUE(bus.write(kMmio + offset, 4, v)); }
  template <typename T>
  T peek(uint64_t addr) {
    T v{};
    EXPECT_TRUE(bus.dma_read(addr, std::span(reinterpret_cast<uint8_t*>(&v), sizeof v)));
    return v;
  }
  template <typename T>
  void poke(uint64_t addr, T v) {
    EXPECT_TRUE(bus.dma_write(addr, std::span(reinterpret_cast<const uint8_t*>(&v), sizeof v)));
  }

  // Section 3.1.1 driver initialization; returns the status after FEATURES_OK.
  uint32_t init(uint64_t features = kVersion1 | kBlkFlush, bool driver_ok = true) {
    set(0x070, 0);
    set(0x070, ACK);
    set(0x070, ACK | DRIVER);
    set(0x024, 0);
    set(0x020, static_cast<uint32_t>(features));
    set(0x024, 1);
    set(0x020, static_cast<uint32_t>(features >> 32));
    set(0x070, ACK | DRIVER | FEATURES_OK);
    uint32_t status = reg(0x070);
    set(0x030, 0);
    set(0x038, kQueueSize);
    set(0x080, static_cast<uint32_t>(kDesc));
    set(0x084, static_cast<uint32_t>(kDesc >> 32));
    set(0x090, static_cast<uint32_t>(kAvail));
    set(0x094, 0);
    set(0x0a0, static_cast<uint32_t>(kUsed));
    set(0x0a4, 0);
    set(0x044, 1);
    if (driver_ok) set(0x070, status | DRIVER_OK);
    return status;
  }

  void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next = 0) {
    uint64_t d = kDesc + 16 * i;
    poke<uint64_t>(d, addr);
    poke<uint32_t>(d + 8, len);
    poke<uint16_t>(d + 12, flags);
    poke<uint16_t>(d + 14, next);
  }
  void offer(uint16_t head, bool notify = true) {
    poke<uint16_t>(kAvail + 4 + 2 * (avail_idx % kQueueSize), head);
    ++avail_idx;
    poke<uint16_t>(kAvail + 2, avail_idx);
    if (notify) set(0x050, 0);
  }
  void header(uint32_t type, uint64_t sector) {
    poke<uint32_t>(kHeader, type);
    poke<uint32_t>(kHeader + 4, 0);
    poke<uint64_t>(kHeader + 8, sector);
  }
  // header / data / status in three descriptors; returns the status byte.
  uint8_t request(uint32_t type, uint64_t sector, uint32_t data_len, bool device_writes) {
    header(type, sector);
    poke<uint8_t>(kStatus, 0xee);
    desc(0, kHeader, 16, NEXT, 1);
    desc(1, kData, data_len, static_cast<uint16_t>(NEXT | (device_writes ? WRITE : 0)), 2);
    desc(2, kStatus, 1, WRITE);
    offer(0);
    return peek<uint8_t>(kStatus);
  }
  uint8_t request_no_data(uint32_t type) {
    header(type, 0);
    poke<uint8_t>(kStatus, 0xee);
    desc(0, kHeader, 16, NEXT, 1);
    desc(1, kStatus, 1, WRITE);
    offer(0);
    return peek<uint8_t>(kStatus);
  }
  uint16_t used_idx() { return peek<uint16_t>(kUsed + 2); }
  uint32_t used_len(unsigned i) { return peek<uint32_t>(kUsed + 4 + 8 * i + 4); }
  uint32_t used_id(unsigned i) { return peek<uint32_t>(kUsed + 4 + 8 * i); }
  std::vector<uint8_t> ram(uint64_t addr, size_t len) {
    std::vector<uint8_t> v(len);
    EXPECT_TRUE(bus.dma_read(addr, v));
    return v;
  }

  TempFile file{pattern()};
  Bus bus;
  RecordingLine irq;
  std::unique_ptr<VirtioBlk> blk;
  std::unique_ptr<VirtioMmio> mmio;
  uint16_t avail_idx = 0;
};

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
