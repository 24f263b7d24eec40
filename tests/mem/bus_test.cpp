#include "mem/bus.h"

#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

namespace tiervm {
namespace {

constexpr uint64_t kRam = 0x8000'0000;
constexpr uint64_t kRamSize = 0x10'0000;  // 1 MiB

// A device that records every access it receives and answers reads from a register file.
class FakeDevice : public MmioDevice {
 public:
  struct Op {
    bool write;
    uint64_t offset;
    unsigned size;
    uint64_t value;
    bool operator==(const Op&) const = default;
  };

  FakeDevice(std::string name, unsigned sizes) : name_(std::move(name)), sizes_(sizes) {}
  std::string_view name() const override { return name_; }
  unsigned access_sizes() const override { return sizes_; }
  bool read(uint64_t offset, unsigned size, uint64_t& value) override {
    if (refuse) return false;
    // Byte i of the register space reads as 0x10 + i.
    value = 0;
    for (unsigned i = 0; i < size; ++i) value |= uint64_t{0x10 + offset + i} << (8 * i);
    ops.push_back({false, offset, size, value});
    return true;
  }
  bool write(uint64_t offset, unsigned size, uint64_t value) override {
    if (refuse) return false;
    ops.push_back({true, offset, size, value});
    return true;
  }

  std::vector<Op> ops;
  bool refuse = false;

