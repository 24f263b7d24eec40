#include "engine/hart.h"

#include <cstring>

#include "engine/decoder.h"
#include "engine/gdb/debug_control.h"
#include "mem/guest_ram.h"

namespace tiervm {

namespace {

Cause fault_cause(MemFault f, Access a) {
  switch (f) {
    case MemFault::Page:
      return a == Access::Read ? Cause::LoadPage
                               : (a == Access::Write ? Cause::StorePage : Cause::InsnPage);
    case MemFault::Misaligned:
      return a == Access::Read
                 ? Cause::LoadMisaligned
                 : (a == Access::Write ? Cause::StoreMisaligned : Cause::InsnMisaligned);
    default:
      return a == Access::Read ? Cause::LoadAccess
                               : (a == Access::Write ? Cause::StoreAccess : Cause::InsnAccess);
  }
}

}  // namespace

Hart::Hart(Bus& b, uint64_t hartid) : bus(b) {
  s.mhartid = hartid;
  // The L1s grow by fill rate per instruction; a resize waits for the dispatcher
  // (Executor::run calls SoftTlb::apply_resize), which compiled code returns to at once.
  tlb.set_clock(&s.instret);
  tlb.set_resize_hook([this] { s.request_exit(); });
  reset(0);
}

void Hart::reset(uint64_t reset_pc) {
  const uint64_t hartid = s.mhartid;
  s.slot.fill(0);
  s.pc = reset_pc;
  s.priv = Priv::M;
  s.mstatus = (uint64_t{2} << 32) | (uint64_t{2} << 34);  // UXL = SXL = 64 bit
  // MXL = 2 (64-bit) and the extensions of the decoder table (priv spec 3.1.1).
  s.misa = (uint64_t{2} << 62) | misa_extensions();
  if (s.vlenb != 0) s.misa |= uint64_t{1} << ('V' - 'A');
  // Vector state: vill set and vl = 0 (RVV 1.0 section 3.11 recommends vill at reset).
  s.vstart = s.vxsat = s.vxrm = s.vl = 0;
  s.vtype = uint64_t{1} << 63;
  s.vreg.fill(0);
  s.medeleg = s.mideleg = s.mie = s.mip = 0;
  s.mtvec = s.mscratch = s.mepc = s.mcause = s.mtval = 0;
  s.mcounteren = s.mcountinhibit = s.menvcfg = 0;
  s.stvec = s.sscratch = s.sepc = s.scause = s.stval = s.satp = 0;
  s.scounteren = s.senvcfg = 0;
  s.fflags = s.frm = 0;
  s.instret = s.cycle_offset = s.instret_offset = 0;
  s.reservation_valid = false;
  s.trap_pending = false;
  s.waiting = false;
  s.mhartid = hartid;
  pmp = Pmp{};
  tlb.flush_all();
  update_modes();
}

void Hart::set_vlen(unsigned vlen) {
  s.vlenb = vlen / 8;
  reset(s.pc);
}

void Hart::update_modes() {
  fetch_ctx_ = {s.satp, s.priv, (s.mstatus & mstatus::SUM) != 0, (s.mstatus & mstatus::MXR) != 0};
  data_ctx_ = fetch_ctx_;
  if (s.priv == Priv::M && (s.mstatus & mstatus::MPRV)) {
    data_ctx_.priv = static_cast<Priv>((s.mstatus & mstatus::MPP) >> mstatus::MPP_SHIFT);
  }
  fetch_mode_ = tlb_mode_of(fetch_ctx_.priv);
  // Instruction fetch ignores SUM (S-mode never executes user pages, priv spec 4.3.1).
  data_mode_ = tlb_mode_of(data_ctx_.priv, data_ctx_.sum);
  s.data_tlb = tlb.l1_array(data_mode_);
  s.data_tlb_offsets = tlb.l1_offset_mask(data_mode_);
  s.fetch_tlb = tlb.l1_array(fetch_mode_);
  s.fetch_tlb_offsets = tlb.l1_offset_mask(fetch_mode_);
  // Bare data accesses: satp's mode only matters below M (priv spec 4.1.11; MPRV applied
  // above); PMP binds M-mode through locked entries only (3.7.1).
  const bool bare =
      data_ctx_.priv == Priv::M || static_cast<SatpMode>(s.satp >> 60) == SatpMode::Bare;
  const bool pmp_free = data_ctx_.priv == Priv::M ? !pmp.binds_machine_mode() : !pmp.any_active();
  constexpr uint64_t kWidest = 8;
  const bool direct = bare && pmp_free && bus.ram_size() >= kWidest;
  s.bare_base = bus.ram_base();
  s.bare_limit = direct ? bus.ram_size() - (kWidest - 1) : 0;
  s.bare_addend =
      static_cast<int64_t>(reinterpret_cast<uintptr_t>(bus.ram_data()) - bus.ram_base());
  s.code_marks = bus.code_page_marks();
}

void Hart::notify_irq() {
  // Chained compiled code returns to the dispatcher, which then re-reads mip.
  s.request_exit();
}

bool Hart::fill_tlb(TlbMode mode, const MmuContext& ctx, uint64_t vaddr, Access access,
                    uint64_t& paddr) {
  const uint64_t vpage = vaddr & ~kPageMask;
  ++tlb.l1_misses;
  if (const TlbL2Entry* e = tlb.lookup_l2(bus, mode, vpage)) {
    const bool ok = access == Access::Read    ? e->can_read
                    : access == Access::Write ? e->can_write
                                              : e->can_exec;
    if (ok) {
      paddr = e->ppage | (vaddr & kPageMask);
      return true;
    }
  }
  const Translation t = translate(bus, pmp, ctx, vaddr, access);
  if (t.fault != MemFault::None) {
    s.raise(make_trap(fault_cause(t.fault, access), vaddr));
    return false;
  }
  paddr = t.paddr;
  const uint64_t ppage = t.paddr & ~kPageMask;
  // PMP may differ inside a page: such pages are never cached and always walk.
  bool r = t.can_read, w = t.can_write, x = t.can_exec;
  if (pmp.any_active()) {
    r = r && pmp.page_uniform(ppage, Access::Read, ctx.priv) &&
        pmp.check(ppage, kPageSize, Access::Read, ctx.priv);
    w = w && pmp.page_uniform(ppage, Access::Write, ctx.priv) &&
        pmp.check(ppage, kPageSize, Access::Write, ctx.priv);
    x = x && pmp.page_uniform(ppage, Access::Exec, ctx.priv) &&
        pmp.check(ppage, kPageSize, Access::Exec, ctx.priv);
  }
  if (r || w || x) tlb.insert(bus, mode, vpage, ppage, r, w, x, t.page_bits);
  return true;
}

bool Hart::access_slow(uint64_t vaddr, unsigned size, Access access, uint64_t& value) {
  const uint64_t offset = vaddr & kPageMask;
  if (offset + size > kPageSize) {
    // Misaligned across a page boundary: byte by byte, translating both pages first so
    // that a page fault on either leaves memory untouched. An access fault found byte by
    // byte (the second page translates but is not RAM, e.g. past its end) comes after the
    // bytes before it were written; the ISA allows that for a misaligned access (it may
    // be split into parts, unprivileged spec 2.6), and QEMU behaves the same.
    uint64_t pa_lo = 0, pa_hi = 0;
    const uint64_t hi_vaddr = (vaddr & ~kPageMask) + kPageSize;
    if (!fill_tlb(data_mode_, data_ctx_, vaddr, access, pa_lo)) return false;
    if (!fill_tlb(data_mode_, data_ctx_, hi_vaddr, access, pa_hi)) {
      s.pending_trap.tval = hi_vaddr;
      return false;
    }
    uint64_t result = 0;
    for (unsigned i = 0; i < size; ++i) {
      const uint64_t va = vaddr + i;
      const uint64_t pa = va < hi_vaddr ? pa_lo + i : pa_hi + (va - hi_vaddr);
      if (access == Access::Read) {
        uint64_t byte = 0;
        if (!bus.read(pa, 1, byte)) {
          s.raise(make_trap(Cause::LoadAccess, vaddr));
          return false;
        }
        result |= (byte & 0xff) << (8 * i);
      } else if (!bus.write(pa, 1, (value >> (8 * i)) & 0xff)) {
        s.raise(make_trap(Cause::StoreAccess, vaddr));
        return false;
      }
    }
    if (access == Access::Read) value = result;
    return true;
  }
  uint64_t paddr = 0;
  if (!fill_tlb(data_mode_, data_ctx_, vaddr, access, paddr)) return false;
  if (!pmp.check(paddr, size, access, data_ctx_.priv)) {
    s.raise(make_trap(fault_cause(MemFault::AccessFault, access), vaddr));
    return false;
  }
  if ((paddr & (size - 1)) != 0 && !bus.in_ram(paddr, size)) {
    // Misaligned device access: devices take natural alignment only.
    s.raise(make_trap(fault_cause(MemFault::AccessFault, access), vaddr));
    return false;
  }
  const bool ok =
      access == Access::Read ? bus.read(paddr, size, value) : bus.write(paddr, size, value);
  if (!ok) {
    s.raise(make_trap(fault_cause(MemFault::AccessFault, access), vaddr));
    return false;
  }
  if (access == Access::Write && s.reservation_valid &&
      (s.reservation & ~uint64_t{7}) == (paddr & ~uint64_t{7})) {
    s.reservation_valid = false;
  }
  return true;
}

bool Hart::load(uint64_t vaddr, unsigned size, uint64_t& value) {
  if (debug != nullptr) [[unlikely]] {
    if (debug->watching()) debug->check_access(vaddr, size, true, false);
  }
  const TlbEntry& e = tlb.l1(data_mode_, vaddr);
  if (e.tag_read == (vaddr & ~kPageMask) && (vaddr & kPageMask) + size <= kPageSize) {
    value = ram_read(reinterpret_cast<const void*>(vaddr + e.host_addend), size);
    return true;
  }
  return access_slow(vaddr, size, Access::Read, value);
}

bool Hart::store(uint64_t vaddr, unsigned size, uint64_t value) {
  if (debug != nullptr) [[unlikely]] {
    if (debug->watching()) debug->check_access(vaddr, size, false, true);
  }
  const TlbEntry& e = tlb.l1(data_mode_, vaddr);
  if (e.tag_write == (vaddr & ~kPageMask) && (vaddr & kPageMask) + size <= kPageSize) {
    ram_write(reinterpret_cast<void*>(vaddr + e.host_addend), size, value);
    return true;
  }
  return access_slow(vaddr, size, Access::Write, value);
}

bool Hart::translate_atomic(uint64_t vaddr, unsigned size, bool is_load_reserved, uint64_t& paddr) {
  if (debug != nullptr) [[unlikely]] {
    // LR reads; SC writes; an AMO does both (the watch is checked before the access is
    // known to succeed, as for the loads and stores above).
    if (debug->watching()) debug->check_access(vaddr, size, true, !is_load_reserved);
  }
  // Atomics need natural alignment (QEMU raises an address-misaligned exception: a load
  // misaligned for LR, store/AMO misaligned for SC and AMOs).
  if ((vaddr & (size - 1)) != 0) {
    s.raise(make_trap(is_load_reserved ? Cause::LoadMisaligned : Cause::StoreMisaligned, vaddr));
    return false;
  }
  // L1 hit: Linux runs an atomic every ~60 instructions (locks, reference counts), and each
  // went through the L2 and counted as an L1 miss. Tags are only given to pages that PMP
  // treats uniformly and allows (fill_tlb), to RAM or ROM (reads) and to RAM (writes), so a
  // hit needs none of the checks below. An AMO or SC also reads: both tags must match.
  const uint64_t vpage = vaddr & ~kPageMask;
  const TlbEntry& e = tlb.l1(data_mode_, vaddr);
  if (e.tag_read == vpage && (is_load_reserved || e.tag_write == vpage)) {
    paddr = tlb.l1_ppage(data_mode_, vaddr) | (vaddr & kPageMask);
    return true;
  }
  const Access access = is_load_reserved ? Access::Read : Access::Write;
  if (!fill_tlb(data_mode_, data_ctx_, vaddr, access, paddr)) return false;
  // An AMO also reads: the page must be readable (a write-only page does not exist in
  // RISC-V page tables, but PMP can make one).
  if (!pmp.check(paddr, size, access, data_ctx_.priv) ||
      (!is_load_reserved && !pmp.check(paddr, size, Access::Read, data_ctx_.priv))) {
    s.raise(make_trap(is_load_reserved ? Cause::LoadAccess : Cause::StoreAccess, vaddr));
    return false;
  }
  if (!bus.in_ram(paddr, size)) {
    // AMOs on MMIO are not supported by our devices: access fault, as QEMU does for
    // regions that don't support atomics.
    uint64_t probe = 0;
    if (!is_load_reserved || !bus.read(paddr, size, probe)) {
      s.raise(make_trap(is_load_reserved ? Cause::LoadAccess : Cause::StoreAccess, vaddr));
      return false;
    }
  }
  return true;
}

// RAM directly; the bus for the rest, for accesses that cross a page, and for writes to
// pages holding code (its code-write hook).
bool Hart::phys_read(uint64_t paddr, unsigned size, uint64_t& value) {
  if (bus.in_ram(paddr, size)) {
    uint64_t v = 0;
    std::memcpy(&v, bus.ram_data() + (paddr - bus.ram_base()), size);
    value = v;
    return true;
  }
  return bus.read(paddr, size, value);
}

bool Hart::phys_write(uint64_t paddr, unsigned size, uint64_t value) {
  if (bus.in_ram(paddr, size) && (paddr & kPageMask) + size <= kPageSize &&
      !bus.is_code_page(paddr)) {
    std::memcpy(bus.ram_data() + (paddr - bus.ram_base()), &value, size);
    return true;
  }
  return bus.write(paddr, size, value);
}

bool Hart::translate_fetch(uint64_t vaddr, uint64_t& paddr) {
  const TlbEntry& e = tlb.l1(fetch_mode_, vaddr);
  if (e.tag_exec == (vaddr & ~kPageMask)) {
    paddr = tlb.l1_ppage(fetch_mode_, vaddr) | (vaddr & kPageMask);
    return true;
  }
  if (!fill_tlb(fetch_mode_, fetch_ctx_, vaddr, Access::Exec, paddr)) return false;
  if (!pmp.check(paddr, 2, Access::Exec, fetch_ctx_.priv)) {
    s.raise(make_trap(Cause::InsnAccess, vaddr));
    return false;
  }
  return true;
}

}  // namespace tiervm
