// Quicksort (median of three, insertion sort below 16 elements) of pseudo-random 32-bit
// keys: data-dependent branches, loads and stores, recursion.
#include "bench.h"

const char bench_name[] = "qsort";

enum { kElements = 64 * 1024 };

static uint32_t keys[kElements];

static void insertion_sort(uint32_t* a, long n) {
  for (long i = 1; i < n; ++i) {
    const uint32_t v = a[i];
    long j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      --j;
    }
    a[j + 1] = v;
  }
}

static void swap(uint32_t* a, uint32_t* b) {
  const uint32_t t = *a;
  *a = *b;
  *b = t;
}

static void quicksort(uint32_t* a, long n) {
  while (n > 16) {
    // Median of three to the middle, then Hoare partition around it.
    const long mid = (n - 1) / 2;
    if (a[mid] < a[0]) swap(&a[mid], &a[0]);
    if (a[n - 1] < a[0]) swap(&a[n - 1], &a[0]);
    if (a[n - 1] < a[mid]) swap(&a[n - 1], &a[mid]);
    const uint32_t pivot = a[mid];
    long i = -1;
    long j = n;
    for (;;) {
      do ++i;
      while (a[i] < pivot);
      do --j;
      while (a[j] > pivot);
      if (i >= j) break;
      swap(&a[i], &a[j]);
    }
    // Recurse into the smaller side so the stack stays O(log n).
    const long left = j + 1;
    if (left < n - left) {
      quicksort(a, left);
      a += left;
      n -= left;
    } else {
      quicksort(a + left, n - left);
      n = left;
    }
  }
  insertion_sort(a, n);
}

static int is_sorted(const uint32_t* a, long n) {
  for (long i = 1; i < n; ++i) {
    if (a[i - 1] > a[i]) return 0;
  }
  return 1;
}

int bench_selftest(void) {
  uint32_t small[] = {5, 3, 9, 1, 1, 0, 8, 2, 7, 6, 4, 9, 3, 0, 5, 2, 8, 1, 6, 7, 4, 2};
  const long n = sizeof small / sizeof small[0];
  quicksort(small, n);
  if (!is_sorted(small, n)) return 1;
  if (small[0] != 0 || small[n - 1] != 9) return 2;
  return 0;
}

uint64_t bench_run(void) {
  uint64_t seed = 0x71736f7274;
  uint64_t sum = 0;
  for (int round = 0; round < 2 * BENCH_SCALE; ++round) {
    uint64_t total = 0;
    for (long i = 0; i < kElements; ++i) {
      // Some rounds have many duplicates (a small key range), which Hoare partition
      // must handle.
      uint32_t v = (uint32_t)bench_next(&seed);
      if (round % 4 == 3) v &= 0xff;
      keys[i] = v;
      total += v;
    }
    quicksort(keys, kElements);
    if (!is_sorted(keys, kElements)) return 0;
    uint64_t after = 0;
    for (long i = 0; i < kElements; ++i) after += keys[i];
    // A sort is a permutation: the sum of the keys survives it.
    if (after != total) return 1;
    for (long i = 0; i < kElements; i += 97) sum = bench_fold(sum, keys[i]);
  }
  return sum;
}
