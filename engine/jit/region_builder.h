#pragma once

#include <cstdint>
#include <vector>

namespace tiervm {

class CodeCache;
struct CachedBlock;

// The blocks of a tier-2 region entered at `entry`: the entry plus compiled (warm) blocks
// reachable through static exits in the same physical page (in any page with
// `any_page`: for code fetched without translation, where a static exit's physical target
// is its pc), breadth first, at most `max_blocks`. [0] is the entry.
std::vector<const CachedBlock*> form_region(const CodeCache& cache, const CachedBlock& entry,
                                            uint32_t max_blocks, bool any_page = false);

}  // namespace tiervm
