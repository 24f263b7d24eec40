// memcpy and memset as plain byte loops (the roms build with -fno-builtin, so they stay
// loops instead of library calls): 64 KiB copied between two buffers and cleared, at
// shifting offsets so neither side is always aligned. Built scalar and for RVV
// (roms/bench/CMakeLists.txt, tiervm_vector_bench_rom).
#include "bench.h"

const char bench_name[] = "memops";

enum { kBytes = 64 * 1024, kSpan = kBytes - 64 };

static uint8_t src[kBytes];
static uint8_t dst[kBytes];

static void copy_bytes(uint8_t* restrict d, const uint8_t* restrict s, int n) {
  for (int i = 0; i < n; ++i) d[i] = s[i];
}

static void set_bytes(uint8_t* d, uint8_t v, int n) {
  for (int i = 0; i < n; ++i) d[i] = v;
}

static uint64_t sum_bytes(const uint8_t* p, int n) {
  uint64_t s = 0;
  for (int i = 0; i < n; ++i) s += p[i];
  return s;
}

int bench_selftest(void) {
  uint8_t a[7] = {1, 2, 3, 4, 5, 6, 7};
  uint8_t b[7] = {0};
  copy_bytes(b + 1, a, 5);
  if (b[0] != 0 || b[1] != 1 || b[5] != 5 || b[6] != 0) return 1;
  set_bytes(a + 2, 0xee, 3);
  if (a[1] != 2 || a[2] != 0xee || a[4] != 0xee || a[5] != 6) return 2;
  if (sum_bytes(a, 7) != 1 + 2 + 3 * 0xee + 6 + 7) return 3;
  return 0;
}

uint64_t bench_run(void) {
  uint64_t seed = 0x4d454d;
  for (int i = 0; i < kBytes; i += 8) {
    const uint64_t v = bench_next(&seed);
    for (int k = 0; k < 8; ++k) src[i + k] = (uint8_t)(v >> (8 * k));
  }
  uint64_t sum = 0;
  for (int pass = 0; pass < 64 * BENCH_SCALE; ++pass) {
    const int from = pass & 31, to = (pass * 7) & 31;
    copy_bytes(dst + to, src + from, kSpan);
    src[(pass * 4099) % kBytes] ^= dst[(pass * 8191) % kBytes];
    set_bytes(dst + (pass & 15), (uint8_t)pass, kSpan / 2);
    sum = bench_fold(sum, sum_bytes(dst, kBytes));
  }
  return sum;
}
