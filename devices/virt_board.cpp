#include "devices/virt_board.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace tiervm {

static_assert(Plic::kNumSources == virt::kPlicNdev);
static_assert(Clint::kSize == virt::kClintSize && Plic::kSize == virt::kPlicSize);
static_assert(Uart16550::kSize == virt::kUartSize && VirtioMmio::kSize == virt::kVirtioSize);

VirtBoard::VirtBoard(Bus& bus, VirtBoardConfig config, const std::vector<HartIrqLines>& harts)
    : bus_(bus), config_(std::move(config)), harts_(static_cast<unsigned>(harts.size())) {
  // The virtio devices in the order QEMU gives them slots: drives, console, rng.
  const size_t other_virtio = config_.netdev ? 3 : 2;
  if (config_.drives.size() > virt::kVirtioCount - other_virtio) {
    throw std::invalid_argument("virt board: at most " +
                                std::to_string(virt::kVirtioCount - other_virtio) + " drives");
  }
  if (config_.clock == nullptr) own_clock_ = std::make_unique<HostClock>();
  clock_ = config_.clock != nullptr ? config_.clock : own_clock_.get();

  // Open the images first: a host error then leaves nothing half-mapped on the bus.
  for (const DriveConfig& d : config_.drives) {
    BlockFile::Mode mode = d.snapshot    ? BlockFile::Mode::Snapshot
                           : d.read_only ? BlockFile::Mode::ReadOnly
                                         : BlockFile::Mode::ReadWrite;
    drives_.push_back(std::make_unique<VirtioBlk>(d.path, mode));
  }

  std::vector<IrqLine*> plic_outputs;
  std::vector<ClintHartLines> clint_lines;
  for (const HartIrqLines& h : harts) {
    plic_outputs.insert(plic_outputs.end(), {&h.meip, &h.seip});
    clint_lines.push_back({&h.msip, &h.mtip});
  }
  plic_ = std::make_unique<Plic>(std::move(plic_outputs));
  clint_ = std::make_unique<Clint>(*clock_, clint_lines);
  uart_ = std::make_unique<Uart16550>(plic_->source(virt::kUartIrq), config_.uart_output);
  test_ = std::make_unique<SifiveTest>(config_.on_test_event);
  rtc_ = std::make_unique<GoldfishRtc>(plic_->source(virt::kRtcIrq), config_.rtc_now_ns);
  console_ = std::make_unique<VirtioConsole>(config_.console_output);
  rng_ = std::make_unique<VirtioRng>(config_.rng_source);
  std::vector<VirtioDevice*> virtio_devices;
  virtio_devices.reserve(virt::kVirtioCount);
  for (auto& d : drives_) virtio_devices.push_back(d.get());
  virtio_devices.push_back(console_.get());
  virtio_devices.push_back(rng_.get());
  if (config_.netdev) {
    net_ = std::make_unique<VirtioNet>(
        [this](std::span<const uint8_t> frame) { user_net_->send(frame); });
    user_net_ = std::make_unique<UserNet>(
        *config_.netdev, [this](std::span<const uint8_t> frame) { net_->push_frame(frame); });
    virtio_devices.push_back(net_.get());
  }
  for (unsigned slot = 0; slot < virt::kVirtioCount; ++slot) {
    unsigned index = virt::kVirtioCount - 1 - slot;
    VirtioDevice* device = index < virtio_devices.size() ? virtio_devices[index] : nullptr;
    virtio_[slot] =
        std::make_unique<VirtioMmio>(bus_, plic_->source(virt::kVirtioIrq + slot), device);
  }

  bus_.map_device(virt::kTestBase, virt::kTestSize, *test_);
  bus_.map_device(virt::kRtcBase, virt::kRtcSize, *rtc_);
  bus_.map_device(virt::kClintBase, virt::kClintSize, *clint_);
  bus_.map_device(virt::kPlicBase, virt::kPlicSize, *plic_);
  bus_.map_device(virt::kUartBase, virt::kUartSize, *uart_);
  for (unsigned slot = 0; slot < virt::kVirtioCount; ++slot) {
    bus_.map_device(virt::virtio_base(slot), virt::kVirtioSize, *virtio_[slot]);
  }
  bus_.map_ram(virt::kRamBase, config_.ram_size);
}

VirtBoard::~VirtBoard() = default;

void VirtBoard::poll() {
  clint_->update();
  rtc_->poll();
  uart_->poll();
  for (auto& slot : virtio_) slot->poll();
}

void VirtBoard::reset() {
  for (auto& slot : virtio_) slot->reset();
  uart_->reset();
  rtc_->reset();
  clint_->reset();
  plic_->reset();
}

