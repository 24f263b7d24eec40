// The MMU against a reference walker. The input writes page-table entries into a small
// RAM, writes satp (Bare, Sv39, Sv48, any ASID, or an unsupported mode), switches privilege,
// SUM, MXR and MPRV, issues sfence.vma (global or for one address), and translates: through
// mem/mmu.cpp's translate() directly, and through the hart's memory path (Hart::load,
// store, translate_fetch and translate_atomic, with their L1/L2 soft TLB). Every result is
// compared with a walker written here from the privileged spec (1.12, sections 4.3.1-4.3.2,
// 4.4, 4.5): fault or not, page fault or access fault, the trap's cause and tval, the
// physical address, the value loaded, the A/D bits set and every byte of RAM.
//
// A TLB may serve a translation that was valid at some point since the last sfence.vma
// that covers it (section 4.2.1), so a page whose page-table entries were written since it
// was last translated is not checked until an sfence.vma covers it. tiervm's own contract
// is stronger than the spec's in two places, and the reference holds it to them: a satp
// write flushes every cached translation (the soft TLB has no ASIDs; csr.cpp), and
// sfence.vma with an address drops everything cached for that page, non-leaf steps
// included (it caches no partial walks).
//
// A/D bits: tiervm updates them in hardware (section 4.3.1's second scheme, as QEMU), so
// the reference sets A on every successful translation and D on every store.
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/hart.h"
#include "mem/bus.h"
#include "mem/mmu.h"
#include "tests/fuzz/fuzz_util.h"

namespace tiervm::fuzz {
namespace {

constexpr uint64_t kRamBase = 0x8000'0000;
constexpr uint64_t kRamPages = 16;
constexpr uint64_t kRamSize = kRamPages * kPageSize;
constexpr uint64_t kRamPpn = kRamBase >> kPageBits;
constexpr unsigned kPoolSize = 8;

// CSR numbers (priv spec 1.12, table 2.5).
constexpr uint16_t kCsrMstatus = 0x300;
constexpr uint16_t kCsrSatp = 0x180;

// PTE bits (section 4.4.1, figure 4.21).
constexpr uint64_t kV = 1 << 0, kR = 1 << 1, kW = 1 << 2, kX = 1 << 3, kU = 1 << 4, kA = 1 << 6,
                   kD = 1 << 7;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#" PRIx64, v);
  return buf;
}

const char* access_name(Access a) {
  return a == Access::Read ? "read" : a == Access::Write ? "write" : "exec";
}

// ---- The reference: RAM, satp, and a page walk written from the spec.

struct RefWalk {
  MemFault fault = MemFault::None;
  uint64_t paddr = 0;
  unsigned page_bits = 12;
  bool can_read = false, can_write = false, can_exec = false;
  // Physical addresses of the PTEs read, root first.
  uint64_t path[4] = {};
  unsigned path_len = 0;
  // Step 7's update of the leaf (A, and D for a store); ad_addr 0 when none is needed.
  uint64_t ad_addr = 0;
  uint64_t ad_value = 0;
};

struct RefCtx {
  uint64_t satp = 0;
  Priv priv = Priv::M;
  bool sum = false, mxr = false;
};

class RefMachine {
 public:
  std::vector<uint8_t> ram = std::vector<uint8_t>(kRamSize);

  static bool in_ram(uint64_t pa, uint64_t len) {
    return pa >= kRamBase && len <= kRamSize && pa - kRamBase <= kRamSize - len;
  }
  uint64_t read64(uint64_t pa) const {
    uint64_t v = 0;
    std::memcpy(&v, ram.data() + (pa - kRamBase), 8);
    return v;
  }
  void write64(uint64_t pa, uint64_t v) { std::memcpy(ram.data() + (pa - kRamBase), &v, 8); }

