// Integer dot products: int32 vectors of 8 Ki elements multiplied into a 64-bit sum (a
// widening multiply-accumulate and a reduction when vectorised). Each product fits in
// int64_t; the sum wraps modulo 2^64 (unsigned: no signed overflow, whose undefined
// behaviour UBSan reports in the host reference). Built scalar and for
// RVV (roms/bench/CMakeLists.txt, tiervm_vector_bench_rom).
#include "bench.h"

const char bench_name[] = "dot";

enum { kN = 8 * 1024 };

static int32_t as[kN];
static int32_t bs[kN];

static uint64_t dot(const int32_t* a, const int32_t* b, int n) {
  uint64_t s = 0;
  for (int i = 0; i < n; ++i) s += (uint64_t)((int64_t)a[i] * b[i]);
  return s;
}

int bench_selftest(void) {
  static const int32_t a[4] = {1, -2, 3, 2147483647};
  static const int32_t b[4] = {4, 5, -6, 2147483647};
  // 4 - 10 - 18 + (2^31 - 1)^2
  if (dot(a, b, 4) != (uint64_t)(-24 + 4611686014132420609LL)) return 1;
  if (dot(a, b, 0) != 0) return 2;
  return 0;
}

uint64_t bench_run(void) {
  uint64_t seed = 0x444f54;
  for (int i = 0; i < kN; ++i) {
    const uint64_t v = bench_next(&seed);
    as[i] = (int32_t)v;
    bs[i] = (int32_t)(v >> 32);
  }
  uint64_t sum = 0;
  for (int pass = 0; pass < 96 * BENCH_SCALE; ++pass) {
    const uint64_t d = dot(as, bs, kN - (pass & 15));
    sum = bench_fold(sum, d);
    as[(uint32_t)d % kN] ^= pass;  // a new product next pass
  }
  return sum;
}
