#include "engine/jit/region_builder.h"

#include <algorithm>

#include "engine/code_cache.h"

namespace tiervm {

std::vector<const CachedBlock*> form_region(const CodeCache& cache, const CachedBlock& entry,
                                            uint32_t max_blocks, bool any_page) {
  std::vector<const CachedBlock*> members = {&entry};
  for (size_t n = 0; n < members.size() && members.size() < max_blocks; ++n) {
    const CachedBlock& b = *members[n];
    const IrTerminator& exit = b.ir.exit;
    for (int64_t off : {exit.taken_offset, exit.fallthrough_offset}) {
      if (exit.kind != IrExit::Jump && exit.kind != IrExit::Branch) break;
      if (!any_page && !b.key.same_page(off)) continue;
      const CachedBlock* t = cache.find(b.key.offset_by(off));
      if (t == nullptr || t->native == nullptr) continue;
      if (std::find(members.begin(), members.end(), t) != members.end()) continue;
      if (members.size() < max_blocks) members.push_back(t);
      if (exit.kind == IrExit::Jump) break;
    }
  }
  return members;
}

}  // namespace tiervm
