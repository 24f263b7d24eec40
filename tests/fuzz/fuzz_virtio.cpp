// A hostile virtio-blk driver: the input sets up a queue (size and ring addresses of its
// choosing), then writes descriptor tables, available-ring entries, request headers and
// raw RAM bytes, pokes transport registers and notifies. The device works on a disk image
// in snapshot, read-only or read-write mode. Invariants: no crash (ASan sees any host
// access outside the bus's RAM), the image file changes only in read-write mode, and the
// transport's registers read back sane values.
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "devices/irq_line.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"
#include "mem/bus.h"
#include "mem/mmio_device.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using tiervm::Bus;
using tiervm::VirtioMmio;

constexpr uint64_t kRam = 0x8000'0000;
constexpr uint64_t kRamSize = 64 * 1024;
constexpr uint64_t kMmio = 0x1000'1000;
constexpr size_t kDiskBytes = 32 * 512;

class Line final : public tiervm::IrqLine {
 public:
  void set_level(bool high) override { level = high; }
  bool level = false;
};

std::vector<uint8_t> disk_pattern() {
  std::vector<uint8_t> d(kDiskBytes);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i * 13 + i / 512);
  return d;
}

std::string make_image(const char* tag) {
  std::string path =
      "/tmp/tiervm-fuzz-virtio-" + std::string(tag) + "-" + std::to_string(getpid()) + ".img";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::vector<uint8_t> d = disk_pattern();
  out.write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
  return path;
}

std::vector<uint8_t> read_image(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Images {
  std::string shared = make_image("ro");  // snapshot and read-only: must never change
  std::string scratch = make_image("rw");
  ~Images() {
    std::remove(shared.c_str());
    std::remove(scratch.c_str());
  }
};

Images& images() {
  static Images i;
  return i;
}

// The bus's window at kMmio: forwards to the current input's transport.
class Window final : public tiervm::MmioDevice {
 public:
  std::string_view name() const override { return "virtio window"; }
  unsigned access_sizes() const override { return target->access_sizes(); }
  bool read(uint64_t offset, unsigned size, uint64_t& value) override {
    return target->read(offset, size, value);
  }
  bool write(uint64_t offset, unsigned size, uint64_t value) override {
    return target->write(offset, size, value);
  }
  tiervm::MmioDevice* target = nullptr;
};

// What costs to build lives for the whole run: the bus and its RAM, and the read-only and
// read-write drives (a VirtioBlk allocates a bounce buffer of its largest transfer, and
// closing a read-write image fsyncs it: together most of the time of an input). Each
// input gets a fresh transport, and a fresh snapshot drive, whose overlay of guest
// writes must start empty. The read-write image keeps earlier inputs' writes, as it
// always did.
struct Rig {
  Bus bus;
  Window window;
  std::unique_ptr<tiervm::VirtioBlk> read_only, read_write;
  Rig() {
    bus.map_ram(kRam, kRamSize);
    bus.map_device(kMmio, VirtioMmio::kSize, window);
    read_only = open(images().shared, tiervm::BlockFile::Mode::ReadOnly);
    read_write = open(images().scratch, tiervm::BlockFile::Mode::ReadWrite);
  }
  static std::unique_ptr<tiervm::VirtioBlk> open(const std::string& path,
                                                 tiervm::BlockFile::Mode mode) {
    try {
      return std::make_unique<tiervm::VirtioBlk>(path, mode);
    } catch (const std::runtime_error& e) {
      FUZZ_CHECK(false, "cannot open the fuzz image: %s", e.what());
    }
  }
};

// Never destroyed: libFuzzer exits without unwinding.
Rig& rig() {
  static Rig* r = new Rig();
  return *r;
}

uint32_t mmio_read(Bus& bus, uint64_t reg) {
  uint64_t v = 0;
  bus.read(kMmio + reg, 4, v);
  return static_cast<uint32_t>(v);
}
void mmio_write(Bus& bus, uint64_t reg, uint32_t v) {
  bus.write(kMmio + reg, 4, v);
}

// An address the driver hands the device: an offset into RAM, or (kind % 8 == 0) any
// 64-bit value.
uint64_t guest_addr(tiervm::fuzz::ByteReader& in) {
  if (in.u8() % 8 == 0) return in.u64();
  return kRam + in.u16() % kRamSize;
}

void write_ram(Bus& bus, uint64_t addr, const void* p, size_t n) {
  bus.dma_write(addr, {static_cast<const uint8_t*>(p), n});
}

}  // namespace

