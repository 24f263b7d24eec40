// Radix-2 decimation-in-time FFT (iterative, bit-reversed input order) of complex
// doubles, forward and inverse: FP multiply/add with strided access. Twiddle factors
// come from a Taylor series in plain + and *, so host and guest compute the same bits.
#include "bench.h"

const char bench_name[] = "fft";

enum { kLogN = 12, kN = 1 << kLogN };

static const double kPi = 3.141592653589793;

static double re[kN];
static double orig_re[kN];
static double orig_im[kN];
static double im[kN];
static double tw_re[kN / 2];  // cos(2 pi k / N)
static double tw_im[kN / 2];  // sin(2 pi k / N)

// sin and cos of x in [0, pi] by their Maclaurin series (30 terms, Horner form): the
// error is far below 1 ulp of the results that matter here.
static void sin_cos(double x, double* s, double* c) {
  const double x2 = x * x;
  double ts = 1.0;
  double tc = 1.0;
  for (int k = 30; k >= 1; --k) {
    ts = 1.0 - ts * x2 / ((2.0 * k) * (2.0 * k + 1.0));
    tc = 1.0 - tc * x2 / ((2.0 * k - 1.0) * (2.0 * k));
  }
  *s = x * ts;
  *c = tc;
}

static void make_twiddles(void) {
  for (int k = 0; k < kN / 2; ++k) sin_cos(2.0 * kPi * k / kN, &tw_im[k], &tw_re[k]);
}

// In place; sign = -1 forward, +1 inverse (unscaled).
static void fft(double* xr, double* xi, int sign) {
  for (int i = 1, j = 0; i < kN; ++i) {
    int bit = kN >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      double t = xr[i];
      xr[i] = xr[j];
      xr[j] = t;
      t = xi[i];
      xi[i] = xi[j];
      xi[j] = t;
    }
  }
  for (int len = 2; len <= kN; len <<= 1) {
    const int half = len >> 1;
    const int step = kN / len;
    for (int start = 0; start < kN; start += len) {
      for (int k = 0; k < half; ++k) {
        const double wr = tw_re[k * step];
        const double wi = sign * tw_im[k * step];
        const int a = start + k;
        const int b = a + half;
        const double tr = xr[b] * wr - xi[b] * wi;
        const double ti = xr[b] * wi + xi[b] * wr;
        xr[b] = xr[a] - tr;
        xi[b] = xi[a] - ti;
        xr[a] += tr;
        xi[a] += ti;
      }
    }
  }
}

static double magnitude(double v) {
  return v < 0 ? -v : v;
}

int bench_selftest(void) {
  double s, c;
  sin_cos(kPi / 2, &s, &c);
  if (magnitude(s - 1.0) > 1e-15 || magnitude(c) > 1e-15) return 1;
  make_twiddles();
  // The transform of a unit impulse is 1 at every frequency, exactly.
  for (int i = 0; i < kN; ++i) re[i] = im[i] = 0;
  re[0] = 1;
  fft(re, im, -1);
  for (int i = 0; i < kN; ++i) {
    if (re[i] != 1.0 || im[i] != 0.0) return 2;
  }
  // Of a constant: N at frequency 0, (almost) nothing elsewhere.
  for (int i = 0; i < kN; ++i) {
    re[i] = 1;
    im[i] = 0;
  }
  fft(re, im, -1);
  if (re[0] != kN || im[0] != 0) return 3;
  for (int i = 1; i < kN; ++i) {
    if (magnitude(re[i]) > 1e-9 || magnitude(im[i]) > 1e-9) return 4;
  }
  // A cosine of frequency 3 puts N/2 into bins 3 and N - 3.
  for (int i = 0; i < kN; ++i) {
    // cos(2 pi k / N) = cos(2 pi (N - k) / N) keeps the argument in [0, pi].
    const int k = (3 * i) % kN;
    double sn;
    sin_cos(2.0 * kPi * (k <= kN / 2 ? k : kN - k) / kN, &sn, &re[i]);
    im[i] = 0;
  }
  fft(re, im, -1);
  if (magnitude(re[3] - kN / 2) > 1e-9 || magnitude(re[kN - 3] - kN / 2) > 1e-9) return 5;
  if (magnitude(re[4]) > 1e-9) return 6;
  return 0;
}

uint64_t bench_run(void) {
  make_twiddles();
  uint64_t seed = 0x666674;
  uint64_t sum = 0;
  for (int round = 0; round < 4 * BENCH_SCALE; ++round) {
    for (int i = 0; i < kN; ++i) {
      // Uniform in [-1, 1): 53 random bits scaled exactly.
      re[i] = orig_re[i] = (double)(int64_t)(bench_next(&seed) >> 11) * 0x1p-52 - 1.0;
      im[i] = orig_im[i] = (double)(int64_t)(bench_next(&seed) >> 11) * 0x1p-52 - 1.0;
    }
    fft(re, im, -1);
    for (int i = 0; i < kN; i += 61) sum = bench_fold(sum, bench_bits(re[i]) ^ bench_bits(im[i]));
    fft(re, im, 1);
    for (int i = 0; i < kN; ++i) {
      re[i] /= kN;
      im[i] /= kN;
      // The inverse transform gives the input back up to rounding.
      if (magnitude(re[i] - orig_re[i]) > 1e-12 || magnitude(im[i] - orig_im[i]) > 1e-12) {
        return 0;
      }
      sum = bench_fold(sum, bench_bits(re[i]));
    }
  }
  return sum;
}
