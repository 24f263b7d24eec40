#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace tiervm {

class CodeCache;
struct CachedBlock;

// Past form_region's max_blocks, the blocks on the entry's loops may grow a region to this
// `max_blocks` while it holds at most `max_insns` guest instructions in all: a loop nest of
// short blocks (a loop whose body holds several small inner loops) then fits in one region
// instead of being cut into several that exit into each other on every pass.
struct SmallRegion {
  uint32_t max_blocks = 0;
  uint32_t max_insns = 0;
};

// A block's static exits, by their offsets from its start: a Jump's taken target [0], a
// Branch's taken [0] and fallthrough [1] targets; none for other exits.
struct StaticExits {
  std::array<int64_t, 2> offsets{};
  size_t count = 0;
};
StaticExits static_exits(const CachedBlock& block);

// Under translation, the block a static exit `offset` bytes from `from`'s start leads to
// when that exit leaves `from`'s page (the block its virtual pc maps to now), or nullptr.
using CrossPageTarget = std::function<const CachedBlock*(const CachedBlock& from, int64_t offset)>;

// The blocks of a tier-2 region entered at `entry`. Candidates are the compiled (warm)
// blocks reachable from it through static exits in the same physical page (in any page
// with `any_page`: for code fetched without translation, where a static exit's physical
// target is its pc; in another page through `cross_page` otherwise, when it is given). The
// blocks on a loop through the entry (those that reach it again, enclosing loops
// included) come first, up to `max_blocks` or within `small`; the other candidates fill
// the rest of `max_blocks`. [0] is the entry; the others breadth first.
std::vector<const CachedBlock*> form_region(const CodeCache& cache, const CachedBlock& entry,
                                            uint32_t max_blocks, bool any_page = false,
                                            const SmallRegion& small = {},
                                            const CrossPageTarget& cross_page = {});

}  // namespace tiervm
