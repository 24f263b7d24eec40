#include "mem/bus.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>

#include "mem/guest_ram.h"

namespace tiervm {

// Guest memory is little endian; RAM accesses copy host bytes straight into values.
static_assert(std::endian::native == std::endian::little, "tiervm needs a little-endian host");

namespace {

enum class RegionKind : uint8_t { Ram, Rom, Device };

bool valid_size(unsigned size) {
  return size == 1 || size == 2 || size == 4 || size == 8;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

// Guest RAM: reserved, not touched (pages appear on first use), aligned to 2 MiB and
// advised as huge pages, so the host takes one page fault per 2 MiB the guest touches
// instead of 512: a Linux boot touched ~24 MB in ~6 000 faults, ~5 % of a --jit off boot's
// CPU time on a virtualised host. nullptr when the address space is exhausted.
void* map_guest_ram(uint64_t size) {
  constexpr uint64_t kHuge = uint64_t{2} << 20;
  const uint64_t reserve = size + kHuge;
  if (reserve < size) return nullptr;
  void* raw = mmap(nullptr, reserve, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHuge - 1) & ~uintptr_t{kHuge - 1};
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + reserve;
  const uintptr_t tail = aligned + ((size + kPageMask) & ~kPageMask);
  if (end > tail) munmap(reinterpret_cast<void*>(tail), end - tail);
  void* mem = reinterpret_cast<void*>(aligned);
  madvise(mem, size, MADV_HUGEPAGE);  // advice only: fine if refused
  return mem;
}

}  // namespace

struct Bus::Region {
  uint64_t base = 0;
  uint64_t size = 0;
  RegionKind kind = RegionKind::Ram;
  std::string name;
  uint8_t* data = nullptr;     // RAM or ROM bytes
  std::vector<uint8_t> bytes;  // ROM storage (data points into it)
  MmioDevice* device = nullptr;