// Input layout (little-endian, see seed_gen.cpp): mode u8, queue size (u8 k < 9: 1 << k,
// else a raw u32), desc/avail/used addresses, driver features u32, then operations, each
// an opcode byte and its operands.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tiervm::fuzz::ByteReader in(data, size);
  Images& img = images();
  const unsigned mode_pick = in.u8() % 3;
  const tiervm::BlockFile::Mode mode = mode_pick == 0   ? tiervm::BlockFile::Mode::Snapshot
                                       : mode_pick == 1 ? tiervm::BlockFile::Mode::ReadOnly
                                                        : tiervm::BlockFile::Mode::ReadWrite;
  Rig& r = rig();
  Bus& bus = r.bus;
  std::memset(bus.ram_data(), 0, kRamSize);
  std::unique_ptr<tiervm::VirtioBlk> snapshot;
  if (mode == tiervm::BlockFile::Mode::Snapshot) snapshot = Rig::open(img.shared, mode);
  tiervm::VirtioBlk* blk = mode == tiervm::BlockFile::Mode::Snapshot   ? snapshot.get()
                           : mode == tiervm::BlockFile::Mode::ReadOnly ? r.read_only.get()
                                                                       : r.read_write.get();
  Line irq;
  VirtioMmio mmio(bus, irq, blk);
  r.window.target = &mmio;

  // The driver's initialisation (virtio 1.1 section 3.1.1) with the input's queue.
  const uint8_t k = in.u8();
  const uint32_t qsize = k < 9 ? 1u << k : in.u32();
  const uint64_t desc = guest_addr(in);
  const uint64_t avail = guest_addr(in);
  const uint64_t used = guest_addr(in);
  const uint32_t features = in.u32();
  mmio_write(bus, VirtioMmio::kStatus, VirtioMmio::kStatusAcknowledge);
  mmio_write(bus, VirtioMmio::kStatus, VirtioMmio::kStatusAcknowledge | VirtioMmio::kStatusDriver);
  mmio_write(bus, VirtioMmio::kDriverFeaturesSel, 0);
  mmio_write(bus, VirtioMmio::kDriverFeatures, features);
  mmio_write(bus, VirtioMmio::kDriverFeaturesSel, 1);
  mmio_write(bus, VirtioMmio::kDriverFeatures, 1);  // VIRTIO_F_VERSION_1
  mmio_write(bus, VirtioMmio::kStatus, 1 | 2 | VirtioMmio::kStatusFeaturesOk);
  mmio_write(bus, VirtioMmio::kQueueSel, 0);
  mmio_write(bus, VirtioMmio::kQueueNum, qsize);
  mmio_write(bus, VirtioMmio::kQueueDescLow, static_cast<uint32_t>(desc));
  mmio_write(bus, VirtioMmio::kQueueDescHigh, static_cast<uint32_t>(desc >> 32));
  mmio_write(bus, VirtioMmio::kQueueDriverLow, static_cast<uint32_t>(avail));
  mmio_write(bus, VirtioMmio::kQueueDriverHigh, static_cast<uint32_t>(avail >> 32));
  mmio_write(bus, VirtioMmio::kQueueDeviceLow, static_cast<uint32_t>(used));
  mmio_write(bus, VirtioMmio::kQueueDeviceHigh, static_cast<uint32_t>(used >> 32));
  mmio_write(bus, VirtioMmio::kQueueReady, 1);
  mmio_write(bus, VirtioMmio::kStatus, 1 | 2 | 8 | VirtioMmio::kStatusDriverOk);

  uint16_t avail_idx = 0;
  const uint32_t ring = qsize == 0 ? 1 : qsize;
  const unsigned sizes[] = {1, 2, 4, 8};
  while (!in.empty()) {
    switch (in.u8() % 8) {
      case 0: {  // descriptor `index`: addr, len, flags, next
        const uint32_t index = in.u16() % ring;
        struct {
          uint64_t addr;
          uint32_t len;
          uint16_t flags;
          uint16_t next;
        } d{};
        d.addr = guest_addr(in);
        d.len = in.u16();
        d.flags = in.u16();
        d.next = in.u16();
        static_assert(sizeof d == 16);
        write_ram(bus, desc + 16 * uint64_t{index}, &d, sizeof d);
        break;
      }
      case 1: {  // make chain `head` available (flags bit 0: no interrupt)
        const uint16_t head = in.u16();
        const uint16_t flags = in.u8() & 1;
        write_ram(bus, avail + 4 + 2 * uint64_t{avail_idx % ring}, &head, 2);
        ++avail_idx;
        write_ram(bus, avail, &flags, 2);
        write_ram(bus, avail + 2, &avail_idx, 2);
        break;
      }
      case 2: {  // a request header at an address: type, reserved, sector
        const uint64_t at = guest_addr(in);
        struct {
          uint32_t type;
          uint32_t reserved;
          uint64_t sector;
        } h{};
        h.type = in.u8();
        h.sector = in.u64();
        write_ram(bus, at, &h, sizeof h);
        break;
      }
      case 3: {  // up to 64 raw bytes into RAM
        const uint64_t at = guest_addr(in);
        uint8_t bytes[64];
        const size_t n = in.u8() % sizeof bytes;
        for (size_t i = 0; i < n; ++i) bytes[i] = in.u8();
        write_ram(bus, at, bytes, n);
        break;
      }
      case 4:  // notify a queue
        mmio_write(bus, VirtioMmio::kQueueNotify, in.u8() < 240 ? 0 : in.u32());
        break;
      case 5: {  // write any transport register, any access size
        const uint64_t offset = in.u16() % 0x200;
        bus.write(kMmio + offset, sizes[in.u8() % 4], in.u64());
        break;
      }
      case 6: {  // read one
        const uint64_t offset = in.u16() % 0x200;
        uint64_t v = 0;
        bus.read(kMmio + offset, sizes[in.u8() % 4], v);
        break;
      }
      case 7:  // acknowledge interrupts
        mmio_write(bus, VirtioMmio::kInterruptAck, mmio_read(bus, VirtioMmio::kInterruptStatus));
        break;
    }
  }

  FUZZ_CHECK(mmio_read(bus, VirtioMmio::kMagicValue) == VirtioMmio::kMagic, "magic changed");
  FUZZ_CHECK(mmio_read(bus, VirtioMmio::kVersion) == 2, "version changed");
  FUZZ_CHECK(mmio_read(bus, VirtioMmio::kQueueNumMax) <= tiervm::Virtqueue::kMaxSize ||
                 mmio_read(bus, VirtioMmio::kQueueSel) != 0,
             "QueueNumMax above the queue limit");
  FUZZ_CHECK(irq.level == (mmio.interrupt_status() != 0), "irq line %d, InterruptStatus %#x",
             irq.level, mmio.interrupt_status());
  r.window.target = nullptr;
  snapshot.reset();
  // Snapshot and read-only drives never write the image (checked every 64 inputs: cheap
  // enough, and a write would persist until then).
  static unsigned count = 0;
  if (mode != tiervm::BlockFile::Mode::ReadWrite && ++count % 64 == 0) {
    FUZZ_CHECK(read_image(img.shared) == disk_pattern(), "a %s drive changed its image",
               mode == tiervm::BlockFile::Mode::Snapshot ? "snapshot" : "read-only");
  }
  return 0;
}
