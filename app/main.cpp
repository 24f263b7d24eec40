#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "app/sanitizers.h"
#include "app/tiervm_main.h"

namespace {

// Backs the start of malloc's heap with transparent huge pages. A Linux boot allocates
// about 40 MiB (translated blocks, their tables) in small pieces, and each first touch of
// a 4 KiB page is a page fault: 7 000 of a boot's 10 000 faults, about a tenth of its time
// on a virtual machine where a fault costs microseconds; with 2 MiB pages the boot takes
// 2 600 faults in all. glibc does this itself with GLIBC_TUNABLES=glibc.malloc.hugetlb=1,
// which only the environment can set.
// The heap grows by kHeapStep at a time and keeps what it got; one allocation that does
// not fit in the free top of the heap makes it grow now, and the new part is advised.
// Advice only: a kernel without THP (or with it off) just ignores it.
void prepare_heap() {
  constexpr size_t kHeapStep = 64u << 20;
  constexpr size_t kHuge = 2u << 20;
  mallopt(M_TOP_PAD, static_cast<int>(kHeapStep));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kHeapStep));
  // Blocks up to 32 MiB (glibc's limit for this setting) come from the heap, not mmap.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kHeapStep / 2));
  const auto start = reinterpret_cast<uintptr_t>(sbrk(0));
  // Through a volatile pointer: a compiler may drop a malloc whose block is only freed.
  void* (*volatile allocate)(size_t) = std::malloc;
  std::free(allocate(mallinfo2().keepcost + 4096));
  const auto end = reinterpret_cast<uintptr_t>(sbrk(0));
  const uintptr_t from = (start + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t to = end & ~(kHuge - 1);
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
}

}  // namespace

int main(int argc, char** argv) {
  // The sanitizers bring their own allocator: nothing to prepare there.
  if (!tiervm::kAddressSanitizer && !tiervm::kThreadSanitizer) prepare_heap();
  return tiervm::tiervm_main(argc, argv);
}