  uint64_t last() const { return base + (size - 1); }
  // True when [paddr, paddr + len) lies inside the region (len >= 1).
  bool contains(uint64_t paddr, uint64_t len) const {
    return paddr >= base && len <= size && paddr - base <= size - len;
  }
  std::string describe() const { return "'" + name + "' [" + hex(base) + ", " + hex(last()) + "]"; }
};

Bus::Bus() = default;

Bus::~Bus() {
  if (ram_data_ != nullptr) munmap(ram_data_, ram_size_);
}

void Bus::insert(std::unique_ptr<Region> region) {
  if (region->size == 0) {
    throw std::invalid_argument("bus: region " + region->describe() + " has zero size");
  }
  if (region->last() < region->base) {
    throw std::invalid_argument("bus: region '" + region->name +
                                "' wraps the end of the address space");
  }
  auto pos = std::upper_bound(
      regions_.begin(), regions_.end(), region->base,
      [](uint64_t base, const std::unique_ptr<Region>& r) { return base < r->base; });
  // Regions are sorted and disjoint, so only the neighbours can overlap the new one.
  if (pos != regions_.begin()) {
    const Region& prev = **(pos - 1);
    if (prev.last() >= region->base) {
      throw std::invalid_argument("bus: region " + region->describe() + " overlaps " +
                                  prev.describe());
    }
  }
  if (pos != regions_.end()) {
    const Region& next = **pos;
    if (region->last() >= next.base) {
      throw std::invalid_argument("bus: region " + region->describe() + " overlaps " +
                                  next.describe());
    }
  }
  regions_.insert(pos, std::move(region));
}

const Bus::Region* Bus::find(uint64_t paddr) const {
  auto pos = std::upper_bound(
      regions_.begin(), regions_.end(), paddr,
      [](uint64_t addr, const std::unique_ptr<Region>& r) { return addr < r->base; });
  if (pos == regions_.begin()) return nullptr;
  const Region* r = (pos - 1)->get();
  return paddr <= r->last() ? r : nullptr;
}

void Bus::map_ram(uint64_t base, uint64_t size) {
  auto region = std::make_unique<Region>();
  region->base = base;
  region->size = size;
  region->kind = RegionKind::Ram;
  region->name = "ram";
  if (ram_data_ != nullptr) {
    throw std::invalid_argument("bus: region " + region->describe() + " is a second RAM region");
  }
  // Insert first (it validates the range), then allocate; undo the insert if that fails.
  Region* r = region.get();
  insert(std::move(region));
  void* mem = map_guest_ram(size);
  if (mem == nullptr) {
    std::erase_if(regions_, [r](const std::unique_ptr<Region>& p) { return p.get() == r; });
    throw std::bad_alloc();
  }
  r->data = static_cast<uint8_t*>(mem);
  ram_base_ = base;
  ram_size_ = size;
  ram_data_ = r->data;
  code_pages_.assign((size >> kPageBits) + ((size & kPageMask) != 0 ? 1 : 0), 0);
  reserved_stores_.assign(code_pages_.size(), 0);
  page_epochs_.assign(code_pages_.size(), 0);
}

void Bus::map_rom(uint64_t base, std::vector<uint8_t> bytes, std::string name) {
  auto region = std::make_unique<Region>();
  region->base = base;
  region->size = bytes.size();
  region->kind = RegionKind::Rom;
  region->name = std::move(name);
  region->bytes = std::move(bytes);
  region->data = region->bytes.data();
  insert(std::move(region));
}

void Bus::map_device(uint64_t base, uint64_t size, MmioDevice& device) {
  auto region = std::make_unique<Region>();
  region->base = base;
  region->size = size;
  region->kind = RegionKind::Device;
  region->name = std::string(device.name());
  region->device = &device;
  insert(std::move(region));
}

uint8_t* Bus::host_ptr(uint64_t paddr, uint64_t len, bool for_write) {
  // RAM first, without the region search: every TLB fill asks for a RAM page.
  if (in_ram(paddr, std::max<uint64_t>(len, 1))) return ram_data_ + (paddr - ram_base_);
  const Region* r = find(paddr);
  if (r == nullptr || r->kind == RegionKind::Device) return nullptr;
  if (for_write && r->kind == RegionKind::Rom) return nullptr;
  if (!r->contains(paddr, std::max<uint64_t>(len, 1))) return nullptr;
  return r->data + (paddr - r->base);
}

namespace {

// Width used to serve an access of `size` bytes on a device: the size itself when it is
// native, else the widest native size below it (the access is split), else 0 (refused).
unsigned device_piece(unsigned sizes, unsigned size) {
  if ((sizes & size) != 0) return size;
  for (unsigned piece = size >> 1; piece != 0; piece >>= 1) {
    if ((sizes & piece) != 0) return piece;
  }
  return 0;
}

}  // namespace

bool Bus::device_read(const Region& r, uint64_t offset, unsigned size, uint64_t& value) {
  unsigned piece = device_piece(r.device->access_sizes(), size);
  if (piece == 0) return false;
  uint64_t result = 0;
  for (unsigned done = 0; done < size; done += piece) {
    uint64_t part = 0;
    if (!r.device->read(offset + done, piece, part)) return false;
    if (piece < 8) part &= (uint64_t{1} << (piece * 8)) - 1;
    result |= part << (done * 8);
  }
  value = result;
  return true;
}

bool Bus::device_write(const Region& r, uint64_t offset, unsigned size, uint64_t value) {
  unsigned piece = device_piece(r.device->access_sizes(), size);
  if (piece == 0) return false;
  for (unsigned done = 0; done < size; done += piece) {
    uint64_t part = piece < 8 ? (value >> (done * 8)) & ((uint64_t{1} << (piece * 8)) - 1) : value;
    if (!r.device->write(offset + done, piece, part)) return false;
  }
  return true;
}

bool Bus::read(uint64_t paddr, unsigned size, uint64_t& value) {
  if (!valid_size(size)) return false;
  const Region* r = find(paddr);
  if (r == nullptr || !r->contains(paddr, size)) return false;
  uint64_t offset = paddr - r->base;
  if (r->kind != RegionKind::Device) {
    value = ram_read(r->data + offset, size);
    return true;
  }
  if (!threaded_) return device_read(*r, offset, size, value);
  hooks_.lock_devices();
  const bool ok = device_read(*r, offset, size, value);
  hooks_.unlock_devices();
  return ok;
}

bool Bus::write(uint64_t paddr, unsigned size, uint64_t value) {
  if (!valid_size(size)) return false;
  const Region* r = find(paddr);
  if (r == nullptr || !r->contains(paddr, size)) return false;
  uint64_t offset = paddr - r->base;
  switch (r->kind) {
    case RegionKind::Rom:
      return false;
    case RegionKind::Ram: {
      if (!threaded_) {
        notify_code_write(paddr, size);
        ram_write(r->data + offset, size, value);
        return true;
      }
      // Threads: the bytes first, then the other harts are told (they drop the code on
      // their own thread and translate it again from the new bytes).
      if ((range_marks(paddr, size) & kReservedPage) != 0) {
        // Clearing the reservations and writing are one step for LR/SC on other harts.
        lock_reservations();
        break_reservations(paddr, size);
        ram_write(r->data + offset, size, value);
        note_reserved_store(paddr);
        unlock_reservations();
      } else {
        ram_write(r->data + offset, size, value);
      }
      // The store before the load of the marks (notify_code_write): a hart that marks the
      // page (a locked RMW) and then reads its bytes sees this store or is told of it.
      std::atomic_thread_fence(std::memory_order_seq_cst);
      notify_code_write(paddr, size);
      return true;
    }
    case RegionKind::Device:
      break;
  }
  if (!threaded_) return device_write(*r, offset, size, value);
  hooks_.lock_devices();
  const bool ok = device_write(*r, offset, size, value);
  hooks_.unlock_devices();
  return ok;
}

bool Bus::dma_read(uint64_t paddr, std::span<uint8_t> out) {
  if (out.empty()) return true;
  const Region* r = find(paddr);
  if (r == nullptr || r->kind == RegionKind::Device || !r->contains(paddr, out.size())) {
    return false;
  }
  std::memcpy(out.data(), r->data + (paddr - r->base), out.size());
  return true;
}

bool Bus::dma_write(uint64_t paddr, std::span<const uint8_t> in) {
  if (in.empty()) return true;
  const Region* r = find(paddr);
  if (r == nullptr || r->kind != RegionKind::Ram || !r->contains(paddr, in.size())) return false;
  if (!threaded_) {
    notify_code_write(paddr, in.size());
    std::memcpy(r->data + (paddr - r->base), in.data(), in.size());
    return true;
  }
  // A device's write breaks the harts' reservations on it (before the bytes land: an LR
  // racing a DMA transfer into the same bytes is the guest's race).
  lock_reservations();
  break_reservations(paddr, in.size());
  unlock_reservations();
  std::memcpy(r->data + (paddr - r->base), in.data(), in.size());
  std::atomic_thread_fence(std::memory_order_seq_cst);
  notify_code_write(paddr, in.size());
  return true;
}

bool Bus::load_image(uint64_t paddr, std::span<const uint8_t> in) {
  if (in.empty()) return true;
  const Region* r = find(paddr);
  if (r == nullptr || r->kind == RegionKind::Device || !r->contains(paddr, in.size())) {
    return false;
  }
  // Reloading over RAM that already holds translated code must drop that code too.
  if (r->kind == RegionKind::Ram) notify_code_write(paddr, in.size());
  std::memcpy(r->data + (paddr - r->base), in.data(), in.size());
  return true;
}

unsigned Bus::add_code_watcher(CodeWatcher watcher) {
  for (unsigned id = 1; id < kMaxCodeWatchers; ++id) {
    if ((watchers_used_ >> id & 1) == 0) {
      watchers_used_ |= static_cast<uint16_t>(1u << id);
      watchers_[id] = std::move(watcher);
      return id;
    }
  }
  throw std::length_error("bus: more than 8 code watchers");
}

void Bus::remove_code_watcher(unsigned id) {
  const auto bit = static_cast<uint16_t>(1u << id);
  for (uint16_t& page : code_pages_) page &= static_cast<uint16_t>(~bit);
  watchers_[id] = {};
  unsynced_[id].clear();
  if (id != 0) watchers_used_ &= static_cast<uint16_t>(~bit);
}

namespace {
thread_local unsigned thread_watcher = Bus::kMaxCodeWatchers;
}  // namespace

void Bus::mark_code_page(uint64_t paddr, unsigned watcher) {
  if (!in_ram(paddr)) return;
  const auto bit = static_cast<uint16_t>(1u << watcher);
  const uint64_t page = paddr & ~kPageMask;
  if (!threaded_) {
    if (marks_ref(paddr).fetch_or(bit, std::memory_order_acq_rel) != 0) return;
    for (const CodeWatcher& w : watchers_) {
      if (w.on_mark) w.on_mark(page);
    }
    return;
  }
  // Only this watcher's thread sets or clears its bit.
  if ((page_marks(paddr) & bit) != 0) return;
  // The caller is inside its code cache: it must not stop here for another hart's
  // exclusive section (that could drop the very blocks it is adding). The other harts
  // revoke their write fast paths when they next leave guest code, which a kick makes soon;
  // until then a store of theirs reaches no watcher, which sync_code() makes up for.
  const uint64_t tag = mark_page(paddr, bit, watcher);
  if (!revoked_everywhere(tag, watcher)) unsynced_[watcher][page] = tag;
}

uint64_t Bus::mark_page(uint64_t paddr, uint16_t bit, unsigned self) {
  const uint64_t page = paddr & ~kPageMask;
  bool first = false;
  uint64_t tag = 0;
  {
    std::lock_guard<std::mutex> lock(pending_mutex_);
    first = marks_ref(paddr).fetch_or(bit, std::memory_order_acq_rel) == 0;
    if (first) {
      tag = ++mark_epoch_ << 4 | (self & 15);
      page_tag(paddr).store(tag, std::memory_order_relaxed);
      for (unsigned w = 0; w < kMaxCodeWatchers; ++w) {
        if (w == self || !watchers_[w].on_mark) continue;
        pending_marks_[w].push_back(page);
        has_pending_[w].store(true, std::memory_order_relaxed);
      }
    } else {
      // Already marked (code of another watcher, or reserved): its number, whose
      // revocations may not have run everywhere yet.
      tag = page_tag(paddr).load(std::memory_order_relaxed);
    }
  }
  // Our own fast paths go at once, also when another watcher marked the page first (its
  // on_mark for us may still be queued): our stores to the page must reach our code.
  if (self < kMaxCodeWatchers && watchers_[self].on_mark) watchers_[self].on_mark(page);
  if (first && hooks_.kick_watcher) {
    for (unsigned w = 0; w < kMaxCodeWatchers; ++w) {
      if (w != self && watchers_[w].on_mark) hooks_.kick_watcher(w);
    }
  }
  return tag;
}

bool Bus::revoked_everywhere(uint64_t epoch_tag, unsigned watcher) const {
  const uint64_t epoch = epoch_tag >> 4;
  const auto marker = static_cast<unsigned>(epoch_tag & 15);
  for (unsigned w = 0; w < kMaxCodeWatchers; ++w) {
    if (w == watcher || w == marker || !watchers_[w].on_mark) continue;
    if (applied_epoch_[w].load(std::memory_order_acquire) < epoch) return false;
  }
  return true;
}

void Bus::apply_pending(unsigned watcher) {
  if (!has_pending_[watcher].load(std::memory_order_relaxed)) return;
  std::vector<uint64_t> pages;
  std::vector<std::pair<uint64_t, uint64_t>> writes;
  uint64_t epoch = 0;
  {
    std::lock_guard<std::mutex> lock(pending_mutex_);
    pages.swap(pending_marks_[watcher]);
    writes.swap(pending_writes_[watcher]);
    epoch = mark_epoch_;
    has_pending_[watcher].store(false, std::memory_order_relaxed);
  }
  const CodeWatcher& w = watchers_[watcher];
  for (uint64_t page : pages) {
    if (w.on_mark) w.on_mark(page);
  }
  // Every marking numbered up to `epoch` by another watcher was in the queue just run.
  applied_epoch_[watcher].store(epoch, std::memory_order_release);
  for (const auto& [addr, len] : writes) {
    if (w.on_write) w.on_write(addr, len);
  }
}

void Bus::sync_code(unsigned watcher) {
  auto& pages = unsynced_[watcher];
  const CodeWatcher& w = watchers_[watcher];
  for (auto it = pages.begin(); it != pages.end();) {
    // Revoked everywhere now: every store that missed the watchers is in memory already,
    // and the ones after this reach them. So after this drop, the page is done.
    const bool done = revoked_everywhere(it->second, watcher);
    const uint64_t page = it->first;
    it = done ? pages.erase(it) : std::next(it);
    if (w.on_write) w.on_write(page, kPageSize);
  }
}

void Bus::clear_code_page(uint64_t paddr, unsigned watcher) {
  if (in_ram(paddr)) {
    marks_ref(paddr).fetch_and(static_cast<uint16_t>(~(1u << watcher)), std::memory_order_relaxed);
  }
}

uint16_t Bus::range_marks(uint64_t paddr, uint64_t len) const {
  uint16_t marks = page_marks(paddr);
  const uint64_t last = paddr + len - 1;
  if (((last ^ paddr) >> kPageBits) != 0 && in_ram(last)) marks |= page_marks(last);
  return marks;
}

void Bus::set_thread_watcher(unsigned watcher) {
  thread_watcher = watcher;
}

void Bus::set_threads(ThreadHooks hooks) {
  threaded_ = static_cast<bool>(hooks.exclusive);
  hooks_ = std::move(hooks);
  for (auto& r : reservations_) r.store(0, std::memory_order_relaxed);
}

void Bus::notify_code_write(uint64_t paddr, uint64_t len) {
  if (len == 0 || ram_size_ == 0) return;
  // Clip [paddr, paddr + len) to RAM (inclusive bounds: RAM may end at 2^64); only RAM
  // pages can be marked.
  uint64_t last = paddr + (len - 1) < paddr ? ~uint64_t{0} : paddr + (len - 1);
  uint64_t ram_last = ram_base_ + (ram_size_ - 1);
  uint64_t first = std::max(paddr, ram_base_);
  last = std::min(last, ram_last);
  if (first > last) return;
  uint64_t end_page = (last - ram_base_) >> kPageBits;
  for (uint64_t page = (first - ram_base_) >> kPageBits; page <= end_page; ++page) {
    // The hooks may clear the marks (that is the engines' job), so test them per page.
    const uint64_t page_base = ram_base_ + (page << kPageBits);
    const uint16_t marks = page_marks(page_base) & static_cast<uint16_t>(~kReservedPage);
    if (marks == 0) continue;
    const uint64_t lo = std::max(first, page_base);
    const uint64_t hi = std::min(last, page_base + kPageMask);
    for (unsigned w = 0; w < kMaxCodeWatchers; ++w) {
      if ((marks >> w & 1) == 0 || !watchers_[w].on_write) continue;
      if (!threaded_ || w == thread_watcher) {
        watchers_[w].on_write(lo, hi - lo + 1);
        continue;
      }
      // Another hart's code: only its own thread may drop it (it may be running it). It
      // does so when it next leaves guest code (the kick) or at its fence.i.
      {
        std::lock_guard<std::mutex> lock(pending_mutex_);
        auto& writes = pending_writes_[w];
        if (writes.empty() || writes.back().first != lo || writes.back().second != hi - lo + 1) {
          writes.emplace_back(lo, hi - lo + 1);
        }
        has_pending_[w].store(true, std::memory_order_relaxed);
      }
      if (hooks_.kick_watcher) hooks_.kick_watcher(w);
    }
  }
}

// ---- LR/SC and AMOs with harts on threads.

void Bus::lock_reservations() {
  while (reservation_lock_.test_and_set(std::memory_order_acquire)) {
    __builtin_ia32_pause();
  }
}

void Bus::break_reservations(uint64_t paddr, uint64_t len) {
  const uint64_t first = paddr & ~uint64_t{7};
  const uint64_t last = (paddr + len - 1) & ~uint64_t{7};
  for (auto& slot : reservations_) {
    const uint64_t held = slot.load(std::memory_order_relaxed);
    const uint64_t granule = held & ~uint64_t{7};
    if (held != 0 && granule >= first && granule <= last) {
      slot.store(0, std::memory_order_relaxed);
    }
  }
}

namespace {

uint64_t atomic_load(uint8_t* p, unsigned size) {
  if (size == 4) return std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(p)).load();
  return std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(p)).load();
}

void atomic_store(uint8_t* p, unsigned size, uint64_t value) {
  if (size == 4) {
    std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(p)).store(static_cast<uint32_t>(value));
  } else {
    std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(p)).store(value);
  }
}