  // Section 4.3.2 for Sv39/Sv48 (4.4, 4.5). Changes nothing: apply() performs the A/D
  // update it asks for.
  RefWalk walk(const RefCtx& c, uint64_t va, Access access) const {
    RefWalk w;
    const uint64_t mode = c.satp >> 60;
    // M-mode and Bare: physical addresses, 56 bits of them (section 4.1.11's PPN width).
    if (c.priv == Priv::M || mode == 0) {
      if (va >> 56) {
        w.fault = MemFault::AccessFault;
        return w;
      }
      w.paddr = va;
      w.can_read = w.can_write = w.can_exec = true;
      return w;
    }
    const int levels = mode == 8 ? 3 : 4;
    const unsigned va_bits = 12 + 9 * static_cast<unsigned>(levels);
    // Bits 63..va_bits must equal bit va_bits - 1 (4.4.1, 4.5.1).
    const uint64_t upper = va >> (va_bits - 1);
    if (upper != 0 && upper != (~uint64_t{0} >> (va_bits - 1))) {
      w.fault = MemFault::Page;
      return w;
    }
    // Step 1.
    uint64_t a = (c.satp & ((uint64_t{1} << 44) - 1)) * kPageSize;
    int i = levels - 1;
    uint64_t pte = 0, pte_addr = 0;
    for (;;) {
      // Step 2: PTE address; a PTE outside RAM is an access fault of the original type.
      pte_addr = a + ((va >> (12 + 9 * i)) & 511) * 8;
      w.path[w.path_len++] = pte_addr;
      if (!in_ram(pte_addr, 8)) {
        w.fault = MemFault::AccessFault;
        return w;
      }
      pte = read64(pte_addr);
      // Step 3: invalid, W without R, or reserved bits (63:54: no Svnapot, no Svpbmt).
      const bool r = pte & kR, wr = pte & kW;
      if (!(pte & kV) || (!r && wr) || (pte >> 54) != 0) {
        w.fault = MemFault::Page;
        return w;
      }
      // Step 4: a leaf when R or X is set.
      if (r || (pte & kX)) break;
      // A non-leaf: D, A and U are reserved there (4.4.1) and so fault as step 3 says.
      if (pte & (kD | kA | kU)) {
        w.fault = MemFault::Page;
        return w;
      }
      if (--i < 0) {
        w.fault = MemFault::Page;
        return w;
      }
      a = ((pte >> 10) & ((uint64_t{1} << 44) - 1)) * kPageSize;
    }
    // Step 5: permissions (4.3.1: U pages from S need SUM, and S never executes them).
    const bool user = pte & kU;
    bool data_ok = true, exec_ok = true;
    if (c.priv == Priv::U) {
      data_ok = exec_ok = user;
    } else if (user) {
      data_ok = c.sum;
      exec_ok = false;
    }
    w.can_read = data_ok && ((pte & kR) || (c.mxr && (pte & kX)));
    w.can_write = data_ok && (pte & kW);
    w.can_exec = exec_ok && (pte & kX);
    const bool allowed = access == Access::Read    ? w.can_read
                         : access == Access::Write ? w.can_write
                                                   : w.can_exec;
    if (!allowed) {
      w.fault = MemFault::Page;
      return w;
    }
    // Step 6: a superpage's low PPN fields must be zero.
    const uint64_t ppn = (pte >> 10) & ((uint64_t{1} << 44) - 1);
    if (i > 0 && (ppn & ((uint64_t{1} << (9 * i)) - 1)) != 0) {
      w.fault = MemFault::Page;
      return w;
    }
    // Step 7: A, and D for a store.
    const uint64_t want = pte | kA | (access == Access::Write ? kD : 0);
    if (want != pte) {
      w.ad_addr = pte_addr;
      w.ad_value = want;
    }
    // Step 8: the low PPN fields of a superpage come from the virtual address.
    w.page_bits = 12 + 9 * static_cast<unsigned>(i);
    const uint64_t offset_mask = (uint64_t{1} << w.page_bits) - 1;
    w.paddr = ((ppn * kPageSize) & ~offset_mask) | (va & offset_mask);
    // A TLB may let later stores skip the walk only once D is set (after this update).
    w.can_write = w.can_write && (want & kD);
    return w;
  }
  // The walk with its A/D update done (hardware-managed A/D, section 4.3.1).
  RefWalk walk_and_update(const RefCtx& c, uint64_t va, Access access) {
    const RefWalk w = walk(c, va, access);
    if (w.ad_addr != 0) write64(w.ad_addr, w.ad_value);
    return w;
  }
};

Cause cause_of(MemFault f, Access a) {
  if (f == MemFault::Page) {
    return a == Access::Read    ? Cause::LoadPage
           : a == Access::Write ? Cause::StorePage
                                : Cause::InsnPage;
  }
  return a == Access::Read    ? Cause::LoadAccess
         : a == Access::Write ? Cause::StoreAccess
                              : Cause::InsnAccess;
}

// ---- The machine under test: one bus and hart for the whole run, reset per input.

struct Rig {
  Bus bus;
  Hart hart;
  Rig() : hart(map(bus), 0) {}
  static Bus& map(Bus& b) {
    b.map_ram(kRamBase, kRamSize);
    return b;
  }
};

Rig& rig() {
  static Rig* r = new Rig();  // never destroyed: libFuzzer exits without unwinding
  return *r;
}

// Everything an input runs against.
class Session {
 public:
  Session(const uint8_t* data, size_t size) : in_(data, size), hart_(rig().hart), bus_(rig().bus) {
    std::memset(bus_.ram_data(), 0, kRamSize);
    hart_.reset(kRamBase);
    pool_[0] = 0;
    pool_[1] = 0x1000;
    pool_[2] = 0x20'0000;
    pool_[3] = 0x4000'0000;
    pool_[4] = kRamBase;
    pool_[5] = 0x3f'ffff'f000;      // top of the low half of Sv39
    pool_[6] = ~uint64_t{0} << 38;  // bottom of the high half of Sv39
    pool_[7] = 0x7fff'ffff'f000;    // top of the low half of Sv48
  }

