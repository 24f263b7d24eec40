// Integer matrix multiply (32-bit wrapping arithmetic, i-k-j loop order): multiply-add
// throughput with sequential row accesses.
#include "bench.h"

const char bench_name[] = "matmul";

enum { kN = 64 };

static uint32_t ma[kN * kN];
static uint32_t mb[kN * kN];
static uint32_t mc[kN * kN];

// c (n x n) = a * b
static void multiply(uint32_t* c, const uint32_t* a, const uint32_t* b, int n) {
  for (int i = 0; i < n * n; ++i) c[i] = 0;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < n; ++k) {
      const uint32_t aik = a[i * n + k];
      const uint32_t* brow = b + k * n;
      uint32_t* crow = c + i * n;
      for (int j = 0; j < n; ++j) crow[j] += aik * brow[j];
    }
  }
}

int bench_selftest(void) {
  const uint32_t a[4] = {1, 2, 3, 4};
  const uint32_t b[4] = {5, 6, 7, 8};
  uint32_t c[4];
  multiply(c, a, b, 2);
  if (c[0] != 19 || c[1] != 22 || c[2] != 43 || c[3] != 50) return 1;
  // A * I == A.
  uint64_t seed = 7;
  for (int i = 0; i < kN * kN; ++i) {
    ma[i] = (uint32_t)bench_next(&seed);
    mb[i] = (i / kN == i % kN) ? 1 : 0;
  }
  multiply(mc, ma, mb, kN);
  for (int i = 0; i < kN * kN; ++i) {
    if (mc[i] != ma[i]) return 2;
  }
  return 0;
}

uint64_t bench_run(void) {
  uint64_t seed = 0x6d61746d756c;
  for (int i = 0; i < kN * kN; ++i) {
    ma[i] = (uint32_t)bench_next(&seed);
    mb[i] = (uint32_t)bench_next(&seed);
  }
  uint64_t sum = 0;
  for (int round = 0; round < 4 * BENCH_SCALE; ++round) {
    multiply(mc, ma, mb, kN);
    for (int i = 0; i < kN * kN; ++i) {
      sum = bench_fold(sum, mc[i]);
      ma[i] = mc[i] ^ (mc[i] >> 13);  // feed the product back: each round depends on the last
    }
  }
  return sum;
}