template <typename T>
uint64_t atomic_combine(uint8_t* p, uint64_t src, Bus::AmoCombine combine) {
  std::atomic_ref<T> ref(*reinterpret_cast<T*>(p));
  T old = ref.load(std::memory_order_relaxed);
  while (!ref.compare_exchange_weak(old, static_cast<T>(combine(old, src)))) {
  }
  return old;
}

}  // namespace

void Bus::note_reserved_store(uint64_t paddr) {
  // A page where LR is rare but stores are many (a lock word beside hot data) would send
  // every store to the slow path for good: after kReservedDecayStores stores without an LR
  // and with no hart holding a reservation in it, the mark goes (the TLBs give the write
  // fast path back on their next fill); the next LR marks it again.
  constexpr uint16_t kReservedDecayStores = 4096;
  const uint64_t page = (paddr - ram_base_) >> kPageBits;
  if (++reserved_stores_[page] < kReservedDecayStores) return;
  reserved_stores_[page] = 0;
  for (const auto& slot : reservations_) {
    const uint64_t held = slot.load(std::memory_order_relaxed);
    if (held != 0 && ((held - ram_base_) >> kPageBits) == page) return;
  }
  marks_ref(paddr).fetch_and(static_cast<uint16_t>(~kReservedPage), std::memory_order_relaxed);
}