  void run() {
    while (!in_.empty()) {
      ++op_;
      switch (in_.u8() % 11) {
        case 0:
        case 1:
          write_pte();
          break;
        case 2:
          write_satp();
          break;
        case 3:
          sfence();
          break;
        case 4:
          set_context();
          break;
        case 5:
          set_pool();
          break;
        case 6:
          check_translate();
          break;
        case 7:
          hart_access(Access::Read);
          break;
        case 8:
          hart_access(Access::Write);
          break;
        case 9:
          hart_access(Access::Exec);
          break;
        case 10:
          hart_atomic();
          break;
      }
    }
    // Every byte of RAM: the per-operation checks look at the PTEs walked and the bytes
    // stored; this catches a write anywhere else.
    if (std::memcmp(bus_.ram_data(), ref_.ram.data(), kRamSize) != 0) {
      for (uint64_t off = 0; off < kRamSize; off += 8) {
        FUZZ_CHECK(std::memcmp(bus_.ram_data() + off, ref_.ram.data() + off, 8) == 0,
                   "RAM at %s: tiervm %s, reference %s (after %u operations)",
                   hex(kRamBase + off).c_str(), hex(real64(kRamBase + off)).c_str(),
                   hex(ref_.read64(kRamBase + off)).c_str(), op_);
      }
    }
  }

 private:
  // Table and slot indices: mostly the first or last few of a table, sometimes any.
  unsigned index9() {
    const uint8_t b = in_.u8();
    if (b & 0x80) return in_.u16() % 512;
    return (b & 0x40) ? 511 - (b & 7) : (b & 7);
  }

  uint64_t real64(uint64_t pa) const {
    uint64_t v = 0;
    std::memcpy(&v, bus_.ram_data() + (pa - kRamBase), 8);
    return v;
  }

