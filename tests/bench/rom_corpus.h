#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tiervm::bench {

// The .text section of a built rom: guest code for the decode and compile benchmarks.
struct RomText {
  std::string path;
  uint64_t addr = 0;
  std::vector<uint8_t> bytes;
};

// Every rom ELF under the build tree's roms/ (sorted by path), or empty when none is
// built.
std::vector<std::string> built_roms();
// The .text section of an ELF64 file, or nullopt (with `error`) when it has none.
std::optional<RomText> read_text(const std::string& path, std::string& error);
// The first of `names` (paths below the build tree) that is built, else any built rom.
std::optional<RomText> preferred_rom_text(const std::vector<std::string>& names,
                                          std::string& error);

// Instruction parcels of `text` in order: 16-bit words where the low bits say
// compressed, 32-bit words otherwise (as a fetch sees them).
std::vector<uint32_t> instruction_words(const RomText& text);

}  // namespace tiervm::bench
