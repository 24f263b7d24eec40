#pragma once

#include <cstdint>

#include "mem/access.h"

namespace tiervm {

class Bus;
class Pmp;

// satp.MODE values (priv spec 1.12, section 4.1.11).
enum class SatpMode : uint8_t { Bare = 0, Sv39 = 8, Sv48 = 9 };

// What a translation depends on, taken from the hart at the time of the access.
struct MmuContext {
  uint64_t satp = 0;
  Priv priv = Priv::M;  // effective privilege for this access (MPRV already applied)
  bool sum = false;     // mstatus.SUM
  bool mxr = false;     // mstatus.MXR
};

struct Translation {
  MemFault fault = MemFault::None;
  uint64_t paddr = 0;
  // Permissions the leaf grants at ctx.priv, for caching: a TLB may serve later accesses
  // of these kinds to the same 4 KiB page without a walk. `write` is only set when the
  // leaf's D bit is already set, so the first store still walks and sets D.
  bool can_read = false;
  bool can_write = false;
  bool can_exec = false;
  // log2 of the leaf's page size (12, 21, 30, 39); 12 in Bare mode and M-mode.
  uint8_t page_bits = 12;
};

// Page-table walks for Bare, Sv39 and Sv48 (priv spec 1.12, section 4.3.2 and 4.4-4.5).
// A and D bits are set by the walker (as QEMU does), atomically with respect to the
// walk's own read. PTE reads are checked against PMP as S-mode accesses. Page faults and
// access faults are distinguished. M-mode and Bare mode translate 1:1.
Translation translate(Bus& bus, const Pmp& pmp, const MmuContext& ctx, uint64_t vaddr,
                      Access access);

// True when satp's MODE field is one this MMU implements (Linux probes by write/readback:
// a write of an unsupported mode leaves satp unchanged).
bool satp_mode_supported(uint64_t satp);

}  // namespace tiervm
