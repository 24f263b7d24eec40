#pragma once

#include <array>
#include <cstdint>

#include "mem/access.h"

namespace tiervm {

// Physical memory protection, 16 entries (priv spec 1.12, section 3.7): OFF/TOR/NA4/NAPOT,
// R/W/X and the lock bit. Granularity 4 bytes (G = 0).
class Pmp {
 public:
  static constexpr unsigned kEntries = 16;

  // pmpcfg0 / pmpcfg2 on RV64 (odd numbers are illegal there; the CSR file rejects them).
  uint64_t read_cfg(unsigned csr_index) const;
  void write_cfg(unsigned csr_index, uint64_t value);  // honours locks, WARL fields
  uint64_t read_addr(unsigned index) const;
  void write_addr(unsigned index, uint64_t value);  // honours locks incl. TOR lock of i+1

  // True when every byte of [paddr, paddr + size) may be accessed with `access` at `priv`.
  // M-mode passes unless a matching entry is locked; S/U fail when no entry matches and
  // any entry is active.
  bool check(uint64_t paddr, uint64_t size, Access access, Priv priv) const;
  // True when the whole 4 KiB page at `page` gets one answer from check(), so a soft-TLB
  // entry may cache it.
  bool page_uniform(uint64_t page, Access access, Priv priv) const;
  bool any_active() const;
  // True when some entry may refuse an M-mode access (a locked entry that matches
  // addresses); when false, check() passes every M-mode access.
  bool binds_machine_mode() const;

 private:
  std::array<uint8_t, kEntries> cfg_{};
  std::array<uint64_t, kEntries> addr_{};
};

}  // namespace tiervm
