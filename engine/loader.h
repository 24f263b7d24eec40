#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tiervm {

class Bus;

enum class ImageKind : uint8_t { Elf, LinuxImage, Raw };

struct ElfSymbol {
  std::string name;
  uint64_t addr = 0;
  uint64_t size = 0;
};

// What loading an image produced.
struct LoadedImage {
  ImageKind kind = ImageKind::Raw;
  uint64_t entry = 0;
  uint64_t low = 0;                // lowest loaded physical address
  uint64_t high = 0;               // one past the highest
  std::optional<uint64_t> tohost;  // HTIF symbols, when the ELF defines them
  std::optional<uint64_t> fromhost;
  std::vector<ElfSymbol> symbols;  // function and object symbols, sorted by address
};

// Result of a load: an image, or one clear line saying what is wrong with the file.
struct LoadResult {
  std::optional<LoadedImage> image;
  std::string error;
};

// Reads a whole file; nullopt with `error` set when it can't.
std::optional<std::vector<uint8_t>> read_file(const std::string& path, std::string& error);

bool is_elf(std::span<const uint8_t> bytes);
// The RISC-V Linux `Image` header (Documentation/riscv/boot-image-header.rst).
bool is_linux_image(std::span<const uint8_t> bytes);

// Loads an ELF64 RISC-V executable's PT_LOAD segments at their physical addresses.
// Refuses other classes, machines, byte orders, truncated files and segments that do not
// fit in RAM/ROM.
LoadResult load_elf(Bus& bus, std::span<const uint8_t> bytes);
// Loads a Linux Image at ram_base + text_offset from its header.
LoadResult load_linux_image(Bus& bus, std::span<const uint8_t> bytes);
// Loads raw bytes at `addr`.
LoadResult load_raw(Bus& bus, std::span<const uint8_t> bytes, uint64_t addr);
// Picks the loader by content: ELF, Linux Image, else raw at `raw_addr`.
LoadResult load_image(Bus& bus, std::span<const uint8_t> bytes, uint64_t raw_addr);

}  // namespace tiervm