uint64_t VirtBoard::next_deadline_ticks() {
  if (uart_->wants_poll()) return 0;
  for (auto& slot : virtio_) {
    if (slot->wants_poll()) return 0;
  }
  uint64_t ticks = clint_->ticks_until_deadline();
  uint64_t alarm_ns = rtc_->ns_until_alarm();
  if (alarm_ns != ~uint64_t{0}) {
    constexpr uint64_t kNsPerTick = 1'000'000'000 / kTimebaseHz;
    ticks = std::min(ticks, alarm_ns / kNsPerTick + (alarm_ns % kNsPerTick != 0 ? 1 : 0));
  }
  return ticks;
}

std::string VirtBoard::describe() {
  std::string text;
  for (unsigned slot = 0; slot < virt::kVirtioCount; ++slot) {
    VirtioDevice* d = virtio_[slot]->device();
    text += "virtio" + std::to_string(slot) + " " + (d == nullptr ? "none" : d->kind());
    for (auto& drive : drives_) {
      if (drive.get() == d) text += " " + drive->backend().identity();
    }
    text += "\n";
  }
  return text;
}

void VirtBoard::save(std::vector<StateSection>& sections) {
  auto add = [&](std::string name, const auto& save) {
    StateSection s{std::move(name), {}};
    StateWriter w(s.bytes);
    save(w);
    sections.push_back(std::move(s));
  };
  add("uart", [&](StateWriter& w) { uart_->save(w); });
  add("rtc", [&](StateWriter& w) { rtc_->save(w); });
  add("clint", [&](StateWriter& w) { clint_->save(w); });
  for (unsigned slot = 0; slot < virt::kVirtioCount; ++slot) {
    add("virtio" + std::to_string(slot), [&](StateWriter& w) { virtio_[slot]->save(w); });
  }
  add("plic", [&](StateWriter& w) { plic_->save(w); });
}

bool VirtBoard::load(const StateSections& sections, std::string& error) {
  auto load = [&](const std::string& name, const auto& load) {
    auto it = sections.find(name);
    if (it == sections.end()) {
      error = "it has no '" + name + "' section";
      return false;
    }
    StateReader r(it->second);
    std::string why;
    if (!load(r, why) || !r.done()) {
      error = "its '" + name + "' section is corrupt" + (why.empty() ? "" : ": " + why);
      return false;
    }
    return true;
  };
  if (!load("uart", [&](StateReader& r, std::string&) { return uart_->load(r); }) ||
      !load("rtc", [&](StateReader& r, std::string&) { return rtc_->load(r); }) ||
      !load("clint", [&](StateReader& r, std::string&) { return clint_->load(r); })) {
    return false;
  }
  for (unsigned slot = 0; slot < virt::kVirtioCount; ++slot) {
    if (!load("virtio" + std::to_string(slot),
              [&](StateReader& r, std::string& why) { return virtio_[slot]->load(r, why); })) {
      return false;
    }
  }
  return load("plic", [&](StateReader& r, std::string&) { return plic_->load(r); });
}

void VirtBoard::set_initrd(uint64_t start, uint64_t end) {
  config_.initrd_start = start;
  config_.initrd_end = end;
}

FdtConfig VirtBoard::fdt_config() const {
  FdtConfig fc;
  fc.ram_base = virt::kRamBase;
  fc.ram_size = config_.ram_size;
  fc.bootargs = config_.bootargs;
  fc.initrd_start = config_.initrd_start;
  fc.initrd_end = config_.initrd_end;
  fc.harts = harts_;
  fc.isa = config_.isa;
  fc.mmu_type = config_.mmu_type;
  fc.virtio_slots = virt::kVirtioCount;
  fc.rng_seed = config_.rng_seed;
  return fc;
}

void VirtBoard::map_boot_rom(const BootRomParams& params) {
  if (boot_rom_mapped_) throw std::logic_error("virt board: boot ROM mapped twice");
  std::vector<uint8_t> rom = build_boot_rom(params);
  // QEMU's mask ROM region is 0xf000 bytes; the rest reads as zero.
  rom.resize(virt::kBootRomSize, 0);
  bus_.map_rom(virt::kBootRomBase, std::move(rom), "boot_rom");
  boot_rom_mapped_ = true;
}

uint64_t VirtBoard::prepare_boot(uint64_t start_addr, uint64_t next_addr) {
  std::vector<uint8_t> blob = fdt();
  uint64_t fdt_addr = fdt_load_address(virt::kRamBase, config_.ram_size, blob.size());
  if (!bus_.load_image(fdt_addr, blob)) {
    throw std::runtime_error("virt board: the device tree does not fit in RAM");
  }
  map_boot_rom({start_addr, fdt_addr, next_addr});
  return fdt_addr;
}

}  // namespace tiervm
