#include "mem/pmp.h"

#include <bit>

#include "mem/bus.h"

namespace tiervm {

namespace {

// pmpcfg fields (priv spec 1.12, section 3.7.1, figure 3.27).
constexpr uint8_t kCfgR = 1u << 0;
constexpr uint8_t kCfgW = 1u << 1;
constexpr uint8_t kCfgX = 1u << 2;
constexpr unsigned kCfgAShift = 3;
constexpr uint8_t kCfgA = 3u << kCfgAShift;
constexpr uint8_t kCfgL = 1u << 7;
// Bits 6:5 are WARL zero.
constexpr uint8_t kCfgWritable = kCfgR | kCfgW | kCfgX | kCfgA | kCfgL;

enum AddrMatch : uint8_t { kOff = 0, kTor = 1, kNa4 = 2, kNapot = 3 };

// pmpaddr holds bits 55:2 of an address on RV64 (section 3.7.1).
constexpr uint64_t kAddrMask = (uint64_t{1} << 54) - 1;

// Each pmpcfg CSR holds 8 entries on RV64; only the even CSRs exist.
constexpr unsigned kEntriesPerCfg = 8;

AddrMatch match_of(uint8_t cfg) {
  return static_cast<AddrMatch>((cfg & kCfgA) >> kCfgAShift);
}

struct Range {
  uint64_t lo = 0;  // first byte
  uint64_t hi = 0;  // one past the last byte (never overflows: addresses are < 2^56)
};

}  // namespace

uint64_t Pmp::read_cfg(unsigned csr_index) const {
  if (csr_index != 0 && csr_index != 2) return 0;
  unsigned first = csr_index / 2 * kEntriesPerCfg;
  uint64_t value = 0;
  for (unsigned i = 0; i < kEntriesPerCfg; ++i) value |= uint64_t{cfg_[first + i]} << (8 * i);
  return value;
}

void Pmp::write_cfg(unsigned csr_index, uint64_t value) {
  if (csr_index != 0 && csr_index != 2) return;
  unsigned first = csr_index / 2 * kEntriesPerCfg;
  for (unsigned i = 0; i < kEntriesPerCfg; ++i) {
    unsigned entry = first + i;
    if ((cfg_[entry] & kCfgL) != 0) continue;  // locked until reset (section 3.7.1.3)
    auto byte = static_cast<uint8_t>((value >> (8 * i)) & kCfgWritable);
    // R=0, W=1 is reserved; like QEMU, a write of that combination leaves the entry as it was.
    if ((byte & kCfgW) != 0 && (byte & kCfgR) == 0) continue;
    cfg_[entry] = byte;
  }
}

uint64_t Pmp::read_addr(unsigned index) const {
  return index < kEntries ? addr_[index] : 0;
}

void Pmp::write_addr(unsigned index, uint64_t value) {
  if (index >= kEntries) return;
  if ((cfg_[index] & kCfgL) != 0) return;
  // A locked TOR entry i+1 also locks pmpaddr i, its lower bound (section 3.7.1.3).
  if (index + 1 < kEntries && (cfg_[index + 1] & kCfgL) != 0 && match_of(cfg_[index + 1]) == kTor) {
    return;
  }
  addr_[index] = value & kAddrMask;
}

bool Pmp::any_active() const {
  for (uint8_t c : cfg_) {
    if (match_of(c) != kOff) return true;
  }
  return false;
}

bool Pmp::binds_machine_mode() const {
  for (uint8_t c : cfg_) {
    if (match_of(c) != kOff && (c & kCfgL) != 0) return true;
  }
  return false;
}

namespace {

// The bytes entry `i` covers; empty (lo == hi) when it is off or a TOR with lo >= hi.
Range entry_range(const std::array<uint8_t, Pmp::kEntries>& cfg,
                  const std::array<uint64_t, Pmp::kEntries>& addr, unsigned i) {
  switch (match_of(cfg[i])) {
    case kOff:
      return {};
    case kTor: {
      uint64_t lo = i == 0 ? 0 : addr[i - 1] << 2;
      uint64_t hi = addr[i] << 2;
      return lo < hi ? Range{lo, hi} : Range{};
    }
    case kNa4:
      return {addr[i] << 2, (addr[i] << 2) + 4};
    case kNapot: {
      // yyyy...y0 followed by t ones encodes a 2^(t+3)-byte region (table 3.10).
      auto t = static_cast<unsigned>(std::countr_one(addr[i]));
      uint64_t size = uint64_t{8} << t;  // t <= 54, so at most 2^57
      uint64_t base = (addr[i] << 2) & ~(size - 1);
      return {base, base + size};
    }
  }
  return {};
}

}  // namespace

bool Pmp::check(uint64_t paddr, uint64_t size, Access access, Priv priv) const {
  if (size == 0) size = 1;
  uint64_t last = paddr + (size - 1);
  if (last < paddr) return false;  // wraps: no entry can hold it, nothing is mapped there
  for (unsigned i = 0; i < kEntries; ++i) {
    Range r = entry_range(cfg_, addr_, i);
    if (r.lo == r.hi) continue;
    if (last < r.lo || paddr >= r.hi) continue;  // matches no byte
    // The lowest-numbered entry matching any byte decides, and must match all of them
    // (section 3.7.1.4).
    if (paddr < r.lo || last >= r.hi) return false;
    if (priv == Priv::M && (cfg_[i] & kCfgL) == 0) return true;
    uint8_t need = access == Access::Read ? kCfgR : (access == Access::Write ? kCfgW : kCfgX);
    return (cfg_[i] & need) != 0;
  }
  return priv == Priv::M || !any_active();
}

bool Pmp::page_uniform(uint64_t page, Access /*access*/, Priv /*priv*/) const {
  // Conservative: uniform when the first entry touching the page covers all of it (or
  // none touches it). A page only partly covered is reported non-uniform even when both
  // parts would get the same answer; such pages just take the slow path.
  page &= ~kPageMask;
  uint64_t last = page + kPageMask;
  for (unsigned i = 0; i < kEntries; ++i) {
    Range r = entry_range(cfg_, addr_, i);
    if (r.lo == r.hi) continue;
    if (last < r.lo || page >= r.hi) continue;
    return page >= r.lo && last < r.hi;
  }
  return true;
}

}  // namespace tiervm
