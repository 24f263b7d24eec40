#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "mem/fxhash.h"

namespace tiervm {

// How many blocks (and region fallbacks) use each LLVM module. A module nobody uses is
// dead: freed later, from the dispatcher, when no compiled code is on the stack (the
// block whose store dropped it may still be running when its count reaches zero).
// Module 0 means "none" and is never counted.
class ModuleRefs {
 public:
  void ref(uint64_t module) {
    if (module != 0) ++refs_[module];
  }
  void unref(uint64_t module) {
    if (module == 0) return;
    auto it = refs_.find(module);
    if (it == refs_.end() || --it->second != 0) return;
    refs_.erase(it);
    dead_.push_back(module);
  }
  size_t live() const { return refs_.size(); }
  bool has_dead() const { return !dead_.empty(); }
  std::vector<uint64_t> take_dead() {
    std::vector<uint64_t> out;
    out.swap(dead_);
    return out;
  }

 private:
  std::unordered_map<uint64_t, uint32_t, FxHashFold> refs_;
  std::vector<uint64_t> dead_;
};

}  // namespace tiervm
