// Non-cryptographic hashing: FNV-1a 64 (one multiply per byte) and XXH64 (four
// independent 64-bit lanes of multiply-rotate per 32-byte stripe), over a buffer and
// over many short keys, as hash tables and content checks do.
#include "bench.h"

const char bench_name[] = "hash";

enum { kBufferWords = 8 * 1024 };  // 64 KiB

static uint64_t words[kBufferWords];

static uint64_t fnv1a64(const uint8_t* p, uint64_t len) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint64_t i = 0; i < len; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

// XXH64 as specified in xxhash_spec.md (Collet), little-endian input.
static const uint64_t kP1 = 0x9e3779b185ebca87ULL;
static const uint64_t kP2 = 0xc2b2ae3d27d4eb4fULL;
static const uint64_t kP3 = 0x165667b19e3779f9ULL;
static const uint64_t kP4 = 0x85ebca77c2b2ae63ULL;
static const uint64_t kP5 = 0x27d4eb2f165667c5ULL;

static uint64_t rotl(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

static uint64_t xxh_round(uint64_t acc, uint64_t input) {
  acc += input * kP2;
  acc = rotl(acc, 31);
  return acc * kP1;
}

static uint64_t xxh_merge(uint64_t acc, uint64_t v) {
  acc ^= xxh_round(0, v);
  return acc * kP1 + kP4;
}

static uint64_t read64(const uint8_t* p) {
  uint64_t v = 0;
  for (int k = 7; k >= 0; --k) v = (v << 8) | p[k];
  return v;
}

static uint64_t read32(const uint8_t* p) {
  return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

static uint64_t xxh64(const uint8_t* p, uint64_t len, uint64_t seed) {
  const uint8_t* const end = p + len;
  uint64_t h;
  if (len >= 32) {
    uint64_t v1 = seed + kP1 + kP2;
    uint64_t v2 = seed + kP2;
    uint64_t v3 = seed;
    uint64_t v4 = seed - kP1;
    do {
      v1 = xxh_round(v1, read64(p));
      v2 = xxh_round(v2, read64(p + 8));
      v3 = xxh_round(v3, read64(p + 16));
      v4 = xxh_round(v4, read64(p + 24));
      p += 32;
    } while (end - p >= 32);
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = xxh_merge(h, v1);
    h = xxh_merge(h, v2);
    h = xxh_merge(h, v3);
    h = xxh_merge(h, v4);
  } else {
    h = seed + kP5;
  }
  h += len;
  while (end - p >= 8) {
    h ^= xxh_round(0, read64(p));
    h = rotl(h, 27) * kP1 + kP4;
    p += 8;
  }
  if (end - p >= 4) {
    h ^= read32(p) * kP1;
    h = rotl(h, 23) * kP2 + kP3;
    p += 4;
  }
  while (p < end) {
    h ^= *p++ * kP5;
    h = rotl(h, 11) * kP1;
  }
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

int bench_selftest(void) {
  static const uint8_t a[] = "a";
  static const uint8_t foobar[] = "foobar";
  // FNV test vectors (Fowler/Noll/Vo reference test suite).
  if (fnv1a64(a, 0) != 0xcbf29ce484222325ULL) return 1;
  if (fnv1a64(a, 1) != 0xaf63dc4c8601ec8cULL) return 2;
  if (fnv1a64(foobar, 6) != 0x85944171f73967e8ULL) return 3;
  // XXH64 of the empty input with seed 0 (xxHash sanity check).
  if (xxh64(a, 0, 0) != 0xef46db3751d8e999ULL) return 4;
  return 0;
}

uint64_t bench_run(void) {
  uint64_t seed = 0x68617368;
  for (int i = 0; i < kBufferWords; ++i) words[i] = bench_next(&seed);
  const uint8_t* bytes = (const uint8_t*)words;
  uint64_t sum = 0;
  for (int pass = 0; pass < 4 * BENCH_SCALE; ++pass) {
    sum = bench_fold(sum, fnv1a64(bytes, sizeof words));
    sum = bench_fold(sum, xxh64(bytes, sizeof words, (uint64_t)pass));
    // Short keys of every length 0..63: the tail paths.
    uint64_t keys = 0;
    for (uint64_t off = 0; off + 64 <= sizeof words; off += 61) {
      keys += xxh64(bytes + off, off & 63, sum) ^ fnv1a64(bytes + off, (off >> 6) & 15);
    }
    sum = bench_fold(sum, keys);
    words[pass % kBufferWords] ^= sum;
  }
  return sum;
}
