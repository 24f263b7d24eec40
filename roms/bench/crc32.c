// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table driven, one byte per step:
// a load, a table lookup and a few ALU ops per byte, the inner loop of zlib's crc32.
#include "bench.h"

const char bench_name[] = "crc32";

enum { kBufferBytes = 64 * 1024 };

static uint32_t table[256];
static uint8_t buffer[kBufferBytes];

static void make_table(void) {
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
}

static uint32_t crc32(const uint8_t* p, uint64_t len) {
  uint32_t c = 0xffffffffu;
  for (uint64_t i = 0; i < len; ++i) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

int bench_selftest(void) {
  make_table();
  // The catalogue's check value: CRC-32 of the ASCII digits "123456789".
  static const uint8_t digits[] = "123456789";
  if (crc32(digits, 9) != 0xcbf43926u) return 1;
  if (crc32(digits, 0) != 0) return 2;
  return 0;
}

uint64_t bench_run(void) {
  make_table();
  uint64_t seed = 0x4352433332;
  for (int i = 0; i < kBufferBytes; i += 8) {
    uint64_t v = bench_next(&seed);
    for (int k = 0; k < 8; ++k) buffer[i + k] = (uint8_t)(v >> (8 * k));
  }
  uint64_t sum = 0;
  for (int pass = 0; pass < 16 * BENCH_SCALE; ++pass) {
    const uint32_t c = crc32(buffer, kBufferBytes);
    sum = bench_fold(sum, c);
    // Perturb the data so every pass computes something new.
    buffer[(uint32_t)(c * 2654435761u) % kBufferBytes] ^= (uint8_t)(pass + 1);
  }
  return sum;
}