uint64_t Bus::load_reserved(unsigned slot, uint64_t paddr, unsigned size) {
  // The mark first, then the reservation: from here on every store to the page that
  // reaches the bus breaks it. Stores through other harts' write fast paths do not until
  // each of them has revoked them (the mark's on_mark, queued like a code page's): a
  // reservation taken before that is tentative, and its SC fails (the guest retries).
  const unsigned self = thread_watcher;
  const uint64_t tag = (page_marks(paddr) & kReservedPage) == 0
                           ? mark_page(paddr, kReservedPage, self)
                           : page_tag(paddr).load(std::memory_order_relaxed);
  const bool revoked = revoked_everywhere(tag, self);
  uint8_t* p = ram_data_ + (paddr - ram_base_);
  lock_reservations();
  reserved_stores_[(paddr - ram_base_) >> kPageBits] = 0;
  const uint64_t value = atomic_load(p, size);
  reservations_[slot].store((paddr & ~uint64_t{7}) | (revoked ? 1 : 3), std::memory_order_relaxed);
  unlock_reservations();
  if (!revoked) ++tentative_reservations_;
  return value;
}

bool Bus::store_conditional(unsigned slot, uint64_t paddr, unsigned size, uint64_t value) {
  if (reservations_[slot].load(std::memory_order_relaxed) != ((paddr & ~uint64_t{7}) | 1)) {
    reservations_[slot].store(0, std::memory_order_relaxed);
    return false;
  }
  uint8_t* p = ram_data_ + (paddr - ram_base_);
  lock_reservations();
  const bool ok =
      reservations_[slot].load(std::memory_order_relaxed) == ((paddr & ~uint64_t{7}) | 1);
  if (ok) {
    break_reservations(paddr, size);
    atomic_store(p, size, value);
  }
  reservations_[slot].store(0, std::memory_order_relaxed);
  unlock_reservations();
  if (ok) notify_code_write(paddr, size);
  return ok;
}

uint64_t Bus::amo(uint64_t paddr, unsigned size, uint64_t src, AmoCombine combine) {
  const uint16_t marks = page_marks(paddr);
  uint8_t* p = ram_data_ + (paddr - ram_base_);
  const bool reserved = (marks & kReservedPage) != 0;
  if (reserved) {
    lock_reservations();
    break_reservations(paddr, size);
    note_reserved_store(paddr);
  }
  const uint64_t old = size == 4 ? atomic_combine<uint32_t>(p, src, combine)
                                 : atomic_combine<uint64_t>(p, src, combine);
  if (reserved) unlock_reservations();
  if ((marks & ~kReservedPage) != 0) notify_code_write(paddr, size);
  return old;
}

}  // namespace tiervm
