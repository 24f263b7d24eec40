// Builds the virt device tree from random configuration fields (RAM size, bootargs, isa
// and mmu strings, initrd range, virtio slot count, rng seed). Invariants: build_fdt
// either throws std::runtime_error or returns a blob that libfdt's fdt_check_full accepts,
// whose /chosen and /memory say what the configuration asked for; fdt_load_address keeps
// the blob inside RAM.
#include <fuzzer/FuzzedDataProvider.h>
#include <libfdt.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/fdt_builder.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using tiervm::FdtConfig;

// The property `name` of node `path` as bytes, or false when absent.
bool prop(const std::vector<uint8_t>& fdt, const char* path, const char* name, std::string& out) {
  const int node = fdt_path_offset(fdt.data(), path);
  if (node < 0) return false;
  int len = 0;
  const void* p = fdt_getprop(fdt.data(), node, name, &len);
  if (p == nullptr || len < 0) return false;
  out.assign(static_cast<const char*>(p), static_cast<size_t>(len));
  return true;
}

uint64_t be64(const std::string& bytes, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = v << 8 | static_cast<uint8_t>(bytes[at + i]);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  FdtConfig c;
  // Mostly the virt RAM base (2 MiB aligned), sometimes anything.
  c.ram_base = in.ConsumeBool() ? in.ConsumeIntegral<uint64_t>() : 0x8000'0000;
  c.ram_size = in.ConsumeIntegral<uint64_t>();
  c.initrd_start = in.ConsumeIntegral<uint64_t>();
  c.initrd_end = in.ConsumeBool() ? c.initrd_start + in.ConsumeIntegral<uint32_t>()
                                  : in.ConsumeIntegral<uint64_t>();
  c.virtio_slots = in.ConsumeIntegralInRange<unsigned>(0, 8);
  c.isa = in.ConsumeRandomLengthString(256);
  c.mmu_type = in.ConsumeRandomLengthString(64);
  c.rng_seed = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 128));
  c.bootargs = in.ConsumeRemainingBytesAsString();

  std::vector<uint8_t> fdt;
  try {
    fdt = tiervm::build_fdt(c);
  } catch (const std::runtime_error&) {
    return 0;  // documented: libfdt refused (e.g. no space); the machine reports it
  }
  const int check = fdt_check_full(fdt.data(), fdt.size());
  FUZZ_CHECK(check == 0, "fdt_check_full: %s", fdt_strerror(check));
  FUZZ_CHECK(fdt_totalsize(fdt.data()) == fdt.size(), "blob size %zu, header says %u", fdt.size(),
             fdt_totalsize(fdt.data()));

  std::string v;
  if (!c.bootargs.empty()) {
    FUZZ_CHECK(prop(fdt, "/chosen", "bootargs", v), "no /chosen/bootargs");
    FUZZ_CHECK(v == c.bootargs + '\0', "bootargs differ");
  } else {
    FUZZ_CHECK(!prop(fdt, "/chosen", "bootargs", v), "empty bootargs written");
  }
  if (c.initrd_end > c.initrd_start) {
    FUZZ_CHECK(prop(fdt, "/chosen", "linux,initrd-start", v) && v.size() == 8 &&
                   be64(v, 0) == c.initrd_start,
               "initrd-start missing or wrong");
    FUZZ_CHECK(
        prop(fdt, "/chosen", "linux,initrd-end", v) && v.size() == 8 && be64(v, 0) == c.initrd_end,
        "initrd-end missing or wrong");
  } else {
    FUZZ_CHECK(!prop(fdt, "/chosen", "linux,initrd-start", v), "empty initrd range written");
  }
  char memory[64];
  std::snprintf(memory, sizeof memory, "/memory@%llx", static_cast<unsigned long long>(c.ram_base));
  FUZZ_CHECK(prop(fdt, memory, "reg", v) && v.size() == 16 && be64(v, 0) == c.ram_base &&
                 be64(v, 8) == c.ram_size,
             "%s/reg missing or wrong", memory);
  FUZZ_CHECK(prop(fdt, "/cpus/cpu@0", "riscv,isa", v) && v == c.isa + '\0', "riscv,isa differs");

  // Where the machine puts the blob: inside RAM whenever RAM (at a 2 MiB aligned base
  // below 3 GiB, as on virt) has room for it plus the 2 MiB alignment, below 3 GiB.
  constexpr uint64_t k2MiB = 2ull << 20;
  if (c.ram_base % k2MiB == 0 && c.ram_base + fdt.size() + k2MiB <= (3ull << 30) &&
      c.ram_size >= fdt.size() + k2MiB && c.ram_size <= (1ull << 40)) {
    const uint64_t at = tiervm::fdt_load_address(c.ram_base, c.ram_size, fdt.size());
    FUZZ_CHECK(at >= c.ram_base && at + fdt.size() <= c.ram_base + c.ram_size && at % k2MiB == 0,
               "fdt_load_address(%#llx, %#llx, %zu) = %#llx",
               static_cast<unsigned long long>(c.ram_base),
               static_cast<unsigned long long>(c.ram_size), fdt.size(),
               static_cast<unsigned long long>(at));
  }
  return 0;
}
