#include "mem/soft_tlb.h"

#include <algorithm>

#include "mem/fxhash.h"

namespace tiervm {

namespace {

// Linear probing visits this many slots; an insert that finds neither its key nor an empty
// slot among them overwrites one. Lookups always visit all of them (flush_page empties slots
// without tombstones, so an empty slot does not end a probe sequence).
constexpr unsigned kL2Probes = 8;

}  // namespace

SoftTlb::SoftTlb() : l2_(kL2Size) {
  for (unsigned m = 0; m < kTlbModes; ++m) {
    l1_[m].assign(size_t{1} << kL1MinBits, TlbEntry{});
    l1_ppage_[m].assign(size_t{1} << kL1MinBits, 0);
    l1_mask_[m] = (uint64_t{1} << kL1MinBits) - 1;
    target_bits_[m] = kL1MinBits;
  }
}

size_t SoftTlb::l2_slot(TlbMode mode, uint64_t vpage) const {
  // vpage is page aligned, so the mode fits in its low bits. Multiplicative hashes mix
  // upwards: the high bits of the product are the well-distributed ones.
  uint64_t h = FxHash::mix(0, vpage | static_cast<uint64_t>(mode));
  return static_cast<size_t>(h >> (64 - kL2Bits));
}

TlbEntry SoftTlb::l1_entry_for(Bus& bus, const TlbL2Entry& e) {
  TlbEntry entry;
  // MMIO pages have no host memory: every access to them takes the slow path.
  uint8_t* host = bus.host_ptr(e.ppage, kPageSize, false);
  if (host == nullptr) return entry;
  entry.host_addend =
      static_cast<int64_t>(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(host)) - e.vpage);
  if (e.can_read) entry.tag_read = e.vpage;
  if (e.can_exec) entry.tag_exec = e.vpage;
  // Stores to translated code must reach the slow path (and the code-write hook); ROM has
  // no writable host pointer.
  if (e.can_write && !bus.is_code_page(e.ppage) &&
      bus.host_ptr(e.ppage, kPageSize, true) != nullptr) {
    entry.tag_write = e.vpage;
  }
  return entry;
}

void SoftTlb::fill_l1(Bus& bus, const TlbL2Entry& e) {
  const auto mode = static_cast<TlbMode>(e.mode);
  const size_t slot = l1_index(mode, e.vpage);
  TlbEntry& entry = l1_[e.mode][slot];
  // Refills that are no sign of a working set the L1 cannot hold do not count: of the page
  // the slot already holds (a store to a page the L1 gives no write tag: code, a
  // reservation, ROM), and of MMIO pages, which get no tags and miss on every access.
  const bool same_page = entry.holds(e.vpage);
  entry = l1_entry_for(bus, e);
  l1_ppage_[e.mode][slot] = e.ppage;
  if (!same_page && entry.page() != kTlbNoTag) note_fill(e.mode);
}

void SoftTlb::note_fill(unsigned mode) {
  ++flush_fills_[mode];
  if (clock_ == nullptr) return;
  if (window_fills_[mode]++ == 0) window_start_[mode] = *clock_;
  if (window_fills_[mode] < 2 * (l1_mask_[mode] + 1)) return;
  const uint64_t elapsed = *clock_ - window_start_[mode];
  const unsigned bits = l1_bits(mode);
  if (elapsed < window_fills_[mode] * kGrowInsnsPerFill && bits < kL1MaxBits) {
    request_resize(mode, bits + 1);
  }
  window_fills_[mode] = 0;
}

void SoftTlb::request_resize(unsigned mode, unsigned bits) {
  target_bits_[mode] = bits;
  if (resize_pending_) return;
  resize_pending_ = true;
  if (resize_hook_) resize_hook_();
}

void SoftTlb::apply_resize() {
  resize_pending_ = false;
  for (unsigned m = 0; m < kTlbModes; ++m) {
    const uint64_t mask = (uint64_t{1} << target_bits_[m]) - 1;
    if (mask == l1_mask_[m]) continue;
    std::vector<TlbEntry> entries(mask + 1);
    std::vector<uint64_t> ppages(mask + 1, 0);
    // An entry's page is any of its tags; entries with none (MMIO) are dropped.
    for (size_t i = 0; i <= l1_mask_[m]; ++i) {
      const TlbEntry& e = l1_[m][i];
      const uint64_t vpage = e.page();
      if (vpage == kTlbNoTag) continue;
      entries[l1_index(vpage, mask)] = e;
      ppages[l1_index(vpage, mask)] = l1_ppage_[m][i];
    }
    l1_[m] = std::move(entries);
    l1_ppage_[m] = std::move(ppages);
    l1_mask_[m] = mask;
    window_fills_[m] = 0;
    resized_at_[m] = clock_ != nullptr ? *clock_ : 0;
    ++l1_resizes;
  }
}

