#include "engine/jit/region_builder.h"

#include <algorithm>

#include "engine/code_cache.h"

namespace tiervm {

std::vector<const CachedBlock*> form_region(const CodeCache& cache, const CachedBlock& entry,
                                            uint32_t max_blocks, bool any_page,
                                            const SmallRegion& small) {
  std::vector<const CachedBlock*> members = {&entry};
  unsigned insns = entry.ir.guest_count();
  // Whether `t` (or, for nullptr, any block at all) may still join.
  auto fits = [&](const CachedBlock* t) {
    if (members.size() < max_blocks) return true;
    const unsigned more = t == nullptr ? 1 : t->ir.guest_count();
    return members.size() < small.max_blocks && insns + more <= small.max_insns;
  };
  for (size_t n = 0; n < members.size() && fits(nullptr); ++n) {
    const CachedBlock& b = *members[n];
    const IrTerminator& exit = b.ir.exit;
    for (int64_t off : {exit.taken_offset, exit.fallthrough_offset}) {
      if (exit.kind != IrExit::Jump && exit.kind != IrExit::Branch) break;
      if (!any_page && !b.key.same_page(off)) continue;
      const CachedBlock* t = cache.find(b.key.offset_by(off));
      if (t == nullptr || t->native == nullptr) continue;
      if (std::find(members.begin(), members.end(), t) != members.end()) continue;
      if (fits(t)) {
        members.push_back(t);
        insns += t->ir.guest_count();
      }
      if (exit.kind == IrExit::Jump) break;
    }
  }
  return members;
}

}  // namespace tiervm
