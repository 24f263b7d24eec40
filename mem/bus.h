#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mem/mmio_device.h"

namespace tiervm {

inline constexpr unsigned kPageBits = 12;
inline constexpr uint64_t kPageSize = uint64_t{1} << kPageBits;
inline constexpr uint64_t kPageMask = kPageSize - 1;

// The guest-physical address space: one RAM region, read-only ROM regions and MMIO
// devices. Regions are kept sorted; lookups are a binary search (never a linear scan),
// and overlapping regions are refused when they are added.
class Bus {
 public:
  Bus();
  ~Bus();
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  // Each throws std::invalid_argument (naming both regions) when the new region overlaps
  // an existing one, or has zero size, or wraps the address space.
  void map_ram(uint64_t base, uint64_t size);  // zero-filled host memory
  void map_rom(uint64_t base, std::vector<uint8_t> bytes, std::string name);
  void map_device(uint64_t base, uint64_t size, MmioDevice& device);

  // Host pointer to [paddr, paddr + len) when it lies entirely in RAM (or in ROM when
  // !for_write); nullptr otherwise.
  uint8_t* host_ptr(uint64_t paddr, uint64_t len, bool for_write);

  // 1/2/4/8-byte little-endian accesses. Return false on an access fault (unmapped
  // address, device refusal, write to ROM). RAM writes to pages marked as holding
  // translated code call the code-write hook first.
  bool read(uint64_t paddr, unsigned size, uint64_t& value);
  bool write(uint64_t paddr, unsigned size, uint64_t value);

  // Bulk transfers for DMA-capable devices (virtio) and loaders: RAM/ROM only, all or
  // nothing. dma_write honours the code-page hook like write().
  bool dma_read(uint64_t paddr, std::span<uint8_t> out);
  bool dma_write(uint64_t paddr, std::span<const uint8_t> in);
  // Writes into RAM or ROM regardless of ROM protection (image loading).
  bool load_image(uint64_t paddr, std::span<const uint8_t> in);

  uint64_t ram_base() const { return ram_base_; }
  uint64_t ram_size() const { return ram_size_; }
  uint8_t* ram_data() const { return ram_data_; }
  bool in_ram(uint64_t paddr, uint64_t len = 1) const {
    return paddr >= ram_base_ && len <= ram_size_ && paddr - ram_base_ <= ram_size_ - len;
  }

  // Pages of RAM that hold translated code, per code watcher (one per hart's code cache,
  // 8 besides the default one). A write to a marked page (through write(), dma_write(), or
  // a TLB slow path) first calls the on_write hook of every watcher that marked it, with
  // the written range clipped to that page (one call per page), so each engine drops
  // exactly the code it overwrites. When a page becomes code for the first watcher, every
  // watcher's on_mark runs (each hart revokes its TLB's write fast path to it): TLB fills
  // must not give write fast paths to marked pages.
  static constexpr unsigned kMaxCodeWatchers = 9;  // the default and one per hart
  struct CodeWatcher {
    std::function<void(uint64_t paddr, uint64_t len)> on_write;
    std::function<void(uint64_t ppage)> on_mark;
  };
  // Returns the watcher's id (0 .. kMaxCodeWatchers - 1); throws std::length_error when
  // all are taken.
  unsigned add_code_watcher(CodeWatcher watcher);
  void remove_code_watcher(unsigned id);
  void mark_code_page(uint64_t paddr, unsigned watcher = 0);
  void clear_code_page(uint64_t paddr, unsigned watcher = 0);
  bool is_code_page(uint64_t paddr) const { return in_ram(paddr) && page_marks(paddr) != 0; }
  // One entry per RAM page, non-zero while any watcher holds code on it (what
  // is_code_page() reads): the fast path of a compiled store checks it without a call.
  // Stable from map_ram() on.
  const uint16_t* code_page_marks() const { return code_pages_.data(); }
  // Watcher 0's write hook (tests and single users that mark pages with the default id).
  void set_code_write_hook(std::function<void(uint64_t paddr, uint64_t len)> hook) {
    watchers_[0].on_write = std::move(hook);
  }
  // Called by the slow store path before writing to a RAM page marked as code.
  void notify_code_write(uint64_t paddr, uint64_t len);

  // ---- Harts on host threads of their own (docs/smp.md). Off (the default) the bus
  // assumes one thread runs every hart, as before; set_threads() is called before the
  // hart threads start and while none runs.
  struct ThreadHooks {
    // Runs `fn` while no other hart executes guest code (QEMU's start_exclusive): for
    // the first LR on a page (every TLB loses its write fast paths to it at once).
    std::function<void(const std::function<void()>&)> exclusive;
    // The device lock (QEMU's BQL), taken around every MMIO access.
    std::function<void()> lock_devices;
    std::function<void()> unlock_devices;
    // Makes the hart that owns code watcher w call apply_pending(w) soon.
    std::function<void(unsigned w)> kick_watcher;
  };
  void set_threads(ThreadHooks hooks);
  bool threaded() const { return threaded_; }
  // The code watcher of the hart the calling thread runs (its own code needs no exclusive
  // section); kMaxCodeWatchers for threads that run no hart.
  static void set_thread_watcher(unsigned watcher);
  // The owner of code watcher `watcher`, on its own thread: runs the on_mark and on_write
  // hooks that other threads' mark_code_page() and writes queued for it.
  void apply_pending(unsigned watcher);
  // The owner of `watcher`, at its fence.i (after apply_pending): drops its code (on_write
  // over the page) on every page it marked while another hart could still store to it
  // through a write fast path, that is before every other hart had run the page's queued
  // on_mark. Such a store reaches no watcher, so the code may predate it; the drop makes
  // the next translation read it. A page stays listed (and is dropped at each fence.i)
  // until every other hart has revoked its fast paths; later stores reach the watchers.
  void sync_code(unsigned watcher);

