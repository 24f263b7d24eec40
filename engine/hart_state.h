#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "engine/trap.h"
#include "mem/access.h"
#include "mem/tlb_entry.h"

namespace tiervm {

// IR slots: one flat array of 64-bit values addressed by index. Slots 0..31 are x0..x31
// (slot 0 always reads 0), 32..63 are f0..f31 (raw bits, singles NaN-boxed), 64..126 are
// IR temporaries, and 127 is a sink for writes to x0.
inline constexpr unsigned kSlotX0 = 0;
inline constexpr unsigned kSlotF0 = 32;
inline constexpr unsigned kSlotTemp0 = 64;
inline constexpr unsigned kSlotSink = 127;
inline constexpr unsigned kSlotCount = 128;

// The vector register file is sized for the largest VLEN the hart supports (--vlen 1024):
// 32 registers of 128 bytes, 4 KiB per hart, at a fixed place in HartState whatever the
// configured VLEN, so helpers (and later compiled code) address register i at
// i * vlenb without an indirection, and nothing is allocated per machine.
inline constexpr unsigned kMaxVlen = 1024;
inline constexpr unsigned kMinVlen = 128;
inline constexpr unsigned kMaxVlenb = kMaxVlen / 8;

// mstatus fields (priv spec 1.12, section 3.1.6).
namespace mstatus {
inline constexpr uint64_t SIE = 1ull << 1;
inline constexpr uint64_t MIE = 1ull << 3;
inline constexpr uint64_t SPIE = 1ull << 5;
inline constexpr uint64_t UBE = 1ull << 6;
inline constexpr uint64_t MPIE = 1ull << 7;
inline constexpr uint64_t SPP = 1ull << 8;
inline constexpr uint64_t VS = 3ull << 9;
inline constexpr unsigned VS_SHIFT = 9;
inline constexpr uint64_t MPP = 3ull << 11;
inline constexpr unsigned MPP_SHIFT = 11;
inline constexpr uint64_t FS = 3ull << 13;
inline constexpr unsigned FS_SHIFT = 13;
inline constexpr uint64_t XS = 3ull << 15;
inline constexpr uint64_t MPRV = 1ull << 17;
inline constexpr uint64_t SUM = 1ull << 18;
inline constexpr uint64_t MXR = 1ull << 19;
inline constexpr uint64_t TVM = 1ull << 20;
inline constexpr uint64_t TW = 1ull << 21;
inline constexpr uint64_t TSR = 1ull << 22;
inline constexpr uint64_t UXL = 3ull << 32;
inline constexpr uint64_t SXL = 3ull << 34;
inline constexpr uint64_t SBE = 1ull << 36;
inline constexpr uint64_t MBE = 1ull << 37;
inline constexpr uint64_t SD = 1ull << 63;
}  // namespace mstatus

// Architectural state of one hart. Plain data, addressed by offset from JIT code; the
// logic lives in Hart (hart.h), the CSR file (csr.cpp) and trap entry (trap.cpp).
struct HartState {
  std::array<uint64_t, kSlotCount> slot{};
  uint64_t pc = 0;
  Priv priv = Priv::M;

  // Machine-level CSRs.
  uint64_t mstatus = 0;
  uint64_t misa = 0;
  uint64_t medeleg = 0;
  uint64_t mideleg = 0;
  uint64_t mie = 0;
  uint64_t mip = 0;  // bits written by software (SSIP, STIP, SEIP); see mip_hw
  uint64_t mtvec = 0;
  uint64_t mscratch = 0;
  uint64_t mepc = 0;
  uint64_t mcause = 0;
  uint64_t mtval = 0;
  uint64_t mcounteren = 0;
  uint64_t mcountinhibit = 0;
  uint64_t menvcfg = 0;
  uint64_t mhartid = 0;
  // Supervisor-level CSRs.
  uint64_t stvec = 0;
  uint64_t sscratch = 0;
  uint64_t sepc = 0;
  uint64_t scause = 0;
  uint64_t stval = 0;
  uint64_t satp = 0;
  uint64_t scounteren = 0;
  uint64_t senvcfg = 0;
  // Floating point: fcsr = frm << 5 | fflags.
  uint32_t fflags = 0;
  uint32_t frm = 0;
  // Counters. instret counts retired instructions; cycle follows it (one per instruction).
  uint64_t instret = 0;
  uint64_t cycle_offset = 0;    // mcycle = instret + cycle_offset (after writes)
  uint64_t instret_offset = 0;  // minstret = instret + instret_offset

  // Interrupt lines driven by devices (MSIP, MTIP, MEIP, SEIP), set from any thread.
  std::atomic<uint64_t> mip_hw{0};

