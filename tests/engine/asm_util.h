#pragma once

#include <unistd.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace tiervm::test {

// Assembles one instruction per line with Debian's riscv64-unknown-elf-as, so expected
// encodings in tests come from the reference toolchain, not from our decoder. Each line
// must be a single real instruction (no pseudo-instruction that expands to two).
// With `compressed`, lines are c.* instructions and each yields a 16-bit parcel.
inline std::vector<uint32_t> assemble(const std::vector<std::string>& lines,
                                      bool compressed = false,
                                      const std::string& march = "rv64gc_zba_zbb") {
  char dir_template[] = "/tmp/tiervm-asm-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return {};
  const std::string base = dir;
  {
    std::ofstream src(base + "/a.s");
    src << (compressed ? ".option rvc\n" : ".option norvc\n");
    for (const auto& l : lines) src << l << "\n";
  }
  const std::string cmd = "riscv64-unknown-elf-as -march=" + march + " -o " + base + "/a.o " +
                          base + "/a.s && riscv64-unknown-elf-objcopy -O binary -j .text " + base +
                          "/a.o " + base + "/a.bin";
  std::vector<uint32_t> words;
  if (std::system(cmd.c_str()) == 0) {
    std::ifstream bin(base + "/a.bin", std::ios::binary);
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(bin)),
                                     std::istreambuf_iterator<char>());
    const size_t step = compressed ? 2 : 4;
    for (size_t i = 0; i + step <= bytes.size(); i += step) {
      uint32_t w = 0;
      for (size_t k = 0; k < step; ++k) w |= static_cast<uint32_t>(bytes[i + k]) << (8 * k);
      words.push_back(w);
    }
  }
  if (std::system(("rm -rf " + base).c_str()) != 0) words.clear();
  return words;
}

}  // namespace tiervm::test
