#include "devices/virtqueue.h"

#include <algorithm>

namespace tiervm {

namespace {

// Descriptor flags, virtio 1.1 section 2.6.5.
constexpr uint16_t kDescNext = 1;
constexpr uint16_t kDescWrite = 2;
constexpr uint16_t kDescIndirect = 4;
constexpr uint16_t kAvailNoInterrupt = 1;

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
static_assert(sizeof(Desc) == 16);

template <typename T>
bool load(Bus& bus, uint64_t paddr, T& value) {
  return bus.dma_read(paddr, std::span(reinterpret_cast<uint8_t*>(&value), sizeof(T)));
}

template <typename T>
bool store(Bus& bus, uint64_t paddr, const T& value) {
  return bus.dma_write(paddr, std::span(reinterpret_cast<const uint8_t*>(&value), sizeof(T)));
}

template <typename Span, typename Copy>
bool walk(const std::vector<VirtqSegment>& segments, uint64_t total, uint64_t pos, Span data,
          Copy copy) {
  if (pos > total || data.size() > total - pos) return false;
  size_t done = 0;
  for (const VirtqSegment& seg : segments) {
    if (done == data.size()) break;
    if (pos >= seg.len) {
      pos -= seg.len;
      continue;
    }
    size_t n = std::min<uint64_t>(seg.len - pos, data.size() - done);
    if (!copy(seg.addr + pos, data.subspan(done, n))) return false;
    done += n;
    pos = 0;
  }
  return done == data.size();
}

}  // namespace

bool VirtqChain::read(Bus& bus, uint64_t pos, std::span<uint8_t> out) const {
  return walk(readable, readable_len, pos, out,
              [&bus](uint64_t addr, std::span<uint8_t> part) { return bus.dma_read(addr, part); });
}

bool VirtqChain::write(Bus& bus, uint64_t pos, std::span<const uint8_t> in) const {
  return walk(
      writable, writable_len, pos, in,
      [&bus](uint64_t addr, std::span<const uint8_t> part) { return bus.dma_write(addr, part); });
}

void Virtqueue::reset() {
  num = 0;
  ready = false;
  desc_addr = driver_addr = device_addr = 0;
  last_avail_ = 0;
  used_idx_ = 0;
}

void Virtqueue::save_state(StateWriter& w) const {
  w.u32(num);
  w.boolean(ready);
  w.u64(desc_addr);
  w.u64(driver_addr);
  w.u64(device_addr);
  w.u16(last_avail_);
  w.u16(used_idx_);
}

bool Virtqueue::load_state(StateReader& r) {
  Virtqueue q;
  q.num = r.u32();
  q.ready = r.boolean();
  q.desc_addr = r.u64();
  q.driver_addr = r.u64();
  q.device_addr = r.u64();
  q.last_avail_ = r.u16();
  q.used_idx_ = r.u16();
  if (!r.ok()) return false;
  *this = q;
  return true;
}

bool Virtqueue::valid_size() const {
  // Split queues have a power-of-two size (section 2.6).
  return num != 0 && num <= kMaxSize && (num & (num - 1)) == 0;
}

Virtqueue::Pop Virtqueue::pop(Bus& bus, VirtqChain& chain) {
  if (!ready || !valid_size()) return Pop::Error;
  uint16_t avail_idx = 0;
  if (!load(bus, driver_addr + 2, avail_idx)) return Pop::Error;
  if (avail_idx == last_avail_) return Pop::Empty;
  // The driver cannot have made more than a queue's worth of chains available.
  if (static_cast<uint16_t>(avail_idx - last_avail_) > num) return Pop::Error;

  uint16_t head = 0;
  if (!load(bus, driver_addr + 4 + 2 * uint64_t{static_cast<uint16_t>(last_avail_ % num)}, head)) {
    return Pop::Error;
  }
  if (head >= num) return Pop::Error;

  chain.head = head;
  chain.readable.clear();
  chain.writable.clear();
  chain.readable_len = chain.writable_len = 0;
  uint16_t index = head;
  // A chain visits each descriptor at most once, so more than `num` links is a loop.
  for (uint32_t count = 0;; ++count) {
    if (count >= num) return Pop::Error;
    Desc d{};
    if (!load(bus, desc_addr + 16 * uint64_t{index}, d)) return Pop::Error;
    if ((d.flags & kDescIndirect) != 0) return Pop::Error;
    if (d.len != 0 && !bus.in_ram(d.addr, d.len)) return Pop::Error;
    if ((d.flags & kDescWrite) != 0) {
      chain.writable.push_back({d.addr, d.len});
      chain.writable_len += d.len;
    } else {
      // Device-readable buffers come before device-writable ones (section 2.6.4.2).
      if (!chain.writable.empty()) return Pop::Error;
      chain.readable.push_back({d.addr, d.len});
      chain.readable_len += d.len;
    }
    if ((d.flags & kDescNext) == 0) break;
    if (d.next >= num) return Pop::Error;
    index = d.next;
  }
  ++last_avail_;
  return Pop::Chain;
}

bool Virtqueue::push_used(Bus& bus, uint16_t head, uint32_t written) {
  if (!valid_size()) return false;
  struct {
    uint32_t id;
    uint32_t len;
  } elem{head, written};
  uint64_t slot = device_addr + 4 + 8 * uint64_t{static_cast<uint16_t>(used_idx_ % num)};
  if (!store(bus, slot, elem)) return false;
  uint16_t next = static_cast<uint16_t>(used_idx_ + 1);
  if (!store(bus, device_addr + 2, next)) return false;
  used_idx_ = next;
  return true;
}

bool Virtqueue::interrupt_wanted(Bus& bus) const {
  uint16_t flags = 0;
  if (!load(bus, driver_addr, flags)) return true;
  return (flags & kAvailNoInterrupt) == 0;
}

}  // namespace tiervm