void SoftTlb::insert(Bus& bus, TlbMode mode, uint64_t vpage, uint64_t ppage, bool can_read,
                     bool can_write, bool can_exec, unsigned page_bits) {
  if (page_bits > kPageBits && !superpages_overflow_) {
    const uint64_t size = uint64_t{1} << page_bits;
    const std::pair<uint64_t, uint64_t> range{vpage & ~(size - 1), size};
    if (std::find(superpages_.begin(), superpages_.end(), range) == superpages_.end()) {
      constexpr size_t kMaxSuperpages = 64;
      if (superpages_.size() == kMaxSuperpages) {
        superpages_overflow_ = true;
      } else {
        superpages_.push_back(range);
      }
    }
  }
  vpage &= ~kPageMask;
  ppage &= ~kPageMask;
  TlbL2Entry e;
  e.vpage = vpage;
  e.ppage = ppage;
  e.can_read = can_read;
  e.can_write = can_write && !bus.is_code_page(ppage);
  e.can_exec = can_exec;
  e.mode = static_cast<uint8_t>(mode);
  e.generation = generation_;

  size_t home = l2_slot(mode, vpage);
  size_t target = kL2Size;
  for (unsigned i = 0; i < kL2Probes; ++i) {
    size_t slot = (home + i) & (kL2Size - 1);
    const TlbL2Entry& s = l2_[slot];
    const bool empty = s.vpage == kTlbNoTag || s.generation != generation_;
    if (!empty && s.vpage == vpage && s.mode == e.mode) {
      target = slot;
      break;
    }
    if (empty && target == kL2Size) target = slot;
  }
  // All probed slots hold other pages: evict one, spreading evictions over the probe window.
  if (target == kL2Size) target = (home + (vpage >> kPageBits) % kL2Probes) & (kL2Size - 1);
  l2_[target] = e;
  fill_l1(bus, e);
}

const TlbL2Entry* SoftTlb::peek_l2(TlbMode mode, uint64_t vpage) const {
  vpage &= ~kPageMask;
  const size_t home = l2_slot(mode, vpage);
  for (unsigned i = 0; i < kL2Probes; ++i) {
    const TlbL2Entry& s = l2_[(home + i) & (kL2Size - 1)];
    if (s.vpage == vpage && s.mode == static_cast<uint8_t>(mode) && s.generation == generation_) {
      return &s;
    }
  }
  return nullptr;
}

const TlbL2Entry* SoftTlb::lookup_l2(Bus& bus, TlbMode mode, uint64_t vpage) {
  const TlbL2Entry* e = peek_l2(mode, vpage);
  if (e == nullptr) {
    ++l2_misses;
    return nullptr;
  }
  ++l2_hits;
  fill_l1(bus, *e);
  return e;
}

void SoftTlb::flush_all() {
  for (unsigned m = 0; m < kTlbModes; ++m) {
    std::fill(l1_[m].begin(), l1_[m].end(), TlbEntry{});
    std::fill(l1_ppage_[m].begin(), l1_ppage_[m].end(), 0);
    // A large L1 that the time since the last flush used little of, and that has had its
    // size for a while: clearing it costs more than it serves.
    const unsigned bits = l1_bits(m);
    const bool settled = clock_ != nullptr && *clock_ - resized_at_[m] >= kShrinkAfterInsns;
    if (bits > kL1MinBits && settled && flush_fills_[m] < (l1_mask_[m] + 1) / 8) {
      request_resize(m, bits - 1);
    }
    flush_fills_[m] = 0;
  }
  if (++generation_ == 0) {  // wrapped: old entries could look current again
    for (TlbL2Entry& e : l2_) e = TlbL2Entry{};
    generation_ = 1;
  }
  superpages_.clear();
  superpages_overflow_ = false;
  ++flushes;
}

void SoftTlb::flush_page(uint64_t vaddr) {
  if (superpages_overflow_) {
    flush_all();
    return;
  }
  for (const auto& [base, size] : superpages_) {
    if (vaddr - base < size) {
      flush_all();
      return;
    }
  }
  uint64_t vpage = vaddr & ~kPageMask;
  for (unsigned m = 0; m < kTlbModes; ++m) {
    auto mode = static_cast<TlbMode>(m);
    TlbEntry& entry = l1(mode, vpage);
    if (entry.holds(vpage)) {
      entry = TlbEntry{};
    }
    size_t home = l2_slot(mode, vpage);
    for (unsigned i = 0; i < kL2Probes; ++i) {
      TlbL2Entry& s = l2_[(home + i) & (kL2Size - 1)];
      if (s.vpage == vpage && s.mode == m && s.generation == generation_) s = TlbL2Entry{};
    }
  }
  ++page_flushes;
  if (page_flush_hook_) page_flush_hook_(vpage);
}

void SoftTlb::revoke_write(uint64_t ppage) {
  ppage &= ~kPageMask;
  for (unsigned m = 0; m < kTlbModes; ++m) {
    for (size_t i = 0; i <= l1_mask_[m]; ++i) {
      if (l1_ppage_[m][i] == ppage) l1_[m][i].tag_write = kTlbNoTag;
    }
  }
  // The L2 keeps can_write: l1_entry_for gives a code page no write tag whatever the L2
  // says, and a walk of the whole L2 per new code page cost more than the boot's L1 misses.
}

}  // namespace tiervm
