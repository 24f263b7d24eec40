#pragma once

#include <cstdint>
#include <vector>

namespace tiervm {

class CodeCache;
struct CachedBlock;

// Past form_region's max_blocks, a region may grow to this `max_blocks` while its blocks hold
// at most `max_insns` guest instructions in all: a loop nest of short blocks (a loop whose
// body holds several small inner loops) then fits in one region instead of being cut
// into several that exit into each other on every pass.
struct SmallRegion {
  uint32_t max_blocks = 0;
  uint32_t max_insns = 0;
};

// The blocks of a tier-2 region entered at `entry`: the entry plus compiled (warm) blocks
// reachable through static exits in the same physical page (in any page with
// `any_page`: for code fetched without translation, where a static exit's physical target
// is its pc), breadth first, at most `max_blocks` (or more within `small`). [0] is the
// entry.
std::vector<const CachedBlock*> form_region(const CodeCache& cache, const CachedBlock& entry,
                                            uint32_t max_blocks, bool any_page = false,
                                            const SmallRegion& small = {});

}  // namespace tiervm
