// Memory-bound walk over a large buffer (4 MiB per BENCH_SCALE unit, 64 MiB at full
// size). On the rom the buffer is mapped with Sv39 4 KiB pages (rom_paging.c) and the
// walk runs in S-mode, so every access goes through address translation: the strided
// phase touches a different page on every access, cycling through more pages than a
// soft TLB holds.
#include "bench.h"

const char bench_name[] = "memwalk";

#if BENCH_SCALE > 16
#error "memwalk maps at most 64 MiB"
#endif

static const uint64_t kBytes = (uint64_t)BENCH_SCALE << 22;
static const uint64_t kMul = 0x9e3779b97f4a7c15ULL;
// 513 words = 4 KiB + 8 bytes: each step lands on the next page, one word further in.
// Odd, so coprime with the power-of-two word count: a pass visits every word once.
static const uint64_t kStride = 513;

int bench_selftest(void) {
  // Checks on the buffer itself run inside bench_run (it may be allocated only once).
  return 0;
}

uint64_t bench_run(void) {
  uint64_t* const buf = (uint64_t*)bench_big_buffer(kBytes);
  if (buf == 0) return 0;
  const uint64_t n = kBytes / 8;
  for (uint64_t i = 0; i < n; ++i) buf[i] = i * kMul;
  // Sum of i * kMul over all words = kMul * n (n - 1) / 2 (mod 2^64): a page mapped
  // twice, or not at all, breaks it.
  uint64_t total = 0;
  for (uint64_t i = 0; i < n; ++i) total += buf[i];
  if (total != kMul * ((n / 2) * (n - 1))) return 0;

  uint64_t acc = 0;
  uint64_t idx = 0;
  for (uint64_t step = 0; step < n; ++step) {
    idx = (idx + kStride) & (n - 1);
    const uint64_t v = buf[idx];
    acc = acc * 31 + v;
    buf[idx] = v ^ acc;
  }
  uint64_t sum = acc;
  for (uint64_t i = 0; i < n; i += 509) sum = bench_fold(sum, buf[i]);
  return sum;
}
