// The CSR file of an RV64 hart with M, S and U modes (priv spec 1.12, chapters 2-4, and
// the Zicsr/Zicntr chapters of the unprivileged spec). Every CSR not listed here is
// unimplemented and its access is an illegal instruction.

#include <cstdint>

#include "engine/hart.h"

namespace tiervm {

namespace {

// CSR numbers (priv spec 1.12, tables 2.2-2.5).
namespace num {
constexpr uint16_t kFflags = 0x001;
constexpr uint16_t kFrm = 0x002;
constexpr uint16_t kFcsr = 0x003;
constexpr uint16_t kCycle = 0xc00;
constexpr uint16_t kTime = 0xc01;
constexpr uint16_t kInstret = 0xc02;
constexpr uint16_t kHpmcounter31 = 0xc1f;
constexpr uint16_t kSstatus = 0x100;
constexpr uint16_t kSie = 0x104;
constexpr uint16_t kStvec = 0x105;
constexpr uint16_t kScounteren = 0x106;
constexpr uint16_t kSenvcfg = 0x10a;
constexpr uint16_t kSscratch = 0x140;
constexpr uint16_t kSepc = 0x141;
constexpr uint16_t kScause = 0x142;
constexpr uint16_t kStval = 0x143;
constexpr uint16_t kSip = 0x144;
constexpr uint16_t kSatp = 0x180;
constexpr uint16_t kMvendorid = 0xf11;
constexpr uint16_t kMarchid = 0xf12;
constexpr uint16_t kMimpid = 0xf13;
constexpr uint16_t kMhartid = 0xf14;
constexpr uint16_t kMconfigptr = 0xf15;
constexpr uint16_t kMstatus = 0x300;
constexpr uint16_t kMisa = 0x301;
constexpr uint16_t kMedeleg = 0x302;
constexpr uint16_t kMideleg = 0x303;
constexpr uint16_t kMie = 0x304;
constexpr uint16_t kMtvec = 0x305;
constexpr uint16_t kMcounteren = 0x306;
constexpr uint16_t kMenvcfg = 0x30a;
constexpr uint16_t kMcountinhibit = 0x320;
constexpr uint16_t kMhpmevent3 = 0x323;
constexpr uint16_t kMhpmevent31 = 0x33f;
constexpr uint16_t kMscratch = 0x340;
constexpr uint16_t kMepc = 0x341;
constexpr uint16_t kMcause = 0x342;
constexpr uint16_t kMtval = 0x343;
constexpr uint16_t kMip = 0x344;
constexpr uint16_t kPmpcfg0 = 0x3a0;
constexpr uint16_t kPmpcfg15 = 0x3af;
constexpr uint16_t kPmpaddr0 = 0x3b0;
constexpr uint16_t kPmpaddr63 = 0x3ef;
constexpr uint16_t kMcycle = 0xb00;
constexpr uint16_t kMinstret = 0xb02;
constexpr uint16_t kMhpmcounter3 = 0xb03;
constexpr uint16_t kMhpmcounter31 = 0xb1f;
constexpr uint16_t kTselect = 0x7a0;
constexpr uint16_t kTdata1 = 0x7a1;
constexpr uint16_t kTdata2 = 0x7a2;
constexpr uint16_t kTdata3 = 0x7a3;
}  // namespace num

// misa: MXL = 2 (64-bit), extensions A C D F I M S U (priv spec 3.1.1). Read-only: the
// spec allows misa to be a read-only register.
constexpr uint64_t kMisa = (uint64_t{2} << 62) | (1u << ('A' - 'A')) | (1u << ('C' - 'A')) |
                           (1u << ('D' - 'A')) | (1u << ('F' - 'A')) | (1u << ('I' - 'A')) |
                           (1u << ('M' - 'A')) | (1u << ('S' - 'A')) | (1u << ('U' - 'A'));

// UXL and SXL are read-only 2 (XLEN 64) on this hart (priv spec 3.1.6.2).
constexpr uint64_t kXlen64Fields = (uint64_t{2} << 32) | (uint64_t{2} << 34);

// Fields software may change. VS and XS stay 0 (no V, no custom state), UBE/SBE/MBE stay
// 0 (little-endian only).
constexpr uint64_t kMstatusWritable = mstatus::SIE | mstatus::MIE | mstatus::SPIE | mstatus::MPIE |
                                      mstatus::SPP | mstatus::MPP | mstatus::FS | mstatus::MPRV |
                                      mstatus::SUM | mstatus::MXR | mstatus::TVM | mstatus::TW |
                                      mstatus::TSR;
// sstatus is a restricted view of mstatus (priv spec 4.1.1).
constexpr uint64_t kSstatusVisible = mstatus::SIE | mstatus::SPIE | mstatus::UBE | mstatus::SPP |
                                     mstatus::VS | mstatus::FS | mstatus::XS | mstatus::SUM |
                                     mstatus::MXR | mstatus::UXL | mstatus::SD;
constexpr uint64_t kSstatusWritable = kMstatusWritable & kSstatusVisible;

constexpr uint64_t kSupervisorIrqs = irq_bit(Irq::SSI) | irq_bit(Irq::STI) | irq_bit(Irq::SEI);
constexpr uint64_t kAllIrqs =
    kSupervisorIrqs | irq_bit(Irq::MSI) | irq_bit(Irq::MTI) | irq_bit(Irq::MEI);

// Exceptions that may be delegated to S (priv spec 3.1.8): every implemented cause
// except ecall from M (medeleg[11] is read-only zero) and the reserved codes 10 and 14.
constexpr uint64_t kDelegableExceptions = [] {
  uint64_t m = 0;
  for (Cause c :
       {Cause::InsnMisaligned, Cause::InsnAccess, Cause::IllegalInsn, Cause::Breakpoint,
        Cause::LoadMisaligned, Cause::LoadAccess, Cause::StoreMisaligned, Cause::StoreAccess,
        Cause::EcallU, Cause::EcallS, Cause::InsnPage, Cause::LoadPage, Cause::StorePage}) {
    m |= uint64_t{1} << static_cast<uint64_t>(c);
  }
  return m;
}();

// xenvcfg.FIOM is the only field of an implemented extension (no Zicbo*, Svpbmt, Sstc).
constexpr uint64_t kEnvcfgFiom = 1;
// mcountinhibit is WARL and every bit of it is read-only zero here (priv spec 3.1.13
// permits this): the counters always count, which keeps instret the single source for
// minstret, mcycle and the deterministic clock.
constexpr uint64_t kCountinhibitWritable = 0;
constexpr uint64_t kCounterenWritable = 0xffff'ffffull;

constexpr uint64_t kTvecModeMask = 3;

uint64_t field(uint64_t v, uint64_t mask) {
  return (v & mask) / (mask & ~(mask - 1));
}

// Privilege and read-only checks encoded in the CSR number (priv spec 2.1).
bool number_permits(uint16_t csr, Priv priv, bool write) {
  const unsigned min_priv = (csr >> 8) & 3;
  if (static_cast<unsigned>(priv) < min_priv) return false;
  return !(write && ((csr >> 10) & 3) == 3);
}

// cycle/time/instret/hpmcounterN below M: the enable bit in mcounteren, and for U also in
// scounteren (priv spec 3.1.11, 4.1.5).
bool counter_enabled(const HartState& s, unsigned index) {
  const uint64_t bit = uint64_t{1} << index;
  if (s.priv == Priv::M) return true;
  if ((s.mcounteren & bit) == 0) return false;
  return s.priv == Priv::S || (s.scounteren & bit) != 0;
}

uint64_t read_mstatus(const HartState& s) {
  uint64_t v = (s.mstatus & ~(mstatus::UXL | mstatus::SXL | mstatus::SD)) | kXlen64Fields;
  const uint64_t fs = field(v, mstatus::FS), vs = field(v, mstatus::VS);
  const uint64_t xs = field(v, mstatus::XS);
  if (fs == 3 || vs == 3 || xs == 3) v |= mstatus::SD;
  return v;
}

// Stores a new mstatus (already masked to writable fields) and applies its side effects.
void write_mstatus(Hart& hart, uint64_t value) {
  HartState& s = hart.s;
  const uint64_t old = s.mstatus;
  uint64_t v = (old & ~kMstatusWritable) | (value & kMstatusWritable);
  // MPP is WARL and 2 is reserved: keep the previous value (as QEMU's legalize_mpp).
  if (field(v, mstatus::MPP) == 2) v = (v & ~mstatus::MPP) | (old & mstatus::MPP);
  v &= ~mstatus::SD;
  if (field(v, mstatus::FS) == 3) v |= mstatus::SD;
  s.mstatus = v;
  // Cached translations depend on MXR; SUM, MPRV and MPP select the data TLB mode
  // (soft_tlb.h), which update_modes() switches.
  if ((old ^ v) & mstatus::MXR) hart.tlb.flush_all();
  if (old != v) hart.update_modes();
}

// xtvec: MODE 0 (direct) and 1 (vectored) are implemented; a write selecting a reserved
// mode is ignored, as QEMU does (the field is WARL).
void write_tvec(uint64_t& reg, uint64_t value) {
  if ((value & kTvecModeMask) < 2) reg = value;
}

bool in_range(uint16_t csr, uint16_t first, uint16_t last) {
  return csr >= first && csr <= last;
}

}  // namespace

bool Hart::csr_read(uint16_t csr, uint64_t& value) {
  if (!number_permits(csr, s.priv, false)) return false;

  if (in_range(csr, num::kCycle, num::kHpmcounter31)) {
    if (!counter_enabled(s, csr - num::kCycle)) return false;
    switch (csr) {
      case num::kCycle:
        value = s.instret + s.cycle_offset;
        break;
      // mtime of the board's timer; without a board (unit tests) time follows instret.
      case num::kTime:
        value = read_time ? read_time() : s.instret;
        break;
      case num::kInstret:
        value = s.instret + s.instret_offset;
        break;
      default:
        value = 0;
        break;  // hpmcounter3..31: implemented as constant zero
    }
    return true;
  }
  if (in_range(csr, num::kMhpmcounter3, num::kMhpmcounter31) ||
      in_range(csr, num::kMhpmevent3, num::kMhpmevent31)) {
    value = 0;
    return true;
  }
  if (in_range(csr, num::kPmpcfg0, num::kPmpcfg15)) {
    const unsigned index = csr - num::kPmpcfg0;
    if (index & 1) return false;  // odd pmpcfg CSRs do not exist on RV64 (priv spec 3.7.1)
    // All PMP CSRs exist when any do; entries past the 16 implemented read as zero.
    value = pmp.read_cfg(index);
    return true;
  }
  if (in_range(csr, num::kPmpaddr0, num::kPmpaddr63)) {
    const unsigned index = csr - num::kPmpaddr0;
    value = index < Pmp::kEntries ? pmp.read_addr(index) : 0;
    return true;
  }

  switch (csr) {
    case num::kFflags:
    case num::kFrm:
    case num::kFcsr:
      if (!fp_enabled()) return false;
      value = csr == num::kFflags ? (s.fflags & 0x1f)
              : csr == num::kFrm  ? (s.frm & 7)
                                  : ((s.frm & 7) << 5 | (s.fflags & 0x1f));
      return true;

    case num::kSstatus:
      value = read_mstatus(s) & kSstatusVisible;
      return true;
    case num::kSie:
      value = s.mie & s.mideleg;
      return true;
    case num::kStvec:
      value = s.stvec;
      return true;
    case num::kScounteren:
      value = s.scounteren;
      return true;
    case num::kSenvcfg:
      value = s.senvcfg;
      return true;
    case num::kSscratch:
      value = s.sscratch;
      return true;
    case num::kSepc:
      value = s.sepc;
      return true;
    case num::kScause:
      value = s.scause;
      return true;
    case num::kStval:
      value = s.stval;
      return true;
    case num::kSip:
      value = s.mip_all() & s.mideleg;
      return true;
    case num::kSatp:
      if (s.priv == Priv::S && (s.mstatus & mstatus::TVM)) return false;  // priv spec 3.1.6.5
      value = s.satp;
      return true;

    case num::kMvendorid:
    case num::kMarchid:
    case num::kMimpid:
    case num::kMconfigptr:
      value = 0;
      return true;
    case num::kMhartid:
      value = s.mhartid;
      return true;
    case num::kMstatus:
      value = read_mstatus(s);
      return true;
    case num::kMisa:
      value = kMisa;
      return true;
    case num::kMedeleg:
      value = s.medeleg;
      return true;
    case num::kMideleg:
      value = s.mideleg;
      return true;
    case num::kMie:
      value = s.mie;
      return true;
    case num::kMtvec:
      value = s.mtvec;
      return true;
    case num::kMcounteren:
      value = s.mcounteren;
      return true;
    case num::kMenvcfg:
      value = s.menvcfg;
      return true;
    case num::kMcountinhibit:
      value = s.mcountinhibit;
      return true;
    case num::kMscratch:
      value = s.mscratch;
      return true;
    case num::kMepc:
      value = s.mepc;
      return true;
    case num::kMcause:
      value = s.mcause;
      return true;
    case num::kMtval:
      value = s.mtval;
      return true;
    // SEIP reads as the software bit OR the external line (priv spec 3.1.9); MEIP, MTIP,
    // MSIP come only from devices.
    case num::kMip:
      value = s.mip_all();
      return true;
    case num::kMcycle:
      value = s.instret + s.cycle_offset;
      return true;
    case num::kMinstret:
      value = s.instret + s.instret_offset;
      return true;

    // No trigger module: tselect is hard-wired to 0, and tdata1 reads type 0 ("no trigger
    // at this index"), which is how debuggers and riscv-tests detect its absence.
    case num::kTselect:
    case num::kTdata1:
    case num::kTdata2:
    case num::kTdata3:
      value = 0;
      return true;

    default:
      return false;
  }
}

bool Hart::csr_write(uint16_t csr, uint64_t value) {
  if (!number_permits(csr, s.priv, true)) return false;

  // Read-only and hard-wired-zero counters and events: writes are ignored.
  if (in_range(csr, num::kMhpmcounter3, num::kMhpmcounter31) ||
      in_range(csr, num::kMhpmevent3, num::kMhpmevent31)) {
    return true;
  }
  if (in_range(csr, num::kPmpcfg0, num::kPmpcfg15)) {
    const unsigned index = csr - num::kPmpcfg0;
    if (index & 1) return false;
    pmp.write_cfg(index, value);
    // Cached translations carry PMP permissions.
    tlb.flush_all();
    return true;
  }
  if (in_range(csr, num::kPmpaddr0, num::kPmpaddr63)) {
    const unsigned index = csr - num::kPmpaddr0;
    if (index < Pmp::kEntries) {
      pmp.write_addr(index, value);
      tlb.flush_all();
    }
    return true;
  }

  switch (csr) {
    case num::kFflags:
    case num::kFrm:
    case num::kFcsr:
      if (!fp_enabled()) return false;
      if (csr == num::kFflags) {
        s.fflags = static_cast<uint32_t>(value & 0x1f);
      } else if (csr == num::kFrm) {
        s.frm = static_cast<uint32_t>(value & 7);
      } else {
        s.fflags = static_cast<uint32_t>(value & 0x1f);
        s.frm = static_cast<uint32_t>((value >> 5) & 7);
      }
      set_fs_dirty();
      return true;

    case num::kSstatus:
      write_mstatus(*this, (s.mstatus & ~kSstatusWritable) | (value & kSstatusWritable));
      return true;
    case num::kSie: {
      const uint64_t mask = s.mideleg & kSupervisorIrqs;
      s.mie = (s.mie & ~mask) | (value & mask);
      return true;
    }
    case num::kStvec:
      write_tvec(s.stvec, value);
      return true;
    case num::kScounteren:
      s.scounteren = value & kCounterenWritable;
      return true;
    case num::kSenvcfg:
      s.senvcfg = value & kEnvcfgFiom;
      return true;
    case num::kSscratch:
      s.sscratch = value;
      return true;
    // IALIGN is 16 (C is always on): only bit 0 of xepc is zero (priv spec 4.1.7).
    case num::kSepc:
      s.sepc = value & ~uint64_t{1};
      return true;
    case num::kScause:
      s.scause = value;
      return true;
    case num::kStval:
      s.stval = value;
      return true;
    case num::kSip: {
      // Only SSIP is writable through sip; STIP and SEIP are read-only there (4.1.3).
      const uint64_t mask = s.mideleg & irq_bit(Irq::SSI);
      s.mip = (s.mip & ~mask) | (value & mask);
      return true;
    }
    case num::kSatp:
      if (s.priv == Priv::S && (s.mstatus & mstatus::TVM)) return false;
      // A write selecting an unsupported MODE has no effect at all (priv spec 4.1.11).
      // ASID (16 bits) and PPN (44 bits) are fully writable.
      if (!satp_mode_supported(value)) return true;
      s.satp = value;
      tlb.flush_all();
      update_modes();
      return true;

    case num::kMstatus:
      write_mstatus(*this, value);
      return true;
    case num::kMisa:
      return true;  // read-only misa: writes are ignored
    case num::kMedeleg:
      s.medeleg = value & kDelegableExceptions;
      return true;
    case num::kMideleg:
      s.mideleg = value & kSupervisorIrqs;
      return true;
    case num::kMie:
      s.mie = value & kAllIrqs;
      return true;
    case num::kMtvec:
      write_tvec(s.mtvec, value);
      return true;
    case num::kMcounteren:
      s.mcounteren = value & kCounterenWritable;
      return true;
    case num::kMenvcfg:
      s.menvcfg = value & kEnvcfgFiom;
      return true;
    case num::kMcountinhibit:
      s.mcountinhibit = value & kCountinhibitWritable;
      return true;
    case num::kMscratch:
      s.mscratch = value;
      return true;
    case num::kMepc:
      s.mepc = value & ~uint64_t{1};
      return true;
    case num::kMcause:
      s.mcause = value;
      return true;
    case num::kMtval:
      s.mtval = value;
      return true;
    case num::kMip:
      // M-mode software may set the supervisor bits; M-level bits come from devices.
      s.mip = (s.mip & ~kSupervisorIrqs) | (value & kSupervisorIrqs);
      return true;
    // "A value written to instret by one instruction will be the value read by the
    // following instruction" (unprivileged spec, Zicsr): the writing instruction has not
    // been counted in s.instret yet and its own retirement must not show, hence the -1.
    case num::kMcycle:
      s.cycle_offset = value - s.instret - 1;
      return true;
    case num::kMinstret:
      s.instret_offset = value - s.instret - 1;
      return true;

    // Hard-wired trigger CSRs (see csr_read): writes do not stick.
    case num::kTselect:
    case num::kTdata1:
    case num::kTdata2:
    case num::kTdata3:
      return true;

    default:
      return false;
  }
}

}  // namespace tiervm
