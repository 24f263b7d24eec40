// The CSR file of an RV64 hart with M, S and U modes (priv spec 1.12, chapters 2-4, and
// the Zicsr/Zicntr chapters of the unprivileged spec): the read and write rules of each
// kind of CSR. Which CSRs exist, and of which kind, is the table in csr_table.cpp.

#include <bit>
#include <cstdint>

#include "engine/csr_table.h"
#include "engine/hart.h"
#include "engine/vector.h"

namespace tiervm {

namespace {

// UXL and SXL are read-only 2 (XLEN 64) on this hart (priv spec 3.1.6.2).
constexpr uint64_t kXlen64Fields = (uint64_t{2} << 32) | (uint64_t{2} << 34);

// Fields software may change. VS only on a hart with V (write_mstatus keeps it 0 otherwise),
// XS stays 0 (no custom state), UBE/SBE/MBE stay 0 (little-endian only).
constexpr uint64_t kMstatusWritable = mstatus::SIE | mstatus::MIE | mstatus::SPIE | mstatus::MPIE |
                                      mstatus::SPP | mstatus::MPP | mstatus::FS | mstatus::MPRV |
                                      mstatus::SUM | mstatus::MXR | mstatus::TVM | mstatus::TW |
                                      mstatus::TSR | mstatus::VS;
// sstatus is a restricted view of mstatus (priv spec 4.1.1).
constexpr uint64_t kSstatusVisible = mstatus::SIE | mstatus::SPIE | mstatus::UBE | mstatus::SPP |
                                     mstatus::VS | mstatus::FS | mstatus::XS | mstatus::SUM |
                                     mstatus::MXR | mstatus::UXL | mstatus::SD;
constexpr uint64_t kSstatusWritable = kMstatusWritable & kSstatusVisible;

constexpr uint64_t kAllIrqs =
    kSupervisorIrqs | irq_bit(Irq::MSI) | irq_bit(Irq::MTI) | irq_bit(Irq::MEI);

// xenvcfg.FIOM is the only field of an implemented extension (no Zicbo*, Svpbmt, Sstc).
constexpr uint64_t kEnvcfgFiom = 1;
constexpr uint64_t kCounterenWritable = 0xffff'ffffull;

constexpr uint64_t kTvecModeMask = 3;

constexpr unsigned kFrmShift = std::countr_zero(kFcsrFrm);

uint64_t field(uint64_t v, uint64_t mask) {
  return (v & mask) / (mask & ~(mask - 1));
}

// `old` with the bits in `mask` taken from `value`.
uint64_t merge(uint64_t old, uint64_t value, uint64_t mask) {
  return (old & ~mask) | (value & mask);
}

bool is_s_instance(uint16_t csr) {
  return csr_level(csr) == static_cast<unsigned>(Priv::S);
}

// Privilege and read-only checks encoded in the CSR number (priv spec 2.1).
bool number_permits(uint16_t csr, Priv priv, bool write) {
  if (static_cast<unsigned>(priv) < csr_level(csr)) return false;
  return !(write && csr_read_only(csr));
}

// cycle/time/instret/hpmcounterN below M: the enable bit in mcounteren, and for U also in
// scounteren (priv spec 3.1.11, 4.1.5).
bool counter_enabled(const HartState& s, unsigned index) {
  const uint64_t bit = uint64_t{1} << index;
  if (s.priv == Priv::M) return true;
  if ((s.mcounteren & bit) == 0) return false;
  return s.priv == Priv::S || (s.scounteren & bit) != 0;
}

bool gate_open(const Hart& hart, const CsrRow& row, uint16_t csr) {
  const HartState& s = hart.s;
  switch (row.gate) {
    case CsrGate::None:
      return true;
    case CsrGate::Fs:
      return hart.fp_enabled();
    case CsrGate::Counteren:
      return counter_enabled(s, csr & 0x1f);
    case CsrGate::Tvm:
      return !(s.priv == Priv::S && (s.mstatus & mstatus::TVM));
    case CsrGate::Vs:
      return vector_enabled(s);
  }
  return false;
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
  uint64_t v = merge(old, value, kMstatusWritable);
  // MPP is WARL and 2 is reserved: keep the previous value (as QEMU's legalize_mpp).
  if (field(v, mstatus::MPP) == 2) v = (v & ~mstatus::MPP) | (old & mstatus::MPP);
  if (s.vlenb == 0) v &= ~mstatus::VS;  // no V: VS is read-only zero (priv spec 3.1.6.6)
  v &= ~mstatus::SD;
  if (field(v, mstatus::FS) == 3 || field(v, mstatus::VS) == 3) v |= mstatus::SD;
  s.mstatus = v;
  // Cached translations depend on MXR; SUM, MPRV and MPP select the data TLB mode
  // (soft_tlb.h), which update_modes() switches.
  if ((old ^ v) & mstatus::MXR) hart.tlb.flush_all();
  if (old != v) hart.update_modes();
}

// The M and S instances of the Status, Ie and Ip kinds: what each shows and lets software
// write. sstatus, sie and sip are views of mstatus, mie and mip (priv spec 4.1.1, 4.1.3).
uint64_t status_visible(uint16_t csr) {
  return is_s_instance(csr) ? kSstatusVisible : ~uint64_t{0};
}
uint64_t status_writable(uint16_t csr) {
  return is_s_instance(csr) ? kSstatusWritable : kMstatusWritable;
}
// sie and sip show the delegated interrupts only.
uint64_t irq_visible(const HartState& s, uint16_t csr) {
  return is_s_instance(csr) ? s.mideleg : ~uint64_t{0};
}
uint64_t ie_writable(const HartState& s, uint16_t csr) {
  return is_s_instance(csr) ? s.mideleg & kSupervisorIrqs : kAllIrqs;
}
// M-mode software may set the supervisor bits of mip; its M-level bits come from devices.
// Through sip only SSIP is writable; STIP and SEIP are read-only there.
uint64_t ip_writable(const HartState& s, uint16_t csr) {
  return is_s_instance(csr) ? s.mideleg & irq_bit(Irq::SSI) : kSupervisorIrqs;
}

uint64_t read_fcsr(const HartState& s) {
  return (s.frm & 7) << kFrmShift | (s.fflags & kFcsrFflags);
}

// vcsr = vxrm (bits 2:1) | vxsat (bit 0) (RVV 1.0 section 3.8).
uint64_t read_vector_csr(const HartState& s, uint16_t csr) {
  switch (csr) {
    case kCsrVstart:
      return s.vstart;
    case kCsrVxsat:
      return s.vxsat;
    case kCsrVxrm:
      return s.vxrm;
    case kCsrVcsr:
      return s.vxrm << 1 | s.vxsat;
    case kCsrVl:
      return s.vl;
    case kCsrVtype:
      return s.vtype;
    default:
      return s.vlenb;
  }
}

// vl, vtype and vlenb are read-only by number (only vsetvl* change vl and vtype). vstart
// has lg2(VLEN) writable bits, enough for the largest element index (section 3.7).
void write_vector_csr(HartState& s, uint16_t csr, uint64_t value) {
  switch (csr) {
    case kCsrVstart:
      s.vstart = value & (s.vlenb * 8 - 1);
      break;
    case kCsrVxsat:
      s.vxsat = value & 1;
      break;
    case kCsrVxrm:
      s.vxrm = value & 3;
      break;
    case kCsrVcsr:
      s.vxsat = value & 1;
      s.vxrm = (value >> 1) & 3;
      break;
    default:
      break;
  }
  set_vs_dirty(s);
}

}  // namespace

bool Hart::csr_read(uint16_t csr, uint64_t& value) {
  const CsrRow* row = find_csr(csr);
  if (row == nullptr || !number_permits(csr, s.priv, false) || !gate_open(*this, *row, csr)) {
    return false;
  }
  switch (row->kind) {
    case CsrKind::Status:
      value = read_mstatus(s) & status_visible(csr);
      return true;
    case CsrKind::Ie:
      value = s.mie & irq_visible(s, csr);
      return true;
    // SEIP reads as the software bit OR the external line (priv spec 3.1.9); MEIP, MTIP,
    // MSIP come only from devices.
    case CsrKind::Ip:
      value = s.mip_all() & irq_visible(s, csr);
      return true;
    case CsrKind::Tvec:
    case CsrKind::Counteren:
    case CsrKind::Envcfg:
    case CsrKind::Scratch:
    case CsrKind::Epc:
    case CsrKind::Cause:
    case CsrKind::Tval:
    case CsrKind::Satp:
    case CsrKind::Warl:
    case CsrKind::ReadOnly:
      value = s.*row->field;
      return true;
    case CsrKind::Fp:
      value = (read_fcsr(s) & row->mask) >> std::countr_zero(row->mask);
      return true;
    case CsrKind::Cycle:
      value = s.instret + s.cycle_offset;
      return true;
    case CsrKind::Instret:
      value = s.instret + s.instret_offset;
      return true;
    // mtime of the board's timer; without a board (unit tests) time follows instret.
    case CsrKind::Time:
      value = read_time ? read_time() : s.instret;
      return true;
    case CsrKind::Pmpcfg: {
      const unsigned index = csr - row->first;
      if (index & 1) return false;  // odd pmpcfg CSRs do not exist on RV64 (priv spec 3.7.1)
      // All PMP CSRs exist when any do; entries past the 16 implemented read as zero.
      value = pmp.read_cfg(index);
      return true;
    }
    case CsrKind::Pmpaddr: {
      const unsigned index = csr - row->first;
      value = index < Pmp::kEntries ? pmp.read_addr(index) : 0;
      return true;
    }
    case CsrKind::Zero:
      value = 0;
      return true;
    case CsrKind::Vector:
      value = read_vector_csr(s, csr);
      return true;
  }
  return false;
}

bool Hart::csr_write(uint16_t csr, uint64_t value) {
  const CsrRow* row = find_csr(csr);
  if (row == nullptr || !number_permits(csr, s.priv, true) || !gate_open(*this, *row, csr)) {
    return false;
  }
  switch (row->kind) {
    case CsrKind::Status:
      write_mstatus(*this, merge(s.mstatus, value, status_writable(csr)));
      return true;
    case CsrKind::Ie:
      s.mie = merge(s.mie, value, ie_writable(s, csr));
      return true;
    case CsrKind::Ip:
      s.mip = merge(s.mip, value, ip_writable(s, csr));
      return true;
    // MODE 0 (direct) and 1 (vectored) are implemented; a write selecting a reserved mode
    // is ignored, as QEMU does (the field is WARL).
    case CsrKind::Tvec:
      if ((value & kTvecModeMask) < 2) s.*row->field = value;
      return true;
    case CsrKind::Counteren:
      s.*row->field = value & kCounterenWritable;
      return true;
    case CsrKind::Envcfg:
      s.*row->field = value & kEnvcfgFiom;
      return true;
    case CsrKind::Scratch:
    case CsrKind::Cause:
    case CsrKind::Tval:
      s.*row->field = value;
      return true;
    // IALIGN is 16 (C is always on): only bit 0 of xepc is zero (priv spec 4.1.7).
    case CsrKind::Epc:
      s.*row->field = value & ~uint64_t{1};
      return true;
    case CsrKind::Warl:
      s.*row->field = value & row->mask;
      return true;
    case CsrKind::ReadOnly:
    case CsrKind::Zero:
      return true;
    case CsrKind::Fp: {
      const uint64_t fcsr = merge(read_fcsr(s), value << std::countr_zero(row->mask), row->mask);
      if (row->mask & kFcsrFflags) s.fflags = static_cast<uint32_t>(fcsr & kFcsrFflags);
      if (row->mask & kFcsrFrm) s.frm = static_cast<uint32_t>((fcsr & kFcsrFrm) >> kFrmShift);
      set_fs_dirty();
      return true;
    }
    // "A value written to instret by one instruction will be the value read by the
    // following instruction" (unprivileged spec, Zicsr): the writing instruction has not
    // been counted in s.instret yet and its own retirement must not show, hence the -1.
    case CsrKind::Cycle:
      s.cycle_offset = value - s.instret - 1;
      return true;
    case CsrKind::Instret:
      s.instret_offset = value - s.instret - 1;
      return true;
    case CsrKind::Time:
      return false;  // only the read-only user CSR exists
    case CsrKind::Satp:
      // A write selecting an unsupported MODE has no effect at all (priv spec 4.1.11).
      // ASID (16 bits) and PPN (44 bits) are fully writable.
      if (!satp_mode_supported(value)) return true;
      s.*row->field = value;
      tlb.flush_all();
      update_modes();
      return true;
    case CsrKind::Pmpcfg: {
      const unsigned index = csr - row->first;
      if (index & 1) return false;
      pmp.write_cfg(index, value);
      // Cached translations carry PMP permissions, and bare accesses may now need checks.
      tlb.flush_all();
      update_modes();
      return true;
    }
    case CsrKind::Pmpaddr: {
      const unsigned index = csr - row->first;
      if (index < Pmp::kEntries) {
        pmp.write_addr(index, value);
        tlb.flush_all();
        update_modes();
      }
      return true;
    }
    case CsrKind::Vector:
      write_vector_csr(s, csr, value);
      return true;
  }
  return false;
}

}  // namespace tiervm
