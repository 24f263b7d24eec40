#include "devices/clint.h"

namespace tiervm {

namespace {

uint64_t deposit32(uint64_t old, unsigned half, uint64_t value) {
  unsigned shift = half * 32;
  uint64_t mask = uint64_t{0xffffffff} << shift;
  return (old & ~mask) | ((value & 0xffffffff) << shift);
}

}  // namespace

Clint::Clint(Clock& clock, IrqLine& msip, IrqLine& mtip)
    : clock_(clock), msip_line_(msip), mtip_line_(mtip) {}

uint64_t Clint::mtime() {
  return clock_.now_ticks() + mtime_offset_;
}

void Clint::reset() {
  msip_ = 0;
  msip_line_.set_level(false);
  mtimecmp_ = ~uint64_t{0};
  mtime_offset_ = 0;
  update();
}

void Clint::update() {
  bool level = mtime() >= mtimecmp_;
  if (level != mtip_level_) {
    mtip_level_ = level;
    mtip_line_.set_level(level);
  }
}

uint64_t Clint::ticks_until_deadline() {
  uint64_t now = mtime();
  if (now >= mtimecmp_) return 0;
  if (mtimecmp_ == ~uint64_t{0}) return ~uint64_t{0};
  return mtimecmp_ - now;
}

void Clint::set_mtime(uint64_t value) {
  mtime_offset_ = value - clock_.now_ticks();
  update();
}

void Clint::set_mtimecmp(uint64_t value) {
  mtimecmp_ = value;
  update();
}

bool Clint::read(uint64_t offset, unsigned size, uint64_t& value) {
  if (offset % size != 0) return false;
  value = 0;
  if (offset < kMtimecmp) {
    // msip of harts other than 0 do not exist: read as zero, like QEMU's unmapped harts.
    if (offset == kMsip) value = msip_;
  } else if (offset >= kMtimecmp && offset < kMtimecmp + 8) {
    value = size == 8 ? mtimecmp_ : (mtimecmp_ >> ((offset - kMtimecmp) * 8)) & 0xffffffff;
  } else if (offset >= kMtime && offset < kMtime + 8) {
    uint64_t now = mtime();
    value = size == 8 ? now : (now >> ((offset - kMtime) * 8)) & 0xffffffff;
  }
  return true;
}

bool Clint::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset % size != 0) return false;
  if (offset < kMtimecmp) {
    if (offset == kMsip) {
      // Only bit 0 is implemented (ACLINT spec, MSWI: upper bits are zero).
      msip_ = value & 1;
      msip_line_.set_level(msip_ != 0);
    }
  } else if (offset >= kMtimecmp && offset < kMtimecmp + 8) {
    set_mtimecmp(size == 8 ? value : deposit32(mtimecmp_, (offset - kMtimecmp) / 4, value));
  } else if (offset >= kMtime && offset < kMtime + 8) {
    set_mtime(size == 8 ? value : deposit32(mtime(), (offset - kMtime) / 4, value));
  }
  return true;
}

}  // namespace tiervm
