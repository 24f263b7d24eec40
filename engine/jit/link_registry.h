#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "engine/block_key.h"
#include "engine/jit/jit_abi.h"

namespace tiervm {

// Who jumps to whom: every chain slot of compiled code, by the block it targets and the
// block it belongs to, so a block's predecessors can be pointed at new code or unlinked
// when the block is dropped (dynarmic's and QEMU's jump lists). Hart thread only.
class LinkRegistry {
 public:
  // A slot for compiled code to load its successor from; never freed (code holds its
  // address until the tier goes away).
  ChainSlot* new_slot() { return &slots_.emplace_back(); }
  // Records that `from`'s compiled code leaves through `slot` towards `target`, and links
  // the slot to `target_fn` when the target is compiled. Returns whether it linked.
  bool add(BlockKey from, BlockKey target, ChainSlot* slot, JitFn target_fn);
  // Every slot that jumps to `target` jumps to `fn` from now on. Returns how many.
  uint64_t retarget(BlockKey target, JitFn fn);
  // Unlinks every slot that jumps to `target` (they return to the dispatcher), and forgets
  // `target`'s own outgoing links. Returns how many live links were broken.
  uint64_t drop(BlockKey target);

 private:
  struct OutLink {
    BlockKey target;
    ChainSlot* slot;
  };
  std::deque<ChainSlot> slots_;
  std::unordered_multimap<BlockKey, ChainSlot*, BlockKey::Hash> incoming_;
  std::unordered_map<BlockKey, std::vector<OutLink>, BlockKey::Hash> outgoing_;
};

}  // namespace tiervm
