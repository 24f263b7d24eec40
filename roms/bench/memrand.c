// Large working set: 64 MiB (4 MiB per BENCH_SCALE unit) walked at random and with
// strides, as hash tables, graph code and garbage collectors do. Built twice: memrand.elf
// maps the buffer with Sv39 4 KiB pages and runs in S-mode (rom_paging.c: 16 384 pages,
// far more than a soft TLB holds), memrand_bare.elf uses it in M-mode without translation
// (rom_bare.c), where an access should cost a bounds check, not a TLB probe.
//   1. Sattolo's shuffle: a random cyclic permutation of the buffer's 64-byte lines, one
//      random read-modify-write pair per line;
//   2. a pointer chase along that cycle: dependent loads, each to a random page;
//   3. random independent read-modify-writes of single words;
//   4. strided passes: one word per 64-byte line, then one word per page (4 KiB + 8).
#include "bench.h"

const char bench_name[] = "memrand";

#if BENCH_SCALE > 16
#error "memrand maps at most 64 MiB"
#endif

static const uint64_t kBytes = (uint64_t)BENCH_SCALE << 22;
enum { kLineWords = 8 };  // 64-byte lines

// A random value in [0, bound), bound > 0 (multiply-shift: no division, no bias worth
// caring about for a benchmark, identical on every ISA).
static uint64_t below(uint64_t* seed, uint64_t bound) {
  const uint64_t r = bench_next(seed) >> 32;
  return (r * bound) >> 32;
}

int bench_selftest(void) {
  // The multiply-shift range reduction stays in range at the extremes.
  uint64_t seed = 1;
  for (int i = 0; i < 64; ++i) {
    if (below(&seed, 1) != 0) return 1;
    if (below(&seed, 3) >= 3) return 2;
  }
  return 0;
}

uint64_t bench_run(void) {
  uint64_t* const buf = (uint64_t*)bench_big_buffer(kBytes);
  if (buf == 0) return 0;
  const uint64_t words = kBytes / 8;
  const uint64_t lines = words / kLineWords;
  uint64_t seed = 0x6d656d72616e64ULL;

  // Word 0 of each line links the lines; the other words hold data.
  for (uint64_t i = 0; i < words; ++i) buf[i] = (i % kLineWords) == 0 ? i / kLineWords : i;
  // 1. Sattolo's algorithm: the identity becomes one cycle through every line.
  for (uint64_t i = lines - 1; i > 0; --i) {
    const uint64_t j = below(&seed, i);
    const uint64_t t = buf[i * kLineWords];
    buf[i * kLineWords] = buf[j * kLineWords];
    buf[j * kLineWords] = t;
  }
  // 2. Follow the cycle once around: it must come back to line 0 after exactly `lines`
  // steps (a broken shuffle or a misdirected access breaks that).
  uint64_t sum = 0;
  uint64_t line = 0;
  uint64_t steps = 0;
  do {
    line = buf[line * kLineWords];
    sum += line * (buf[line * kLineWords + 1 + (steps & 3)] | 1);
    ++steps;
  } while (line != 0 && steps <= lines);
  if (steps != lines) return 0;
  sum = bench_fold(sum, steps);
  // 3. Random read-modify-writes of data words.
  for (uint64_t k = 0; k < lines; ++k) {
    const uint64_t w = below(&seed, words) | 1;  // odd: never a link word
    buf[w] = buf[w] * 0x9e3779b97f4a7c15ULL + k;
  }
  // 4. Strided: a word per line, then a word per page and one word further each time.
  for (int pass = 0; pass < 2; ++pass) {
    uint64_t acc = 0;
    for (uint64_t i = 1; i < words; i += kLineWords) acc = acc * 31 + buf[i];
    sum = bench_fold(sum, acc);
  }
  uint64_t idx = 0;
  for (uint64_t k = 0; k < lines; ++k) {
    idx = (idx + 513) & (words - 1);
    buf[idx] += k;
  }
  for (uint64_t i = 0; i < words; i += 4099) sum = bench_fold(sum, buf[i]);
  return sum;
}
