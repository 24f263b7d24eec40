// saxpy (y = a * x + y, single precision) over 16 Ki floats, the BLAS level-1 loop that
// compilers vectorise first. Built scalar and for RVV (roms/bench/CMakeLists.txt,
// tiervm_vector_bench_rom): -ffp-contract=off keeps a multiply and an add per element,
// each correctly rounded, so both builds and the host reference agree bit for bit.
#include "bench.h"

const char bench_name[] = "saxpy";

enum { kN = 16 * 1024 };

static float xs[kN];
static float ys[kN];

static void saxpy(float a, const float* restrict x, float* restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = a * x[i] + y[i];
}

static uint32_t float_bits(float f) {
  union {
    float f;
    uint32_t u;
  } u = {f};
  return u.u;
}

int bench_selftest(void) {
  float x[5] = {1.0f, 2.0f, -3.0f, 0.5f, 0x1p100f};
  float y[5] = {10.0f, 0.25f, 3.0f, -1.0f, 0x1p100f};
  saxpy(2.0f, x, y, 5);
  if (y[0] != 12.0f || y[1] != 4.25f || y[2] != -3.0f || y[3] != 0.0f) return 1;
  if (y[4] != 0x1.8p101f) return 2;  // 3 * 2^100, exact
  return 0;
}

uint64_t bench_run(void) {
  uint64_t seed = 0x5341585059;
  for (int i = 0; i < kN; ++i) {
    // Values in [-1, 1) with 24-bit mantissas: no overflow over the passes below.
    xs[i] = (float)((int32_t)(bench_next(&seed) >> 40) - (1 << 23)) / (float)(1 << 23);
    ys[i] = 0.0f;
  }
  uint64_t sum = 0;
  for (int pass = 0; pass < 24 * BENCH_SCALE; ++pass) {
    // Alternating signs keep |y| bounded; a scale per pass keeps the work honest.
    const float a = (pass & 1) ? -0.5f : 0.5f + (float)(pass & 7) / 64.0f;
    saxpy(a, xs, ys, kN);
    sum = bench_fold(sum, float_bits(ys[(pass * 977) % kN]));
  }
  for (int i = 0; i < kN; i += 97) sum = bench_fold(sum, float_bits(ys[i]));
  return sum;
}
