#include "engine/jit/link_registry.h"

namespace tiervm {

bool LinkRegistry::add(BlockKey from, BlockKey target, ChainSlot* slot, JitFn target_fn) {
  incoming_.emplace(target, slot);
  outgoing_[from].push_back({target, slot});
  if (target_fn == nullptr) return false;
  slot->fn.store(target_fn, std::memory_order_release);
  return true;
}

uint64_t LinkRegistry::retarget(BlockKey target, JitFn fn) {
  uint64_t n = 0;
  auto [first, last] = incoming_.equal_range(target);
  for (auto it = first; it != last; ++it, ++n) it->second->fn.store(fn, std::memory_order_release);
  return n;
}

uint64_t LinkRegistry::drop(BlockKey target) {
  uint64_t broken = 0;
  auto [first, last] = incoming_.equal_range(target);
  for (auto it = first; it != last; ++it) {
    if (it->second->fn.exchange(nullptr, std::memory_order_acq_rel) != nullptr) ++broken;
  }
  if (auto out = outgoing_.find(target); out != outgoing_.end()) {
    for (const OutLink& l : out->second) {
      auto [f, e] = incoming_.equal_range(l.target);
      for (auto it = f; it != e; ++it) {
        if (it->second == l.slot) {
          incoming_.erase(it);
          break;
        }
      }
    }
    outgoing_.erase(out);
  }
  return broken;
}

}  // namespace tiervm
