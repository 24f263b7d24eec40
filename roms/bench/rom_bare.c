// bench_big_buffer for the M-mode rom without address translation: the buffer is physical
// RAM at kBufferPhys, used as it is (no paging, no PMP), so the rom stays in M-mode.
#include "bench.h"

// RAM base + 32 MiB: above the rom image, below the end of QEMU virt's default 128 MiB.
static const uint64_t kBufferPhys = 0x82000000;
static const uint64_t kMaxBytes = 64ull << 20;

extern char _end[];

void* bench_big_buffer(uint64_t bytes) {
  if (bytes > kMaxBytes || (uint64_t)(uintptr_t)_end > kBufferPhys) return 0;
  return (void*)(uintptr_t)kBufferPhys;
}
