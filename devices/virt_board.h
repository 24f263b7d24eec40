#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/boot_rom.h"
#include "devices/clint.h"
#include "devices/clock.h"
#include "devices/fdt_builder.h"
#include "devices/goldfish_rtc.h"
#include "devices/irq_line.h"
#include "devices/plic.h"
#include "devices/sifive_test.h"
#include "devices/uart16550.h"
#include "devices/user_net.h"
#include "devices/virt_memory_map.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "mem/bus.h"

namespace tiervm {

// A disk image attached as a virtio block device.
struct DriveConfig {
  std::string path;
  bool read_only = false;
  bool snapshot = false;  // guest writes go to memory; the file is never written
};

struct VirtBoardConfig {
  uint64_t ram_size = 256ull << 20;
  std::string bootargs;
  // Initrd already loaded in RAM, [start, end); none when equal (see also set_initrd()).
  uint64_t initrd_start = 0;
  uint64_t initrd_end = 0;
  // Drive i sits in virtio slot 7 - i (0x10008000 downwards, irq 8 - i), the slot QEMU
  // gives the i-th virtio device, so drive 0 is the guest's /dev/vda. The virtio console
  // and the virtio-rng take the next two free slots, downwards, then virtio-net.
  std::vector<DriveConfig> drives;
  Clock* clock = nullptr;  // mtime source; null: a HostClock owned by the board
  // The cpus' riscv,isa string: the machine passes the engine's (decoder table).
  std::string isa;
  std::string mmu_type = "riscv,sv48";
  std::function<void(uint8_t)> uart_output;
  std::function<void(uint8_t)> console_output;  // the virtio console's (hvc0) output
  VirtioRng::Source rng_source;                 // empty: the host's getrandom
  std::optional<UserNetConfig> netdev;          // --netdev user: a virtio-net on slirp
  std::function<void(TestDeviceEvent)> on_test_event;
  std::function<uint64_t()> rtc_now_ns;  // empty: host CLOCK_REALTIME
  std::vector<uint8_t> rng_seed;         // /chosen/rng-seed, omitted when empty
};

// The hart's interrupt inputs that the board's CLINT and PLIC drive.
struct HartIrqLines {
  IrqLine& msip;
  IrqLine& mtip;
  IrqLine& meip;
  IrqLine& seip;
};

// QEMU's riscv `virt` machine with 1 to 8 harts (one HartIrqLines each): creates every device, maps
// it and RAM on the bus (memory map in virt_memory_map.h) and owns it. The board must outlive every
// access to the bus. Construction throws std::runtime_error when a drive cannot be opened or is
// locked, and std::invalid_argument for more drives than free virtio slots.
class VirtBoard {
 public:
  VirtBoard(Bus& bus, VirtBoardConfig config, const std::vector<HartIrqLines>& harts);
  VirtBoard(Bus& bus, VirtBoardConfig config, HartIrqLines hart)
      : VirtBoard(bus, std::move(config), std::vector<HartIrqLines>{hart}) {}
  ~VirtBoard();
  VirtBoard(const VirtBoard&) = delete;
  VirtBoard& operator=(const VirtBoard&) = delete;

  Uart16550& uart() { return *uart_; }
  Clint& clint() { return *clint_; }
  Plic& plic() { return *plic_; }
  SifiveTest& test_device() { return *test_; }
  GoldfishRtc& rtc() { return *rtc_; }
  VirtioMmio& virtio_slot(unsigned slot) { return *virtio_.at(slot); }
  VirtioBlk& drive(unsigned i) { return *drives_.at(i); }
  VirtioConsole& console() { return *console_; }
  VirtioRng& rng() { return *rng_; }
  VirtioNet* net() { return net_.get(); }  // null without --netdev
  size_t drive_count() const { return drives_.size(); }
  unsigned hart_count() const { return harts_; }
  Clock& clock() { return *clock_; }
  const VirtBoardConfig& config() const { return config_; }

  // Call periodically from the hart's thread: timer compare, RTC alarm, UART input.
  void poll();
  // System reset (syscon 0x7777): every device back to its power-on state; RAM, the
  // clock and host-side state (disk images, staged input) stay.
  void reset();
  // Timebase ticks until a device will want attention (CLINT deadline, RTC alarm, UART
  // input); 0 if now, UINT64_MAX if never. Host input arriving on another thread does
  // not shorten a sleep already started: the app must wake the hart for it.
  uint64_t next_deadline_ticks();

  // Snapshots (engine/snapshot.h). describe(): what the board is made of, one line per
  // part ("virtio7 blk mode=rw bytes=... crc32c=..."), for the check that a snapshot fits
  // this machine; it reads every disk image. save() appends each device's state as a
  // section; load() restores them all from `sections` (all must be there), the PLIC last
  // so that its pending and claimed bits win over the levels the devices drive. load()
  // returns false with one line in `error` when a section is missing or corrupt; devices
  // restored before that keep their new state (load on a machine that is then dropped).
  std::string describe();
  void save(std::vector<StateSection>& sections);
  bool load(const StateSections& sections, std::string& error);

  void set_initrd(uint64_t start, uint64_t end);
  FdtConfig fdt_config() const;
  std::vector<uint8_t> fdt() const { return build_fdt(fdt_config()); }

  // Maps the reset vector ROM at 0x1000 (once). The hart starts at virt::kBootRomBase.
  void map_boot_rom(const BootRomParams& params);
  // QEMU's boot sequence after the images are loaded: builds the FDT, loads it at
  // fdt_load_address(), and maps the boot ROM that enters `start_addr` (the firmware)
  // with a0 = hartid, a1 = FDT, a2 = fw_dynamic_info{next_addr}. Returns the FDT address.
  uint64_t prepare_boot(uint64_t start_addr, uint64_t next_addr);

 private:
  Bus& bus_;
  VirtBoardConfig config_;
  std::unique_ptr<Clock> own_clock_;
  Clock* clock_;
  std::vector<std::unique_ptr<VirtioBlk>> drives_;
  std::unique_ptr<VirtioConsole> console_;
  std::unique_ptr<VirtioRng> rng_;
  std::unique_ptr<VirtioNet> net_;
  std::unique_ptr<UserNet> user_net_;  // declared after net_: stops before net_ goes
  std::unique_ptr<Plic> plic_;
  std::unique_ptr<Clint> clint_;
  std::unique_ptr<Uart16550> uart_;
  std::unique_ptr<SifiveTest> test_;
  std::unique_ptr<GoldfishRtc> rtc_;
  std::array<std::unique_ptr<VirtioMmio>, virt::kVirtioCount> virtio_;
  unsigned harts_ = 1;
  bool boot_rom_mapped_ = false;
};

}  // namespace tiervm
