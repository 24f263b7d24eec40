#include "devices/fdt_builder.h"

#include <libfdt.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tiervm {

namespace {

// Phandles as QEMU virt numbers them (create_fdt_socket_cpus walks the harts from the
// last to the first, giving each a cpu and then an interrupt-controller phandle; the PLIC
// and the test device come next).
uint32_t phandle_cpu(const FdtConfig& c, unsigned hart) {
  return 1 + 2 * (c.harts - 1 - hart);
}
uint32_t phandle_intc(const FdtConfig& c, unsigned hart) {
  return phandle_cpu(c, hart) + 1;
}
uint32_t phandle_plic(const FdtConfig& c) {
  return 2 * c.harts + 1;
}
uint32_t phandle_test(const FdtConfig& c) {
  return 2 * c.harts + 2;
}

// Local interrupt numbers of the hart (priv spec 3.1.9, mip bits).
constexpr uint32_t kIrqMSoft = 3;
constexpr uint32_t kIrqMTimer = 7;
constexpr uint32_t kIrqSExt = 9;
constexpr uint32_t kIrqMExt = 11;

// Sequential-write libfdt calls with error checking: the first failure is kept and
// reported by finish(), so building code reads as the tree it writes.
class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& buf) : buf_(buf) {
    check(fdt_create(buf_.data(), static_cast<int>(buf_.size())));
    check(fdt_finish_reservemap(buf_.data()));
  }
  void begin(const std::string& name) { check(fdt_begin_node(buf_.data(), name.c_str())); }
  void end() { check(fdt_end_node(buf_.data())); }
  void empty(const char* name) { check(fdt_property(buf_.data(), name, nullptr, 0)); }
  void str(const char* name, std::string_view value) {
    std::string v(value);
    check(fdt_property(buf_.data(), name, v.c_str(), static_cast<int>(v.size() + 1)));
  }
  // A string list ("a\0b\0").
  void strs(const char* name, std::initializer_list<std::string_view> values) {
    std::string v;
    for (std::string_view s : values) {
      v.append(s);
      v.push_back('\0');
    }
    check(fdt_property(buf_.data(), name, v.data(), static_cast<int>(v.size())));
  }
  void cells(const char* name, std::initializer_list<uint32_t> values) {
    cells(name, std::vector<uint32_t>(values));
  }
  void cells(const char* name, const std::vector<uint32_t>& values) {
    std::vector<fdt32_t> be;
    be.reserve(values.size());
    for (uint32_t v : values) be.push_back(cpu_to_fdt32(v));
    check(fdt_property(buf_.data(), name, be.data(), static_cast<int>(be.size() * 4)));
  }
  void u32(const char* name, uint32_t value) { cells(name, {value}); }
  void u64(const char* name, uint64_t value) { check(fdt_property_u64(buf_.data(), name, value)); }
  void bytes(const char* name, const std::vector<uint8_t>& value) {
    check(fdt_property(buf_.data(), name, value.data(), static_cast<int>(value.size())));
  }
  // reg = <addr size> with #address-cells = #size-cells = 2.
  void reg(uint64_t addr, uint64_t size) { cells("reg", {hi(addr), lo(addr), hi(size), lo(size)}); }
  int finish() {
    check(fdt_finish(buf_.data()));
    return error_;
  }

  static uint32_t hi(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
  static uint32_t lo(uint64_t v) { return static_cast<uint32_t>(v); }

 private:
  void check(int err) {
    if (err < 0 && error_ == 0) error_ = err;
  }
  std::vector<uint8_t>& buf_;
  int error_ = 0;
};

// <intc(h) first intc(h) second> for every hart h: the interrupts-extended of the PLIC and
// the CLINT.
std::vector<uint32_t> per_hart(const FdtConfig& config, uint32_t first, uint32_t second) {
  std::vector<uint32_t> cells;
  for (unsigned hart = 0; hart < config.harts; ++hart) {
    cells.insert(cells.end(),
                 {phandle_intc(config, hart), first, phandle_intc(config, hart), second});
  }
  return cells;
}

std::string hex_name(const char* base, uint64_t addr) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s@%llx", base, static_cast<unsigned long long>(addr));
  return buf;
}

