// The n-body simulation of the Computer Language Benchmarks Game (Jovian planets,
// symplectic integrator, double precision): FP multiply/add/divide and sqrt.
#include "bench.h"

const char bench_name[] = "nbody";

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

enum { kBodies = 5 };

typedef struct {
  double x, y, z, vx, vy, vz, mass;
} Body;

static const Body kInitial[kBodies] = {
    {0, 0, 0, 0, 0, 0, SOLAR_MASS},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
     1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
     -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
     2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
     -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
     -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS},
};

static Body bodies[kBodies];

static double root(double v) {
  return __builtin_sqrt(v);
}

static void offset_momentum(Body* b) {
  double px = 0, py = 0, pz = 0;
  for (int i = 0; i < kBodies; ++i) {
    px += b[i].vx * b[i].mass;
    py += b[i].vy * b[i].mass;
    pz += b[i].vz * b[i].mass;
  }
  b[0].vx = -px / SOLAR_MASS;
  b[0].vy = -py / SOLAR_MASS;
  b[0].vz = -pz / SOLAR_MASS;
}

static double energy(const Body* b) {
  double e = 0;
  for (int i = 0; i < kBodies; ++i) {
    e += 0.5 * b[i].mass * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
    for (int j = i + 1; j < kBodies; ++j) {
      const double dx = b[i].x - b[j].x;
      const double dy = b[i].y - b[j].y;
      const double dz = b[i].z - b[j].z;
      e -= (b[i].mass * b[j].mass) / root(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

static void advance(Body* b, double dt) {
  for (int i = 0; i < kBodies; ++i) {
    for (int j = i + 1; j < kBodies; ++j) {
      const double dx = b[i].x - b[j].x;
      const double dy = b[i].y - b[j].y;
      const double dz = b[i].z - b[j].z;
      const double d2 = dx * dx + dy * dy + dz * dz;
      const double mag = dt / (d2 * root(d2));
      b[i].vx -= dx * b[j].mass * mag;
      b[i].vy -= dy * b[j].mass * mag;
      b[i].vz -= dz * b[j].mass * mag;
      b[j].vx += dx * b[i].mass * mag;
      b[j].vy += dy * b[i].mass * mag;
      b[j].vz += dz * b[i].mass * mag;
    }
  }
  for (int i = 0; i < kBodies; ++i) {
    b[i].x += dt * b[i].vx;
    b[i].y += dt * b[i].vy;
    b[i].z += dt * b[i].vz;
  }
}

static void reset(void) {
  for (int i = 0; i < kBodies; ++i) bodies[i] = kInitial[i];
  offset_momentum(bodies);
}

static int near(double v, double expected) {
  const double d = v - expected;
  return d < 5e-10 && d > -5e-10;
}

int bench_selftest(void) {
  // The benchmark's published output for 1000 steps: -0.169075164 before and
  // -0.169087605 after (energy, printed to 9 decimals).
  reset();
  if (!near(energy(bodies), -0.169075164)) return 1;
  for (int n = 0; n < 1000; ++n) advance(bodies, 0.01);
  if (!near(energy(bodies), -0.169087605)) return 2;
  return 0;
}

uint64_t bench_run(void) {
  reset();
  uint64_t sum = 0;
  for (int n = 0; n < 20000 * BENCH_SCALE; ++n) {
    advance(bodies, 0.01);
    if (n % 1000 == 999) sum = bench_fold(sum, bench_bits(energy(bodies)));
  }
  for (int i = 0; i < kBodies; ++i) {
    sum = bench_fold(sum, bench_bits(bodies[i].x));
    sum = bench_fold(sum, bench_bits(bodies[i].vy));
  }
  return sum;
}