 private:
  std::string name_;
  unsigned sizes_;
};

TEST(Bus, RefusesOverlapNamingBothRegions) {
  Bus bus;
  bus.map_ram(kRam, kRamSize);
  try {
    bus.map_rom(kRam + kRamSize - 0x10, std::vector<uint8_t>(0x20), "bootrom");
    FAIL() << "overlap accepted";
  } catch (const std::invalid_argument& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("bootrom"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ram"), std::string::npos) << msg;
  }
  FakeDevice dev("uart", 1);
  bus.map_device(0x1000'0000, 0x100, dev);
  try {
    FakeDevice other("plic", 4);
    bus.map_device(0x0fff'ff00, 0x101, other);
    FAIL() << "overlap accepted";
  } catch (const std::invalid_argument& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("uart"), std::string::npos) << msg;
    EXPECT_NE(msg.find("plic"), std::string::npos) << msg;
  }
  // A region that contains an existing one entirely overlaps it too.
  EXPECT_THROW(bus.map_rom(0x0fff'0000, std::vector<uint8_t>(0x10'0000), "big"),
               std::invalid_argument);
}

TEST(Bus, RefusesZeroSizeAndWrap) {
  Bus bus;
  EXPECT_THROW(bus.map_rom(0x1000, {}, "empty"), std::invalid_argument);
  FakeDevice dev("dev", 4);
  EXPECT_THROW(bus.map_device(0x2000, 0, dev), std::invalid_argument);
  EXPECT_THROW(bus.map_device(0xffff'ffff'ffff'f000, 0x2000, dev), std::invalid_argument);
  EXPECT_THROW(bus.map_ram(0x1000, 0), std::invalid_argument);
  // Ending exactly at the top of the address space does not wrap.
  EXPECT_NO_THROW(bus.map_device(0xffff'ffff'ffff'f000, 0x1000, dev));
}

TEST(Bus, AcceptsAdjacentRegions) {
  Bus bus;
  bus.map_ram(kRam, kRamSize);
  FakeDevice a("a", 4), b("b", 4);
  EXPECT_NO_THROW(bus.map_device(kRam - 0x1000, 0x1000, a));
  EXPECT_NO_THROW(bus.map_device(kRam + kRamSize, 0x1000, b));
  uint64_t v = 0;
  EXPECT_TRUE(bus.read(kRam - 4, 4, v));
  EXPECT_TRUE(bus.read(kRam + kRamSize, 4, v));
}

TEST(Bus, RamIsZeroedAndLittleEndian) {
  Bus bus;
  bus.map_ram(kRam, kRamSize);
  uint64_t v = 1;
  ASSERT_TRUE(bus.read(kRam + 0x800, 8, v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(bus.write(kRam, 8, 0x1122'3344'5566'7788));
  ASSERT_TRUE(bus.read(kRam, 1, v));
  EXPECT_EQ(v, 0x88u);
  ASSERT_TRUE(bus.read(kRam + 2, 2, v));
  EXPECT_EQ(v, 0x5566u);
  ASSERT_TRUE(bus.read(kRam + 4, 4, v));
  EXPECT_EQ(v, 0x1122'3344u);
  EXPECT_EQ(bus.ram_data()[7], 0x11);
  // A narrow write replaces only its bytes.
  ASSERT_TRUE(bus.write(kRam + 1, 1, 0xab));
  ASSERT_TRUE(bus.read(kRam, 8, v));
  EXPECT_EQ(v, 0x1122'3344'5566'ab88u);
}

TEST(Bus, MisalignedRamAccess) {
  Bus bus;
  bus.map_ram(kRam, kRamSize);
  ASSERT_TRUE(bus.write(kRam + 0xffd, 8, 0x0807'0605'0403'0201));  // crosses a page
  uint64_t v = 0;
  ASSERT_TRUE(bus.read(kRam + 0xffd, 8, v));
  EXPECT_EQ(v, 0x0807'0605'0403'0201u);
  ASSERT_TRUE(bus.read(kRam + 0x1000, 4, v));
  EXPECT_EQ(v, 0x0706'0504u);
  ASSERT_TRUE(bus.read(kRam + 0xfff, 2, v));
  EXPECT_EQ(v, 0x0403u);
}

TEST(Bus, AccessFaults) {
  Bus bus;
  bus.map_ram(kRam, kRamSize);
  uint64_t v = 0;
  EXPECT_FALSE(bus.read(0x4000'0000, 4, v));           // unmapped
  EXPECT_FALSE(bus.read(kRam + kRamSize - 4, 8, v));   // crosses the end of RAM
  EXPECT_FALSE(bus.write(kRam + kRamSize - 1, 2, 0));  // crosses the end of RAM
  EXPECT_FALSE(bus.read(kRam - 2, 4, v));              // starts before RAM
  EXPECT_FALSE(bus.read(kRam, 3, v));                  // not a 1/2/4/8-byte access
  EXPECT_FALSE(bus.write(kRam, 16, 0));                // not a 1/2/4/8-byte access
  EXPECT_TRUE(bus.read(kRam + kRamSize - 8, 8, v));    // last 8 bytes
}

TEST(Bus, RomIsReadOnly) {
  Bus bus;
  bus.map_rom(0x1000, {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}, "bootrom");
  uint64_t v = 0;
  ASSERT_TRUE(bus.read(0x1000, 4, v));
  EXPECT_EQ(v, 0x0403'0201u);
  EXPECT_FALSE(bus.write(0x1000, 4, 0));
  ASSERT_TRUE(bus.read(0x1000, 8, v));
  EXPECT_EQ(v, 0x0807'0605'0403'0201u);  // unchanged by the refused write
  std::array<uint8_t, 2> in{0xaa, 0xbb};
  EXPECT_FALSE(bus.dma_write(0x1000, in));
  EXPECT_EQ(bus.host_ptr(0x1000, 8, true), nullptr);
  ASSERT_NE(bus.host_ptr(0x1000, 8, false), nullptr);
  EXPECT_EQ(bus.host_ptr(0x1000, 8, false)[1], 0x02);
  EXPECT_EQ(bus.host_ptr(0x1000, 9, false), nullptr);  // past the end of the ROM
  // The loader may write it anyway.
  ASSERT_TRUE(bus.load_image(0x1002, in));
  ASSERT_TRUE(bus.read(0x1000, 4, v));
  EXPECT_EQ(v, 0xbbaa'0201u);
  EXPECT_FALSE(bus.load_image(0x1007, in));  // crosses the end of the ROM
}

TEST(Bus, HostPointer) {
  Bus bus;
  bus.map_ram(kRam, kRamSize);
  FakeDevice dev("dev", 4);
  bus.map_device(0x1000'0000, 0x1000, dev);
  EXPECT_EQ(bus.host_ptr(kRam + 0x123, 4, true), bus.ram_data() + 0x123);
  EXPECT_EQ(bus.host_ptr(kRam + kRamSize - 0x1000, 0x1000, true),
            bus.ram_data() + kRamSize - 0x1000);
  EXPECT_EQ(bus.host_ptr(kRam + kRamSize - 0x800, 0x1000, false), nullptr);
  EXPECT_EQ(bus.host_ptr(0x1000'0000, 4, false), nullptr);
  EXPECT_EQ(bus.host_ptr(0x2000'0000, 4, false), nullptr);
}

TEST(Bus, DeviceWideAccessIsSplitLittleEndian) {
  Bus bus;
  FakeDevice dev("dev32", 4);
  bus.map_device(0x1000'0000, 0x100, dev);
  uint64_t v = 0;
  ASSERT_TRUE(bus.read(0x1000'0010, 8, v));
  // Two 4-byte reads at 0x10 and 0x14; bytes read as 0x10 + offset.
  ASSERT_EQ(dev.ops.size(), 2u);
  EXPECT_EQ(dev.ops[0], (FakeDevice::Op{false, 0x10, 4, 0x2322'2120}));
  EXPECT_EQ(dev.ops[1], (FakeDevice::Op{false, 0x14, 4, 0x2726'2524}));
  EXPECT_EQ(v, 0x2726'2524'2322'2120u);
  dev.ops.clear();
  ASSERT_TRUE(bus.write(0x1000'0020, 8, 0xaabb'ccdd'1122'3344));
  ASSERT_EQ(dev.ops.size(), 2u);
  EXPECT_EQ(dev.ops[0], (FakeDevice::Op{true, 0x20, 4, 0x1122'3344}));
  EXPECT_EQ(dev.ops[1], (FakeDevice::Op{true, 0x24, 4, 0xaabb'ccdd}));
}

TEST(Bus, DeviceNarrowAccessIsRefused) {
  Bus bus;
  FakeDevice dev("dev32", 4 | 8);
  bus.map_device(0x1000'0000, 0x100, dev);
  uint64_t v = 0;
  EXPECT_FALSE(bus.read(0x1000'0000, 1, v));
  EXPECT_FALSE(bus.write(0x1000'0000, 2, 0));
  EXPECT_TRUE(dev.ops.empty());
  ASSERT_TRUE(bus.read(0x1000'0008, 8, v));  // native: not split
  ASSERT_EQ(dev.ops.size(), 1u);
  EXPECT_EQ(dev.ops[0].size, 8u);
}

TEST(Bus, DeviceSplitUsesWidestNativeSizeBelowAccess) {
  Bus bus;
  FakeDevice dev("dev", 1 | 4);
  bus.map_device(0x1000'0000, 0x100, dev);
  uint64_t v = 0;
  ASSERT_TRUE(bus.read(0x1000'0000, 2, v));
  ASSERT_EQ(dev.ops.size(), 2u);
  EXPECT_EQ(dev.ops[0], (FakeDevice::Op{false, 0, 1, 0x10}));
  EXPECT_EQ(dev.ops[1], (FakeDevice::Op{false, 1, 1, 0x11}));
  EXPECT_EQ(v, 0x1110u);
}

TEST(Bus, DeviceAccessCrossingItsEndIsRefused) {
  Bus bus;
  FakeDevice dev("dev", 4);
  bus.map_device(0x1000'0000, 0x100, dev);
  uint64_t v = 0;
  EXPECT_FALSE(bus.read(0x1000'00fc, 8, v));
  EXPECT_FALSE(bus.write(0x1000'00fe, 4, 0));
  EXPECT_TRUE(dev.ops.empty());
  EXPECT_TRUE(bus.read(0x1000'00fc, 4, v));
}

TEST(Bus, DeviceRefusalIsAnAccessFault) {
  Bus bus;
  FakeDevice dev("dev", 4);
  bus.map_device(0x1000'0000, 0x100, dev);
  dev.refuse = true;
  uint64_t v = 0;
  EXPECT_FALSE(bus.read(0x1000'0000, 4, v));
  EXPECT_FALSE(bus.write(0x1000'0000, 4, 0));
}

TEST(Bus, DmaTransfers) {
  Bus bus;
  bus.map_ram(kRam, kRamSize);
  FakeDevice dev("dev", 4);
  bus.map_device(0x1000'0000, 0x100, dev);
  std::array<uint8_t, 4> in{1, 2, 3, 4};
  ASSERT_TRUE(bus.dma_write(kRam + 0x10, in));
  std::array<uint8_t, 4> out{};
  ASSERT_TRUE(bus.dma_read(kRam + 0x10, out));
  EXPECT_EQ(out, in);
  EXPECT_FALSE(bus.dma_write(kRam + kRamSize - 2, in));  // all or nothing
  EXPECT_EQ(bus.ram_data()[kRamSize - 2], 0);
  EXPECT_FALSE(bus.dma_read(kRam + kRamSize - 2, out));
  EXPECT_FALSE(bus.dma_read(0x1000'0000, out));  // devices are not DMA targets
  EXPECT_FALSE(bus.dma_write(0x1000'0000, in));
  EXPECT_TRUE(dev.ops.empty());
}

class BusCodeHook : public ::testing::Test {
 protected:
  void SetUp() override {
    bus.map_ram(kRam, kRamSize);
    bus.set_code_write_hook(
        [this](uint64_t addr, uint64_t) { pages.push_back(addr & ~kPageMask); });
  }
  Bus bus;
  std::vector<uint64_t> pages;
};

TEST_F(BusCodeHook, MarksAreTracked) {
  EXPECT_FALSE(bus.is_code_page(kRam + 0x3000));
  bus.mark_code_page(kRam + 0x3456);
  EXPECT_TRUE(bus.is_code_page(kRam + 0x3000));
  EXPECT_TRUE(bus.is_code_page(kRam + 0x3fff));
  EXPECT_FALSE(bus.is_code_page(kRam + 0x4000));
  bus.clear_code_page(kRam + 0x3000);
  EXPECT_FALSE(bus.is_code_page(kRam + 0x3000));
  bus.mark_code_page(0x1000);  // outside RAM: ignored
  EXPECT_FALSE(bus.is_code_page(0x1000));
}

TEST_F(BusCodeHook, WriteToMarkedPageCallsHook) {
  bus.mark_code_page(kRam + 0x3000);
  ASSERT_TRUE(bus.write(kRam + 0x2ff8, 8, 1));  // unmarked page
  EXPECT_TRUE(pages.empty());
  ASSERT_TRUE(bus.write(kRam + 0x3010, 4, 1));
  EXPECT_EQ(pages, std::vector<uint64_t>{kRam + 0x3000});
}

TEST_F(BusCodeHook, WriteSpanningTwoMarkedPagesCallsHookForEach) {
  bus.mark_code_page(kRam + 0x3000);
  bus.mark_code_page(kRam + 0x4000);
  ASSERT_TRUE(bus.write(kRam + 0x3ffc, 8, 1));
  EXPECT_EQ(pages, (std::vector<uint64_t>{kRam + 0x3000, kRam + 0x4000}));
}

TEST_F(BusCodeHook, HookRunsBeforeTheWrite) {
  bus.mark_code_page(kRam);
  uint8_t seen = 0xff;
  bus.set_code_write_hook([&](uint64_t, uint64_t) { seen = bus.ram_data()[0]; });
  ASSERT_TRUE(bus.write(kRam, 1, 0x42));
  EXPECT_EQ(seen, 0);  // the engine sees the old code
  EXPECT_EQ(bus.ram_data()[0], 0x42);
}

TEST_F(BusCodeHook, DmaAndLoadImageCallHook) {
  bus.mark_code_page(kRam + 0x5000);
  std::vector<uint8_t> data(0x2000, 0xee);
  ASSERT_TRUE(bus.dma_write(kRam + 0x4800, data));
  EXPECT_EQ(pages, std::vector<uint64_t>{kRam + 0x5000});
  pages.clear();
  ASSERT_TRUE(bus.load_image(kRam + 0x5800, std::span<const uint8_t>(data).first(4)));
  EXPECT_EQ(pages, std::vector<uint64_t>{kRam + 0x5000});
}

TEST_F(BusCodeHook, NotifyClipsToRam) {
  bus.mark_code_page(kRam);
  bus.mark_code_page(kRam + kRamSize - 0x1000);
  bus.notify_code_write(kRam - 0x1000, 0x1001);
  EXPECT_EQ(pages, std::vector<uint64_t>{kRam});
  pages.clear();
  bus.notify_code_write(kRam + kRamSize - 1, 0x10000);
  EXPECT_EQ(pages, std::vector<uint64_t>{kRam + kRamSize - 0x1000});
  pages.clear();
  bus.notify_code_write(0x1000, 0x10);
  EXPECT_TRUE(pages.empty());
}

// Two code caches (two harts) watching the same RAM: a write reaches each cache that
// holds code on the page, the page stays code while either does, and every watcher hears
// when a page first becomes code (to revoke its TLB's write fast path).
TEST(BusCodeWatchers, EachWatcherSeesWritesToItsPagesAndMarksOfAny) {
  Bus bus;
  bus.map_ram(kRam, kRamSize);
  std::vector<uint64_t> writes[2], marks[2];
  unsigned id[2];
  for (int w = 0; w < 2; ++w) {
    id[w] =
        bus.add_code_watcher({[&writes, w](uint64_t addr, uint64_t) { writes[w].push_back(addr); },
                              [&marks, w](uint64_t page) { marks[w].push_back(page); }});
  }
  EXPECT_NE(id[0], id[1]);
  bus.mark_code_page(kRam + 0x3010, id[0]);
  EXPECT_EQ(marks[0], std::vector<uint64_t>{kRam + 0x3000});
  EXPECT_EQ(marks[1], std::vector<uint64_t>{kRam + 0x3000});
  bus.mark_code_page(kRam + 0x3000, id[1]);  // already code: nobody is told again
  EXPECT_EQ(marks[1].size(), 1u);
  ASSERT_TRUE(bus.write(kRam + 0x3020, 4, 1));
  EXPECT_EQ(writes[0], std::vector<uint64_t>{kRam + 0x3020});
  EXPECT_EQ(writes[1], std::vector<uint64_t>{kRam + 0x3020});
  bus.clear_code_page(kRam + 0x3000, id[0]);
  EXPECT_TRUE(bus.is_code_page(kRam + 0x3000));  // watcher 1 still has code there
  ASSERT_TRUE(bus.write(kRam + 0x3028, 4, 1));
  EXPECT_EQ(writes[0].size(), 1u);
  EXPECT_EQ(writes[1].size(), 2u);
  bus.remove_code_watcher(id[1]);
  EXPECT_FALSE(bus.is_code_page(kRam + 0x3000));
}

TEST(BusCodeWatchers, EightAtMost) {
  Bus bus;
  bus.map_ram(kRam, kRamSize);
  for (int i = 0; i < 8; ++i) bus.add_code_watcher({});
  EXPECT_THROW(bus.add_code_watcher({}), std::length_error);
}

}  // namespace
}  // namespace tiervm
