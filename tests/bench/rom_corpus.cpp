#include "tests/bench/rom_corpus.h"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace tiervm::bench {

std::vector<std::string> built_roms() {
  std::vector<std::string> out;
  const std::filesystem::path dir = std::filesystem::path(TIERVM_BINARY_DIR) / "roms";
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".elf") out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<RomText> read_text(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Elf64_Ehdr eh;
  if (file.size() < sizeof eh) {
    error = path + ": not an ELF64 file";
    return std::nullopt;
  }
  std::memcpy(&eh, file.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_shentsize != sizeof(Elf64_Shdr) ||
      eh.e_shoff + uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr) > file.size() ||
      eh.e_shstrndx >= eh.e_shnum) {
    error = path + ": not an ELF64 file with section headers";
    return std::nullopt;
  }
  auto section = [&](unsigned i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, file.data() + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof sh);
    return sh;
  };
  const Elf64_Shdr names = section(eh.e_shstrndx);
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    const Elf64_Shdr sh = section(i);
    if (sh.sh_type != SHT_PROGBITS || names.sh_offset + sh.sh_name >= file.size()) continue;
    const char* name = reinterpret_cast<const char*>(file.data() + names.sh_offset + sh.sh_name);
    if (std::strcmp(name, ".text") != 0 || sh.sh_offset + sh.sh_size > file.size()) continue;
    RomText t;
    t.path = path;
    t.addr = sh.sh_addr;
    t.bytes.assign(file.begin() + static_cast<long>(sh.sh_offset),
                   file.begin() + static_cast<long>(sh.sh_offset + sh.sh_size));
    return t;
  }
  error = path + ": no .text section";
  return std::nullopt;
}

std::optional<RomText> preferred_rom_text(const std::vector<std::string>& names,
                                          std::string& error) {
  std::vector<std::string> candidates;
  candidates.reserve(names.size());
  for (const std::string& n : names) {
    candidates.push_back((std::filesystem::path(TIERVM_BINARY_DIR) / n).string());
  }
  for (const std::string& p : built_roms()) candidates.push_back(p);
  for (const std::string& p : candidates) {
    if (!std::filesystem::exists(p)) continue;
    if (auto t = read_text(p, error)) return t;
  }
  error = "no rom is built under " + std::string(TIERVM_BINARY_DIR) +
          "/roms (build the roms / bench_roms targets)";
  return std::nullopt;
}

std::vector<uint32_t> instruction_words(const RomText& text) {
  std::vector<uint32_t> words;
  const std::vector<uint8_t>& b = text.bytes;
  for (size_t i = 0; i + 2 <= b.size();) {
    const uint32_t lo = b[i] | (b[i + 1] << 8);
    if ((lo & 3) != 3) {
      words.push_back(lo);
      i += 2;
    } else if (i + 4 <= b.size()) {
      words.push_back(lo | (static_cast<uint32_t>(b[i + 2]) << 16) |
                      (static_cast<uint32_t>(b[i + 3]) << 24));
      i += 4;
    } else {
      break;
    }
  }
  return words;
}

}  // namespace tiervm::bench
