#pragma once

#include <cstdint>
#include <string>

#include "mem/bus.h"
#include "mem/fxhash.h"
#include "mem/soft_tlb.h"

namespace tiervm {

// Translation-relevant hart state: part of a block's key, fixed for the block.
struct TranslateFlags {
  bool fp_enabled = true;  // mstatus.FS != Off; FP instructions are illegal otherwise

  friend constexpr bool operator==(TranslateFlags, TranslateFlags) = default;
};

// A translated block's identity: its guest-physical start and the translation-relevant
// state. Code is keyed by physical address, so sfence.vma and satp writes keep it (RVVM).
class BlockKey {
 public:
  constexpr BlockKey() = default;
  constexpr BlockKey(uint64_t paddr, TranslateFlags flags)
      : bits_((paddr << 1) | (flags.fp_enabled ? 1 : 0)) {}

  constexpr uint64_t paddr() const { return bits_ >> 1; }
  constexpr TranslateFlags flags() const { return {(bits_ & 1) != 0}; }
  constexpr uint64_t page() const { return paddr() & ~kPageMask; }
  // The block `offset` bytes away, translated under the same state.
  constexpr BlockKey offset_by(int64_t offset) const {
    return {paddr() + static_cast<uint64_t>(offset), flags()};
  }
  // Whether the block `offset` bytes away starts in this block's physical page (static
  // exits into the same page can be chained: every mapping of the page maps both alike).
  constexpr bool same_page(int64_t offset) const { return offset_by(offset).page() == page(); }
  // "0x80001000" or "0x80001000/nofp".
  std::string to_string() const;

  friend constexpr bool operator==(BlockKey, BlockKey) = default;
  struct Hash {
    size_t operator()(BlockKey k) const { return FxHashFold{}(k.bits_); }
  };

 private:
  uint64_t bits_ = 0;
};

// What the block at a virtual pc depends on besides the pc: the fetch translation mode and
// the translate flags. The jump cache (virtual pc -> block) is keyed by both.
struct FetchKey {
  TlbMode mode = TlbMode::M;
  TranslateFlags flags;

  friend constexpr bool operator==(FetchKey, FetchKey) = default;
};

}  // namespace tiervm
