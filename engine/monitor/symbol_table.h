#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/loader.h"

namespace tiervm {

// Nearest-symbol lookup for guest addresses (virtual pcs), from the loaded ELF's symbol
// table or from a Linux System.map. Immutable once built, so snapshots share it.
class SymbolTable {
 public:
  struct Hit {
    const std::string* name = nullptr;
    uint64_t offset = 0;  // from the symbol's start
  };

  SymbolTable() = default;
  // ELF symbols: a symbol with a size covers [addr, addr + size); one without a size
  // (assembly labels) extends to the next symbol.
  explicit SymbolTable(std::vector<ElfSymbol> symbols);
  // Parses System.map text ("ffffffff80000000 T _start" per line). Only text symbols
  // (T, t, W, w) are kept; each extends to the next one. Lines that do not parse are
  // skipped; returns nullopt when no text symbol was found.
  static std::optional<SymbolTable> from_system_map(std::string_view text);
  static std::optional<SymbolTable> load_system_map(const std::string& path, std::string& error);

  // The symbol covering `addr`, or a hit with name == nullptr.
  Hit lookup(uint64_t addr) const;
  // "name+0x1c", "name", or "" when nothing covers addr.
  std::string describe(uint64_t addr) const;
  size_t size() const { return symbols_.size(); }
  bool empty() const { return symbols_.empty(); }

 private:
  // Sorted by address; size is the covered length (0 = only the start address).
  std::vector<ElfSymbol> symbols_;
};

}  // namespace tiervm
