#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "engine/block_key.h"
#include "mem/fxhash.h"

namespace tiervm {

// The code cache's map from BlockKey to the block it owns: open addressing with linear
// probing in one array of {key, pointer} slots, at most half full, erasing by backward
// shift (no tombstones). A lookup is one cache line in the common case; std::unordered_map
// took three dependent loads (bucket, node before, node), and after every jump-cache miss
// that lookup was 16-19 % of a --jit off Linux boot.
template <class T>
class BlockTable {
 public:
  BlockTable() : slots_(kMinSlots) {}

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }

  T* find(BlockKey key) const {
    for (size_t i = home(key);; i = next(i)) {
      const Slot& s = slots_[i];
      if (!s.value) return nullptr;
      if (s.key == key) return s.value.get();
    }
  }

  // `key` must not be present.
  T* insert(BlockKey key, std::unique_ptr<T> value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    T* raw = value.get();
    place(key, std::move(value));
    ++size_;
    return raw;
  }

  // Removes `key` and hands over its value (nullptr when absent).
  std::unique_ptr<T> take(BlockKey key) {
    size_t i = home(key);
    for (;; i = next(i)) {
      if (!slots_[i].value) return nullptr;
      if (slots_[i].key == key) break;
    }
    std::unique_ptr<T> out = std::move(slots_[i].value);
    --size_;
    // Backward shift: move later entries of the probe run into the hole when their home
    // position does not lie (cyclically) between the hole and themselves.
    size_t hole = i;
    for (size_t j = next(i); slots_[j].value; j = next(j)) {
      const size_t h = home(slots_[j].key);
      const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (stays) continue;
      slots_[hole] = std::move(slots_[j]);
      hole = j;
    }
    return out;
  }

  // Calls f(key, T&) for every entry; f must not change the table.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.value) f(s.key, *s.value);
    }
  }

  // Removes every entry, handing each value to f(std::unique_ptr<T>).
  template <class F>
  void drain(F&& f) {
    for (Slot& s : slots_) {
      if (s.value) f(std::move(s.value));
    }
    size_ = 0;
  }

 private:
  struct Slot {
    BlockKey key;
    std::unique_ptr<T> value;  // empty slot: nullptr
  };
  static constexpr size_t kMinSlots = size_t{1} << 12;

  // The product's high bits are the well-mixed ones (keys are 2-byte aligned addresses).
  size_t home(BlockKey key) const {
    return static_cast<size_t>(FxHash::mix(0, key.paddr() * 2 + key.flags().fp_enabled) >> shift_);
  }
  size_t next(size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void place(BlockKey key, std::unique_ptr<T> value) {
    size_t i = home(key);
    while (slots_[i].value) i = next(i);
    slots_[i] = {key, std::move(value)};
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    --shift_;
    for (Slot& s : old) {
      if (s.value) place(s.key, std::move(s.value));
    }
  }

  std::vector<Slot> slots_;
  unsigned shift_ = 64 - 12;  // 64 - log2(slots_.size())
  size_t size_ = 0;
};

}  // namespace tiervm
