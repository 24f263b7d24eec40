// Trap entry, interrupt selection and xRET (priv spec 1.12, sections 3.1.6.1, 3.1.8,
// 3.1.9, 3.3.2, 4.1.1).

#include <array>
#include <cstdint>

#include "engine/hart.h"

namespace tiervm {

namespace {

constexpr uint64_t kTvecModeMask = 3;
constexpr uint64_t kTvecVectored = 1;

void set_bit(uint64_t& reg, uint64_t bit, bool on) {
  reg = on ? (reg | bit) : (reg & ~bit);
}

// Where xtvec sends a trap: the base, plus 4 * cause for interrupts in vectored mode.
uint64_t trap_target(uint64_t tvec, bool interrupt, uint64_t code) {
  const uint64_t base = tvec & ~kTvecModeMask;
  if (interrupt && (tvec & kTvecModeMask) == kTvecVectored) return base + 4 * code;
  return base;
}

Priv priv_from_mpp(uint64_t mpp) {
  // MPP never holds the reserved value 2 (csr.cpp legalizes it); map it to U defensively.
  return mpp == 3 ? Priv::M : (mpp == 1 ? Priv::S : Priv::U);
}

// Highest-priority bit of `irqs` in the order MEI, MSI, MTI, SEI, SSI, STI (3.1.9).
constexpr std::array<Irq, 6> kIrqPriority = {Irq::MEI, Irq::MSI, Irq::MTI,
                                             Irq::SEI, Irq::SSI, Irq::STI};

}  // namespace

void Hart::take_trap(const Trap& t) {
  const bool interrupt = (t.cause & kInterruptBit) != 0;
  const uint64_t code = t.cause & ~kInterruptBit;
  const uint64_t deleg = interrupt ? s.mideleg : s.medeleg;
  const bool delegated = s.priv != Priv::M && code < 64 && ((deleg >> code) & 1) != 0;

  if (delegated) {
    s.sepc = s.pc;
    s.scause = t.cause;
    s.stval = t.tval;
    set_bit(s.mstatus, mstatus::SPP, s.priv == Priv::S);
    set_bit(s.mstatus, mstatus::SPIE, (s.mstatus & mstatus::SIE) != 0);
    s.mstatus &= ~mstatus::SIE;
    s.priv = Priv::S;
    s.pc = trap_target(s.stvec, interrupt, code);
  } else {
    s.mepc = s.pc;
    s.mcause = t.cause;
    s.mtval = t.tval;
    s.mstatus = (s.mstatus & ~mstatus::MPP) | (static_cast<uint64_t>(s.priv) << mstatus::MPP_SHIFT);
    set_bit(s.mstatus, mstatus::MPIE, (s.mstatus & mstatus::MIE) != 0);
    s.mstatus &= ~mstatus::MIE;
    s.priv = Priv::M;
    s.pc = trap_target(s.mtvec, interrupt, code);
  }
  s.waiting = false;
  update_modes();
}

bool Hart::take_pending_interrupt() {
  const uint64_t pending = pending_interrupts();
  if (pending == 0) return false;

  // An interrupt for a more privileged mode is always enabled below it; in its own mode
  // the global xIE bit decides; delegated (S-level) interrupts are never taken in M.
  const bool m_enabled = s.priv != Priv::M || (s.mstatus & mstatus::MIE) != 0;
  const bool s_enabled =
      s.priv == Priv::U || (s.priv == Priv::S && (s.mstatus & mstatus::SIE) != 0);
  const uint64_t to_m = m_enabled ? pending & ~s.mideleg : 0;
  const uint64_t to_s = s_enabled ? pending & s.mideleg : 0;

  // Interrupts for different modes are taken in decreasing order of the destination mode.
  for (uint64_t irqs : {to_m, to_s}) {
    if (irqs == 0) continue;
    for (Irq i : kIrqPriority) {
      if (irqs & irq_bit(i)) {
        take_trap({kInterruptBit | static_cast<uint64_t>(i), 0});
        return true;
      }
    }
  }
  return false;
}

bool Hart::do_mret(uint64_t& new_pc) {
  if (s.priv != Priv::M) {
    s.raise(make_trap(Cause::IllegalInsn));
    return false;
  }
  const Priv y = priv_from_mpp((s.mstatus & mstatus::MPP) >> mstatus::MPP_SHIFT);
  set_bit(s.mstatus, mstatus::MIE, (s.mstatus & mstatus::MPIE) != 0);
  s.mstatus |= mstatus::MPIE;
  s.mstatus &= ~mstatus::MPP;  // U, the least-privileged supported mode
  if (y != Priv::M) s.mstatus &= ~mstatus::MPRV;
  s.priv = y;
  new_pc = s.mepc;
  update_modes();
  return true;
}

bool Hart::do_sret(uint64_t& new_pc) {
  // sret is illegal in U, and in S when mstatus.TSR is set (priv spec 3.1.6.5).
  if (s.priv == Priv::U || (s.priv == Priv::S && (s.mstatus & mstatus::TSR) != 0)) {
    s.raise(make_trap(Cause::IllegalInsn));
    return false;
  }
  const Priv y = (s.mstatus & mstatus::SPP) ? Priv::S : Priv::U;
  set_bit(s.mstatus, mstatus::SIE, (s.mstatus & mstatus::SPIE) != 0);
  s.mstatus |= mstatus::SPIE;
  s.mstatus &= ~mstatus::SPP;
  // The new mode is below M, so MPRV is cleared (priv spec 3.1.6.3).
  s.mstatus &= ~mstatus::MPRV;
  s.priv = y;
  new_pc = s.sepc;
  update_modes();
  return true;
}

}  // namespace tiervm
