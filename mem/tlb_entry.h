#pragma once

#include <cstddef>
#include <cstdint>

namespace tiervm {

// The one soft-TLB entry layout, shared by the C++ paths and by code the JIT emits
// (which uses the offsets below). A tag is the virtual page base an entry serves for that
// kind of access, or kTlbNoTag; a hit is `tag == (vaddr & ~kPageMask)`. Only RAM/ROM
// pages get tags: MMIO always takes the slow path.
inline constexpr uint64_t kTlbNoTag = ~uint64_t{0};

struct TlbEntry {
  uint64_t tag_read = kTlbNoTag;
  uint64_t tag_write = kTlbNoTag;
  uint64_t tag_exec = kTlbNoTag;
  int64_t host_addend = 0;  // host address = vaddr + host_addend

  // Whether any tag names `vpage`.
  bool holds(uint64_t vpage) const {
    return tag_read == vpage || tag_write == vpage || tag_exec == vpage;
  }
  // The page the entry serves, or kTlbNoTag when it has no tag (empty, or an MMIO page):
  // each tag is that page or kTlbNoTag (all ones), so their AND is the page.
  uint64_t page() const { return tag_read & tag_write & tag_exec; }
};
static_assert(sizeof(TlbEntry) == 32);
inline constexpr size_t kTlbTagReadOffset = offsetof(TlbEntry, tag_read);
inline constexpr size_t kTlbTagWriteOffset = offsetof(TlbEntry, tag_write);
inline constexpr size_t kTlbTagExecOffset = offsetof(TlbEntry, tag_exec);
inline constexpr size_t kTlbAddendOffset = offsetof(TlbEntry, host_addend);

}  // namespace tiervm