  // Writes one PTE (8 bytes) anywhere in RAM, as software would: a store, not seen by the
  // MMU until an sfence.vma.
  void write_pte() {
    const uint64_t table = kRamBase + (in_.u8() % kRamPages) * kPageSize;
    const uint64_t at = table + index9() * 8;
    const uint8_t flags = in_.u8();
    const uint8_t kind = in_.u8();
    uint64_t ppn = 0;
    uint64_t pte = 0;
    switch (kind % 4) {
      case 0:  // a RAM page (a table, or a 4 KiB leaf)
        ppn = kRamPpn + (kind >> 2) % kRamPages;
        break;
      case 1:  // RAM's base: aligned for 2 MiB and 1 GiB leaves
        ppn = kRamPpn;
        break;
      case 2:  // any 32-bit PPN (outside RAM, misaligned superpages)
        ppn = in_.u32();
        break;
      case 3:  // anything, reserved bits included
        pte = in_.u64();
        break;
    }
    if (kind % 4 != 3) pte = ppn << 10 | flags;
    store_ram(at, 8, pte);
    std::memcpy(bus_.ram_data() + (at - kRamBase), &pte, 8);
  }

  // A store by software (write_pte) or by the hart (hart_access): pages whose cached walk
  // read these bytes may now be stale until an sfence.vma covers them.
  void store_ram(uint64_t pa, unsigned size, uint64_t value) {
    for (const uint64_t vpage : touched_) {
      if (is_unsettled(vpage)) continue;
      const RefWalk w = ref_.walk(walk_ctx(), vpage, Access::Read);
      for (unsigned i = 0; i < w.path_len; ++i) {
        if (pa < w.path[i] + 8 && w.path[i] < pa + size) {
          unsettled_.push_back(vpage);
          break;
        }
      }
    }
    for (unsigned i = 0; i < size; ++i)
      ref_.ram[pa - kRamBase + i] = static_cast<uint8_t>(value >> (8 * i));
  }

  // The context the walk path depends on: satp only (S-mode, so that it walks).
  RefCtx walk_ctx() const { return RefCtx{ref_satp_, Priv::S, false, false}; }

  void write_satp() {
    const uint8_t b = in_.u8();
    uint64_t v = 0;
    const uint64_t root = kRamPpn + in_.u8() % kRamPages;
    const uint64_t asid = in_.u16();
    switch (b % 4) {
      case 0:
        v = 0;  // Bare: the other fields must be written as zero (4.1.11)
        break;
      case 1:
        v = uint64_t{8} << 60 | asid << 44 | root;
        break;
      case 2:
        v = uint64_t{9} << 60 | asid << 44 | root;
        break;
      case 3:
        v = in_.u64();
        break;
    }
    as_machine([&] { FUZZ_CHECK(hart_.csr_write(kCsrSatp, v), "satp write refused in M-mode"); });
    // An unsupported MODE makes the whole write have no effect (4.1.11). Bare with other
    // fields nonzero is UNSPECIFIED; tiervm ignores them, as the reference does.
    const uint64_t mode = v >> 60;
    if (mode == 0 || mode == 8 || mode == 9) {
      ref_satp_ = v;
      flush_all();
    }
    FUZZ_CHECK(hart_.s.satp == ref_satp_, "satp %s after writing %s, expected %s",
               hex(hart_.s.satp).c_str(), hex(v).c_str(), hex(ref_satp_).c_str());
  }

  void sfence() {
    const uint8_t b = in_.u8();
    if (b & 1) {
      hart_.tlb.flush_all();  // sfence.vma x0, x0 (what the instruction's helper calls)
      flush_all();
      return;
    }
    const uint64_t va = pool_[(b >> 1) % kPoolSize] + in_.u16() % kPageSize;
    hart_.tlb.flush_page(va);  // sfence.vma rs1, x0
    std::erase(unsettled_, va & ~kPageMask);
    std::erase(touched_, va & ~kPageMask);
  }

  void flush_all() {
    unsettled_.clear();
    touched_.clear();
  }