  // LR/SC and AMOs when harts run on several threads, on RAM at a naturally aligned
  // address (Hart::translate_atomic has checked). A reservation is one slot per hart
  // holding its 8-byte granule; LR marks the page with kReservedPage, so that every
  // store to the page by another hart leaves the inline fast paths (like a code page) and
  // reaches write()/dma_write(), which clear every slot holding the granule under the
  // reservation lock before writing. An SC succeeds only if its slot still holds the
  // granule: a store of the same value in between fails it (no ABA). The other harts
  // revoke their fast paths to a newly marked page when they next leave guest code (a
  // queued on_mark, as for code pages; no exclusive section): an LR made before all of
  // them have is tentative and its SC fails, so the guest's retry loop waits for them.
  static constexpr uint16_t kReservedPage = uint16_t{1} << 15;
  static constexpr unsigned kReservationSlots = 8;
  uint64_t load_reserved(unsigned slot, uint64_t paddr, unsigned size);
  bool store_conditional(unsigned slot, uint64_t paddr, unsigned size, uint64_t value);
  // Atomically mem = combine(mem, src); returns the old value.
  using AmoCombine = uint64_t (*)(uint64_t mem, uint64_t src);
  uint64_t amo(uint64_t paddr, unsigned size, uint64_t src, AmoCombine combine);
  // LRs whose reservation was tentative (another hart had not revoked yet).
  uint64_t tentative_reservations() const {
    return tentative_reservations_.load(std::memory_order_relaxed);
  }
  bool has_reservation(unsigned slot) const {
    return reservations_[slot].load(std::memory_order_relaxed) != 0;
  }
  // Drops the reservation of `slot` (trap return, context switch in deterministic mode).
  void clear_reservation(unsigned slot) { reservations_[slot].store(0, std::memory_order_relaxed); }

 private:
  struct Region;
  const Region* find(uint64_t paddr) const;
  void insert(std::unique_ptr<Region> region);
  uint16_t page_marks(uint64_t paddr) const {
    return std::atomic_ref<const uint16_t>(code_pages_[(paddr - ram_base_) >> kPageBits])
        .load(std::memory_order_relaxed);
  }
  std::atomic_ref<uint16_t> marks_ref(uint64_t paddr) {
    return std::atomic_ref<uint16_t>(code_pages_[(paddr - ram_base_) >> kPageBits]);
  }
  // Marks of the pages [paddr, paddr + len) touches (RAM only, len <= a page).
  uint16_t range_marks(uint64_t paddr, uint64_t len) const;
  void break_reservations(uint64_t paddr, uint64_t len);
  void note_reserved_store(uint64_t paddr);  // reservation lock held
  void lock_reservations();
  void unlock_reservations() { reservation_lock_.clear(std::memory_order_release); }
  bool device_read(const Region& r, uint64_t offset, unsigned size, uint64_t& value);
  bool device_write(const Region& r, uint64_t offset, unsigned size, uint64_t value);

  std::vector<std::unique_ptr<Region>> regions_;  // sorted by base
  uint64_t ram_base_ = 0;
  uint64_t ram_size_ = 0;
  uint8_t* ram_data_ = nullptr;
  std::vector<uint16_t> code_pages_;  // bit w: watcher w holds code on the page
  std::array<CodeWatcher, kMaxCodeWatchers> watchers_;
  uint16_t watchers_used_ = 1;  // watcher 0 is the default (set_code_write_hook)
  bool threaded_ = false;
  ThreadHooks hooks_;
  std::mutex pending_mutex_;
  std::array<std::vector<uint64_t>, kMaxCodeWatchers> pending_marks_;
  std::array<std::vector<std::pair<uint64_t, uint64_t>>, kMaxCodeWatchers> pending_writes_;
  std::array<std::atomic<bool>, kMaxCodeWatchers> has_pending_{};
  // With threads: pages becoming code are numbered (under pending_mutex_). Per RAM page,
  // the number of its last marking << 4 | the watcher that marked it first (whose own
  // on_mark ran at once); per watcher, the number up to which it has run queued on_marks.
  uint64_t mark_epoch_ = 0;
  std::vector<uint64_t> page_epochs_;
  std::array<std::atomic<uint64_t>, kMaxCodeWatchers> applied_epoch_{};
  // Per watcher (its own thread only): pages it marked, with their page_epochs_ value, that
  // some other hart had not revoked yet (sync_code).
  std::array<std::unordered_map<uint64_t, uint64_t>, kMaxCodeWatchers> unsynced_;
  bool revoked_everywhere(uint64_t epoch_tag, unsigned watcher) const;
  // Sets `bit` in the page's marks and runs `self`'s on_mark. A page no one had marked
  // gets a new number and an on_mark queued (and kicked) for every other watcher. Returns
  // the page's tag (page_epochs_).
  uint64_t mark_page(uint64_t paddr, uint16_t bit, unsigned self);
  std::atomic_ref<uint64_t> page_tag(uint64_t paddr) {
    return std::atomic_ref<uint64_t>(page_epochs_[(paddr - ram_base_) >> kPageBits]);
  }
  std::atomic_flag reservation_lock_;
  // Stores to each reserved page since its last LR (under the reservation lock).
  std::vector<uint16_t> reserved_stores_;
  std::atomic<uint64_t> tentative_reservations_{0};
  // Granule address | 1 per hart (| 3 while tentative: no SC matches), 0 = no reservation.
  std::array<std::atomic<uint64_t>, kReservationSlots> reservations_{};
};

}  // namespace tiervm
