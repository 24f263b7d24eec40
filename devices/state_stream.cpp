#include "devices/state_stream.h"

#include <array>

namespace tiervm {

namespace {

constexpr uint32_t kCrc32cPoly = 0x82f63b78;  // reflected Castagnoli polynomial

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero bytes.
struct Crc32cTables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  constexpr Crc32cTables() {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t c = b;
      for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1) != 0 ? kCrc32cPoly : 0);
      t[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; ++b) {
      for (size_t k = 1; k < 8; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
    }
  }
};
constexpr Crc32cTables kTables;

uint32_t crc32c_soft(const uint8_t* p, size_t n, uint32_t crc) {
  const auto& t = kTables.t;
  while (n >= 8) {
    uint64_t w = 0;
    for (int i = 0; i < 8; ++i) w |= uint64_t{p[i]} << (8 * i);
    w ^= crc;
    crc = t[7][w & 0xff] ^ t[6][(w >> 8) & 0xff] ^ t[5][(w >> 16) & 0xff] ^ t[4][(w >> 24) & 0xff] ^
          t[3][(w >> 32) & 0xff] ^ t[2][(w >> 40) & 0xff] ^ t[1][(w >> 48) & 0xff] ^ t[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const uint8_t* p, size_t n, uint32_t crc) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t w = 0;
    __builtin_memcpy(&w, p, 8);
    c = __builtin_ia32_crc32di(c, w);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

}  // namespace

uint32_t crc32c(std::span<const uint8_t> bytes, uint32_t crc) {
  crc = ~crc;
#if defined(__x86_64__)
  static const bool hw = __builtin_cpu_supports("sse4.2");
  if (hw) return ~crc32c_sse42(bytes.data(), bytes.size(), crc);
#endif
  return ~crc32c_soft(bytes.data(), bytes.size(), crc);
}

void StateWriter::blob(std::span<const uint8_t> v) {
  u32(static_cast<uint32_t>(v.size()));
  bytes(v);
}

void StateWriter::string(std::string_view v) {
  blob({reinterpret_cast<const uint8_t*>(v.data()), v.size()});
}

uint64_t StateReader::get(unsigned n) {
  if (!ok_ || in_.size() - pos_ < n) {
    ok_ = false;
    return 0;
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{in_[pos_ + i]} << (8 * i);
  pos_ += n;
  return v;
}

bool StateReader::boolean() {
  const uint8_t v = u8();
  if (v > 1) ok_ = false;
  return v == 1;
}

std::span<const uint8_t> StateReader::bytes(uint64_t n) {
  if (!ok_ || in_.size() - pos_ < n) {
    ok_ = false;
    return {};
  }
  auto out = in_.subspan(pos_, n);
  pos_ += n;
  return out;
}

std::string StateReader::string() {
  auto b = blob();
  return {b.begin(), b.end()};
}

}  // namespace tiervm
