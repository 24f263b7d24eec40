#include "mem/mmu.h"

#include <atomic>

#include "mem/bus.h"
#include "mem/pmp.h"

namespace tiervm {

namespace {

// PTE fields (priv spec 1.12, section 4.4.1, figure 4.21).
constexpr uint64_t kPteV = 1u << 0;
constexpr uint64_t kPteR = 1u << 1;
constexpr uint64_t kPteW = 1u << 2;
constexpr uint64_t kPteX = 1u << 3;
constexpr uint64_t kPteU = 1u << 4;
constexpr uint64_t kPteA = 1u << 6;
constexpr uint64_t kPteD = 1u << 7;
constexpr unsigned kPtePpnShift = 10;
constexpr uint64_t kPpnMask = (uint64_t{1} << 44) - 1;
// Bits 63:54 are reserved without Svnapot (N, bit 63) and Svpbmt (PBMT, bits 62:61), which
// we do not implement: a PTE with any of them set raises a page fault (section 4.3.2 step 3).
constexpr uint64_t kPteReserved = ~uint64_t{0} << 54;
constexpr unsigned kPhysAddrBits = 56;
constexpr unsigned kVpnBits = 9;
constexpr unsigned kPteSize = 8;

// satp fields on RV64 (section 4.1.11).
constexpr unsigned kSatpModeShift = 60;

Translation fault(MemFault f) {
  Translation t;
  t.fault = f;
  return t;
}

// True when PMP grants `access` at `priv` to every byte of the page, so a TLB may skip the
// per-access check.
bool pmp_page_allows(const Pmp& pmp, uint64_t page, Access access, Priv priv) {
  return pmp.page_uniform(page, access, priv) && pmp.check(page, kPageSize, access, priv);
}

// The last step of every translation: the PMP check of the physical address and the
// permissions a TLB may cache for the page.
Translation finish(const Pmp& pmp, uint64_t paddr, Access access, Priv priv, bool r, bool w,
                   bool x) {
  if (!pmp.check(paddr, 1, access, priv)) return fault(MemFault::AccessFault);
  uint64_t page = paddr & ~kPageMask;
  Translation t;
  t.paddr = paddr;
  t.can_read = r && pmp_page_allows(pmp, page, Access::Read, priv);
  t.can_write = w && pmp_page_allows(pmp, page, Access::Write, priv);
  t.can_exec = x && pmp_page_allows(pmp, page, Access::Exec, priv);
  return t;
}

enum class PteUpdate { Done, Changed, Failed };

// Sets A/D: compare-and-set against the value the walk read, so a PTE that another hart
// changed meanwhile is walked again rather than overwritten (section 4.3.2 step 7).
PteUpdate update_pte(Bus& bus, uint64_t pte_addr, uint64_t old_pte, uint64_t new_pte) {
  uint8_t* host = bus.host_ptr(pte_addr, kPteSize, true);
  if (host != nullptr && reinterpret_cast<uintptr_t>(host) % alignof(uint64_t) == 0) {
    bus.notify_code_write(pte_addr, kPteSize);
    std::atomic_ref<uint64_t> ref(*reinterpret_cast<uint64_t*>(host));
    uint64_t expected = old_pte;
    return ref.compare_exchange_strong(expected, new_pte) ? PteUpdate::Done : PteUpdate::Changed;
  }
  uint64_t current = 0;
  if (!bus.read(pte_addr, kPteSize, current)) return PteUpdate::Failed;
  if (current != old_pte) return PteUpdate::Changed;
  return bus.write(pte_addr, kPteSize, new_pte) ? PteUpdate::Done : PteUpdate::Failed;
}

struct WalkResult {
  Translation t;
  bool restart = false;
};

// One pass of the algorithm of section 4.3.2 for Sv39 (levels = 3) or Sv48 (levels = 4).
WalkResult walk(Bus& bus, const Pmp& pmp, const MmuContext& ctx, uint64_t vaddr, Access access,
                unsigned levels) {
  auto fail = [](MemFault f) { return WalkResult{fault(f), false}; };
  uint64_t table = (ctx.satp & kPpnMask) << kPageBits;
  for (int level = static_cast<int>(levels) - 1; level >= 0; --level) {
    unsigned vpn_shift = kPageBits + kVpnBits * static_cast<unsigned>(level);
    uint64_t vpn = (vaddr >> vpn_shift) & ((1u << kVpnBits) - 1);
    uint64_t pte_addr = table + vpn * kPteSize;
    // Implicit PTE accesses are S-mode accesses for PMP (section 3.7.1); failing them is an
    // access fault, not a page fault.
    if (!pmp.check(pte_addr, kPteSize, Access::Read, Priv::S)) {
      return fail(MemFault::AccessFault);
    }
    uint64_t pte = 0;
    if (!bus.read(pte_addr, kPteSize, pte)) return fail(MemFault::AccessFault);

    if ((pte & kPteV) == 0 || ((pte & kPteR) == 0 && (pte & kPteW) != 0) ||
        (pte & kPteReserved) != 0) {
      return fail(MemFault::Page);
    }
    uint64_t ppn = (pte >> kPtePpnShift) & kPpnMask;
    if ((pte & (kPteR | kPteX)) == 0) {
      // A pointer to the next level. D, A and U are reserved in non-leaf PTEs (section
      // 4.4.1), and the last level may not point further.
      if ((pte & (kPteD | kPteA | kPteU)) != 0 || level == 0) return fail(MemFault::Page);
      table = ppn << kPageBits;
      continue;
    }

    // A leaf: permissions at the effective privilege (sections 4.3.1, 4.3.2 step 5).
    bool user_page = (pte & kPteU) != 0;
    bool data_ok = ctx.priv == Priv::U ? user_page : (!user_page || ctx.sum);
    bool exec_ok = ctx.priv == Priv::U ? user_page : !user_page;  // SUM never allows exec
    bool can_read = data_ok && ((pte & kPteR) != 0 || (ctx.mxr && (pte & kPteX) != 0));
    bool can_write = data_ok && (pte & kPteW) != 0;
    bool can_exec = exec_ok && (pte & kPteX) != 0;
    bool allowed = access == Access::Read    ? can_read
                   : access == Access::Write ? can_write
                                             : can_exec;
    if (!allowed) return fail(MemFault::Page);

    // A superpage's PPN must be aligned to its size (step 6).
    unsigned low_ppn_bits = kVpnBits * static_cast<unsigned>(level);
    if ((ppn & ((uint64_t{1} << low_ppn_bits) - 1)) != 0) return fail(MemFault::Page);

    uint64_t want = pte | kPteA | (access == Access::Write ? kPteD : 0);
    if (want != pte) {
      if (!pmp.check(pte_addr, kPteSize, Access::Write, Priv::S)) {
        return fail(MemFault::AccessFault);
      }
      switch (update_pte(bus, pte_addr, pte, want)) {
        case PteUpdate::Done:
          pte = want;
          break;
        case PteUpdate::Changed:
          return WalkResult{{}, true};
        case PteUpdate::Failed:
          return fail(MemFault::AccessFault);
      }
    }

    uint64_t offset_mask = (uint64_t{1} << vpn_shift) - 1;
    uint64_t paddr = ((ppn << kPageBits) & ~offset_mask) | (vaddr & offset_mask);
    // Only a dirty page may be written without a walk: the first store must set D.
    can_write = can_write && (pte & kPteD) != 0;
    Translation t = finish(pmp, paddr, access, ctx.priv, can_read, can_write, can_exec);
    t.page_bits = static_cast<uint8_t>(vpn_shift);
    return WalkResult{t, false};
  }
  return fail(MemFault::Page);  // unreachable: level 0 never continues
}

}  // namespace

Translation translate(Bus& bus, const Pmp& pmp, const MmuContext& ctx, uint64_t vaddr,
                      Access access) {
  auto mode = static_cast<SatpMode>(ctx.satp >> kSatpModeShift);
  unsigned levels = 0;
  if (ctx.priv != Priv::M) {
    if (mode == SatpMode::Sv39) levels = 3;
    if (mode == SatpMode::Sv48) levels = 4;
  }
  // Bare (and satp modes the CSR file never stores, see satp_mode_supported): addresses are
  // physical, and there are only 56 bits of them.
  if (levels == 0) {
    if ((vaddr >> kPhysAddrBits) != 0) return fault(MemFault::AccessFault);
    return finish(pmp, vaddr, access, ctx.priv, true, true, true);
  }

  // Bits above the VA width must all equal its top bit (sections 4.4.1, 4.5.1).
  unsigned va_bits = kPageBits + kVpnBits * levels;
  unsigned unused = 64 - va_bits;
  if (static_cast<uint64_t>(static_cast<int64_t>(vaddr << unused) >> unused) != vaddr) {
    return fault(MemFault::Page);
  }
  for (;;) {
    WalkResult r = walk(bus, pmp, ctx, vaddr, access, levels);
    if (!r.restart) return r.t;
  }
}

bool satp_mode_supported(uint64_t satp) {
  auto mode = static_cast<SatpMode>(satp >> kSatpModeShift);
  return mode == SatpMode::Bare || mode == SatpMode::Sv39 || mode == SatpMode::Sv48;
}

}  // namespace tiervm