  // Privilege, SUM, MXR, MPRV and MPP, set through mstatus as software would (its side
  // effects on the TLB included), then the privilege as a trap or xRET would.
  void set_context() {
    const uint8_t b = in_.u8();
    static constexpr Priv kPrivs[] = {Priv::U, Priv::S, Priv::M, Priv::M};
    static constexpr uint64_t kMpp[] = {0, 1, 3, 0};
    uint64_t ms = hart_.s.mstatus & ~(mstatus::SUM | mstatus::MXR | mstatus::MPRV | mstatus::MPP);
    if (b & 4) ms |= mstatus::SUM;
    if (b & 8) ms |= mstatus::MXR;
    if (b & 16) ms |= mstatus::MPRV;
    ms |= kMpp[(b >> 5) & 3] << mstatus::MPP_SHIFT;
    as_machine([&] { FUZZ_CHECK(hart_.csr_write(kCsrMstatus, ms), "mstatus write refused"); });
    hart_.s.priv = kPrivs[b & 3];
    hart_.update_modes();
  }

  void set_pool() {
    const unsigned slot = in_.u8() % kPoolSize;
    const uint8_t kind = in_.u8();
    uint64_t va = 0;
    switch (kind % 4) {
      case 0:
        va = in_.u64();
        break;
      case 1:    // Sv39: three VPN fields, sign-extended from bit 38
      case 2: {  // Sv48: four, from bit 47
        const unsigned levels = kind % 4 == 1 ? 3 : 4;
        for (unsigned l = levels; l-- > 0;) va |= uint64_t{index9()} << (12 + 9 * l);
        const unsigned bits = 12 + 9 * levels;
        if ((va >> (bits - 1)) & 1) va |= ~uint64_t{0} << bits;
        break;
      }
      case 3:  // a RAM page, as the identity map would have it
        va = kRamBase + (kind >> 2) % kRamPages * kPageSize;
        break;
    }
    pool_[slot] = va & ~kPageMask;
  }

  template <typename F>
  void as_machine(F f) {
    const Priv p = hart_.s.priv;
    hart_.s.priv = Priv::M;
    hart_.update_modes();
    f();
    hart_.s.priv = p;
    hart_.update_modes();
  }

  uint64_t pick_va() { return pool_[in_.u8() % kPoolSize] + in_.u16() % kPageSize; }

  // The effective context of a data access (MPRV applies MPP) or of a fetch.
  RefCtx data_ctx() const {
    const HartState& s = hart_.s;
    RefCtx c{ref_satp_, s.priv, (s.mstatus & mstatus::SUM) != 0, (s.mstatus & mstatus::MXR) != 0};
    if (s.priv == Priv::M && (s.mstatus & mstatus::MPRV)) {
      c.priv = static_cast<Priv>((s.mstatus & mstatus::MPP) >> mstatus::MPP_SHIFT);
    }
    return c;
  }
  RefCtx fetch_ctx() const {
    const HartState& s = hart_.s;
    return RefCtx{ref_satp_, s.priv, (s.mstatus & mstatus::SUM) != 0,
                  (s.mstatus & mstatus::MXR) != 0};
  }

  // The operation being checked, for failure reports (built only when a check fails).
  struct Current {
    RefCtx ctx;
    uint64_t va = 0;
    Access access = Access::Read;
  };
  std::string where() const {
    const RefCtx& c = current_.ctx;
    const uint64_t va = current_.va;
    const Access a = current_.access;
    std::string out = "op " + std::to_string(op_) + ": " + access_name(a) + " of " + hex(va) +
                      " with satp " + hex(c.satp) + ", priv " +
                      std::to_string(static_cast<unsigned>(c.priv)) + (c.sum ? ", SUM" : "") +
                      (c.mxr ? ", MXR" : "") + "\n  reference walk:";
    const RefWalk w = ref_.walk(c, va, a);
    for (unsigned i = 0; i < w.path_len; ++i) {
      out += " [" + hex(w.path[i]) +
             "]=" + (RefMachine::in_ram(w.path[i], 8) ? hex(ref_.read64(w.path[i])) : "(not RAM)");
    }
    return out;
  }

