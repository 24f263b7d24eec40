// Decodes and disassembles arbitrary 16- and 32-bit instruction words.
// Invariants: no crash (ASan/UBSan), length 2 exactly for compressed parcels, a decoded
// row's pattern matches the (expanded) word, fields are in range, a compressed parcel
// that expands decodes like its 32-bit expansion, and the printer returns text.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "engine/decoder.h"
#include "tests/fuzz/fuzz_util.h"

namespace tiervm::fuzz {
namespace {

void check(uint32_t raw, uint64_t pc) {
  const DecodedInsn d = decode(raw);
  const bool compressed = (raw & 3) != 3;
  FUZZ_CHECK(d.length == (compressed ? 2 : 4), "raw %#x decoded with length %u", raw, d.length);
  FUZZ_CHECK(d.rd < 32 && d.rs1 < 32 && d.rs2 < 32 && d.rs3 < 32,
             "raw %#x: register field out of range", raw);
  if (compressed) {
    FUZZ_CHECK(d.raw == (raw & 0xffff), "raw %#x: compressed raw is %#x", raw, d.raw);
    const uint32_t expanded = expand_compressed(static_cast<uint16_t>(raw));
    FUZZ_CHECK(d.word == expanded, "raw %#x: word %#x, expansion %#x", raw, d.word, expanded);
    if (expanded != 0) {
      FUZZ_CHECK((expanded & 3) == 3, "c %#06x expands to a compressed-looking %#x", raw & 0xffff,
                 expanded);
      const DecodedInsn full = decode(expanded);
      FUZZ_CHECK(full.def == d.def, "c %#06x decodes as %s, its expansion %#x as %s", raw & 0xffff,
                 d.def ? d.def->name : "illegal", expanded, full.def ? full.def->name : "illegal");
      FUZZ_CHECK(d.def == nullptr || (full.rd == d.rd && full.rs1 == d.rs1 && full.rs2 == d.rs2 &&
                                      full.imm == d.imm && full.csr == d.csr),
                 "c %#06x: fields differ from its expansion %#x", raw & 0xffff, expanded);
    } else {
      FUZZ_CHECK(d.def == nullptr, "c %#06x has no expansion but decodes as %s", raw & 0xffff,
                 d.def->name);
    }
  } else {
    FUZZ_CHECK(d.word == raw, "raw %#x: word %#x", raw, d.word);
  }
  if (d.def != nullptr) {
    const PatternBits pb = pattern_bits(d.def->pattern);
    FUZZ_CHECK((d.word & pb.mask) == pb.match, "word %#x decoded as %s (%s), which does not match",
               d.word, d.def->name, d.def->pattern);
    FUZZ_CHECK(std::strlen(d.def->pattern) == 32, "%s: pattern is not 32 characters", d.def->name);
  }
  const std::string text = disassemble(d, pc);
  FUZZ_CHECK(!text.empty(), "raw %#x: empty disassembly", raw);
  FUZZ_CHECK(text == disassemble(raw, pc), "raw %#x: the two disassemble() overloads differ", raw);
}

}  // namespace
}  // namespace tiervm::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The pc only changes how branch targets print; take it from the input too so
  // wrap-around targets are exercised.
  uint64_t pc = 0x8000'0000;
  if (size >= 8) {
    std::memcpy(&pc, data, 8);
    pc &= ~uint64_t{1};
    data += 8;
    size -= 8;
  }
  for (size_t i = 0; i + 4 <= size; i += 4) {
    uint32_t w = 0;
    std::memcpy(&w, data + i, 4);
    tiervm::fuzz::check(w, pc);           // as fetched: 16- or 32-bit by its low bits
    tiervm::fuzz::check(w | 3, pc);       // forced 32-bit
    tiervm::fuzz::check(w & 0xffff, pc);  // the low parcel alone
    tiervm::fuzz::check(w >> 16, pc);     // the high parcel alone
  }
  return 0;
}
