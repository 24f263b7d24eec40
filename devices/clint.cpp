#include "devices/clint.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tiervm {

namespace {

uint64_t deposit32(uint64_t old, unsigned half, uint64_t value) {
  unsigned shift = half * 32;
  uint64_t mask = uint64_t{0xffffffff} << shift;
  return (old & ~mask) | ((value & 0xffffffff) << shift);
}

}  // namespace

Clint::Clint(Clock& clock, const std::vector<ClintHartLines>& harts) : clock_(clock) {
  if (harts.empty() || harts.size() > kMaxHarts) {
    throw std::invalid_argument("clint: " + std::to_string(harts.size()) +
                                " harts (1 to 8 supported)");
  }
  for (const ClintHartLines& lines : harts) harts_.push_back({lines});
}

uint64_t Clint::mtime() {
  return clock_.now_ticks() + mtime_offset_.load(std::memory_order_relaxed);
}

void Clint::reset() {
  for (HartTimer& h : harts_) {
    h.msip = 0;
    h.lines.msip->set_level(false);
    h.mtimecmp = ~uint64_t{0};
  }
  mtime_offset_ = 0;
  update();
}

void Clint::update() {
  const uint64_t now = mtime();
  for (HartTimer& h : harts_) update(h, now);
}

void Clint::update(HartTimer& h, uint64_t now) {
  const bool level = now >= h.mtimecmp;
  if (level != h.mtip_level) {
    h.mtip_level = level;
    h.lines.mtip->set_level(level);
  }
}

uint64_t Clint::ticks_until_deadline() {
  const uint64_t now = mtime();
  uint64_t ticks = ~uint64_t{0};
  for (const HartTimer& h : harts_) {
    if (now >= h.mtimecmp) return 0;
    if (h.mtimecmp != ~uint64_t{0}) ticks = std::min(ticks, h.mtimecmp - now);
  }
  return ticks;
}

void Clint::set_mtime(uint64_t value) {
  mtime_offset_ = value - clock_.now_ticks();
  update();
}

void Clint::save(StateWriter& w) {
  w.u32(static_cast<uint32_t>(harts_.size()));
  for (const HartTimer& h : harts_) {
    w.u32(h.msip);
    w.u64(h.mtimecmp);
  }
  w.u64(mtime());
}

bool Clint::load(StateReader& r) {
  if (r.u32() != harts_.size()) r.fail();
  std::vector<std::pair<uint32_t, uint64_t>> saved(harts_.size());
  for (auto& [msip, mtimecmp] : saved) {
    msip = r.u32();
    mtimecmp = r.u64();
    if (msip > 1) r.fail();
  }
  const uint64_t mtime = r.u64();
  if (!r.ok()) return false;
  mtime_offset_ = mtime - clock_.now_ticks();
  for (size_t i = 0; i < harts_.size(); ++i) {
    HartTimer& h = harts_[i];
    h.msip = saved[i].first;
    h.lines.msip->set_level(h.msip != 0);
    h.mtimecmp = saved[i].second;
    h.mtip_level = mtime >= h.mtimecmp;
    h.lines.mtip->set_level(h.mtip_level);
  }
  return true;
}

bool Clint::read(uint64_t offset, unsigned size, uint64_t& value) {
  if (offset % size != 0) return false;
  value = 0;
  if (offset < kMtimecmp) {
    // msip of harts that do not exist read as zero, like QEMU's unmapped harts.
    const uint64_t hart = offset / 4;
    if (hart < harts_.size()) value = harts_[hart].msip;
  } else if (offset < kMtimecmp + 8 * harts_.size()) {
    const uint64_t cmp = harts_[(offset - kMtimecmp) / 8].mtimecmp;
    value = size == 8 ? cmp : (cmp >> ((offset - kMtimecmp) % 8 * 8)) & 0xffffffff;
  } else if (offset >= kMtime && offset < kMtime + 8) {
    uint64_t now = mtime();
    value = size == 8 ? now : (now >> ((offset - kMtime) * 8)) & 0xffffffff;
  }
  return true;
}

bool Clint::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset % size != 0) return false;
  if (offset < kMtimecmp) {
    const uint64_t hart = offset / 4;
    if (hart < harts_.size()) {
      // Only bit 0 is implemented (ACLINT spec, MSWI: upper bits are zero).
      HartTimer& h = harts_[hart];
      h.msip = value & 1;
      h.lines.msip->set_level(h.msip != 0);
    }
  } else if (offset < kMtimecmp + 8 * harts_.size()) {
    HartTimer& h = harts_[(offset - kMtimecmp) / 8];
    h.mtimecmp = size == 8 ? value : deposit32(h.mtimecmp, (offset - kMtimecmp) % 8 / 4, value);
    update(h, mtime());
  } else if (offset >= kMtime && offset < kMtime + 8) {
    set_mtime(size == 8 ? value : deposit32(mtime(), (offset - kMtime) / 4, value));
  }
  return true;
}

}  // namespace tiervm
