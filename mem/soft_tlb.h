#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "mem/access.h"
#include "mem/bus.h"
#include "mem/tlb_entry.h"

namespace tiervm {

// Index of an L1 array: translations differ per effective privilege, so U, S and M each
// have their own array and a privilege switch (every syscall) needs no flush. S-mode data
// accesses with mstatus.SUM set (user memory reachable) have a fourth: Linux sets and
// clears SUM around every copy to or from user space, which must not flush anything.
enum class TlbMode : uint8_t { U = 0, S = 1, M = 2, SUserAccess = 3 };
inline constexpr unsigned kTlbModes = 4;
inline TlbMode tlb_mode_of(Priv p, bool sum = false) {
  if (p == Priv::S) return sum ? TlbMode::SUserAccess : TlbMode::S;
  return p == Priv::U ? TlbMode::U : TlbMode::M;
}

// What the L2 remembers of one translated page for one mode.
struct TlbL2Entry {
  uint64_t vpage = kTlbNoTag;  // virtual page base (kTlbNoTag = empty slot)
  uint64_t ppage = 0;          // physical page base
  // The L2's generation when the entry was made: flush_all starts a new one, which empties
  // every slot at once (an entry of an older generation is an empty slot).
  uint32_t generation = 0;
  bool can_read = false;
  // The PTE (and PMP) allow writes; a page that holds translated code still gets no write
  // tag in the L1 (SoftTlb::l1_entry_for), so stores to it take the slow path.
  bool can_write = false;
  bool can_exec = false;
  uint8_t mode = 0;
};

// Soft TLB: a direct-mapped L1 per mode (the fast path, probed inline by the interpreter
// and by JIT code) backed by an open-addressing L2 keyed by (mode, virtual page) with
// FxHash. Flushed by sfence.vma, satp writes and mstatus.MXR changes.
//
// Each mode's L1 grows with its working set, as QEMU's TLB does (tlb_mmu_resize_locked):
// from 256 entries up to the L2's reach, doubling when it refills more often than once per
// kGrowInsnsPerFill instructions over a window of twice its size, and halving at a flush
// when the time since the previous flush filled less than an eighth of it, once it has
// kept its size for kShrinkAfterInsns instructions (QEMU also shrinks only after a
// window of 100 ms: Linux, which flushes on every context switch, otherwise made its L1s
// grow and shrink some 50 times a second). Compiled code
// keeps an L1's address and index mask while it runs, so a resize is only decided where
// the L1 fills (resize_pending(); the resize hook asks the hart to reach its dispatcher)
// and carried out by apply_resize(), which the dispatcher calls between blocks.
class SoftTlb {
 public:
  static constexpr unsigned kL1MinBits = 8;
  // 32 Ki pages (128 MiB), the L2's size: 1 MiB of entries per mode at most.
  static constexpr unsigned kL1MaxBits = 15;
  // A window of fills (twice the L1's size) that took fewer instructions than this per
  // fill grows the L1. An L1 refill from the L2 costs some 30-50 ns, the time of about 30
  // guest instructions in compiled code, so refilling every 256 instructions costs ~10 %.
  static constexpr uint64_t kGrowInsnsPerFill = 256;
  static constexpr uint64_t kShrinkAfterInsns = uint64_t{1} << 26;
  // 32 Ki pages (128 MiB): QEMU grows its TLB with the working set; a large-working-set
  // program thrashed the 4 Ki-entry L2 (0 % hits walking 64 MiB). Flushing it is O(1).
  static constexpr unsigned kL2Bits = 15;
  static constexpr unsigned kL2Size = 1u << kL2Bits;

  SoftTlb();

  // The L1 slot of `vaddr` in an array of index mask `mask` (its size minus one).
  static size_t l1_index(uint64_t vaddr, uint64_t mask) { return (vaddr >> kPageBits) & mask; }
  size_t l1_index(TlbMode mode, uint64_t vaddr) const {
    return l1_index(vaddr, l1_mask_[static_cast<unsigned>(mode)]);
  }
  TlbEntry& l1(TlbMode mode, uint64_t vaddr) {
    return l1_[static_cast<unsigned>(mode)][l1_index(mode, vaddr)];
  }
  // The mode's L1 array and its index mask: valid until the next apply_resize().
  TlbEntry* l1_array(TlbMode mode) { return l1_[static_cast<unsigned>(mode)].data(); }
  uint64_t l1_mask(TlbMode mode) const { return l1_mask_[static_cast<unsigned>(mode)]; }
  // The same as a mask of byte offsets: the entry of `vaddr` is
  // (vaddr >> kL1OffsetShift) & l1_offset_mask bytes into the array (what compiled code
  // computes: a shift and an and, where index and scaling take three).
  static constexpr unsigned kL1OffsetShift = kPageBits - 5;
  static_assert(sizeof(TlbEntry) == uint64_t{1} << (kPageBits - kL1OffsetShift));
  uint64_t l1_offset_mask(TlbMode mode) const { return l1_mask(mode) * sizeof(TlbEntry); }
  size_t l1_size(TlbMode mode) const { return l1_mask(mode) + 1; }
  // Physical page base of the L1 entry that served `vaddr` (valid when any tag matched).
  uint64_t l1_ppage(TlbMode mode, uint64_t vaddr) const {
    return l1_ppage_[static_cast<unsigned>(mode)][l1_index(mode, vaddr)];
  }