  // mem/mmu.cpp's translate(): no cache, so always the fresh walk.
  void check_translate() {
    const uint8_t b = in_.u8();
    static constexpr Priv kPrivs[] = {Priv::U, Priv::S, Priv::M, Priv::S};
    const Access a = static_cast<Access>((b >> 2) % 3);
    RefCtx c{ref_satp_, kPrivs[b & 3], (b & 0x20) != 0, (b & 0x40) != 0};
    const uint64_t va = pick_va();
    current_ = {c, va, a};
    const MmuContext ctx{c.satp, c.priv, c.sum, c.mxr};
    const Translation t = translate(bus_, hart_.pmp, ctx, va, a);
    const RefWalk w = ref_.walk_and_update(c, va, a);
    FUZZ_CHECK(t.fault == w.fault, "%s\n  translate() fault %u, reference %u", where().c_str(),
               static_cast<unsigned>(t.fault), static_cast<unsigned>(w.fault));
    if (w.fault == MemFault::None) {
      FUZZ_CHECK(t.paddr == w.paddr, "%s\n  translate() paddr %s, reference %s", where().c_str(),
                 hex(t.paddr).c_str(), hex(w.paddr).c_str());
      FUZZ_CHECK(t.page_bits == w.page_bits, "%s\n  page_bits %u, reference %u", where().c_str(),
                 t.page_bits, w.page_bits);
      // What a TLB may cache (no PMP here, so exactly the leaf's permissions).
      FUZZ_CHECK(t.can_read == w.can_read && t.can_write == w.can_write && t.can_exec == w.can_exec,
                 "%s\n  translate() grants r%d w%d x%d, reference r%d w%d x%d", where().c_str(),
                 t.can_read, t.can_write, t.can_exec, w.can_read, w.can_write, w.can_exec);
    }
    check_path(w);
  }

  // The PTEs a walk read (and may have updated) agree in both RAMs.
  void check_path(const RefWalk& w) const {
    for (unsigned i = 0; i < w.path_len; ++i) {
      if (!RefMachine::in_ram(w.path[i], 8)) continue;
      FUZZ_CHECK(real64(w.path[i]) == ref_.read64(w.path[i]), "%s\n  PTE at %s is %s, reference %s",
                 where().c_str(), hex(w.path[i]).c_str(), hex(real64(w.path[i])).c_str(),
                 hex(ref_.read64(w.path[i])).c_str());
    }
  }

  bool is_unsettled(uint64_t vpage) const {
    for (uint64_t v : unsettled_) {
      if (v == vpage) return true;
    }
    return false;
  }
  void touch(uint64_t vpage) {
    for (uint64_t v : touched_) {
      if (v == vpage) return;
    }
    touched_.push_back(vpage);
  }

