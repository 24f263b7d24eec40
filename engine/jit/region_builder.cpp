#include "engine/jit/region_builder.h"

#include <algorithm>

#include "engine/code_cache.h"

namespace tiervm {

namespace {

// How many blocks form_region looks at, breadth first from the entry.
constexpr size_t kScanBlocks = 64;

}  // namespace

StaticExits static_exits(const CachedBlock& block) {
  const IrTerminator& exit = block.ir.exit;
  if (exit.kind == IrExit::Jump) return {{exit.taken_offset, 0}, 1};
  if (exit.kind == IrExit::Branch) return {{exit.taken_offset, exit.fallthrough_offset}, 2};
  return {};
}

std::vector<const CachedBlock*> form_region(const CodeCache& cache, const CachedBlock& entry,
                                            uint32_t max_blocks, bool any_page,
                                            const SmallRegion& small,
                                            const CrossPageTarget& cross_page) {
  // The compiled blocks reachable from the entry through static exits, breadth first, and
  // the edges between them.
  std::vector<const CachedBlock*> seen = {&entry};
  std::vector<std::vector<size_t>> succ(1);
  for (size_t n = 0; n < seen.size(); ++n) {
    const CachedBlock& b = *seen[n];
    const StaticExits exits = static_exits(b);
    for (size_t x = 0; x < exits.count; ++x) {
      const int64_t off = exits.offsets[x];
      const bool crosses = !any_page && !b.key.same_page(off);
      if (crosses && !cross_page) continue;
      const CachedBlock* t = crosses ? cross_page(b, off) : cache.find(b.key.offset_by(off));
      if (t == nullptr || t->native == nullptr) continue;
      size_t k = static_cast<size_t>(std::find(seen.begin(), seen.end(), t) - seen.begin());
      if (k == seen.size() && seen.size() < kScanBlocks) {
        seen.push_back(t);
        succ.emplace_back();
      }
      if (k < seen.size()) succ[n].push_back(k);
    }
  }
  // The blocks on a loop through the entry: those that reach it again. An inner loop's
  // entry takes its enclosing loops' blocks too (they reach it on their next pass), and
  // none of the paths that leave.
  std::vector<bool> loop(seen.size(), false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 1; i < seen.size(); ++i) {
      if (loop[i]) continue;
      for (size_t j : succ[i]) {
        if (j == 0 || loop[j]) {
          loop[i] = changed = true;
          break;
        }
      }
    }
  }
  // The members: the loop blocks first, past max_blocks while the region stays small;
  // then, up to max_blocks, the other blocks; both breadth first.
  std::vector<bool> chosen(seen.size(), false);
  size_t count = 1;
  unsigned insns = entry.ir.guest_count();
  for (size_t i = 1; i < seen.size(); ++i) {
    if (!loop[i]) continue;
    const unsigned more = seen[i]->ir.guest_count();
    const bool small_enough = count < small.max_blocks && insns + more <= small.max_insns;
    if (count < max_blocks || small_enough) {
      chosen[i] = true;
      ++count;
      insns += more;
    }
  }
  for (size_t i = 1; i < seen.size() && count < max_blocks; ++i) {
    if (chosen[i]) continue;
    chosen[i] = true;
    ++count;
  }
  std::vector<const CachedBlock*> members = {&entry};
  for (size_t i = 1; i < seen.size(); ++i) {
    if (chosen[i]) members.push_back(seen[i]);
  }
  return members;
}

}  // namespace tiervm
