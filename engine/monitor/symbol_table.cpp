#include "engine/monitor/symbol_table.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace tiervm {

namespace {

// A symbol without a size reaches at most this far: past the last symbol of an image an
// address belongs to nothing we know.
constexpr uint64_t kMaxUnsizedSpan = 1ull << 20;

void sort_and_fill_sizes(std::vector<ElfSymbol>& symbols) {
  std::stable_sort(symbols.begin(), symbols.end(),
                   [](const ElfSymbol& a, const ElfSymbol& b) { return a.addr < b.addr; });
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i].size != 0) continue;
    // Up to the next symbol at a higher address.
    size_t j = i + 1;
    while (j < symbols.size() && symbols[j].addr == symbols[i].addr) ++j;
    symbols[i].size = j < symbols.size()
                          ? std::min(symbols[j].addr - symbols[i].addr, kMaxUnsizedSpan)
                          : 1;  // the last label only names its own address
  }
}

}  // namespace

SymbolTable::SymbolTable(std::vector<ElfSymbol> symbols) : symbols_(std::move(symbols)) {
  std::erase_if(symbols_, [](const ElfSymbol& s) { return s.name.empty(); });
  sort_and_fill_sizes(symbols_);
}

std::optional<SymbolTable> SymbolTable::from_system_map(std::string_view text) {
  std::vector<ElfSymbol> symbols;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    // "<hex address> <type> <name>"
    const size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos || sp1 + 3 > line.size() || line[sp1 + 2] != ' ') continue;
    const char type = line[sp1 + 1];
    if (type != 'T' && type != 't' && type != 'W' && type != 'w') continue;
    uint64_t addr = 0;
    // NOLINTNEXTLINE(bugprone-suspicious-stringview-data-usage): the end is explicit.
    const auto [ptr, ec] = std::from_chars(line.data(), line.data() + sp1, addr, 16);
    if (ec != std::errc() || ptr != line.data() + sp1) continue;
    std::string_view name = line.substr(sp1 + 3);
    while (!name.empty() && (name.back() == '\r' || name.back() == ' ')) name.remove_suffix(1);
    if (name.empty()) continue;
    symbols.push_back({std::string(name), addr, 0});
  }
  if (symbols.empty()) return std::nullopt;
  SymbolTable table;
  table.symbols_ = std::move(symbols);
  sort_and_fill_sizes(table.symbols_);
  return table;
}

std::optional<SymbolTable> SymbolTable::load_system_map(const std::string& path,
                                                        std::string& error) {
  // One read into a buffer of the file's size: a stringstream grew by doubling and then
  // copied its text out, 6 % of tiervm's start-up for Linux's 650 KB map.
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff size = in ? static_cast<std::streamoff>(in.tellg()) : -1;
  std::string text(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  if (size < 0 || !in.seekg(0) || !in.read(text.data(), size)) {
    error = "cannot read symbol map '" + path + "'";
    return std::nullopt;
  }
  auto table = from_system_map(text);
  if (!table) error = "'" + path + "' holds no text symbols (expected a Linux System.map)";
  return table;
}

SymbolTable::Hit SymbolTable::lookup(uint64_t addr) const {
  // The last symbol starting at or below addr; symbols may nest (a sized function
  // inside an unsized section label), so walk back a little for one that covers addr.
  auto it = std::upper_bound(symbols_.begin(), symbols_.end(), addr,
                             [](uint64_t a, const ElfSymbol& s) { return a < s.addr; });
  for (int tries = 0; tries < 4 && it != symbols_.begin(); ++tries) {
    --it;
    if (addr - it->addr < it->size) return {&it->name, addr - it->addr};
  }
  return {};
}

std::string SymbolTable::describe(uint64_t addr) const {
  const Hit hit = lookup(addr);
  if (hit.name == nullptr) return {};
  if (hit.offset == 0) return *hit.name;
  std::ostringstream os;
  os << *hit.name << "+0x" << std::hex << hit.offset;
  return os.str();
}

}  // namespace tiervm