  // Hart::translate_atomic, the translation of LR (a read) and SC/AMOs (a write: D is
  // set), as hart.h documents it: natural alignment or a misaligned trap (load for LR,
  // store/AMO otherwise), the walk, then RAM only (no device here takes atomics).
  void hart_atomic() {
    const uint8_t b = in_.u8();
    const bool lr = b & 1;
    const unsigned size = (b & 2) ? 8 : 4;
    const uint64_t va = pick_va();
    const Access a = lr ? Access::Read : Access::Write;
    const RefCtx c = data_ctx();
    const uint64_t page = va & ~kPageMask;
    const bool stale_ok = is_unsettled(page);
    touch(page);
    current_ = {c, va, a};
    HartState& s = hart_.s;
    s.trap_pending = false;
    uint64_t paddr = 0;
    const bool ok = hart_.translate_atomic(va, size, lr, paddr);
    FUZZ_CHECK(ok != s.trap_pending, "%s\n  atomic returned %d with trap_pending %d",
               where().c_str(), ok, s.trap_pending);
    if (stale_ok) {
      std::memcpy(ref_.ram.data(), bus_.ram_data(), kRamSize);
      s.trap_pending = false;
      return;
    }
    bool want_ok = true;
    Cause want_cause{};
    RefWalk w;
    if (va % size != 0) {
      want_ok = false;
      want_cause = lr ? Cause::LoadMisaligned : Cause::StoreMisaligned;
    } else {
      w = ref_.walk_and_update(c, va, a);
      if (w.fault != MemFault::None) {
        want_ok = false;
        want_cause = cause_of(w.fault, a);
      } else if (!RefMachine::in_ram(w.paddr, size)) {
        want_ok = false;
        want_cause = cause_of(MemFault::AccessFault, a);
      }
    }
    FUZZ_CHECK(ok == want_ok && (ok ? paddr == w.paddr
                                    : s.pending_trap.cause == static_cast<uint64_t>(want_cause) &&
                                          s.pending_trap.tval == va),
               "%s\n  atomic (%s, %u bytes): hart %s (paddr %s, cause %" PRIu64
               ", tval %s); reference %s (paddr %s, cause %" PRIu64 ")",
               where().c_str(), lr ? "lr" : "sc/amo", size, ok ? "ok" : "trap", hex(paddr).c_str(),
               ok ? 0 : s.pending_trap.cause, hex(ok ? 0 : s.pending_trap.tval).c_str(),
               want_ok ? "ok" : "trap", hex(w.paddr).c_str(),
               want_ok ? 0 : static_cast<uint64_t>(want_cause));
    s.trap_pending = false;
    check_path(w);
  }

