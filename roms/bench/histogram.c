// Byte histogram of 64 KiB, the shape of a compressor's or an image tool's inner loop.
// A plain loop has a conflict between lanes (two equal bytes), so compilers do not
// vectorise it; the vector build is here to show that honestly. Built scalar and for
// RVV (roms/bench/CMakeLists.txt, tiervm_vector_bench_rom).
#include "bench.h"

const char bench_name[] = "histogram";

enum { kBytes = 64 * 1024 };

static uint8_t data[kBytes];
static uint32_t counts[256];

static void histogram(const uint8_t* p, int n, uint32_t* h) {
  for (int i = 0; i < 256; ++i) h[i] = 0;
  for (int i = 0; i < n; ++i) h[p[i]]++;
}

int bench_selftest(void) {
  static const uint8_t bytes[6] = {3, 3, 255, 0, 3, 0};
  uint32_t h[256];
  histogram(bytes, 6, h);
  if (h[3] != 3 || h[0] != 2 || h[255] != 1 || h[1] != 0) return 1;
  return 0;
}

uint64_t bench_run(void) {
  uint64_t seed = 0x48495354;
  for (int i = 0; i < kBytes; i += 8) {
    const uint64_t v = bench_next(&seed);
    // Skewed: the low bits of a product, so some bytes are much more common.
    for (int k = 0; k < 8; ++k) data[i + k] = (uint8_t)((v >> (8 * k)) * (v >> (8 * k) & 7));
  }
  uint64_t sum = 0;
  for (int pass = 0; pass < 48 * BENCH_SCALE; ++pass) {
    histogram(data, kBytes, counts);
    for (int b = 0; b < 256; b += 5) sum = bench_fold(sum, counts[b]);
    data[(pass * 7919) % kBytes] += (uint8_t)pass;
  }
  return sum;
}
