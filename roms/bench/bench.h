// Interface between a benchmark kernel (one roms/bench/<name>.c per workload) and the
// two programs it is built into: the bare-metal rom (rom_main.c, RISC-V) and the host
// reference (host_ref.c, built with the host compiler at build time), whose result is
// the checksum the rom must reproduce. Kernels are plain C: no libc, no I/O, no
// floating-point contraction (both builds use -ffp-contract=off, so every double
// operation is one correctly rounded IEEE 754 operation on either ISA).
#pragma once

#include <stdint.h>

// Work multiplier: every kernel's work grows linearly with it. CMake builds each
// workload twice: full size (about 1-3 s on QEMU) and BENCH_SCALE=1 for smoke runs.
#ifndef BENCH_SCALE
#error "BENCH_SCALE must be defined (roms/bench/CMakeLists.txt)"
#endif

// Defined by each kernel.
extern const char bench_name[];
// Known-answer checks of the kernel's building blocks against values from their
// specifications (CRC catalogue, FNV/xxHash test vectors, ...); 0 when all pass,
// otherwise the number of the first failing check.
int bench_selftest(void);
// The workload; returns its checksum.
uint64_t bench_run(void);

// A page-aligned buffer of `bytes` (a multiple of 4 KiB, at most 64 MiB; contents
// undefined). The rom maps it with Sv39 4 KiB pages and continues in S-mode
// (rom_paging.c); the host allocates it. Only memory-bound kernels call it, once.
void* bench_big_buffer(uint64_t bytes);

// splitmix64 (Steele, Lea, Flood 2014): the PRNG every kernel seeds its data with.
static inline uint64_t bench_next(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Folds a value into a running checksum (order sensitive).
static inline uint64_t bench_fold(uint64_t sum, uint64_t v) {
  sum ^= v + 0x9e3779b97f4a7c15ULL + (sum << 6) + (sum >> 2);
  return sum;
}

// The bits of a double, for checksums of floating-point results.
static inline uint64_t bench_bits(double d) {
  union {
    double d;
    uint64_t u;
  } u = {d};
  return u.u;
}