  // LR/SC reservation (physical address, valid flag).
  uint64_t reservation = 0;
  bool reservation_valid = false;

  // Set by helpers that raise a guest trap; the executing tier takes it.
  bool trap_pending = false;
  Trap pending_trap{};

  // Wait-for-interrupt: set by wfi, cleared when an interrupt becomes pending.
  bool waiting = false;
  // Set by `pause` (Zihintpause: a spin-wait loop's hint); the dispatcher ends the hart's
  // turn on it when other harts take turns on the thread. Not architectural state.
  bool pause_hint = false;

  // ---- Read by compiled code at block boundaries.
  // The dispatcher's instruction limit: chained blocks return to it once instret reaches
  // it. An exit request also sets it to 0, so the one compare of a block's exit (and of a
  // region's back edge) covers both; the dispatcher puts its limit back when it clears
  // the request. Written from other threads: atomic (relaxed, plain moves on x86).
  std::atomic<uint64_t> instret_limit{~uint64_t{0}};
  // Non-zero: the dispatcher has something to look at (interrupt line change, stop
  // request, code to drop); a hart thread asleep in wfi waits on it. Set with
  // request_exit(), never alone: compiled code reads only instret_limit.
  std::atomic<uint32_t> exit_request{0};

  // Asks chained code to return to the dispatcher at its next block exit.
  void request_exit(std::memory_order order = std::memory_order_relaxed) {
    exit_request.store(1, order);
    instret_limit.store(0, order);
  }
  // Compiled code may chain (the dispatcher's lookup_compiled asks the same).
  bool may_chain() const { return instret < instret_limit.load(std::memory_order_relaxed); }
  // The L1 soft-TLB array of the current data mode (Hart::update_modes keeps it current).
  TlbEntry* data_tlb = nullptr;
  // The byte offset of vaddr's entry in it is (vaddr >> SoftTlb::kL1OffsetShift) & this
  // (SoftTlb::l1_offset_mask: the L1s grow). Two instructions, as the fixed 256-entry
  // L1's index and scaling took three.
  uint64_t data_tlb_offsets = 0;
  // The same for instruction fetch: a tier-2 region that spans pages checks its exec tags
  // where it crosses from one page to another.
  TlbEntry* fetch_tlb = nullptr;
  uint64_t fetch_tlb_offsets = 0;
  // Data accesses that need no translation and no PMP check (Hart::update_modes): the
  // effective data privilege is M or satp is Bare, and no PMP entry applies to it (in
  // M-mode: none is locked; in S/U: none is active). Then a load or store at `va` with
  // va - bare_base < bare_limit is a RAM access at host address va + bare_addend
  // (bare_limit stops 7 bytes short of RAM's end, so any access of up to 8 bytes that
  // passes lies in RAM). bare_limit is 0 when accesses must take the TLB: nothing passes.
  // Compiled code still sends MMIO (outside RAM) and stores to pages that hold translated
  // code (code_marks[(va - bare_base) >> 12] != 0, Bus::code_page_marks) to the slow path.
  uint64_t bare_base = 0;
  uint64_t bare_limit = 0;
  int64_t bare_addend = 0;
  const uint16_t* code_marks = nullptr;

  // ---- The vector extension (RVV 1.0, engine/vector.h). After every field above, whose
  // offsets compiled code uses.
  // VLEN / 8 of this hart: configuration (--vlen), fixed for the machine's life; 0 = no V.
  uint64_t vlenb = 0;
  uint64_t vstart = 0;
  uint64_t vxsat = 0;
  uint64_t vxrm = 0;
  uint64_t vl = 0;
  uint64_t vtype = 0;
  // v0..v31, register i at byte i * vlenb (a register group is contiguous); elements are
  // little-endian, like guest memory. 64-bit words so a snapshot saves them as u64s.
  alignas(16) std::array<uint64_t, 32 * kMaxVlenb / 8> vreg{};

  uint64_t x(unsigned i) const { return slot[kSlotX0 + i]; }
  void set_x(unsigned i, uint64_t v) {
    if (i != 0) slot[kSlotX0 + i] = v;
  }
  uint64_t f(unsigned i) const { return slot[kSlotF0 + i]; }
  void set_f(unsigned i, uint64_t v) { slot[kSlotF0 + i] = v; }
  uint64_t mip_all() const { return mip | mip_hw.load(std::memory_order_relaxed); }
  void raise(Trap t) {
    trap_pending = true;
    pending_trap = t;
  }
};

inline constexpr size_t kStateSlotOffset = offsetof(HartState, slot);
inline constexpr size_t kStatePcOffset = offsetof(HartState, pc);

}  // namespace tiervm
