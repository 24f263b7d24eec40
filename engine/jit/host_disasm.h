#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tiervm {

// Host machine code as text, by LLVM's MC disassembler for the host target, Intel syntax:
// a header line "; N bytes at 0xADDRESS", then one instruction per line as "+OFFSET
// mnemonic operands" (hex offset from `address`, where the code runs). Branches inside the
// code show their target as such an offset; bytes that do not decode print as `.byte`.
std::string disassemble_host(std::span<const uint8_t> code, uint64_t address);

}  // namespace tiervm
