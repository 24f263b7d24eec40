#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "devices/state_stream.h"
#include "engine/block_key.h"
#include "engine/hart_state.h"
#include "engine/trap.h"
#include "mem/bus.h"
#include "mem/mmu.h"
#include "mem/pmp.h"
#include "mem/soft_tlb.h"

namespace tiervm {

// One RISC-V hart: architectural state plus its memory path (PMP, MMU, soft TLB).
// Instruction semantics live in the IR emitters (engine/translate/) and helpers; this
// class gives them memory access, the CSR file and trap entry.
class Hart {
 public:
  Hart(Bus& bus, uint64_t hartid);
  Hart(const Hart&) = delete;
  Hart& operator=(const Hart&) = delete;

  // Architectural reset (priv spec 3.4): M-mode, mstatus.MIE=0, misa = RV64IMAFDC+SU,
  // pc = reset_pc. Registers are zeroed.
  void reset(uint64_t reset_pc);
  // Gives the hart the vector extension with VLEN = `vlen` bits (kMinVlen..kMaxVlen, a
  // power of two), or none for 0, and resets it. Machine configuration (--vlen).
  void set_vlen(unsigned vlen);
  unsigned vlen() const { return static_cast<unsigned>(s.vlenb * 8); }

  HartState s;
  Bus& bus;
  // Source of the `time` CSR (mtime of the board's CLINT); instret when unset.
  std::function<uint64_t()> read_time;
  Pmp pmp;
  SoftTlb tlb;
  // The dispatcher running this hart (set by Executor), for compiled code's block lookups.
  class Executor* executor = nullptr;
  // An attached debugger's breakpoints and watchpoints (engine/gdb/debug_control.h), or
  // nullptr: the translator ends blocks before its breakpoints, and the memory slow paths
  // below report accesses to it while it has watchpoints.
  class DebugControl* debug = nullptr;

  // ---- Memory (hart.cpp). Virtual addresses, current data privilege (MPRV applied).
  // On failure these raise the trap in `s` (cause from the access type, tval = vaddr)
  // and return false. Misaligned loads/stores are supported, also across pages.
  bool load(uint64_t vaddr, unsigned size, uint64_t& value);
  bool store(uint64_t vaddr, unsigned size, uint64_t value);
  // Atomics (LR/SC/AMO): natural alignment required (misaligned -> store/AMO access
  // fault... as QEMU: misaligned AMO raises StoreMisaligned, LR raises LoadMisaligned).
  // Translates for a store (the AMO writes) and returns the physical address.
  bool translate_atomic(uint64_t vaddr, unsigned size, bool is_load_reserved, uint64_t& paddr);
  // Physical access for AMOs after translate_atomic (code-page aware).
  bool phys_read(uint64_t paddr, unsigned size, uint64_t& value);
  bool phys_write(uint64_t paddr, unsigned size, uint64_t value);

  // Instruction fetch translation for the block at `vaddr`: physical address, or raises
  // the fetch fault and returns false.
  bool translate_fetch(uint64_t vaddr, uint64_t& paddr);

  // ---- CSR file (csr.cpp). Returns false when the access is illegal at the current
  // privilege (unimplemented CSR, too low privilege, write to read-only, FS off for FP
  // CSRs, counters disabled by m/scounteren, satp under TVM). Side effects (TLB flushes,
  // mode changes) happen inside csr_write.
  bool csr_read(uint16_t csr, uint64_t& value);
  bool csr_write(uint16_t csr, uint64_t value);

  // ---- Traps (trap.cpp).
  // Takes trap `t` with s.pc holding the faulting/next pc as the spec requires: selects
  // M or S by medeleg/mideleg, sets xepc/xcause/xtval, stacks xIE/xPP, jumps to xtvec
  // (vectored for interrupts).
  void take_trap(const Trap& t);
  // If an enabled, pending interrupt may be taken now (priv spec 3.1.9 priority order
  // MEI, MSI, MTI, SEI, SSI, STI), takes it and returns true.
  bool take_pending_interrupt();
  // The pending-and-enabled interrupt bits ignoring global enables (for wfi wake-up).
  uint64_t pending_interrupts() const { return s.mip_all() & s.mie; }
  // mret/sret: restore privilege and interrupt enable; returns the new pc. Raises an
  // illegal instruction (returns false) when not permitted (sret with TSR, etc.).
  bool do_mret(uint64_t& new_pc);
  bool do_sret(uint64_t& new_pc);

  // ---- Derived modes, refreshed after any change of priv, mstatus or satp.
  void update_modes();
  TlbMode fetch_mode() const { return fetch_mode_; }
  TlbMode data_mode() const { return data_mode_; }
  const MmuContext& data_ctx() const { return data_ctx_; }
  bool fp_enabled() const { return (s.mstatus & mstatus::FS) != 0; }
  // What a fetch now depends on besides the pc: fetch mode and translate flags (a virtual pc
  // maps to other code when either changes). The jump cache's key with the pc.
  FetchKey fetch_key() const { return {fetch_mode_, TranslateFlags{fp_enabled()}}; }
  void set_fs_dirty() { s.mstatus |= mstatus::FS | mstatus::SD; }

  // Counters bumped on slow paths, read by the monitor.
  uint64_t tlb_fast_accesses() const { return fast_accesses_; }

  // Called (from any thread) when a device line changes; wakes a waiting hart.
  void notify_irq();

  // ---- Snapshots (hart_snapshot.cpp): registers, CSRs, PMP, the device interrupt lines,
  // the LR/SC reservation and the WFI state. A load flushes the TLB and asks the
  // dispatcher to look at interrupts again; false (nothing changed) when corrupt or of
  // another hart.
  void save_state(StateWriter& w) const;
  bool load_state(StateReader& r);

 private:
  bool fill_tlb(TlbMode mode, const MmuContext& ctx, uint64_t vaddr, Access access,
                uint64_t& paddr);
  bool access_slow(uint64_t vaddr, unsigned size, Access access, uint64_t& value);

  TlbMode fetch_mode_ = TlbMode::M;
  TlbMode data_mode_ = TlbMode::M;
  MmuContext fetch_ctx_{};
  MmuContext data_ctx_{};
  uint64_t fast_accesses_ = 0;
};

}  // namespace tiervm
