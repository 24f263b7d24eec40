// Single-precision matrix multiply, 96 x 96, in i-k-j order (the inner loop is a saxpy
// over a row, which compilers vectorise). -ffp-contract=off keeps each multiply and add
// correctly rounded, so the scalar build, the RVV build and the host reference agree
// bit for bit. Built scalar and for RVV (roms/bench/CMakeLists.txt,
// tiervm_vector_bench_rom).
#include "bench.h"

const char bench_name[] = "sgemm";

enum { kN = 96 };

static float a[kN * kN];
static float b[kN * kN];
static float c[kN * kN];

static void sgemm(int n, const float* restrict x, const float* restrict y, float* restrict z) {
  for (int i = 0; i < n * n; ++i) z[i] = 0.0f;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < n; ++k) {
      const float s = x[i * n + k];
      for (int j = 0; j < n; ++j) z[i * n + j] = z[i * n + j] + s * y[k * n + j];
    }
  }
}

static uint32_t float_bits(float f) {
  union {
    float f;
    uint32_t u;
  } u = {f};
  return u.u;
}

int bench_selftest(void) {
  static const float x[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  static const float y[4] = {5.0f, 6.0f, 7.0f, 8.0f};
  float z[4];
  sgemm(2, x, y, z);
  if (z[0] != 19.0f || z[1] != 22.0f || z[2] != 43.0f || z[3] != 50.0f) return 1;
  return 0;
}

uint64_t bench_run(void) {
  uint64_t seed = 0x5347454d4d;
  for (int i = 0; i < kN * kN; ++i) {
    a[i] = (float)((int32_t)(bench_next(&seed) >> 44) - (1 << 19)) / (float)(1 << 19);
    b[i] = (float)((int32_t)(bench_next(&seed) >> 44) - (1 << 19)) / (float)(1 << 19);
  }
  uint64_t sum = 0;
  for (int pass = 0; pass < 6 * BENCH_SCALE; ++pass) {
    sgemm(kN, a, b, c);
    for (int i = 0; i < kN * kN; i += 37) sum = bench_fold(sum, float_bits(c[i]));
    a[(pass * 131) % (kN * kN)] = c[(pass * 257) % (kN * kN)] / 64.0f;
  }
  return sum;
}
