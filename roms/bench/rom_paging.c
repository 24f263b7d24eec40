// bench_big_buffer for the rom: maps physical RAM at kBufferPhys to virtual kBufferVirt
// with Sv39 4 KiB pages, identity-maps the rom and the devices with gigapages, turns on
// paging and continues in S-mode (priv spec 4.3-4.4). The rom then runs to its end in S;
// common/crt.S's exit path only needs the identity-mapped devices.
#include "bench.h"

// RAM base + 32 MiB: above the rom image, below the end of QEMU virt's default 128 MiB.
static const uint64_t kBufferPhys = 0x82000000;
static const uint64_t kBufferVirt = 0x100000000;  // VPN[2] = 4
// At most 64 MiB: 32 leaf tables of 512 4 KiB pages.
enum { kLeafTables = 32 };
static const uint64_t kMaxBytes = (uint64_t)kLeafTables << 21;

// PTE bits (priv spec 4.3.1). A and D are preset: no A/D update traps or walks.
enum {
  kPteV = 1 << 0,
  kPteR = 1 << 1,
  kPteW = 1 << 2,
  kPteX = 1 << 3,
  kPteA = 1 << 6,
  kPteD = 1 << 7,
};
static const uint64_t kLeaf = kPteV | kPteR | kPteW | kPteX | kPteA | kPteD;

typedef uint64_t PageTable[512] __attribute__((aligned(4096)));
static PageTable root;
static PageTable level1;               // the buffer's 1 GiB region, 2 MiB per entry
static PageTable level0[kLeafTables];  // 4 KiB leaves

extern char _end[];

static uint64_t pte(uint64_t paddr, uint64_t bits) {
  return (paddr >> 12) << 10 | bits;
}

void* bench_big_buffer(uint64_t bytes) {
  if (bytes > kMaxBytes || (uint64_t)(uintptr_t)_end > kBufferPhys) return 0;
  root[0] = pte(0, kLeaf);           // devices: 0x0 - 0x3fffffff
  root[2] = pte(0x80000000, kLeaf);  // the rom: 0x80000000 - 0xbfffffff
  root[kBufferVirt >> 30] = pte((uint64_t)(uintptr_t)level1, kPteV);
  for (uint64_t page = 0; page < bytes >> 12; ++page) {
    uint64_t* table = level0[page >> 9];
    level1[page >> 9] = pte((uint64_t)(uintptr_t)table, kPteV);
    table[page & 511] = pte(kBufferPhys + (page << 12), kLeaf);
  }
  const uint64_t satp = (8ull << 60) | ((uint64_t)(uintptr_t)root >> 12);  // MODE = Sv39
  const uint64_t mpp = 3ull << 11;
  const uint64_t mpp_s = 1ull << 11;
  __asm__ volatile(
      "csrw satp, %0\n"
      "sfence.vma\n"
      "csrc mstatus, %1\n"
      "csrs mstatus, %2\n"
      "la t0, 1f\n"
      "csrw mepc, t0\n"
      "mret\n"
      "1:\n"
      :
      : "r"(satp), "r"(mpp), "r"(mpp_s)
      : "t0", "memory");
  return (void*)kBufferVirt;
}
