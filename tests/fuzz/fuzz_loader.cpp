// Loads arbitrary bytes with load_image (ELF, Linux Image or raw, chosen by content) into
// a bus with a ROM and 1 MiB of RAM. Invariants: no crash; a failure explains itself in
// one line; a success describes a range inside guest memory that holds the image.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/loader.h"
#include "mem/bus.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

constexpr uint64_t kRomBase = 0x1000;
constexpr uint64_t kRomSize = 0x1000;
constexpr uint64_t kRamBase = 0x8000'0000;
constexpr uint64_t kRamSize = 1 << 20;

bool mapped(uint64_t addr) {
  return (addr >= kRomBase && addr - kRomBase < kRomSize) ||
         (addr >= kRamBase && addr - kRamBase < kRamSize);
}

// An ELF may load segments into both ROM and RAM: both ends must be mapped.
bool in_memory(uint64_t low, uint64_t high) {
  return low < high && mapped(low) && mapped(high - 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tiervm;
  Bus bus;
  bus.map_rom(kRomBase, std::vector<uint8_t>(kRomSize, 0), "rom");
  bus.map_ram(kRamBase, kRamSize);
  const std::span<const uint8_t> bytes(data, size);
  const LoadResult r = load_image(bus, bytes, kRamBase);
  if (!r.image) {
    FUZZ_CHECK(!r.error.empty(), "load failed without an error message");
    FUZZ_CHECK(r.error.find('\n') == std::string::npos, "error is not one line: %s",
               r.error.c_str());
    return 0;
  }
  FUZZ_CHECK(r.error.empty(), "load succeeded with an error: %s", r.error.c_str());
  const LoadedImage& img = *r.image;
  FUZZ_CHECK(in_memory(img.low, img.high), "loaded range [%#llx, %#llx) is outside memory",
             static_cast<unsigned long long>(img.low), static_cast<unsigned long long>(img.high));
  for (size_t i = 1; i < img.symbols.size(); ++i) {
    FUZZ_CHECK(img.symbols[i - 1].addr <= img.symbols[i].addr, "symbols are not sorted");
  }
  if (img.kind == ImageKind::Raw) {
    // Raw images are copied verbatim to the RAM base.
    FUZZ_CHECK(img.low == kRamBase && img.high == kRamBase + size && img.entry == kRamBase,
               "raw image placed at [%#llx, %#llx)", static_cast<unsigned long long>(img.low),
               static_cast<unsigned long long>(img.high));
    FUZZ_CHECK(std::memcmp(bus.ram_data(), data, size) == 0, "raw image not copied verbatim");
  }
  if (img.kind == ImageKind::Elf) FUZZ_CHECK(is_elf(bytes), "an ELF load of a non-ELF");
  return 0;
}