int write_tree(std::vector<uint8_t>& buf, const FdtConfig& config) {
  Writer w(buf);
  w.begin("");
  w.u32("#address-cells", 2);
  w.u32("#size-cells", 2);
  w.str("compatible", "riscv-virtio");
  w.str("model", "riscv-virtio,qemu");

  w.begin("chosen");
  if (!config.rng_seed.empty()) w.bytes("rng-seed", config.rng_seed);
  w.str("stdout-path", hex_name("/soc/serial", virt::kUartBase));
  if (!config.bootargs.empty()) w.str("bootargs", config.bootargs);
  if (config.initrd_end > config.initrd_start) {
    w.u64("linux,initrd-start", config.initrd_start);
    w.u64("linux,initrd-end", config.initrd_end);
  }
  w.end();

  // syscon-poweroff / syscon-reboot: the kernel writes `value` at `offset` of the
  // syscon at phandle `regmap` (the SiFive test device).
  w.begin("poweroff");
  w.u32("value", 0x5555);
  w.u32("offset", 0);
  w.u32("regmap", phandle_test(config));
  w.str("compatible", "syscon-poweroff");
  w.end();
  w.begin("reboot");
  w.u32("value", 0x7777);
  w.u32("offset", 0);
  w.u32("regmap", phandle_test(config));
  w.str("compatible", "syscon-reboot");
  w.end();

  w.begin(hex_name("memory", config.ram_base));
  w.str("device_type", "memory");
  w.reg(config.ram_base, config.ram_size);
  w.end();

  w.begin("cpus");
  w.u32("#address-cells", 1);
  w.u32("#size-cells", 0);
  w.u32("timebase-frequency", 10'000'000);
  for (unsigned hart = 0; hart < config.harts; ++hart) {
    w.begin("cpu@" + std::to_string(hart));
    w.u32("phandle", phandle_cpu(config, hart));
    w.str("device_type", "cpu");
    w.u32("reg", hart);
    w.str("status", "okay");
    w.str("compatible", "riscv");
    w.str("riscv,isa", config.isa);
    w.str("mmu-type", config.mmu_type);
    w.begin("interrupt-controller");
    w.u32("#interrupt-cells", 1);
    w.empty("interrupt-controller");
    w.str("compatible", "riscv,cpu-intc");
    w.u32("phandle", phandle_intc(config, hart));
    w.end();
    w.end();
  }
  w.begin("cpu-map");
  w.begin("cluster0");
  for (unsigned hart = 0; hart < config.harts; ++hart) {
    w.begin("core" + std::to_string(hart));
    w.u32("cpu", phandle_cpu(config, hart));
    w.end();
  }
  w.end();
  w.end();
  w.end();

  w.begin("soc");
  w.u32("#address-cells", 2);
  w.u32("#size-cells", 2);
  w.str("compatible", "simple-bus");
  w.empty("ranges");

  w.begin(hex_name("rtc", virt::kRtcBase));
  w.u32("interrupts", virt::kRtcIrq);
  w.u32("interrupt-parent", phandle_plic(config));
  w.reg(virt::kRtcBase, virt::kRtcSize);
  w.str("compatible", "google,goldfish-rtc");
  w.end();

  w.begin(hex_name("serial", virt::kUartBase));
  w.u32("interrupts", virt::kUartIrq);
  w.u32("interrupt-parent", phandle_plic(config));
  w.u32("clock-frequency", virt::kUartClockHz);
  w.reg(virt::kUartBase, virt::kUartSize);
  w.str("compatible", "ns16550a");
  w.end();

  w.begin(hex_name("test", virt::kTestBase));
  w.u32("phandle", phandle_test(config));
  w.reg(virt::kTestBase, virt::kTestSize);
  w.strs("compatible", {"sifive,test1", "sifive,test0", "syscon"});
  w.end();

  // QEMU's nodes come out highest address first, so Linux probes the last slot first;
  // the board attaches the first drive there, which makes it /dev/vda as on QEMU.
  for (unsigned i = config.virtio_slots; i-- > 0;) {
    uint64_t base = virt::virtio_base(i);
    w.begin(hex_name("virtio_mmio", base));
    w.u32("interrupts", virt::kVirtioIrq + i);
    w.u32("interrupt-parent", phandle_plic(config));
    w.reg(base, virt::kVirtioSize);
    w.str("compatible", "virtio,mmio");
    w.end();
  }

  w.begin(hex_name("plic", virt::kPlicBase));
  w.u32("phandle", phandle_plic(config));
  w.u32("riscv,ndev", virt::kPlicNdev);
  w.reg(virt::kPlicBase, virt::kPlicSize);
  // Contexts 2h and 2h + 1 are hart h's M-mode and S-mode external interrupts.
  w.cells("interrupts-extended", per_hart(config, kIrqMExt, kIrqSExt));
  w.empty("interrupt-controller");
  w.strs("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  w.u32("#address-cells", 0);
  w.u32("#interrupt-cells", 1);
  w.end();

  w.begin(hex_name("clint", virt::kClintBase));
  w.cells("interrupts-extended", per_hart(config, kIrqMSoft, kIrqMTimer));
  w.reg(virt::kClintBase, virt::kClintSize);
  w.strs("compatible", {"sifive,clint0", "riscv,clint0"});
  w.end();

  w.end();  // soc
  w.end();  // root
  return w.finish();
}

}  // namespace

std::vector<uint8_t> build_fdt(const FdtConfig& config) {
  std::vector<uint8_t> buf(16 * 1024);
  for (;;) {
    int err = write_tree(buf, config);
    if (err == 0) break;
    if (err != -FDT_ERR_NOSPACE || buf.size() >= (16u << 20)) {
      throw std::runtime_error(std::string("fdt: cannot build the device tree: ") +
                               fdt_strerror(err));
    }
    buf.assign(buf.size() * 2, 0);
  }
  buf.resize(fdt_totalsize(buf.data()));
  return buf;
}

uint64_t fdt_load_address(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size) {
  constexpr uint64_t k3GiB = 3ull << 30;
  constexpr uint64_t k2MiB = 2ull << 20;
  uint64_t ram_end = ram_base + ram_size;
  uint64_t top = ram_base < k3GiB ? std::min(ram_end, k3GiB) : ram_end;
  return (top - fdt_size) & ~(k2MiB - 1);
}

}  // namespace tiervm