  // Hart::load / store / translate_fetch: the soft TLB's L1 and L2, filled by walks.
  void hart_access(Access a) {
    static constexpr unsigned kSizes[] = {1, 2, 4, 8};
    const unsigned size = a == Access::Exec ? 2 : kSizes[in_.u8() % 4];
    const uint64_t value = a == Access::Write ? in_.u64() : 0;
    const uint64_t va = pick_va();
    const RefCtx c = a == Access::Exec ? fetch_ctx() : data_ctx();
    const uint64_t lo_page = va & ~kPageMask;
    const bool crosses = a != Access::Exec && (va & kPageMask) + size > kPageSize;
    const uint64_t hi_page = lo_page + kPageSize;
    // A translation only a stale TLB entry could explain is allowed: run it, don't check
    // it, and take the machine's memory as the reference's from here on.
    const bool stale_ok = is_unsettled(lo_page) || (crosses && is_unsettled(hi_page));
    touch(lo_page);
    if (crosses) touch(hi_page);
    current_ = {c, va, a};

    HartState& s = hart_.s;
    s.trap_pending = false;
    uint64_t got = 0, paddr = 0;
    bool ok = false;
    if (a == Access::Read) {
      ok = hart_.load(va, size, got);
    } else if (a == Access::Write) {
      // The store's bytes may be PTEs: note which cached walks they affect first.
      ok = hart_.store(va, size, value);
    } else {
      ok = hart_.translate_fetch(va, paddr);
    }
    FUZZ_CHECK(ok != s.trap_pending, "%s\n  returned %d with trap_pending %d", where().c_str(), ok,
               s.trap_pending);
    if (stale_ok) {
      if (a == Access::Write && ok) {
        // Which bytes it wrote is unknown: every touched page may be stale now.
        for (uint64_t v : touched_) {
          if (!is_unsettled(v)) unsettled_.push_back(v);
        }
      }
      std::memcpy(ref_.ram.data(), bus_.ram_data(), kRamSize);
      s.trap_pending = false;
      return;
    }

    // The reference, as hart.cpp documents its order: a page-crossing access translates
    // both pages first (tval of a fault on the second is that page's address), then
    // accesses byte by byte; any other access translates, then accesses the bus.
    Cause want_cause{};
    uint64_t want_tval = 0;
    bool want_ok = true;
    uint64_t want_value = 0;
    const RefWalk lo = ref_.walk_and_update(c, va, a);
    RefWalk hi;
    if (lo.fault != MemFault::None) {
      want_ok = false;
      want_cause = cause_of(lo.fault, a);
      want_tval = va;
    } else if (crosses) {
      hi = ref_.walk_and_update(c, hi_page, a);
      if (hi.fault != MemFault::None) {
        want_ok = false;
        want_cause = cause_of(hi.fault, a);
        want_tval = hi_page;
      }
    }
    if (want_ok && a == Access::Exec) {
      FUZZ_CHECK(paddr == lo.paddr, "%s\n  fetch paddr %s, reference %s", where().c_str(),
                 hex(paddr).c_str(), hex(lo.paddr).c_str());
    } else if (want_ok) {
      for (unsigned i = 0; i < size; ++i) {
        const uint64_t vb = va + i;
        const uint64_t pb = crosses && vb >= hi_page ? hi.paddr + (vb - hi_page) : lo.paddr + i;
        // Only RAM is mapped: a crossing access fails at its first byte outside RAM (the
        // bytes before it are written), any other is one bus access, all or nothing.
        const bool fits = crosses ? RefMachine::in_ram(pb, 1) : RefMachine::in_ram(lo.paddr, size);
        if (!fits) {
          want_ok = false;
          want_cause = cause_of(MemFault::AccessFault, a);
          want_tval = va;
          break;
        }
        if (a == Access::Read) {
          want_value |= uint64_t{ref_.ram[pb - kRamBase]} << (8 * i);
        } else {
          store_ram(pb, 1, value >> (8 * i));
        }
      }
    }
    FUZZ_CHECK(
        ok == want_ok,
        "%s\n  hart: %s (cause %" PRIu64 ", tval %s); reference: %s (cause %" PRIu64 ", tval %s)",
        where().c_str(), ok ? "no trap" : "trap", ok ? 0 : s.pending_trap.cause,
        hex(ok ? 0 : s.pending_trap.tval).c_str(), want_ok ? "no trap" : "trap",
        want_ok ? 0 : static_cast<uint64_t>(want_cause), hex(want_ok ? 0 : want_tval).c_str());
    if (!ok) {
      FUZZ_CHECK(s.pending_trap.cause == static_cast<uint64_t>(want_cause) &&
                     s.pending_trap.tval == want_tval,
                 "%s\n  trap cause %" PRIu64 " tval %s, reference cause %" PRIu64 " tval %s",
                 where().c_str(), s.pending_trap.cause, hex(s.pending_trap.tval).c_str(),
                 static_cast<uint64_t>(want_cause), hex(want_tval).c_str());
      s.trap_pending = false;
    } else if (a == Access::Read) {
      FUZZ_CHECK(got == want_value, "%s\n  loaded %s, reference %s", where().c_str(),
                 hex(got).c_str(), hex(want_value).c_str());
    }
    check_path(lo);
    if (crosses) check_path(hi);
    if (a == Access::Write && want_ok) {
      const uint64_t first = lo.paddr;
      if (!crosses) {
        FUZZ_CHECK(std::memcmp(bus_.ram_data() + (first - kRamBase),
                               ref_.ram.data() + (first - kRamBase), size) == 0,
                   "%s\n  stored bytes differ at %s", where().c_str(), hex(first).c_str());
      }
    }
  }

  ByteReader in_;
  Hart& hart_;
  Bus& bus_;
  RefMachine ref_;
  uint64_t ref_satp_ = 0;
  uint64_t pool_[kPoolSize] = {};
  // Virtual pages the hart has translated since the last full flush, and those among them
  // whose walk read bytes stored since (so the TLB may serve either translation).
  std::vector<uint64_t> touched_;
  std::vector<uint64_t> unsettled_;
  unsigned op_ = 0;
  Current current_;
};

}  // namespace
}  // namespace tiervm::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tiervm::fuzz::Session(data, size).run();
  return 0;
}
