#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tiervm {

// Host machine code as text, one instruction per line ("address  bytes  mnemonic"), in
// Intel syntax, by LLVM's MC disassembler for the host target. `address` is where the
// code runs (for branch targets). Bytes it cannot decode are printed as `.byte`.
std::string disassemble_host(std::span<const uint8_t> code, uint64_t address);

}  // namespace tiervm