  // The instruction count the growth rule measures fill rates by (the hart's instret).
  // Without one the L1s keep their size.
  void set_clock(const uint64_t* instret) { clock_ = instret; }
  // Called when a resize becomes pending (the hart asks its dispatcher to come back).
  void set_resize_hook(std::function<void()> hook) { resize_hook_ = std::move(hook); }
  bool resize_pending() const { return resize_pending_; }
  // Gives each mode with a pending resize its new L1, holding the old one's entries that
  // still fit. Only where no code holds an L1 address (the dispatcher, between blocks).
  void apply_resize();

  // Installs a translation in the L2 and the L1 (host pointers from the bus; pages that
  // are not RAM/ROM get no L1 tags). Write tags are withheld from code pages.
  // `page_bits` is the leaf's page size: 4 KiB pieces of a superpage are cached one by
  // one, and the superpage's range is remembered so that flush_page() of any address in
  // it drops them all.
  void insert(Bus& bus, TlbMode mode, uint64_t vpage, uint64_t ppage, bool can_read, bool can_write,
              bool can_exec, unsigned page_bits = kPageBits);
  // The L1 entry an L2 entry gives: host pointers from the bus, no tags for MMIO, no write
  // tag for code pages or ROM.
  static TlbEntry l1_entry_for(Bus& bus, const TlbL2Entry& e);
  // The L2 entry of a page, or nullptr, with no side effect (no refill, no counter).
  const TlbL2Entry* peek_l2(TlbMode mode, uint64_t vpage) const;
  // L2 lookup; nullptr on a miss. A hit refills the L1 entry.
  const TlbL2Entry* lookup_l2(Bus& bus, TlbMode mode, uint64_t vpage);

  // Bumps `flushes`: whatever else caches by virtual address (the jump cache) compares
  // that generation and drops everything when it moved.
  void flush_all();
  // Every mode; exact for 4 KiB leaves, everything when `vaddr` lies in a cached superpage
  // (sfence.vma with an address flushes the whole leaf's translation, priv spec 4.2.1).
  // An exact flush bumps `page_flushes`, not `flushes`, and tells the page-flush hook, so
  // caches keyed by virtual address drop that page only: Linux issues sfence.vma with an
  // address on every page-table update (update_mmu_cache), ~12 500 per boot, and each used
  // to empty the whole jump cache.
  void flush_page(uint64_t vaddr);
  // Called with the virtual page base of every exact flush_page().
  void set_page_flush_hook(std::function<void(uint64_t vpage)> hook) {
    page_flush_hook_ = std::move(hook);
  }
  // Drops write fast paths to a physical page that now holds translated code.
  void revoke_write(uint64_t ppage);

  // Cheap counters for the monitor: bumped on slow paths only (an L1 miss is counted by
  // the caller; hits are derived from accesses by the monitor).
  uint64_t l1_misses = 0;
  uint64_t l2_hits = 0;
  uint64_t l2_misses = 0;
  uint64_t flushes = 0;       // flush_all() (and flush_page() falling back to it)
  uint64_t page_flushes = 0;  // exact flush_page()
  uint64_t l1_resizes = 0;    // L1 arrays grown or shrunk (apply_resize)

 private:
  void fill_l1(Bus& bus, const TlbL2Entry& e);
  void note_fill(unsigned mode);
  unsigned l1_bits(unsigned mode) const { return std::countr_one(l1_mask_[mode]); }
  void request_resize(unsigned mode, unsigned bits);
  size_t l2_slot(TlbMode mode, uint64_t vpage) const;

  std::array<std::vector<TlbEntry>, kTlbModes> l1_;
  std::array<std::vector<uint64_t>, kTlbModes> l1_ppage_;
  std::array<uint64_t, kTlbModes> l1_mask_{};
  // The growth rule's state per mode: fills in the current window, the clock when it
  // began, fills since the last flush, and the size (in bits) a pending resize gives.
  std::array<uint64_t, kTlbModes> window_fills_{};
  std::array<uint64_t, kTlbModes> window_start_{};
  std::array<uint64_t, kTlbModes> flush_fills_{};
  std::array<uint64_t, kTlbModes> resized_at_{};  // the clock at the last resize
  std::array<unsigned, kTlbModes> target_bits_{};
  bool resize_pending_ = false;
  const uint64_t* clock_ = nullptr;
  std::function<void()> resize_hook_;
  std::vector<TlbL2Entry> l2_;
  uint32_t generation_ = 1;  // entries of other generations are empty (flush_all)
  // Virtual base and size of cached superpage leaves (few: kernel linear map, huge pages).
  std::vector<std::pair<uint64_t, uint64_t>> superpages_;
  bool superpages_overflow_ = false;
  std::function<void(uint64_t)> page_flush_hook_;
};

}  // namespace tiervm
